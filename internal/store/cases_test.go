package store

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil"
)

// caseLoad is a database with realistic data for query plans: 5,000 cases over 8
// organisations, their households, plans, referrals with consents, and tasks.
type caseLoad struct {
	db                   *db.DB
	st                   *Store
	city, housing, north uuid.UUID // housing is below city, north below housing
	migration, school    uuid.UUID // further municipal departments
	jobcenter, caritas   uuid.UUID
	diakonie             uuid.UUID
}

func newCaseLoad(t *testing.T) *caseLoad {
	t.Helper()
	ctx := context.Background()
	// Loaded and analysed as the owner (ANALYZE skips tables of other owners), read through
	// the store as the application role.
	tdb := testutil.NewDatabase(t)
	d := testutil.Open(t, tdb.OwnerURL)
	l := &caseLoad{db: d, st: New(testutil.Open(t, tdb.URL).Gorm, nil)}
	for _, id := range []*uuid.UUID{&l.city, &l.housing, &l.north, &l.migration, &l.school, &l.jobcenter, &l.caritas, &l.diakonie} {
		*id = model.NewID()
	}
	if _, err := d.SQL.ExecContext(ctx, `INSERT INTO organisations (id, parent_id, kind, name, short_name) VALUES
		($1, NULL, 'municipal', 'Stadt', 'STADT'), ($2, $1, 'municipal', 'Wohnen', 'WOHNEN'),
		($3, $2, 'municipal', 'Wohnen Nord', 'WOHNEN-NORD'), ($4, $1, 'municipal', 'Migration', 'MIGRATION'),
		($5, $1, 'municipal', 'Schule', 'SCHULE'), ($6, NULL, 'jobcenter', 'Jobcenter', 'JOBCENTER'),
		($7, NULL, 'welfare', 'Caritas', 'CARITAS'), ($8, NULL, 'welfare', 'Diakonie', 'DIAKONIE')`,
		l.city, l.housing, l.north, l.migration, l.school, l.jobcenter, l.caritas, l.diakonie); err != nil {
		t.Fatal(err)
	}
	stmts := []string{
		// Cases led by the five municipal organisations, changed over two years.
		fmt.Sprintf(`INSERT INTO cases (id, reference, lead_org_id, status, opened_at, updated_at, closed_at, status_reason)
			SELECT gen_random_uuid(), 'F-2026-' || lpad(i::text, 5, '0'),
				(ARRAY['%s','%s','%s','%s','%s']::uuid[])[1 + i %% 5],
				CASE WHEN i %% 10 = 0 THEN 'closed' WHEN i %% 10 = 1 THEN 'paused' ELSE 'open' END,
				now() - (i || ' hours')::interval, now() - ((i * 7919) %% 17000 || ' minutes')::interval,
				CASE WHEN i %% 10 = 0 THEN now() END, CASE WHEN i %% 10 = 0 THEN 'erledigt' ELSE '' END
			FROM generate_series(1, 20000) i`, l.city, l.housing, l.north, l.migration, l.school),
		// One to three persons per case, with varied names.
		`INSERT INTO persons (id, case_id, is_primary, family_name, given_names, search_text)
			SELECT gen_random_uuid(), c.id, n = 1, fam, giv, fam || ' ' || giv
			FROM (SELECT id, row_number() OVER (ORDER BY reference) AS i FROM cases) c,
				generate_series(1, 1 + (c.i % 3)::int) n,
				LATERAL (SELECT substr(md5(c.i::text || '-' || n), 1, 8) AS fam, substr(md5(n || '-' || c.i::text), 1, 6) AS giv) x`,
		// Every seventh person with all its fields, for the case views (Cases.Content).
		`UPDATE persons SET name_variants = '{Mueller,Muller}', birth_date = date '1970-01-01' + abs(hashtext(id::text)) % 15000,
			languages = '{ar,de}', arrival_date = date '2015-06-01' + abs(hashtext(id::text)) % 3000, residence_status = 'Aufenthaltserlaubnis',
			district = 'Nord', phone = '0151 234567', email = 'person@example.org', address = 'Hauptstraße 1', updated_at = updated_at + interval '1 hour'
			WHERE abs(hashtext(id::text)) % 7 = 0`,
		fmt.Sprintf(`UPDATE persons SET family_name = 'Müller', given_names = 'Anna', search_text = 'mueller muller anna'
			WHERE is_primary AND case_id IN (SELECT id FROM cases WHERE lead_org_id = '%s' ORDER BY reference LIMIT 3)`, l.north),
		`INSERT INTO area_statuses (case_id, area, status)
			SELECT c.id, a.code, (ARRAY['not_started','in_progress','waiting','achieved','not_needed'])[1 + (abs(hashtext(c.id::text || a.code)) % 5)]
			FROM cases c CROSS JOIN areas a`,
		// Every eighth case is referred to a partner, with a consent naming it: most to the
		// job center, a few to Diakonie, fewer still to Caritas.
		fmt.Sprintf(`WITH r AS (
				SELECT c.id AS case_id, c.lead_org_id, CASE WHEN i %% 400 = 0 THEN '%s'::uuid WHEN i %% 24 = 0 THEN '%s'::uuid ELSE '%s'::uuid END AS to_org, i
				FROM (SELECT id, lead_org_id, row_number() OVER (ORDER BY reference) AS i FROM cases) c WHERE i %% 8 = 0),
			con AS (
				INSERT INTO consents (id, case_id, areas, data_categories, purpose, valid_from, valid_until, evidence, recorded_org_id)
				SELECT gen_random_uuid(), case_id, '{work,language}', '{identity}', 'Vermittlung', current_date - 10, current_date + 300, 'Formular', lead_org_id FROM r
				RETURNING id, case_id),
			rec AS (
				INSERT INTO consent_recipients (consent_id, org_id) SELECT con.id, r.to_org FROM con JOIN r USING (case_id))
			INSERT INTO referrals (id, reference, case_id, from_org_id, to_org_id, areas, reply_due, status, consent_id)
			SELECT gen_random_uuid(), 'V-2026-' || lpad(r.i::text, 5, '0'), r.case_id, r.lead_org_id, r.to_org, '{work}', current_date + 10,
				(ARRAY['sent','accepted','in_progress','completed','declined'])[1 + (r.i / 8) %% 5], con.id
			FROM r JOIN con USING (case_id)`, l.caritas, l.diakonie, l.jobcenter),
		// Tasks, mostly done: many of the departments and the job center, few of Caritas.
		fmt.Sprintf(`INSERT INTO tasks (id, org_id, case_id, title, status)
			SELECT gen_random_uuid(), CASE WHEN i %% 300 = 0 THEN '%s'::uuid ELSE (ARRAY['%s','%s','%s','%s','%s','%s','%s']::uuid[])[1 + i %% 7] END,
				c.id, 'Aufgabe', CASE WHEN i %% 4 = 0 THEN 'open' ELSE 'done' END
			FROM (SELECT id, row_number() OVER (ORDER BY reference) AS i FROM cases) c, generate_series(1, 1 + (c.i %% 5)::int) n
			WHERE i %% 3 = 0 OR i %% 300 = 0`,
			l.caritas, l.city, l.housing, l.north, l.migration, l.school, l.jobcenter, l.diakonie),
		`ANALYZE`,
	}
	for _, s := range stmts {
		if _, err := d.SQL.ExecContext(ctx, s); err != nil {
			t.Fatalf("seed: %v\n%s", err, s)
		}
	}
	return l
}

