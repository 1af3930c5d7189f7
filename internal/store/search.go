package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// CaseQuery is a case list as the store runs it: the service has validated the filter,
// folded the search text and decoded the cursor.
type CaseQuery struct {
	// NameFolds are folded forms of the searched name (service.FoldName); any may match:
	// each of its words fuzzily (trigram word similarity) or as a part of a name.
	NameFolds []string
	// ReferencePrefix matches references starting with it (an exact reference included).
	ReferencePrefix string
	Status          model.CaseStatus
	// Area, optionally with AreaStatus, keeps cases having that plan row, seen through
	// PlanScope: a filter never reveals plan rows the actor may not read.
	Area       string
	AreaStatus model.AreaStatusValue
	PlanScope  model.Scope
	LeadOrgID  *uuid.UUID
	// After continues after this sort key (keyset pagination).
	After *CaseCursor
	// Limit is the page size; List reads one more row to know whether a page follows.
	Limit int
	// Numbered pages sort by Sort and skip Sort.Offset rows instead of the keyset.
	Numbered bool
	Sort     ListSort
}

// CaseCursor is the sort key of a case in lists: updated_at DESC, id DESC. It is stable: ties
// on the time are broken by the id.
type CaseCursor struct {
	UpdatedAt time.Time `json:"u"`
	ID        uuid.UUID `json:"i"`
}

