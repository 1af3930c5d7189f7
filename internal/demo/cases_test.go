package demo_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/authz"
	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/demo"
	"github.com/lotse-project/lotse/internal/directory"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// TestHouseholds: the generator is deterministic, about 60 households from the main
// countries of origin, each its own primary person, every story dealt, plausible data.
func TestHouseholds(t *testing.T) {
	today := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	hs := demo.Households(today)
	again := demo.Households(today)
	later := demo.Households(today.AddDate(0, 0, 40))
	if len(hs) < 55 || len(hs) > 65 {
		t.Fatalf("%d households, want about 60", len(hs))
	}
	origins, stories, languages, districts := map[string]int{}, map[demo.Story]int{}, map[string]bool{}, map[string]bool{}
	names := map[string]bool{}
	variants := 0
	for i, h := range hs {
		if h.Primary.FamilyName != again[i].Primary.FamilyName || h.Primary.GivenNames != again[i].Primary.GivenNames ||
			!h.Primary.BirthDate.Equal(*again[i].Primary.BirthDate) || len(h.Members) != len(again[i].Members) {
			t.Fatalf("household %d differs between two runs", h.Number)
		}
		if h.Primary.FamilyName != later[i].Primary.FamilyName || h.Primary.GivenNames != later[i].Primary.GivenNames {
			t.Fatalf("household %d has other names on another day: the seed would not recognise it", h.Number)
		}
		key := h.Primary.FamilyName + "/" + h.Primary.GivenNames
		if names[key] {
			t.Errorf("two households with the primary person %s", key)
		}
		names[key] = true
		origins[h.Origin]++
		stories[h.Story]++
		if h.Lead != "FB-WOHNEN" && h.Lead != "FD-MIGRATION" {
			t.Errorf("household %d led by %s", h.Number, h.Lead)
		}
		opened := today.AddDate(0, 0, -h.OpenedDaysAgo)
		for _, p := range append([]model.PersonInput{h.Primary}, h.Members...) {
			if p.FamilyName == "" || p.GivenNames == "" || p.BirthDate == nil || len(p.Languages) == 0 || p.ResidenceStatus == "" {
				t.Errorf("household %d: incomplete person %+v", h.Number, p)
			}
			if p.BirthDate.After(opened) {
				t.Errorf("household %d: born after the case was opened", h.Number)
			}
			if a := p.ArrivalDate; a != nil && (a.Year() < 2015 || a.After(opened) || a.Before(*p.BirthDate)) {
				t.Errorf("household %d: arrival %s outside 2015 to the opening of the case, or before birth", h.Number, a.Format(time.DateOnly))
			}
			if !slices.Contains(demo.Districts, p.District) {
				t.Errorf("household %d: district %q is not one of Osnabrück", h.Number, p.District)
			}
			districts[p.District] = true
			for _, l := range p.Languages {
				languages[l] = true
			}
			if len(p.NameVariants) > 0 {
				variants++
			}
			if p.Email != "" && !endsWith(p.Email, ".example") {
				t.Errorf("household %d: e-mail %q is not on a reserved domain", h.Number, p.Email)
			}
		}
	}
	for _, o := range []string{"Syrien", "Ukraine", "Afghanistan", "Irak", "Türkei", "Eritrea", "Somalia", "Rumänien"} {
		if origins[o] == 0 {
			t.Errorf("no household from %s", o)
		}
	}
	for st := demo.StoryHousingSearch; st <= demo.StoryInternal; st++ {
		if stories[st] < 3 {
			t.Errorf("story %d dealt %d times", st, stories[st])
		}
	}
	for _, l := range []string{"ar", "uk", "ru", "fa", "ps", "ku", "tr", "ti", "so", "ro"} {
		if !languages[l] {
			t.Errorf("nobody speaks %s", l)
		}
	}
	if len(districts) < 12 || variants < 40 {
		t.Errorf("too little variety: %d districts, %d persons with name variants", len(districts), variants)
	}
}

func endsWith(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}

// demoEnv is a fresh database with the demo directory applied and the services on it.
type demoEnv struct {
	t   *testing.T
	ctx context.Context
	db  *db.DB
	svc *service.Services
}