// explain returns the plan of a query built on a dry-run session (Cases{dry}).
func (l *caseLoad) explain(t *testing.T, q *gorm.DB) []byte {
	t.Helper()
	stmt := q.Find(&[]model.Case{}).Statement
	return l.explainSQL(t, stmt.SQL.String(), stmt.Vars...)
}

func (l *caseLoad) explainSQL(t *testing.T, sql string, vars ...any) []byte {
	t.Helper()
	ctx := context.Background()
	conn, err := l.db.SQL.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The cost of a random read on SSD storage, as production should be configured (the
	// default of 4 models spinning disks, and makes the planner scan small tables).
	if _, err := conn.ExecContext(ctx, `SET random_page_cost = 1.1`); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, `RESET random_page_cost`) //nolint:errcheck
	var plan []byte
	if err := conn.QueryRowContext(ctx, "EXPLAIN (FORMAT JSON) "+sql, vars...).Scan(&plan); err != nil {
		t.Fatalf("explain: %v\n%s", err, sql)
	}
	return plan
}

// eachNode calls fn for every node of a plan, depth first, with its depth.
func eachNode(t *testing.T, plan []byte, fn func(n map[string]any, depth int)) {
	t.Helper()
	var root []map[string]any
	if err := json.Unmarshal(plan, &root); err != nil {
		t.Fatal(err)
	}
	var walk func(n map[string]any, depth int)
	walk = func(n map[string]any, depth int) {
		fn(n, depth)
		if kids, ok := n["Plans"].([]any); ok {
			for _, k := range kids {
				walk(k.(map[string]any), depth+1)
			}
		}
	}
	for _, r := range root {
		walk(r["Plan"].(map[string]any), 0)
	}
}

