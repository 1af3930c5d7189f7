package store

import (
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// predicate turns one scope kind into one SQL condition on an object's table, on the
// calendar day today (the store's clock: a consent covers on the days of its validity).
type predicate func(sc model.Scope, today time.Time) (string, []any)

// predicates is the single source of truth for "which records": for each object type and
// scope kind, one SQL condition. List, count, search, export and the single-record check all
// go through visible, so they cannot disagree. A kind missing here reaches nothing.
var predicates = map[string]map[model.ScopeKind]predicate{
	"organisation": {
		model.ScopeAll: func(model.Scope, time.Time) (string, []any) { return "TRUE", nil },
		model.ScopeOrgTree: func(sc model.Scope, _ time.Time) (string, []any) {
			return "organisations.id = ANY(?::uuid[])", []any{uuids(sc.OrgTree)}
		},
		model.ScopeOrg: func(sc model.Scope, _ time.Time) (string, []any) { return "organisations.id = ?", []any{sc.OrgID} },
	},
	// A member is a user seen through the organisations where they hold a grant.
	"member": {
		model.ScopeAll: func(model.Scope, time.Time) (string, []any) { return "TRUE", nil },
		model.ScopeOrgTree: func(sc model.Scope, _ time.Time) (string, []any) {
			return "EXISTS (SELECT 1 FROM role_grants m WHERE m.user_id = users.id AND m.org_id = ANY(?::uuid[]))", []any{uuids(sc.OrgTree)}
		},
		model.ScopeOrg: func(sc model.Scope, _ time.Time) (string, []any) {
			return "EXISTS (SELECT 1 FROM role_grants m WHERE m.user_id = users.id AND m.org_id = ?)", []any{sc.OrgID}
		},
		model.ScopeSelf: func(sc model.Scope, _ time.Time) (string, []any) { return "users.id = ?", []any{sc.UserID} },
	},
}

// The case-content predicates. "orgs" is the acting organisation, or its whole subtree when
// the scope reaches the subtree: a department head sees what the department and its units see.

// activeReferral is true for a case referred to one of orgs by a referral that is active
// (sent, accepted, in progress) and covered today: by a consent that names the recipient, is
// neither revoked nor outside its validity, or by a recorded legal basis. areaExpr, when not
// empty, also requires the referral to name that area. Its placeholders: orgs, today.
func activeReferral(caseExpr, areaExpr string) string {
	q := `EXISTS (SELECT 1 ` + activeReferralFrom(caseExpr)
	if areaExpr != "" {
		q += ` AND ` + areaExpr + ` = ANY(ar.areas)`
	}
	return q + `)`
}

// coversSQL is true when the consent c behind the referral r covers it today: not revoked,
// within its validity, naming the recipient. It is the one definition of a consent's cover
// in SQL; model.Consent.Covers is the same rule in Go (for a referral being sent). Its one
// placeholder is today, the calendar day of the store's clock (never the database's now(),
// so that a clock set for a test or backdated demo data judges consents the same in Go and
// in SQL; berlin_today() stays in the schema for psql only).
func coversSQL(c, r string) string {
	return `(` + c + `.revoked_at IS NULL AND ?::date BETWEEN ` + c + `.valid_from AND ` + c + `.valid_until
			AND EXISTS (SELECT 1 FROM consent_recipients ccr WHERE ccr.consent_id = ` + c + `.id AND ccr.org_id = ` + r + `.to_org_id))`
}

// consentCovers is coversSQL for the consent ac behind the referral ar, the aliases of
// activeReferralFrom; the case access query (store/search.go) uses it too, as it needs the
// consent's data categories.
var consentCovers = coversSQL("ac", "ar")

// activeReferralFrom is the FROM and WHERE of activeReferral: the active, covered referrals
// (alias ar, consent ac) of the case caseExpr to one of the organisations of the one
// placeholder and today (consentCovers). activeReferral and the case access query both
// build on it, so they cannot disagree.
func activeReferralFrom(caseExpr string) string {
	return `FROM referrals ar LEFT JOIN consents ac ON ac.id = ar.consent_id
		WHERE ar.case_id = ` + caseExpr + ` AND ar.to_org_id = ANY(?::uuid[])
		AND ar.status IN ` + sqlActiveReferral + `
		AND (ar.legal_basis <> '' OR ` + consentCovers + `)`
}

// liveReferral is true when the referral id is active (sent, accepted, in progress) and
// covered today, by its own consent or legal basis: the relation it gives its recipient is
// alive. It is the same cover as activeReferralFrom's, for one referral. Its placeholder:
// today.
//
// It ends in "OFFSET 0", which keeps Postgres from turning it into a hashed set of every
// live referral of the city: it would build that set once per query (about 60,000
// referrals at city scale, over a second) to test the few tasks that hang on a referral,
// where a lookup by key per such task costs microseconds.
func liveReferral(id string) string {
	return `EXISTS (SELECT 1 ` + liveReferralFrom(id) + ` OFFSET 0)`
}

// liveReferralFrom is the FROM and WHERE of liveReferral. Its placeholder: today.
func liveReferralFrom(id string) string {
	return `FROM referrals ar LEFT JOIN consents ac ON ac.id = ar.consent_id
		WHERE ar.id = ` + id + ` AND ar.status IN ` + sqlActiveReferral + `
		AND (ar.legal_basis <> '' OR ` + consentCovers + `)`
}

// taskLive is true for the task alias t unless it hangs on a referral to its own
// organisation that has ended or lost its cover: then the relation that gave the
// organisation the task is over, and the task goes with it (the services cancel it with the
// reason "access ended"; this keeps it hidden from that organisation even when no service
// ran, e.g. when the consent simply ran out). The lead organisation still sees it. Its
// placeholder: today.
// Both subqueries are fenced with "OFFSET 0" for the reason liveReferral gives.
func taskLive(t string) string {
	return `(` + t + `.referral_id IS NULL
		OR NOT EXISTS (SELECT 1 FROM referrals tr WHERE tr.id = ` + t + `.referral_id AND tr.to_org_id = ` + t + `.org_id OFFSET 0)
		OR ` + liveReferral(t+`.referral_id`) + `)`
}

// openTaskFrom is the FROM and WHERE of the open, live tasks (alias at) of one of the
// organisations of the first placeholder that hang on a case; the second is today. openTask
// and openTaskCases build on it, so they cannot disagree. Its status condition is the
// predicate of the partial index tasks_org_open_idx (migration 00028), word for word.
func openTaskFrom() string {
	return `FROM tasks at WHERE at.org_id = ANY(?::uuid[]) AND at.case_id IS NOT NULL
		AND at.status NOT IN ` + sqlClosedTask + ` AND ` + taskLive("at")
}

// openTask is true for a case with an open, live task of one of orgs. Its placeholders:
// orgs, today.
func openTask(caseExpr string) string {
	return `EXISTS (SELECT 1 ` + openTaskFrom() + ` AND at.case_id = ` + caseExpr + `)`
}

// openTaskCases is openTask in set form, for a list of cases: the cases with an open, live
// task of one of orgs are collected once from the organisations' open tasks (an index-only
// scan of tasks_org_open_idx), and the cases are then read by their keys. As an EXISTS, the
// planner walks all cases in list order and probes the tasks of each, which reads the whole
// city for an organisation with few open tasks. Its placeholders: orgs, today.
func openTaskCases(caseExpr string) string {
	return caseExpr + ` = ANY(ARRAY(SELECT at.case_id ` + openTaskFrom() + `))`
}

// ledBy is true for a case whose lead organisation is one of orgs.
//
// It ends in "OFFSET 0" for the reason liveReferral gives: unfenced, Postgres turns it into a
// hashed set of every case the organisations lead (a scan of them all, once per query, on
// the team dashboard about 20 ms at a tenth of the city and growing with it), where a lookup
// by key per record that needs it costs microseconds.
func ledBy(caseExpr string) string {
	return `EXISTS (SELECT 1 FROM cases lc WHERE lc.id = ` + caseExpr + ` AND lc.lead_org_id = ANY(?::uuid[]) OFFSET 0)`
}

// orgsOf is the organisations a scope acts for: the subtree for org_tree, else the one.
func orgsOf(sc model.Scope) string {
	if sc.Has(model.ScopeOrgTree) && len(sc.OrgTree) > 0 {
		return uuids(sc.OrgTree)
	}
	return uuids([]uuid.UUID{sc.OrgID})
}

// arg is the value of one placeholder of a predicate.
type arg func(sc model.Scope, today time.Time) any

var (
	// one is the acting organisation, tree its subtree, orgs what the scope acts for (orgsOf).
	one  arg = func(sc model.Scope, _ time.Time) any { return uuids([]uuid.UUID{sc.OrgID}) }
	tree arg = func(sc model.Scope, _ time.Time) any { return uuids(sc.OrgTree) }
	orgs arg = func(sc model.Scope, _ time.Time) any { return orgsOf(sc) }
	user arg = func(sc model.Scope, _ time.Time) any { return sc.UserID }
	// day is today, the calendar day the consents are judged on.
	day arg = func(_ model.Scope, today time.Time) any { return today }
)

func init() {
	p := func(sql string, args ...arg) predicate {
		return func(sc model.Scope, today time.Time) (string, []any) {
			out := make([]any, len(args))
			for i, a := range args {
				out[i] = a(sc, today)
			}
			return sql, out
		}
	}
	predicates["case"] = map[model.ScopeKind]predicate{
		model.ScopeOrg:      p(`cases.lead_org_id = ANY(?::uuid[])`, one),
		model.ScopeOrgTree:  p(`cases.lead_org_id = ANY(?::uuid[])`, tree),
		model.ScopeReferred: p(activeReferral("cases.id", ""), orgs, day),
		model.ScopeAssigned: p(openTask("cases.id"), orgs, day),
	}
	// A case list's branches (caseBranches) use the set form where there is one.
	caseBranchPredicates = map[model.ScopeKind]predicate{
		model.ScopeAssigned: p(openTaskCases("cases.id"), orgs, day),
	}
	predicates["plan"] = map[model.ScopeKind]predicate{
		model.ScopeOrg:      p(ledBy("area_statuses.case_id"), one),
		model.ScopeOrgTree:  p(ledBy("area_statuses.case_id"), tree),
		model.ScopeReferred: p(activeReferral("area_statuses.case_id", "area_statuses.area"), orgs, day),
	}
	predicates["consent"] = map[model.ScopeKind]predicate{
		model.ScopeOrg:     p(ledBy("consents.case_id"), one),
		model.ScopeOrgTree: p(ledBy("consents.case_id"), tree),
	}
	predicates["referral"] = map[model.ScopeKind]predicate{
		// The sending organisation and the case's lead organisation follow a referral at every step.
		model.ScopeOrg:     p(`(referrals.from_org_id = ANY(?::uuid[]) OR `+ledBy("referrals.case_id")+`)`, one, one),
		model.ScopeOrgTree: p(`(referrals.from_org_id = ANY(?::uuid[]) OR `+ledBy("referrals.case_id")+`)`, tree, tree),
		// The recipient sees a referral while it is active and covered: by its own consent
		// or legal basis, not merely by another referral of the same case to the same
		// organisation (a referral whose consent ran out must disappear even then).
		model.ScopeReferred: p(`referrals.to_org_id = ANY(?::uuid[]) AND referrals.status IN `+sqlActiveReferral+`
			AND (referrals.legal_basis <> '' OR EXISTS (SELECT 1 FROM consents rc WHERE rc.id = referrals.consent_id
				AND `+coversSQL("rc", "referrals")+`))`, orgs, day),
	}
	predicates["task"] = map[model.ScopeKind]predicate{
		// Live tasks of the organisation, and every task on the cases it leads.
		model.ScopeOrg: p(`((tasks.org_id = ANY(?::uuid[]) AND `+taskLive("tasks")+`) OR (tasks.case_id IS NOT NULL AND `+ledBy("tasks.case_id")+`))`, one, day, one),
		model.ScopeOrgTree: p(`((tasks.org_id = ANY(?::uuid[]) AND `+taskLive("tasks")+`) OR (tasks.case_id IS NOT NULL AND `+ledBy("tasks.case_id")+`))`,
			tree, day, tree),
		model.ScopeAssigned: p(`tasks.assignee_id = ? AND `+taskLive("tasks"), user, day),
		// A recipient sees the tasks linked to its referrals while each is active and
		// covered: the task's own referral, not merely another one of the same case.
		model.ScopeReferred: p(`EXISTS (SELECT 1 FROM referrals rr WHERE rr.id = tasks.referral_id AND rr.to_org_id = ANY(?::uuid[])) AND `+
			liveReferral("tasks.referral_id"), orgs, day),
	}
	predicates["note"] = map[model.ScopeKind]predicate{
		// The lead organisation reads its own notes and the notes shared with it.
		model.ScopeOrg: p(`(notes.org_id = ANY(?::uuid[]) AND `+ledBy("notes.case_id")+`) OR (notes.visibility = 'shared' AND `+ledBy("notes.case_id")+`)`, one, one, one),
		model.ScopeOrgTree: p(`(notes.org_id = ANY(?::uuid[]) AND `+ledBy("notes.case_id")+`) OR (notes.visibility = 'shared' AND `+ledBy("notes.case_id")+`)`,
			tree, tree, tree),
		// A recipient reads, while its referral is active, its own notes and the notes shared
		// for the referred areas.
		model.ScopeReferred: p(``+activeReferral("notes.case_id", "")+` AND (notes.org_id = ANY(?::uuid[])
			OR (notes.visibility = 'shared' AND `+activeReferral("notes.case_id", "notes.area")+`))`, orgs, day, orgs, orgs, day),
	}
}

// caseBranchPredicates replace predicates["case"] in the branches of a case list where the
// same set of cases is found faster from the other side (set in init).
var caseBranchPredicates map[model.ScopeKind]predicate

// visible narrows q to the records of sc.Object that sc reaches on the calendar day of the
// store's clock: the OR of its kinds' predicates (scopeCond), or nothing at all; for reading
// a case and its plan also what an unexpired emergency access of the actor admits
// (emergencyAccess).
func visible(q *gorm.DB, sc model.Scope) *gorm.DB {
	cond, args := visibleCond(sc, today(q), dbNow(q))
	return q.Where(cond, args...)
}

// visibleCond is the condition of visible, with its arguments, on the calendar day today
// and at now, for a statement that cannot take a *gorm.DB's Where (Cases.Content).
func visibleCond(sc model.Scope, today, now time.Time) (string, []any) {
	cond, args := scopeCond(sc, today)
	if e, eargs, ok := emergencyAccess(sc, now); ok {
		cond, args = "("+cond+" OR "+e+")", append(args, eargs...)
	}
	return cond, args
}

// emergencyCase names, per object type, the column of the case a record belongs to, for the
// objects an emergency access lets its member read: the case and its plan (read only; the
// write paths never admit it).
var emergencyCase = map[string]string{"case": "cases.id", "plan": "area_statuses.case_id"}

// emergencyAccess is the condition by which an emergency access (model.EmergencyAccess)
// admits a record: the actor (user acting in the organisation of sc) holds an access to its
// case that has not yet expired at now, the store's clock. It applies only to reading the
// objects of emergencyCase, and only for an actor whose scope reaches something of the
// object at all (a member who lost the grant loses the emergency access with it). ok is
// false where it does not apply. It is the one definition: visible and the case access
// query (Access) both use it.
func emergencyAccess(sc model.Scope, now time.Time) (cond string, args []any, ok bool) {
	col, found := emergencyCase[sc.Object]
	if !found || sc.Action != "read" || sc.UserID == uuid.Nil || !slices.ContainsFunc(sc.Kinds, func(k model.ScopeKind) bool { return HasPredicate(sc.Object, k) }) {
		return "", nil, false
	}
	return `EXISTS (SELECT 1 FROM emergency_accesses ea WHERE ea.case_id = ` + col + ` AND ` + emergencyLive + `)`,
		[]any{sc.UserID, sc.OrgID, now}, true
}

// emergencyLive is true for the emergency access ea of the member (the placeholders: user,
// organisation) that lasts at the moment of the third placeholder: it ends at expires_at,
// exclusive. emergencyAccess and Emergency.Active both use it, so that the case is admitted
// exactly while its access is found.
const emergencyLive = `ea.user_id = ? AND ea.org_id = ? AND ea.expires_at > ?`

// HasPredicate reports whether the store knows how to filter obj by kind; a test checks that
// every scope used in the policy for a stored object has one.
func HasPredicate(obj string, kind model.ScopeKind) bool {
	_, ok := predicates[obj][kind]
	return ok
}

// inOrgs is "col = ANY(ids)", written as an equality when there is one id: Postgres reads
// an index in the order of its later columns (and stops after a page) only below an equality
// on its leading column, not below "= ANY" of a one-element array.
func inOrgs(col string, ids []uuid.UUID) (string, any) {
	if len(ids) == 1 {
		return col + " = ?", ids[0]
	}
	return col + " = ANY(?::uuid[])", uuids(ids)
}

// uuids renders ids as a Postgres array literal for `= ANY(?::uuid[])`.
func uuids(ids []uuid.UUID) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(id.String())
	}
	b.WriteByte('}')
	return b.String()
}