// scopeCond is the OR of the predicates of sc's kinds among kinds (all of sc's kinds when
// none are named), or FALSE. It is visible's condition as an expression, for the places that
// need one kind's answer apart (access levels, identity in name search).
func scopeCond(sc model.Scope, today time.Time, kinds ...model.ScopeKind) (string, []any) {
	preds := predicates[sc.Object]
	var conds []string
	var args []any
	for _, k := range sc.Kinds {
		if len(kinds) > 0 && !containsKind(kinds, k) {
			continue
		}
		p, ok := preds[k]
		if !ok {
			continue
		}
		c, a := p(sc, today)
		conds = append(conds, "("+c+")")
		args = append(args, a...)
	}
	if len(conds) == 0 {
		return "FALSE", nil
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

func containsKind(l []model.ScopeKind, k model.ScopeKind) bool {
	for _, x := range l {
		if x == k {
			return true
		}
	}
	return false
}

// caseBranches is visible for case lists in union form: one query on cases per kind of sc,
// from the same predicates as visible, each selecting cols and narrowed by more (filters,
// keyset, order, limit). Postgres cannot turn an OR of EXISTS into joins, so the OR form
// would scan every case for a partner with a handful of referrals; each branch of the union
// uses its own index, and with a limit each stops after one page.
//
// A name search skips the assigned kind: a task alone never shows names, so every case the
// search may find through it is found through the lead or referred kind as well (the
// identity condition is built from those very predicates).
func (r Cases) caseBranches(ctx context.Context, sc model.Scope, q CaseQuery, cols string, more func(*gorm.DB) *gorm.DB) []any {
	preds := predicates["case"]
	var out []any
	for _, k := range sc.Kinds {
		p, ok := preds[k]
		if !ok || (k == model.ScopeAssigned && len(q.NameFolds) > 0) {
			continue
		}
		if bp, ok := caseBranchPredicates[k]; ok {
			p = bp
		}
		c, a := p(sc, today(r.db))
		out = append(out, more(r.db.WithContext(ctx).Table("cases").Select(cols).Where(c, a...)))
	}
	if len(out) == 0 {
		out = append(out, r.db.WithContext(ctx).Table("cases").Select(cols).Where("FALSE"))
	}
	return out
}

// union joins queries with op (UNION or UNION ALL) into one query.
func (r Cases) union(ctx context.Context, op string, queries []any) *gorm.DB {
	// GORM renders a subquery argument of Raw without parentheses; a branch with ORDER BY and
	// LIMIT needs them.
	sql := strings.TrimSuffix(strings.Repeat("(?) "+op+" ", len(queries)), " "+op+" ")
	return r.db.WithContext(ctx).Raw(sql, queries...)
}

// identityVisible is true for the person row p of the case `cases` when the actor may see its
// identity (names): with full access (the lead organisation's kinds of sc), or through an
// active, covered referral whose consent releases the identity category for the household or
// for this person, or whose legal basis releases it. Name search adds it, so that nobody can
// probe by name for cases whose names they may not see.
func identityVisible(sc model.Scope, today time.Time) (string, []any) {
	full, args := scopeCond(sc, today, model.ScopeOrg, model.ScopeOrgTree)
	if !sc.Has(model.ScopeReferred) {
		return full, args
	}
	ref := `EXISTS (SELECT 1 ` + activeReferralFrom("cases.id") + `
		AND ((ar.legal_basis <> '' AND '` + string(model.CategoryIdentity) + `' = ANY(ar.legal_basis_categories))
			OR (` + consentCovers + ` AND '` + string(model.CategoryIdentity) + `' = ANY(ac.data_categories) AND (ac.person_id IS NULL OR ac.person_id = p.id))))`
	return "(" + full + " OR " + ref + ")", append(args, orgsOf(sc), today, today)
}

// escapeLike escapes the LIKE wildcards in s.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// filterCases adds the filters of q (not the scope, not the keyset) to a query on cases.
func (r Cases) filterCases(db *gorm.DB, sc model.Scope, q CaseQuery) *gorm.DB {
	if len(q.NameFolds) > 0 {
		// Every word of a folded form must match a word of the person's names, fuzzily
		// (trigram word similarity) or as a part; any folded form may match.
		var match []string
		var args []any
		for _, f := range q.NameFolds {
			var words []string
			for _, w := range strings.Fields(f) {
				// The part match first: it is cheap and, when it holds, spares the similarity.
				words = append(words, "(p.search_text LIKE ? OR ? <% p.search_text)")
				args = append(args, "%"+escapeLike(w)+"%", w)
			}
			match = append(match, "("+strings.Join(words, " AND ")+")")
		}
		// The names are matched on the persons of the caller's cases only, each case of a
		// branch in list order until the page is full: "OFFSET 0" keeps Postgres from turning
		// the EXISTS into a join with every person of the city whose name matches (a common
		// name matches thousands), which it must then read before narrowing to the
		// caller's cases (docs/performance.md, "Queries that follow the page").
		idc, idArgs := identityVisible(sc, today(db))
		db = db.Where(`EXISTS (SELECT 1 FROM persons p WHERE p.case_id = cases.id AND (`+strings.Join(match, " OR ")+`) AND `+idc+` OFFSET 0)`,
			append(args, idArgs...)...)
	}
	if q.ReferencePrefix != "" {
		db = db.Where("cases.reference LIKE ?", escapeLike(q.ReferencePrefix)+"%")
	}
	if q.Status != "" {
		db = db.Where("cases.status = ?", q.Status)
	}
	if q.LeadOrgID != nil {
		db = db.Where("cases.lead_org_id = ?", *q.LeadOrgID)
	}
	if q.Area != "" {
		sub := visible(r.db.Table("area_statuses").Select("1"), q.PlanScope).
			Where("area_statuses.case_id = cases.id AND area_statuses.area = ?", q.Area)
		if q.AreaStatus != "" {
			sub = sub.Where("area_statuses.status = ?", q.AreaStatus)
		}
		db = db.Where("EXISTS (?)", sub)
	}
	return db
}

// keyset adds the keyset condition of q to a query on cases.
func keyset(db *gorm.DB, q CaseQuery) *gorm.DB {
	if q.After != nil {
		db = db.Where("(cases.updated_at, cases.id) < (?, ?)", q.After.UpdatedAt, q.After.ID)
	}
	return db
}

const caseOrder = "cases.updated_at DESC, cases.id DESC"

// List returns one page of the cases sc reaches that match q, by updated_at DESC, id DESC,
// with one row more than q.Limit when a page follows.
func (r Cases) List(ctx context.Context, sc model.Scope, q CaseQuery) ([]model.Case, error) {
	var out []model.Case
	err := r.casePageQuery(ctx, sc, q).Find(&out).Error
	return out, translate("list cases", err)
}

// casePageQuery is the query of one page: the top of every branch (filtered, after the
// keyset, in list order, one page long), and the top of their union. The top of a union is
// the top of the tops of its parts, so this is exactly the page of the whole list; UNION
// drops a case that several branches reach.
func (r Cases) casePageQuery(ctx context.Context, sc model.Scope, q CaseQuery) *gorm.DB {
	if q.Numbered {
		// The top offset+limit+1 of every branch hold the top offset+limit+1 of the union.
		branches := r.caseBranches(ctx, sc, q, "cases.*", func(b *gorm.DB) *gorm.DB {
			b = orderCases(r.filterCases(b, sc, q), q.Sort)
			if q.Limit > 0 {
				b = b.Limit(q.Sort.Offset + q.Limit + 1)
			}
			return b
		})
		db := orderCases(r.db.WithContext(ctx).Table("(?) AS cases", r.union(ctx, "UNION", branches)), q.Sort).Offset(q.Sort.Offset)
		if q.Limit > 0 {
			db = db.Limit(q.Limit + 1)
		}
		return db
	}
	branches := r.caseBranches(ctx, sc, q, "cases.*", func(b *gorm.DB) *gorm.DB {
		b = keyset(r.filterCases(b, sc, q), q).Order(caseOrder)
		if q.Limit > 0 {
			b = b.Limit(q.Limit + 1)
		}
		return b
	})
	db := r.db.WithContext(ctx).Table("(?) AS cases", r.union(ctx, "UNION", branches)).Order(caseOrder)
	if q.Limit > 0 {
		db = db.Limit(q.Limit + 1)
	}
	return db
}

// Page returns one page of the cases sc reaches that match q, as List does (with one row
// more than q.Limit when a page follows), and how many match on all pages, as Count does. For
// the lists in order of change (keyset pages, and numbered pages sorted by change, the case
// list's default) it is one statement: the union of the filtered branches is built once (each
// case's id and time of change), then counted and cut to the page, and only the page's cases
// are read; List and Count apart would build it twice (docs/performance.md, "Queries that
// follow the page"). Other sorts run List and Count.
func (r Cases) Page(ctx context.Context, sc model.Scope, q CaseQuery) ([]model.Case, int64, error) {
	if q.Numbered && q.Sort.Key != "" && q.Sort.Key != model.SortChanged {
		out, err := r.List(ctx, sc, q)
		if err != nil {
			return nil, 0, err
		}
		n, err := r.Count(ctx, sc, q)
		return out, n, err
	}
	limit := q.Limit
	if limit > 0 {
		limit++
	}
	out, total, err := r.page(ctx, sc, q, func(b *gorm.DB) *gorm.DB { return r.filterCases(b, sc, q) }, limit)
	if err == nil && len(out) == 0 && (q.After != nil || (q.Numbered && q.Sort.Offset > 0)) {
		// A page after the last case carries no total: count apart.
		total, err = r.Count(ctx, sc, q)
	}
	return out, total, translate("list cases", err)
}

// page runs pageQuery and returns its cases with the number on their rows.
func (r Cases) page(ctx context.Context, sc model.Scope, q CaseQuery, filter func(*gorm.DB) *gorm.DB, limit int) ([]model.Case, int64, error) {
	var rows []counted[model.Case]
	if err := r.pageQuery(ctx, sc, q, filter, limit).Scan(&rows).Error; err != nil {
		return nil, 0, err
	}
	out := make([]model.Case, len(rows))
	var total int64
	for i := range rows {
		out[i], total = rows[i].Row, rows[i].Total
	}
	return out, total, nil
}

// pageQuery is the statement of Page and Recent: the cases of the branches of sc narrowed by
// filter, in order of change (newest first, unless q is a numbered page sorted by change
// ascending), after q's keyset or offset, at most limit (0: all), each with the number of all
// of them (before keyset and offset) as lotse_total.
func (r Cases) pageQuery(ctx context.Context, sc model.Scope, q CaseQuery, filter func(*gorm.DB) *gorm.DB, limit int) *gorm.DB {
	hit := r.union(ctx, "UNION", r.caseBranches(ctx, sc, q, "cases.id, cases.updated_at", filter))
	dir := " DESC"
	if q.Numbered && q.Sort.Key == model.SortChanged && !q.Sort.Desc {
		dir = " ASC"
	}
	cut, args := "", []any{hit}
	if q.After != nil && !q.Numbered {
		cut, args = " WHERE (hit.updated_at, hit.id) < (?, ?)", append(args, q.After.UpdatedAt, q.After.ID)
	}
	cut += " ORDER BY hit.updated_at" + dir + ", hit.id" + dir
	if limit > 0 {
		cut, args = cut+" LIMIT ?", append(args, limit)
	}
	if q.Numbered && q.Sort.Offset > 0 {
		cut, args = cut+" OFFSET ?", append(args, q.Sort.Offset)
	}
	return r.db.WithContext(ctx).Raw(`WITH hit AS MATERIALIZED (?)
		SELECT cases.*, (SELECT count(*) FROM hit) AS lotse_total FROM cases
		JOIN (SELECT hit.id FROM hit`+cut+`) AS page ON page.id = cases.id
		ORDER BY cases.updated_at`+dir+`, cases.id`+dir, args...)
}

// caseCountQuery counts the union of the filtered branches: every case of the list once.
func (r Cases) caseCountQuery(ctx context.Context, sc model.Scope, q CaseQuery) *gorm.DB {
	branches := r.caseBranches(ctx, sc, q, "cases.id", func(b *gorm.DB) *gorm.DB { return r.filterCases(b, sc, q) })
	return r.db.WithContext(ctx).Raw("SELECT count(*) FROM (?) AS listed", r.union(ctx, "UNION", branches))
}

// Count counts the cases sc reaches that match q, on all pages.
func (r Cases) Count(ctx context.Context, sc model.Scope, q CaseQuery) (int64, error) {
	var n int64
	err := r.caseCountQuery(ctx, sc, q).Scan(&n).Error
	return n, translate("count cases", err)
}

// ReferralGrant is one active, covered referral of a case to the actor's organisations: what
// it releases.
type ReferralGrant struct {
	Areas []string `json:"areas"`
	// Categories are the data categories of the covering consent (none when only a legal
	// basis covers the referral).
	Categories []string `json:"categories"`
	// BasisCategories are the data categories the referral's recorded legal basis releases
	// (model.Referral.LegalBasisCategories), for the whole household; none without a basis.
	BasisCategories []string `json:"basis_categories"`
	// PersonID: the covering consent was given for this person only.
	PersonID *uuid.UUID `json:"person_id"`
}

// CaseAccessFacts are the facts behind an actor's access to one case, from the same
// predicates as visible.
type CaseAccessFacts struct {
	// Full: a lead kind of the scope (org, org_tree) reaches the case.
	Full bool
	// Emergency: an unexpired emergency access of the actor admits the case
	// (emergencyAccess).
	Emergency bool
	// Assigned: the assigned kind (an open task) reaches the case.
	Assigned bool
	// Referrals are the active, covered referrals to the actor's organisations, when the
	// scope has the referred kind.
	Referrals []ReferralGrant
}

// Access returns, in one query, the access facts of sc (a "case" scope) for each of the
// cases; cases sc does not reach have all facts false.
func (r Cases) Access(ctx context.Context, sc model.Scope, ids []uuid.UUID) (map[uuid.UUID]CaseAccessFacts, error) {
	out := map[uuid.UUID]CaseAccessFacts{}
	if len(ids) == 0 {
		return out, nil
	}
	sql, args := caseAccessQuery(sc, ids, today(r.db), dbNow(r.db))
	var rows []struct {
		ID     uuid.UUID
		Access accessRow `gorm:"embedded"`
	}
	if err := r.db.WithContext(ctx).Raw(sql, args...).Scan(&rows).Error; err != nil {
		return nil, translate("case access", err)
	}
	for _, row := range rows {
		f, err := row.Access.facts()
		if err != nil {
			return nil, err
		}
		out[row.ID] = f
	}
	return out, nil
}

// CaseContent is a case that a scope reaches, as a case view needs it: the case, the
// reader's access facts and, where the facts release the content (a lead kind, an emergency
// access, a referral), its persons (in Persons.ForCases' order) and the rows of its plan
// that the plan scope reaches (by the areas' position). A case reached only through an open
// task shows its summary and has neither.
type CaseContent struct {
	Case    model.Case
	Facts   CaseAccessFacts
	Persons []model.Person
	Plan    []model.AreaStatus
}

// Content returns the cases of ids that sc (a "case" scope) reaches, with their access facts
// (as Access), persons and plan rows (those planSc, a "plan" scope, reaches; visible), in one
// statement: a case page, the API's case read and a page of the case list were four round
// trips (the cases, their access, their persons, their plan).
//
// A case is visible exactly when one of its facts holds: the facts are visible's predicates
// kind by kind (the lead kinds, the emergency access, the assigned kind, and the referred
// kind as the list of its referrals, empty where it does not reach). So the statement reads
// the facts of the ids and keeps the cases with one, instead of also filtering by visible:
// the predicates are planned once, not twice (their planning took longer than running them;
// docs/performance.md, "Fourth round").
func (r Cases) Content(ctx context.Context, sc, planSc model.Scope, ids []uuid.UUID) ([]CaseContent, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	sql, args := caseContentQuery(sc, planSc, ids, today(r.db), dbNow(r.db))
	var rows []struct {
		Case    model.Case `gorm:"embedded"`
		Access  accessRow  `gorm:"embedded"`
		Persons *string    `gorm:"column:lotse_persons"`
		Plan    *string    `gorm:"column:lotse_plan"`
	}
	if err := r.db.WithContext(ctx).Raw(sql, args...).Scan(&rows).Error; err != nil {
		return nil, translate("case content", err)
	}
	out := make([]CaseContent, 0, len(rows))
	for _, row := range rows {
		f, err := row.Access.facts()
		if err != nil {
			return nil, err
		}
		c := CaseContent{Case: row.Case, Facts: f}
		if c.Persons, err = decodeRows[model.Person](r.db, row.Persons, nil); err != nil {
			return nil, err
		}
		if c.Plan, err = decodeRows[model.AreaStatus](r.db, row.Plan, nil); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// contentReleased is true for a row of the access columns that releases the case's content:
// a lead kind, an emergency access or a referral (model.CaseAccess.SummaryOnly is its
// negation).
const contentReleased = `c.lotse_full OR c.lotse_emergency OR c.lotse_referrals <> '[]'`

// caseContentQuery is the query of Content: the access query of the ids (accessColumns),
// kept where a fact holds, with the persons and the plan rows as JSON (decodeRows) where
// the facts release the content. The access columns are computed once (MATERIALIZED), not
// again in the conditions.
func caseContentQuery(sc, planSc model.Scope, ids []uuid.UUID, today, now time.Time) (string, []any) {
	cols, args, lateral, largs := accessColumns(sc, today, now)
	plan, pargs := visibleCond(planSc, today, now)
	args = append(append(append(args, largs...), uuids(ids)), pargs...)
	return `WITH c AS MATERIALIZED (SELECT cases.*, ` + cols + ` FROM cases ` + lateral + ` WHERE cases.id = ANY(?::uuid[]))
		SELECT c.*,
			CASE WHEN ` + contentReleased + ` THEN (SELECT json_agg(p ORDER BY p.is_primary DESC, p.created_at, p.id)
				FROM persons p WHERE p.case_id = c.id) END::text AS lotse_persons,
			CASE WHEN ` + contentReleased + ` THEN (SELECT json_agg(area_statuses ORDER BY areas.position, area_statuses.area)
				FROM area_statuses JOIN areas ON areas.code = area_statuses.area
				WHERE area_statuses.case_id = c.id AND ` + plan + `) END::text AS lotse_plan
		FROM c WHERE ` + contentReleased + ` OR c.lotse_assigned`, args
}

// CaseLabelRow is a case as a list of tasks or referrals labels it (model.CaseView.Label):
// its reference, the reader's access facts, and its persons with their names only (the
// primary person first, then by creation, as Persons.ForCases), read only where the facts
// release the case's content (a lead kind, an emergency access, a referral); a case reached
// only through an open task shows its summary and has none.
type CaseLabelRow struct {
	ID        uuid.UUID
	Reference string
	Facts     CaseAccessFacts
	Persons   []model.Person
}

// Labels returns the cases of ids that sc reaches (Content: the same cases, the
// same facts) as their labels need them, in one statement: the case, its access facts and
// its persons' names, where the labels of a page were two round trips (the cases with their
// access, then the persons). Of a person it reads the id, whether it is the main person and
// the name: a list shows nothing more, and data a page does not show is better not read.
func (r Cases) Labels(ctx context.Context, sc model.Scope, ids []uuid.UUID) ([]CaseLabelRow, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	sql, args := caseLabelQuery(sc, ids, today(r.db), dbNow(r.db))
	var rows []struct {
		ID        uuid.UUID
		Reference string
		Access    accessRow `gorm:"embedded"`
		Persons   *string   `gorm:"column:lotse_persons"`
	}
	if err := r.db.WithContext(ctx).Raw(sql, args...).Scan(&rows).Error; err != nil {
		return nil, translate("case labels", err)
	}
	out := make([]CaseLabelRow, 0, len(rows))
	for _, row := range rows {
		f, err := row.Access.facts()
		if err != nil {
			return nil, err
		}
		c := CaseLabelRow{ID: row.ID, Reference: row.Reference, Facts: f}
		if c.Persons, err = decodeRows[model.Person](r.db, row.Persons, nil); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// caseLabelQuery is the query of Labels: the access query of the ids (accessColumns), kept
// where a fact holds, with the persons' names as JSON (decodeRows) where the facts release
// the content.
// The access columns are computed once (MATERIALIZED), not again in the conditions.
func caseLabelQuery(sc model.Scope, ids []uuid.UUID, today, now time.Time) (string, []any) {
	cols, args, lateral, largs := accessColumns(sc, today, now)
	args = append(append(args, largs...), uuids(ids))
	return `WITH c AS MATERIALIZED (SELECT cases.id, cases.reference, ` + cols + ` FROM cases ` + lateral + ` WHERE cases.id = ANY(?::uuid[]))
		SELECT c.*, CASE WHEN ` + contentReleased + ` THEN (SELECT json_agg(json_build_object('id', p.id, 'case_id', p.case_id,
			'is_primary', p.is_primary, 'family_name', p.family_name, 'given_names', p.given_names) ORDER BY p.is_primary DESC, p.created_at, p.id)
			FROM persons p WHERE p.case_id = c.id) END::text AS lotse_persons
		FROM c WHERE ` + contentReleased + ` OR c.lotse_assigned`, args
}

// accessRow is a row of the access columns (accessColumns) of a case.
type accessRow struct {
	Full      bool   `gorm:"column:lotse_full"`
	Emergency bool   `gorm:"column:lotse_emergency"`
	Assigned  bool   `gorm:"column:lotse_assigned"`
	Referrals string `gorm:"column:lotse_referrals"`
}

// facts decodes the row.
func (row accessRow) facts() (CaseAccessFacts, error) {
	f := CaseAccessFacts{Full: row.Full, Emergency: row.Emergency, Assigned: row.Assigned}
	if err := json.Unmarshal([]byte(row.Referrals), &f.Referrals); err != nil {
		return f, fmt.Errorf("store: case access: %w", err)
	}
	return f, nil
}

// caseAccessQuery is the query of Access: per case, the lead kinds, an emergency access
// (at now) and the assigned kind of sc as booleans, and the active, covered referrals to the
// actor's organisations as JSON.
func caseAccessQuery(sc model.Scope, ids []uuid.UUID, today, now time.Time) (string, []any) {
	cols, args, lateral, largs := accessColumns(sc, today, now)
	args = append(append(args, largs...), uuids(ids))
	return `SELECT cases.id, ` + cols + ` FROM cases ` + lateral + ` WHERE cases.id = ANY(?::uuid[])`, args
}

// accessColumns are the access facts of sc as columns of a query on cases (lotse_full,
// lotse_emergency, lotse_assigned, lotse_referrals; accessRow), with their arguments, and
// the lateral join the referrals column needs (empty without the referred kind), with its
// arguments. Access, Content and Labels all use them, so their facts cannot differ.
func accessColumns(sc model.Scope, today, now time.Time) (cols string, args []any, lateral string, largs []any) {
	full, args := scopeCond(sc, today, model.ScopeOrg, model.ScopeOrgTree)
	emergency := "FALSE"
	if e, eargs, ok := emergencyAccess(sc, now); ok {
		emergency = e
		args = append(args, eargs...)
	}
	assigned, aargs := scopeCond(sc, today, model.ScopeAssigned)
	args = append(args, aargs...)
	refs := `'[]'`
	if sc.Has(model.ScopeReferred) {
		refs = `coalesce(ref.grants, '[]')`
		lateral = `LEFT JOIN LATERAL (SELECT json_agg(json_build_object(
			'areas', ar.areas,
			'categories', CASE WHEN ` + consentCovers + ` THEN ac.data_categories ELSE '{}'::text[] END,
			'basis_categories', CASE WHEN ar.legal_basis <> '' THEN ar.legal_basis_categories ELSE '{}'::text[] END,
			'person_id', CASE WHEN ` + consentCovers + ` THEN ac.person_id END) ORDER BY ar.id) AS grants
			` + activeReferralFrom("cases.id") + `) ref ON TRUE`
		largs = []any{today, today, orgsOf(sc), today}
	}
	cols = `(` + full + `) AS lotse_full, ` + emergency + ` AS lotse_emergency, (` + assigned + `) AS lotse_assigned, ` + refs + `::text AS lotse_referrals`
	return cols, args, lateral, largs
}