// outline renders a plan as an indented list of nodes, for the test log.
func outline(t *testing.T, plan []byte) string {
	t.Helper()
	var b strings.Builder
	eachNode(t, plan, func(n map[string]any, depth int) {
		fmt.Fprintf(&b, "%s%v", strings.Repeat("  ", depth), n["Node Type"])
		for _, k := range []string{"Relation Name", "Index Name", "Plan Rows"} {
			if v, ok := n[k]; ok {
				fmt.Fprintf(&b, " %v", v)
			}
		}
		b.WriteString("\n")
	})
	return b.String()
}

// seqScans lists the relations a plan reads with a sequential scan.
func seqScans(t *testing.T, plan []byte) []string {
	t.Helper()
	var out []string
	eachNode(t, plan, func(n map[string]any, _ int) {
		if n["Node Type"] == "Seq Scan" {
			out = append(out, fmt.Sprint(n["Relation Name"]))
		}
	})
	return out
}

// TestCaseListQueryPlans: on realistic data, the case lists use indexes: no sequential scan
// of cases or persons for a department's list, a name search, a partner's list, and the
// access query, the labels and the content of a page (no scan of the plans either).
func TestCaseListQueryPlans(t *testing.T) {
	t.Parallel()
	l := newCaseLoad(t)
	ctx := context.Background()
	r := Cases{l.db.Gorm}
	dry := Cases{l.db.Gorm.Session(&gorm.Session{DryRun: true})}
	caseworker := model.Scope{Object: "case", Action: "read", Kinds: []model.ScopeKind{model.ScopeOrg, model.ScopeReferred, model.ScopeAssigned}, OrgID: l.north}
	head := model.Scope{Object: "case", Action: "read", Kinds: []model.ScopeKind{model.ScopeOrgTree, model.ScopeReferred, model.ScopeAssigned}, OrgID: l.housing, OrgTree: []uuid.UUID{l.housing, l.north}}
	partner := model.Scope{Object: "case", Action: "read", Kinds: []model.ScopeKind{model.ScopeReferred, model.ScopeAssigned}, OrgID: l.jobcenter}
	leadPlan := model.Scope{Object: "plan", Action: "read", Kinds: []model.ScopeKind{model.ScopeOrg, model.ScopeReferred}, OrgID: l.north}
	page := CaseQuery{Limit: 25}
	withName := page
	withName.NameFolds = []string{"mueller", "muller"}
	withRef := page
	withRef.ReferencePrefix = "F-2026-012"
	withArea := page
	withArea.Area, withArea.AreaStatus, withArea.PlanScope = "housing", model.AreaWaiting, leadPlan
	closed := page
	closed.Status = model.CaseClosed
	var ids []uuid.UUID
	if err := l.db.Gorm.Raw(`SELECT id FROM cases WHERE lead_org_id = ? ORDER BY updated_at DESC LIMIT 25`, l.north).Scan(&ids).Error; err != nil {
		t.Fatal(err)
	}
	accessSQL, accessArgs := caseAccessQuery(caseworker, ids, today(dry.db), dbNow(dry.db))
	partnerAccessSQL, partnerAccessArgs := caseAccessQuery(partner, ids, today(dry.db), dbNow(dry.db))

	small := model.Scope{Object: "case", Action: "read", Kinds: []model.ScopeKind{model.ScopeReferred, model.ScopeAssigned}, OrgID: l.caritas}
	smallAccessSQL, smallAccessArgs := caseAccessQuery(small, ids, today(dry.db), dbNow(dry.db))
	labelSQL, labelArgs := caseLabelQuery(caseworker, ids, today(dry.db), dbNow(dry.db))
	partnerLabelSQL, partnerLabelArgs := caseLabelQuery(partner, ids, today(dry.db), dbNow(dry.db))
	partnerPlan := model.Scope{Object: "plan", Action: "read", Kinds: []model.ScopeKind{model.ScopeReferred}, OrgID: l.jobcenter}
	contentSQL, contentArgs := caseContentQuery(caseworker, leadPlan, ids, today(dry.db), dbNow(dry.db))
	partnerContentSQL, partnerContentArgs := caseContentQuery(partner, partnerPlan, ids, today(dry.db), dbNow(dry.db))
	// Selective queries must not scan cases or persons. The others (a department's whole
	// list, a fifth of the city; the job center, a tenth) may, when the planner finds it
	// cheaper; they are explained to check that they plan at all, and shown with
	// LOTSE_SHOW_PLANS=1.
	for _, tc := range []struct {
		name      string
		selective bool
		plan      func() []byte
	}{
		{"name search", true, func() []byte { return l.explain(t, dry.casePageQuery(ctx, caseworker, withName)) }},
		{"name search count", true, func() []byte { return l.explain(t, dry.caseCountQuery(ctx, caseworker, withName)) }},
		{"department head's name search", true, func() []byte { return l.explain(t, dry.casePageQuery(ctx, head, withName)) }},
		{"reference search", true, func() []byte { return l.explain(t, dry.casePageQuery(ctx, caseworker, withRef)) }},
		{"small partner's list", true, func() []byte { return l.explain(t, dry.casePageQuery(ctx, small, page)) }},
		{"small partner's count", true, func() []byte { return l.explain(t, dry.caseCountQuery(ctx, small, page)) }},
		{"small partner's name search", true, func() []byte { return l.explain(t, dry.casePageQuery(ctx, small, withName)) }},
		{"partner's name search", true, func() []byte { return l.explain(t, dry.casePageQuery(ctx, partner, withName)) }},
		{"access of a page", true, func() []byte { return l.explain(t, dry.db.Raw(accessSQL, accessArgs...)) }},
		{"partner's access of a page", true, func() []byte { return l.explain(t, dry.db.Raw(partnerAccessSQL, partnerAccessArgs...)) }},
		{"labels of a page", true, func() []byte { return l.explain(t, dry.db.Raw(labelSQL, labelArgs...)) }},
		{"partner's labels of a page", true, func() []byte { return l.explain(t, dry.db.Raw(partnerLabelSQL, partnerLabelArgs...)) }},
		{"content of a page", true, func() []byte { return l.explain(t, dry.db.Raw(contentSQL, contentArgs...)) }},
		{"partner's content of a page", true, func() []byte { return l.explain(t, dry.db.Raw(partnerContentSQL, partnerContentArgs...)) }},
		{"small partner's access of a page", true, func() []byte { return l.explain(t, dry.db.Raw(smallAccessSQL, smallAccessArgs...)) }},
		{"name search with its total", true, func() []byte {
			return l.explain(t, dry.pageQuery(ctx, caseworker, withName, func(b *gorm.DB) *gorm.DB { return dry.filterCases(b, caseworker, withName) }, 26))
		}},
		{"department head's name search with its total", true, func() []byte {
			return l.explain(t, dry.pageQuery(ctx, head, withName, func(b *gorm.DB) *gorm.DB { return dry.filterCases(b, head, withName) }, 26))
		}},
		{"small partner's list with its total", true, func() []byte {
			return l.explain(t, dry.pageQuery(ctx, small, page, func(b *gorm.DB) *gorm.DB { return dry.filterCases(b, small, page) }, 26))
		}},
		{"caseworker's list", false, func() []byte { return l.explain(t, dry.casePageQuery(ctx, caseworker, page)) }},
		{"caseworker's closed cases", false, func() []byte { return l.explain(t, dry.casePageQuery(ctx, caseworker, closed)) }},
		{"caseworker's count", false, func() []byte { return l.explain(t, dry.caseCountQuery(ctx, caseworker, page)) }},
		{"department head's list", false, func() []byte { return l.explain(t, dry.casePageQuery(ctx, head, page)) }},
		{"area status filter", false, func() []byte { return l.explain(t, dry.casePageQuery(ctx, caseworker, withArea)) }},
		{"job center's list", false, func() []byte { return l.explain(t, dry.casePageQuery(ctx, partner, page)) }},
		{"job center's count", false, func() []byte { return l.explain(t, dry.caseCountQuery(ctx, partner, page)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan := tc.plan()
			if os.Getenv("LOTSE_SHOW_PLANS") != "" {
				t.Logf("\n%s", outline(t, plan))
			}
			if !tc.selective {
				return
			}
			for _, rel := range seqScans(t, plan) {
				if rel == "cases" || rel == "persons" || rel == "area_statuses" {
					t.Errorf("sequential scan of %s:\n%s", rel, outline(t, plan))
				}
			}
		})
	}

	// Page is List and Count in one statement: the same cases in the same order, the same
	// total, on the first page, a page after a key, and past the last case.
	t.Run("a page with its total is the list and its count", func(t *testing.T) {
		for _, sc := range []model.Scope{caseworker, head, partner, small} {
			for _, q := range []CaseQuery{page, withName, withRef, withArea, closed} {
				first, err := r.List(ctx, sc, q)
				if err != nil {
					t.Fatal(err)
				}
				queries := []CaseQuery{q}
				if len(first) > 2 {
					after := q
					after.After = &CaseCursor{UpdatedAt: first[1].UpdatedAt, ID: first[1].ID}
					queries = append(queries, after)
				}
				past := q
				past.After = &CaseCursor{UpdatedAt: time.Unix(0, 0), ID: uuid.Nil}
				queries = append(queries, past)
				// Numbered pages as the case list shows them: by change, both ways, the
				// first, the second and one past the last; by reference (List and Count).
				for _, srt := range []ListSort{{Key: model.SortChanged, Desc: true}, {Key: model.SortChanged}, {Key: model.SortChanged, Desc: true, Offset: 3}, {Key: model.SortChanged, Offset: 100000}, {Key: model.SortReference, Offset: 3}} {
					n := q
					n.Numbered, n.Sort = true, srt
					queries = append(queries, n)
				}
				for _, pq := range queries {
					want, err := r.List(ctx, sc, pq)
					if err != nil {
						t.Fatal(err)
					}
					wantN, err := r.Count(ctx, sc, pq)
					if err != nil {
						t.Fatal(err)
					}
					got, gotN, err := r.Page(ctx, sc, pq)
					if err != nil {
						t.Fatal(err)
					}
					if gotN != wantN || !slices.EqualFunc(got, want, func(a, b model.Case) bool { return a.ID == b.ID && a.Reference == b.Reference }) {
						t.Errorf("%v %+v: Page gave %d cases of %d, List and Count %d of %d", sc.Kinds, pq, len(got), gotN, len(want), wantN)
					}
				}
			}
		}
		got, n, err := r.Recent(ctx, head, time.Now().Add(-24*time.Hour), 10)
		if err != nil || len(got) == 0 || n < int64(len(got)) {
			t.Errorf("recent cases of the head: %d of %d, %v", len(got), n, err)
		}
	})

	// Content is visible, Access, the persons and the plan in one statement: the same cases,
	// the same facts, the same persons and plan rows where the facts release the content;
	// Labels the same cases and facts again, with the persons' names.
	t.Run("visible cases with their content are the visible cases, their access, persons and plan", func(t *testing.T) {
		var mixed []uuid.UUID
		if err := l.db.Gorm.Raw(`(SELECT id FROM cases WHERE lead_org_id = ? ORDER BY reference LIMIT 30)
			UNION ALL (SELECT case_id FROM referrals WHERE to_org_id IN (?, ?) ORDER BY id LIMIT 30)
			UNION ALL (SELECT case_id FROM tasks WHERE org_id IN (?, ?) AND case_id IS NOT NULL ORDER BY id LIMIT 30)
			UNION ALL (SELECT case_id FROM referrals WHERE to_org_id = ? ORDER BY id LIMIT 5)
			UNION ALL (SELECT id FROM cases ORDER BY md5(id::text) LIMIT 60)`, l.north, l.jobcenter, l.caritas, l.jobcenter, l.caritas, l.caritas).Scan(&mixed).Error; err != nil {
			t.Fatal(err)
		}
		// A partner's member holding an emergency access to a case the partner does not
		// reach otherwise: visible admits it, so the labels must.
		urgent := partner
		urgent.UserID = model.NewID()
		var others []uuid.UUID
		if err := l.db.Gorm.Raw(`SELECT id FROM cases WHERE id = ANY(?::uuid[]) AND lead_org_id <> ? AND NOT EXISTS (SELECT 1 FROM referrals WHERE case_id = cases.id AND to_org_id = ?)
			AND NOT EXISTS (SELECT 1 FROM tasks WHERE case_id = cases.id AND org_id = ?) ORDER BY id LIMIT 1`, uuids(mixed), l.jobcenter, l.jobcenter, l.jobcenter).Scan(&others).Error; err != nil || len(others) == 0 {
			t.Fatalf("a case the partner does not reach: %v", err)
		}
		other := others[0]
		if err := l.db.Gorm.Exec(`WITH u AS (INSERT INTO users (id, email, display_name) VALUES (?, 'urgent@example.org', 'Urgent') RETURNING id)
			INSERT INTO emergency_accesses (id, user_id, org_id, case_id, reason, granted_at, expires_at)
			SELECT gen_random_uuid(), u.id, ?, ?, 'test', now() - interval '1 hour', now() + interval '1 day' FROM u`, urgent.UserID, l.jobcenter, other).Error; err != nil {
			t.Fatal(err)
		}
		summaries, households, partPlans, dated := 0, map[bool]int{}, 0, 0
		planOf := func(sc model.Scope) model.Scope {
			p := sc
			p.Object, p.Kinds = "plan", slices.DeleteFunc(slices.Clone(sc.Kinds), func(k model.ScopeKind) bool { return k == model.ScopeAssigned })
			return p
		}
		for _, sc := range []model.Scope{caseworker, head, partner, small, urgent} {
			var want []uuid.UUID
			if err := visible(l.db.Gorm.Model(&model.Case{}), sc).Where("cases.id = ANY(?::uuid[])", uuids(mixed)).Order("cases.id").Pluck("cases.id", &want).Error; err != nil {
				t.Fatal(err)
			}
			if sc.UserID == urgent.UserID && !slices.Contains(want, other) {
				t.Fatal("the case of the emergency access is not visible")
			}
			wantFacts, err := r.Access(ctx, sc, want)
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.Content(ctx, sc, planOf(sc), mixed)
			if err != nil {
				t.Fatal(err)
			}
			var gotIDs []uuid.UUID
			facts := map[uuid.UUID]CaseAccessFacts{}
			for _, c := range got {
				var stored model.Case
				if err := l.db.Gorm.Take(&stored, "id = ?", c.Case.ID).Error; err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(c.Case, stored) {
					t.Fatalf("%v: case %s read as %+v, stored %+v", sc.Kinds, c.Case.ID, c.Case, stored)
				}
				gotIDs = append(gotIDs, c.Case.ID)
				facts[c.Case.ID] = c.Facts
				// The persons as Persons.ForCases reads them and the plan rows as visible
				// admits them, where the facts release the content; none where not.
				var wantPersons []model.Person
				var wantPlan []model.AreaStatus
				if c.Facts.Full || c.Facts.Emergency || len(c.Facts.Referrals) > 0 {
					all, err := Persons{l.db.Gorm}.ForCases(ctx, []uuid.UUID{c.Case.ID})
					if err != nil {
						t.Fatal(err)
					}
					wantPersons = all[c.Case.ID]
					if err := visible(l.db.Gorm.Model(&model.AreaStatus{}), planOf(sc)).Joins("JOIN areas ON areas.code = area_statuses.area").
						Where("area_statuses.case_id = ?", c.Case.ID).Order("areas.position, area_statuses.area").Find(&wantPlan).Error; err != nil {
						t.Fatal(err)
					}
					var rows int64
					if err := l.db.Gorm.Model(&model.AreaStatus{}).Where("case_id = ?", c.Case.ID).Count(&rows).Error; err != nil {
						t.Fatal(err)
					}
					if len(wantPlan) > 0 && int64(len(wantPlan)) < rows {
						partPlans++
					}
				}
				for _, p := range wantPersons {
					if p.BirthDate != nil && p.ArrivalDate != nil && len(p.Languages) > 0 {
						dated++
					}
				}
				if !reflect.DeepEqual(c.Persons, wantPersons) {
					t.Errorf("%v: case %s: persons\n%+v, want\n%+v", sc.Kinds, c.Case.ID, c.Persons, wantPersons)
				}
				if !reflect.DeepEqual(c.Plan, wantPlan) {
					t.Errorf("%v: case %s: plan\n%+v, want\n%+v", sc.Kinds, c.Case.ID, c.Plan, wantPlan)
				}
			}
			slices.SortFunc(gotIDs, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
			if len(want) == 0 || len(want) == len(mixed) || fmt.Sprint(gotIDs) != fmt.Sprint(want) {
				t.Errorf("%v of %v: %d visible of %d, want %d (and some not)", sc.Kinds, sc.OrgID, len(gotIDs), len(mixed), len(want))
			}
			if !reflect.DeepEqual(facts, wantFacts) {
				t.Errorf("%v: facts differ from Access", sc.Kinds)
			}

			// Labels: the same cases and facts, and the names of the persons where the
			// facts release the content, in ForCases' order, none where they do not.
			labels, err := r.Labels(ctx, sc, mixed)
			if err != nil {
				t.Fatal(err)
			}
			var labelIDs []uuid.UUID
			for _, c := range labels {
				labelIDs = append(labelIDs, c.ID)
				want := facts[c.ID]
				if !reflect.DeepEqual(c.Facts, want) {
					t.Errorf("%v: case %s: label facts %+v, want %+v", sc.Kinds, c.ID, c.Facts, want)
				}
				if c.Reference == "" {
					t.Errorf("%v: case %s labelled without its reference", sc.Kinds, c.ID)
				}
				var wantPersons []model.Person
				if want.Full || want.Emergency || len(want.Referrals) > 0 {
					all, err := Persons{l.db.Gorm}.ForCases(ctx, []uuid.UUID{c.ID})
					if err != nil {
						t.Fatal(err)
					}
					for _, p := range all[c.ID] {
						wantPersons = append(wantPersons, model.Person{ID: p.ID, CaseID: p.CaseID, IsPrimary: p.IsPrimary, FamilyName: p.FamilyName, GivenNames: p.GivenNames})
					}
					households[len(wantPersons) > 1]++
				} else {
					summaries++
				}
				if !reflect.DeepEqual(c.Persons, wantPersons) {
					t.Errorf("%v: case %s: label persons %+v, want the names of %+v", sc.Kinds, c.ID, c.Persons, wantPersons)
				}
			}
			slices.SortFunc(labelIDs, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
			if fmt.Sprint(labelIDs) != fmt.Sprint(want) {
				t.Errorf("%v: labels of %d cases, want the %d visible", sc.Kinds, len(labelIDs), len(want))
			}
		}
		if partPlans == 0 || dated == 0 {
			t.Errorf("the content met %d cases with a part of their plan and %d persons with dates and languages: the test needs both", partPlans, dated)
		}
		if summaries == 0 || households[true] == 0 || households[false] == 0 {
			t.Errorf("the labels met %d cases seen in summary, %d households of one and %d of more: the test needs all three",
				summaries, households[false], households[true])
		}
	})

	// Lists is the case page's lists in one statement: each the same as its own read.
	t.Run("a case page's lists are their own reads", func(t *testing.T) {
		var cases []uuid.UUID
		if err := l.db.Gorm.Raw(`(SELECT id FROM cases WHERE lead_org_id = ? ORDER BY reference LIMIT 40)
			UNION ALL (SELECT case_id FROM referrals WHERE to_org_id = ? ORDER BY id LIMIT 40)`, l.north, l.jobcenter).Scan(&cases).Error; err != nil {
			t.Fatal(err)
		}
		// Notes of the lead (its own and shared) and of the partner, and follow-ups of one
		// member on every third case, one of them done.
		member := model.NewID()
		if err := l.db.Gorm.Exec(`INSERT INTO users (id, email, display_name) VALUES (?, 'lists@example.org', 'Lists')`, member).Error; err != nil {
			t.Fatal(err)
		}
		for _, sql := range []string{
			`INSERT INTO notes (id, case_id, area, org_id, visibility, body, created_at)
				SELECT gen_random_uuid(), c.id, n.area, CASE WHEN n.partner THEN ?::uuid ELSE c.lead_org_id END, n.vis, 'Notiz', now() - n.age * interval '1 hour'
				FROM cases c, (VALUES (NULL, 'org', false, 1), ('work', 'shared', false, 2), ('housing', 'shared', false, 3), ('work', 'org', true, 4)) n(area, vis, partner, age)
				WHERE c.id = ANY(?::uuid[])`,
			// More referrals and tasks than a page shows on some cases.
			`INSERT INTO referrals (id, reference, case_id, from_org_id, to_org_id, areas, reply_due, status, legal_basis, created_at)
				SELECT gen_random_uuid(), 'V-L-' || c.id || '-' || n, c.id, c.lead_org_id, ?, '{work}', current_date + n, 'sent', 'SGB II', now() - n * interval '1 hour'
				FROM (SELECT * FROM cases WHERE id = ANY(?::uuid[]) AND lead_org_id <> ? ORDER BY id LIMIT 10) c, generate_series(1, 4) n`,
			`INSERT INTO tasks (id, org_id, case_id, title, status, due_date)
				SELECT gen_random_uuid(), c.lead_org_id, c.id, 'Noch eine', 'open', current_date + n % 2
				FROM (SELECT * FROM cases WHERE id = ANY(?::uuid[]) ORDER BY id LIMIT 10) c, generate_series(1, 5) n`,
			`INSERT INTO follow_ups (id, user_id, org_id, case_id, due_on, done_at)
				SELECT gen_random_uuid(), ?, ?, id, current_date + 3, CASE WHEN row_number() OVER (ORDER BY id) = 1 THEN now() END
				FROM unnest(?::uuid[]) AS c(id) WHERE abs(hashtext(id::text)) % 3 = 0 GROUP BY id`,
		} {
			var args []any
			switch {
			case strings.Contains(sql, "INTO notes"):
				args = []any{l.jobcenter, uuids(cases)}
			case strings.Contains(sql, "INTO referrals"):
				args = []any{l.jobcenter, uuids(cases), l.jobcenter}
			case strings.Contains(sql, "INTO tasks"):
				args = []any{uuids(cases)}
			default:
				args = []any{member, l.north, uuids(cases)}
			}
			if err := l.db.Gorm.Exec(sql, args...).Error; err != nil {
				t.Fatal(err)
			}
		}
		scope := func(obj string, org uuid.UUID, kinds ...model.ScopeKind) model.Scope {
			return model.Scope{Object: obj, Action: "read", Kinds: kinds, OrgID: org, UserID: member}
		}
		readers := []CaseListsQuery{
			{Notes: scope("note", l.north, model.ScopeOrg, model.ScopeReferred), Referrals: scope("referral", l.north, model.ScopeOrg, model.ScopeReferred),
				Tasks: scope("task", l.north, model.ScopeOrg, model.ScopeAssigned, model.ScopeReferred), Consents: scope("consent", l.north, model.ScopeOrg), FollowUpOf: member},
			{Notes: scope("note", l.jobcenter, model.ScopeReferred), Referrals: scope("referral", l.jobcenter, model.ScopeReferred),
				Tasks: scope("task", l.jobcenter, model.ScopeOrg, model.ScopeReferred)},
		}
		same := func(a, b any) bool {
			va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
			return (va.Len() == 0 && vb.Len() == 0) || reflect.DeepEqual(a, b)
		}
		seen := map[string]int{}
		for _, q := range readers {
			for _, id := range cases {
				q.CaseID, q.Limit = id, 3
				var got CaseLists
				var notes []model.Note
				var refs []model.Referral
				var tasks []model.Task
				var allRefs, allTasks int64
				var consents []model.Consent
				var follow *model.FollowUp
				err := l.st.Read(ctx, model.Actor{System: true, Name: "test"}, func(tx *Tx) error {
					var err error
					if got, err = tx.Cases().Lists(ctx, q); err != nil {
						return err
					}
					if notes, err = tx.Notes().List(ctx, q.Notes, id); err != nil {
						return err
					}
					if refs, allRefs, err = tx.Referrals().List(ctx, q.Referrals, ReferralQuery{CaseID: &id, Order: ReferralsNewest, Limit: 3}); err != nil {
						return err
					}
					if tasks, allTasks, err = tx.Tasks().List(ctx, q.Tasks, TaskQuery{CaseID: &id, Limit: 3}); err != nil {
						return err
					}
					if q.Consents.Object != "" {
						if consents, err = tx.Consents().ForCase(ctx, q.Consents, id); err != nil {
							return err
						}
					}
					if q.FollowUpOf != uuid.Nil {
						follow, err = tx.Notifications().OpenFollowUp(ctx, q.FollowUpOf, model.ObjectCase, id)
					}
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				for _, c := range []struct {
					name      string
					got, want any
				}{{"notes", got.Notes, notes}, {"referrals", got.Referrals, refs}, {"tasks", got.Tasks, tasks}, {"consents", got.Consents, consents}} {
					if !same(c.got, c.want) {
						t.Errorf("%v: case %s: %s\n%+v, want\n%+v", q.Notes.Kinds, id, c.name, c.got, c.want)
					}
					if reflect.ValueOf(c.got).Len() > 0 {
						seen[c.name]++
					}
				}
				if allRefs > 3 && len(refs) == 3 {
					seen["referrals cut"]++
				}
				if allTasks > 3 && len(tasks) == 3 {
					seen["tasks cut"]++
				}
				if !reflect.DeepEqual(got.FollowUp, follow) {
					t.Errorf("case %s: follow-up %+v, want %+v", id, got.FollowUp, follow)
				}
				if follow != nil {
					seen["follow-up"]++
				}
			}
		}
		for _, k := range []string{"notes", "referrals", "tasks", "consents", "referrals cut", "tasks cut", "follow-up"} {
			if seen[k] == 0 {
				t.Errorf("no case page met %s: the test needs them (%v)", k, seen)
			}
		}
	})

	t.Run("the lists return what the plans are for", func(t *testing.T) {
		got, err := r.List(ctx, partner, page)
		if err != nil {
			t.Fatal(err)
		}
		n, err := r.Count(ctx, partner, page)
		if err != nil || n == 0 || len(got) == 0 || int64(len(got)) > n {
			t.Errorf("partner: %d listed, count %d, %v", len(got), n, err)
		}
		got, err = r.List(ctx, head, withName)
		if err != nil || len(got) == 0 {
			t.Errorf("name search found %d, %v", len(got), err)
		}
	})
}