func newDemoEnv(t *testing.T) *demoEnv {
	t.Helper()
	ctx := context.Background()
	d := testutil.NewDB(t)
	st := store.New(d.Gorm, nil)
	en, err := authz.New(ctx, func(ctx context.Context) (authz.Snapshot, error) {
		orgs, grants, err := st.PolicySnapshot(ctx)
		return authz.Snapshot{Orgs: orgs, Grants: grants}, err
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := service.New(st, en, slog.New(slog.DiscardHandler))
	f, err := directory.Parse(demo.DirectoryName, demo.Directory)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Directory.Apply(ctx, model.Actor{System: true, Name: "test"}, f, false); err != nil {
		t.Fatal(err)
	}
	return &demoEnv{t: t, ctx: ctx, db: d, svc: svc}
}

// counts are the rows of every table the case seed writes (audit events aside: reads are
// logged).
func (e *demoEnv) counts() map[string]int {
	e.t.Helper()
	out := map[string]int{}
	for _, table := range []string{"cases", "persons", "area_statuses", "consents", "consent_recipients", "referrals", "tasks", "notes"} {
		var n int
		if err := e.db.SQL.QueryRowContext(e.ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			e.t.Fatal(err)
		}
		out[table] = n
	}
	return out
}

func (e *demoEnv) count(query string) int {
	e.t.Helper()
	var n int
	if err := e.db.SQL.QueryRowContext(e.ctx, query).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// as is the demo account with role in org.
func (e *demoEnv) as(role model.Role, org string) model.Actor {
	e.t.Helper()
	system := model.Actor{System: true}
	orgs, err := e.svc.Directory.ListOrganisations(e.ctx, system)
	if err != nil {
		e.t.Fatal(err)
	}
	members, err := e.svc.Directory.ListMembers(e.ctx, system, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, acc := range demo.Accounts() {
		if acc.Role != role || acc.Org != org {
			continue
		}
		for _, o := range orgs {
			for _, m := range members {
				if o.ShortName == org && m.User.Email == acc.Email {
					oid := o.ID
					a, _, err := e.svc.Access.Actor(e.ctx, service.ActorRequest{UserID: m.User.ID, OrgID: &oid})
					if err != nil {
						e.t.Fatal(err)
					}
					return a
				}
			}
		}
	}
	e.t.Fatalf("no demo account %s in %s", role, org)
	return model.Actor{}
}

// TestSeedCases: the seed creates the demo cases once (a second run creates nothing), with
// referrals in every state, overdue tasks and something to see for every demo role.
func TestSeedCases(t *testing.T) {
	t.Parallel()
	e := newDemoEnv(t)
	start := time.Now()
	sum, err := demo.SeedCases(e.ctx, e.svc)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	t.Logf("seeded in %v: %+v", time.Since(start), sum)
	households := len(demo.Households(time.Now()))
	first := e.counts()
	if sum.FollowUps == 0 || e.count(`SELECT count(*) FROM follow_ups`) != sum.FollowUps {
		t.Errorf("%d follow-ups in the summary, %d in the database", sum.FollowUps, e.count(`SELECT count(*) FROM follow_ups`))
	}
	if sum.Created != households || sum.Present != 0 || first["cases"] != households {
		t.Fatalf("first seed: summary %+v, %d cases; want %d created", sum, first["cases"], households)
	}

	again, err := demo.SeedCases(e.ctx, e.svc)
	if err != nil {
		t.Fatalf("second seed: %v", err)
	}
	if again.Created != 0 || again.Present != households {
		t.Errorf("second seed: %+v, want every household present and none created", again)
	}
	if second := e.counts(); !equalCounts(first, second) {
		t.Errorf("the second seed changed the data: %v, before %v", second, first)
	}

	// Every referral state, for real in the database.
	for _, st := range model.ReferralStatuses {
		n := e.count(`SELECT count(*) FROM referrals WHERE status = '` + string(st) + `'`)
		if n == 0 {
			t.Errorf("no referral is %s", st)
		}
		if n != sum.Referrals[st] {
			t.Errorf("%d referrals are %s, the summary says %d", n, st, sum.Referrals[st])
		}
	}
	for what, query := range map[string]string{
		"overdue tasks":                  `SELECT count(*) FROM tasks WHERE due_date < berlin_today() AND status NOT IN ('done', 'cancelled')`,
		"tasks due today":                `SELECT count(*) FROM tasks WHERE due_date = berlin_today()`,
		"done tasks":                     `SELECT count(*) FROM tasks WHERE status = 'done'`,
		"revoked consents":               `SELECT count(*) FROM consents WHERE revoked_at IS NOT NULL`,
		"expired consents":               `SELECT count(*) FROM consents WHERE valid_until < berlin_today()`,
		"consents for one person":        `SELECT count(*) FROM consents WHERE person_id IS NOT NULL`,
		"shared notes":                   `SELECT count(*) FROM notes WHERE visibility = 'shared'`,
		"notes for the own organisation": `SELECT count(*) FROM notes WHERE visibility = 'org'`,
		"notes of partners":              `SELECT count(*) FROM notes n JOIN organisations o ON o.id = n.org_id WHERE o.kind <> 'municipal'`,
		"closed cases":                   `SELECT count(*) FROM cases WHERE status = 'closed'`,
		"paused cases":                   `SELECT count(*) FROM cases WHERE status = 'paused'`,
		"plan rows in progress":          `SELECT count(*) FROM area_statuses WHERE status <> 'not_started'`,
		"cases opened months ago":        `SELECT count(*) FROM cases WHERE opened_at < now() - interval '90 days'`,
		"tasks of partners":              `SELECT count(*) FROM tasks t JOIN organisations o ON o.id = t.org_id WHERE o.kind <> 'municipal'`,
		"reassignments by the head":      `SELECT count(*) FROM audit_events WHERE action = 'task.reassign'`,
		"tasks ended with their access":  `SELECT count(*) FROM tasks WHERE status = 'cancelled' AND status_reason = 'access_ended'`,
		"events of the seed":             `SELECT count(*) FROM audit_events WHERE purpose = 'demo data' AND actor_id IS NOT NULL`,
		"follow-ups due or overdue":      `SELECT count(*) FROM follow_ups WHERE due_on <= berlin_today() AND done_at IS NULL`,
		"follow-ups still ahead":         `SELECT count(*) FROM follow_ups WHERE due_on > berlin_today()`,
	} {
		if e.count(query) == 0 {
			t.Errorf("the demo data has no %s", what)
		}
	}

	// Every demo role sees a realistic day, and the administrative roles no case content.
	housing := e.as(model.RoleCaseworker, "FB-WOHNEN")
	head := e.as(model.RoleLead, "FB-WOHNEN")
	migration := e.as(model.RoleCaseworker, "FD-MIGRATION")
	jobcenter := e.as(model.RoleCaseworker, "JOBCENTER")
	caritas := e.as(model.RoleCaseworker, "CARITAS")
	atLeast := func(what string, got int64, want int64) {
		t.Helper()
		if got < want {
			t.Errorf("%s: %d, want at least %d", what, got, want)
		}
	}
	cases := func(a model.Actor) int64 {
		p, err := e.svc.Cases.List(e.ctx, a, model.CaseFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return p.Total
	}
	incoming := func(a model.Actor) int64 {
		p, err := e.svc.Referrals.List(e.ctx, a, model.ReferralFilter{Box: model.ReferralsIncoming})
		if err != nil {
			t.Fatal(err)
		}
		return p.Total
	}
	tasks := func(a model.Actor, f model.TaskFilter) int64 {
		p, err := e.svc.Tasks.List(e.ctx, a, f)
		if err != nil {
			t.Fatal(err)
		}
		return p.Total
	}
	atLeast("cases of the housing caseworker", cases(housing), 30)
	atLeast("cases of the migration caseworker", cases(migration), 15)
	atLeast("cases the jobcenter sees", cases(jobcenter), 3)
	atLeast("cases caritas sees", cases(caritas), 3)
	atLeast("incoming referrals of the jobcenter", incoming(jobcenter), 5)
	atLeast("incoming referrals of caritas", incoming(caritas), 5)
	atLeast("incoming referrals of the migration service", incoming(migration), 3)
	atLeast("the housing caseworker's own tasks", tasks(housing, model.TaskFilter{Mine: true}), 10)
	atLeast("overdue tasks of the head's team", tasks(head, model.TaskFilter{Overdue: true}), 5)
	atLeast("tasks assigned to the head", tasks(head, model.TaskFilter{Mine: true}), 3)
	atLeast("tasks of the jobcenter", tasks(jobcenter, model.TaskFilter{}), 3)
	all, err := e.svc.Tasks.List(e.ctx, head, model.TaskFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range all.Items {
		if tk.OrgID != head.OrgID && (tk.CaseID == nil) {
			t.Errorf("the head sees a task of another organisation without a case: %+v", tk)
		}
	}
	// The jobcenter does not see the referrals whose consent ran out.
	p, err := e.svc.Referrals.List(e.ctx, jobcenter, model.ReferralFilter{Box: model.ReferralsIncoming, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	hidden := e.count(`SELECT count(*) FROM referrals r JOIN consents c ON c.id = r.consent_id JOIN organisations o ON o.id = r.to_org_id
		WHERE o.short_name = 'JOBCENTER' AND r.status = 'sent' AND c.valid_until < berlin_today()`)
	if hidden == 0 {
		t.Error("no referral to the jobcenter under an expired consent")
	}
	for _, r := range p.Items {
		if r.ConsentID != nil {
			var until time.Time
			if err := e.db.SQL.QueryRowContext(e.ctx, `SELECT valid_until FROM consents WHERE id = $1`, *r.ConsentID).Scan(&until); err != nil {
				t.Fatal(err)
			}
			if until.Before(time.Now().AddDate(0, 0, -1)) {
				t.Errorf("the jobcenter sees referral %s under a consent that ran out on %s", r.Reference, until.Format(time.DateOnly))
			}
		}
	}
	for _, acc := range []struct {
		role model.Role
		org  string
	}{{model.RoleCoordinator, "FB-INTEGRATION"}, {model.RoleSysadmin, "STADT"}, {model.RoleDPO, "STADT"}, {model.RoleOrgAdmin, "CARITAS"}} {
		a := e.as(acc.role, acc.org)
		if _, err := e.svc.Cases.List(e.ctx, a, model.CaseFilter{}); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("%s sees cases: %v", acc.role, err)
		}
		if _, err := e.svc.Referrals.List(e.ctx, a, model.ReferralFilter{}); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("%s sees referrals: %v", acc.role, err)
		}
		if _, err := e.svc.Tasks.List(e.ctx, a, model.TaskFilter{}); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("%s sees tasks: %v", acc.role, err)
		}
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
