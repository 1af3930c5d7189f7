package scale_test

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/authz"
	"github.com/lotse-project/lotse/internal/demo"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/scale"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// small is a hundredth of the city: big enough for every state, fast enough for make test.
func small(seed uint64, now time.Time) scale.Config {
	return scale.Config{Sizes: scale.FullCity.Scaled(0.01), Seed: seed, Now: now, BatchCases: 300}
}

// tiny is half of small, for comparing runs.
func tiny(seed uint64, now time.Time) scale.Config {
	return scale.Config{Sizes: scale.FullCity.Scaled(0.005), Seed: seed, Now: now, BatchCases: 100}
}

// generated is a database with a small city in it.
type generated struct {
	db  *testutil.Database
	sql *sql.DB
	sum scale.Summary
	cfg scale.Config
}

func generate(t *testing.T, cfg scale.Config) *generated {
	t.Helper()
	return generateAs(t, cfg, true)
}

// generateAs generates as the schema owner or, when owner is false, as the application role.
func generateAs(t *testing.T, cfg scale.Config, owner bool) *generated {
	t.Helper()
	d := testutil.NewDatabase(t)
	url := d.URL
	if owner {
		url = d.OwnerURL
	}
	conn := testutil.Open(t, url)
	sum, err := scale.Generate(context.Background(), conn.Pool, cfg)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	return &generated{db: d, sql: conn.SQL, sum: sum, cfg: cfg}
}

// fingerprint sums every generated table (the audit trail without its identity column, as
// concurrent batches number it in the order they commit).
func (g *generated) fingerprint(t *testing.T) string {
	t.Helper()
	fp := testutil.DataOnly(testutil.Fingerprint(t, g.sql, "organisations", "users", "role_grants", "cases", "persons", "area_statuses",
		"consents", "consent_recipients", "referrals", "tasks", "notes", "notifications", "follow_ups", "reference_counters"))
	var audit string
	if err := g.sql.QueryRow(`SELECT md5(string_agg(concat_ws(',', at, actor_id, org_id, role, action, object_type, object_id, case_id, details),
		'|' ORDER BY at, object_id, action)) FROM audit_events`).Scan(&audit); err != nil {
		t.Fatal(err)
	}
	return fp + " audit=" + audit
}

func (g *generated) int(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := g.sql.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestGenerateIsDeterministic: the same seed and sizes give the same rows, whatever the
// batches, connections and role (the application role may write all of it); another seed
// other accounts; and a database that holds a city already is refused.
func TestGenerateIsDeterministic(t *testing.T) {
	t.Parallel()
	now := time.Now()
	a := generate(t, tiny(7, now))
	cfg := tiny(7, now)
	cfg.Workers, cfg.BatchCases = 1, 1000 // other batches, one connection, the application role: the same rows
	b := generateAs(t, cfg, false)
	if fa, fb := a.fingerprint(t), b.fingerprint(t); fa != fb {
		t.Errorf("two runs with the same seed differ:\n%s\n%s", fa, fb)
	}
	if slices.Equal(scale.Accounts(tiny(7, now)), scale.Accounts(tiny(8, now))) {
		t.Error("another seed gave the same accounts")
	}
	owner := testutil.Open(t, a.db.OwnerURL)
	if _, err := scale.Generate(context.Background(), owner.Pool, tiny(9, now)); err != scale.ErrNotEmpty {
		t.Errorf("generating into a generated city: %v, want ErrNotEmpty", err)
	}
	for table, n := range a.sum.Tables {
		if got := a.int(t, `SELECT count(*) FROM `+table); got != int(n) {
			t.Errorf("%s: %d rows, the summary says %d", table, got, n)
		}
	}
}

// TestGeneratedCity: a hundredth of the city, its shape checked and read through the services.
func TestGeneratedCity(t *testing.T) {
	t.Parallel()
	g := generate(t, small(13, time.Now()))
	t.Run("shape", func(t *testing.T) { checkShape(t, g) })
	t.Run("services", func(t *testing.T) { checkServices(t, g) })
}

// checkShape: the generated city has the shape of a real one (an organisation tree, every
// role, every state, overdue and unassigned tasks, a variety of names with their
// transliteration variants) and keeps the rules the application relies on.
func checkShape(t *testing.T, g *generated) {
	sz := g.cfg.Sizes
	within := func(what string, got, want int) {
		t.Helper()
		if got < want*8/10 || got > want*12/10 {
			t.Errorf("%s: %d, want about %d", what, got, want)
		}
	}
	within("cases", int(g.sum.Tables["cases"]), sz.Cases)
	within("tasks", int(g.sum.Tables["tasks"]), sz.Tasks)
	within("referrals", int(g.sum.Tables["referrals"]), sz.Referrals)
	within("users", int(g.sum.Tables["users"]), sz.Users)
	within("organisations", int(g.sum.Tables["organisations"]), sz.Orgs)

	for _, c := range []struct {
		what string
		q    string
		min  int
	}{
		{"case states", `SELECT count(DISTINCT status) FROM cases`, 3},
		{"referral states", `SELECT count(DISTINCT status) FROM referrals`, 8},
		{"task states", `SELECT count(DISTINCT status) FROM tasks`, 5},
		{"plan states", `SELECT count(DISTINCT status) FROM area_statuses`, 5},
		{"organisation kinds", `SELECT count(DISTINCT kind) FROM organisations`, 5},
		{"roles", `SELECT count(DISTINCT role) FROM role_grants`, 6},
		{"depth of the organisation tree", `WITH RECURSIVE t AS (SELECT id, 0 AS d FROM organisations WHERE parent_id IS NULL
			UNION ALL SELECT o.id, t.d + 1 FROM organisations o JOIN t ON o.parent_id = t.id) SELECT max(d) FROM t`, 2},
		{"overdue open tasks", `SELECT count(*) FROM tasks WHERE status IN ('open', 'in_progress', 'waiting') AND due_date < CURRENT_DATE`, sz.Tasks / 20},
		{"unassigned open tasks", `SELECT count(*) FROM tasks WHERE status IN ('open', 'in_progress', 'waiting') AND assignee_id IS NULL`, sz.Tasks / 50},
		{"tasks of recipients", `SELECT count(*) FROM tasks WHERE referral_id IS NOT NULL`, sz.Tasks / 20},
		{"tasks closed with their referral", `SELECT count(*) FROM tasks WHERE status_reason = 'access_ended'`, 1},
		{"expired consents", `SELECT count(*) FROM consents WHERE valid_until < CURRENT_DATE AND revoked_at IS NULL`, 10},
		{"revoked consents", `SELECT count(*) FROM consents WHERE revoked_at IS NOT NULL`, 10},
		{"referrals on a legal basis", `SELECT count(*) FROM referrals WHERE legal_basis <> ''`, 10},
		{"shared notes", `SELECT count(*) FROM notes WHERE visibility = 'shared'`, 10},
		{"family names", `SELECT count(DISTINCT family_name) FROM persons`, 300},
		{"given names", `SELECT count(DISTINCT given_names) FROM persons`, 300},
		{"languages", `SELECT count(DISTINCT l) FROM persons, unnest(languages) l`, 12},
		{"persons with name variants", `SELECT count(*) FROM persons WHERE cardinality(name_variants) > 0`, sz.Cases / 2},
		{"persons spelt other than the first spelling", `SELECT count(*) FROM persons WHERE given_names IN ('Muhammad', 'Mohamed', 'Muhammed')`, 1},
		{"households of three", `SELECT count(*) FROM (SELECT case_id FROM persons GROUP BY 1 HAVING count(*) = 3) x`, sz.Cases / 5},
		{"audit events", `SELECT count(*) FROM audit_events`, sz.Cases * 5},
		{"unread notifications", `SELECT count(*) FROM notifications WHERE read_at IS NULL`, sz.Cases},
		{"notification kinds", `SELECT count(DISTINCT kind) FROM notifications`, 4},
		{"follow-ups", `SELECT count(*) FROM follow_ups`, sz.Cases / 20},
	} {
		if got := g.int(t, c.q); got < c.min {
			t.Errorf("%s: %d, want at least %d", c.what, got, c.min)
		}
	}
	for _, c := range []struct{ what, q string }{
		// A referral under a consent: the consent names its recipient, covers its areas, and
		// was valid (and not yet revoked) on the days it was sent and accepted.
		{"referrals the consent does not cover", `SELECT count(*) FROM referrals r JOIN consents c ON c.id = r.consent_id
			WHERE NOT r.areas <@ c.areas
			   OR NOT EXISTS (SELECT 1 FROM consent_recipients cr WHERE cr.consent_id = c.id AND cr.org_id = r.to_org_id)
			   OR (r.created_at AT TIME ZONE 'Europe/Berlin')::date NOT BETWEEN c.valid_from AND c.valid_until
			   OR (r.status <> 'declined' AND (r.answered_at AT TIME ZONE 'Europe/Berlin')::date NOT BETWEEN c.valid_from AND c.valid_until)
			   OR r.created_at > c.revoked_at OR r.case_id <> c.case_id`},
		{"referrals without cover", `SELECT count(*) FROM referrals WHERE consent_id IS NULL AND legal_basis = ''`},
		{"active referrals under a revoked consent", `SELECT count(*) FROM referrals r JOIN consents c ON c.id = r.consent_id
			WHERE c.revoked_at IS NOT NULL AND r.status IN ('sent', 'accepted', 'in_progress')`},
		{"sent referrals past their reply deadline", `SELECT count(*) FROM referrals WHERE status = 'sent' AND reply_due < CURRENT_DATE`},
		{"referrals answered or closed before they were sent", `SELECT count(*) FROM referrals WHERE answered_at < created_at OR closed_at < created_at`},
		{"referrals outside their case's life", `SELECT count(*) FROM referrals r JOIN cases c ON c.id = r.case_id
			WHERE r.created_at < c.opened_at OR r.created_at > c.closed_at OR r.from_org_id <> c.lead_org_id`},
		{"active referrals of closed cases", `SELECT count(*) FROM referrals r JOIN cases c ON c.id = r.case_id
			WHERE c.status = 'closed' AND r.status IN ('sent', 'accepted', 'in_progress')`},
		{"open tasks of closed cases", `SELECT count(*) FROM tasks t JOIN cases c ON c.id = t.case_id
			WHERE c.status = 'closed' AND t.status IN ('open', 'in_progress', 'waiting')`},
		{"open tasks of ended referrals", `SELECT count(*) FROM tasks t JOIN referrals r ON r.id = t.referral_id
			WHERE r.status NOT IN ('sent', 'accepted', 'in_progress') AND t.status IN ('open', 'in_progress', 'waiting')`},
		{"recipients' tasks outside the recipient", `SELECT count(*) FROM tasks t JOIN referrals r ON r.id = t.referral_id
			WHERE t.org_id <> r.to_org_id OR t.case_id <> r.case_id`},
		{"tasks assigned outside their organisation", `SELECT count(*) FROM tasks t WHERE assignee_id IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = t.assignee_id AND g.org_id = t.org_id)`},
		{"cases led by someone outside the lead organisation", `SELECT count(*) FROM cases c WHERE responsible_user_id IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = c.responsible_user_id AND g.org_id = c.lead_org_id AND g.role = 'caseworker')`},
		{"cases led by an organisation that may not", `SELECT count(*) FROM cases c JOIN organisations o ON o.id = c.lead_org_id WHERE o.kind <> 'municipal'`},
		{"cases without their six plan rows", `SELECT count(*) FROM cases c WHERE (SELECT count(*) FROM area_statuses a WHERE a.case_id = c.id) <> 6`},
		{"cases without exactly one primary person", `SELECT count(*) FROM cases c WHERE (SELECT count(*) FROM persons p WHERE p.case_id = c.id AND p.is_primary) <> 1`},
		{"persons not found by their name", `SELECT count(*) FROM persons WHERE search_text = '' OR family_name ~ '^[A-Za-z -]+$'
			AND position(regexp_replace(lower(family_name), '[^a-z]+', ' ', 'g') IN search_text) = 0`},
		{"arrivals before birth", `SELECT count(*) FROM persons WHERE arrival_date < birth_date`},
		{"records in the future", `SELECT (SELECT count(*) FROM cases WHERE updated_at > now() OR opened_at > now())
			+ (SELECT count(*) FROM tasks WHERE created_at > now() OR done_at > now())
			+ (SELECT count(*) FROM referrals WHERE updated_at > now()) + (SELECT count(*) FROM audit_events WHERE at > now())`},
		{"notifications to someone outside the organisation", `SELECT count(*) FROM notifications n
			WHERE NOT EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = n.user_id AND g.org_id = n.org_id)`},
		{"staff holding two roles", `SELECT count(*) FROM (SELECT user_id FROM role_grants GROUP BY 1 HAVING count(*) > 1) x`},
		{"reference numbers the counters would hand out again", `SELECT count(*) FROM cases c JOIN reference_counters rc ON rc.prefix = 'F'
			AND c.reference LIKE 'F-' || rc.year || '-%' WHERE split_part(c.reference, '-', 3)::int > rc.last`},
	} {
		if got := g.int(t, c.q); got != 0 {
			t.Errorf("%s: %d", c.what, got)
		}
	}
	if got := g.int(t, `SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'tasks' AND last_analyze IS NOT NULL`); got != 1 {
		t.Error("the tasks table was not analysed")
	}
	// Vacuumed, as autovacuum leaves a running city: the visibility map covers the tables.
	if got := g.int(t, `SELECT count(*) FROM pg_class WHERE relname IN ('tasks', 'cases', 'referrals') AND relallvisible = 0`); got != 0 {
		t.Errorf("%d of tasks, cases and referrals not vacuumed (no page marked all-visible)", got)
	}
}

// checkServices: the accounts sign in the way the development identity provider signs them
// in (linked by their verified e-mail), and the services serve the generated data to them: a
// caseworker's start page, case list, a case, search, own tasks; a partner's inbox and a
// referred case; a department head's team dashboard.
func checkServices(t *testing.T, g *generated) {
	ctx := context.Background()
	app := testutil.Open(t, g.db.URL)
	st := store.New(app.Gorm, nil)
	en, err := authz.New(ctx, func(ctx context.Context) (authz.Snapshot, error) {
		orgs, grants, err := st.PolicySnapshot(ctx)
		return authz.Snapshot{Orgs: orgs, Grants: grants}, err
	})
	if err != nil {
		t.Fatal(err)
	}
	svc := service.New(st, en, slog.New(slog.DiscardHandler))
	accounts := scale.Accounts(g.cfg)
	if n := g.int(t, `SELECT count(*) FROM users`); n != len(accounts) {
		t.Fatalf("%d users, Accounts lists %d", n, len(accounts))
	}
	var buf bytes.Buffer
	if err := scale.WriteAccounts(&buf, accounts); err != nil {
		t.Fatal(err)
	}
	back, err := scale.ReadAccounts(&buf)
	if err != nil || !slices.Equal(back, accounts) {
		t.Fatalf("the accounts file does not read back: %v", err)
	}

	signIn := func(a scale.Account) model.Actor {
		t.Helper()
		id, err := svc.Access.SignIn(ctx, service.SignIn{Issuer: "http://127.0.0.1:8081", Subject: a.Subject, Email: a.Email,
			Name: a.DisplayName, EmailVerified: true, TrustEmail: true})
		if err != nil || id != a.UserID {
			t.Fatalf("%s signs in: %v, %s (want %s)", a.Email, err, id, a.UserID)
		}
		org := a.OrgID
		actor, _, err := svc.Access.Actor(ctx, service.ActorRequest{UserID: id, OrgID: &org, RequestID: "scale-test"})
		if err != nil {
			t.Fatalf("%s acts in %s: %v", a.Email, a.Org, err)
		}
		if !slices.Contains(actor.Roles, a.Role) {
			t.Fatalf("%s acts as %v, want %s", a.Email, actor.Roles, a.Role)
		}
		return actor
	}
	// The accounts with the most work: the caseworker responsible for the most cases, the
	// partner caseworker whose organisation has the most active covered referrals, the head
	// of the department with the most tasks.
	byID := map[uuid.UUID]scale.Account{}
	for _, a := range accounts {
		byID[a.UserID] = a
	}
	pickUser := func(q string) scale.Account {
		t.Helper()
		var id uuid.UUID
		if err := g.sql.QueryRow(q).Scan(&id); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return byID[id]
	}
	worker := pickUser(`SELECT responsible_user_id FROM cases WHERE status = 'open' AND responsible_user_id IS NOT NULL
		GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`)
	partner := pickUser(`SELECT g.user_id FROM referrals r JOIN organisations o ON o.id = r.to_org_id AND o.kind <> 'municipal'
		JOIN role_grants g ON g.org_id = r.to_org_id AND g.role = 'caseworker'
		LEFT JOIN consents c ON c.id = r.consent_id
		WHERE r.status IN ('sent', 'accepted', 'in_progress') AND (r.legal_basis <> '' OR (c.revoked_at IS NULL AND c.valid_until >= CURRENT_DATE))
		GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`)
	head := pickUser(`SELECT g.user_id FROM role_grants g JOIN organisations d ON d.id = g.org_id AND d.parent_id IS NOT NULL AND d.kind = 'municipal'
		WHERE g.role = 'lead' AND EXISTS (SELECT 1 FROM organisations u WHERE u.parent_id = d.id) ORDER BY 1 LIMIT 1`)

	w := signIn(worker)
	home, err := svc.Home.Worklist(ctx, w)
	if err != nil {
		t.Fatalf("start page: %v", err)
	}
	if home == nil {
		t.Fatal("start page: nothing")
	}
	cases, err := svc.Cases.List(ctx, w, model.CaseFilter{Limit: 25})
	if err != nil || len(cases.Items) == 0 {
		t.Fatalf("case list: %v, %d rows", err, len(cases.Items))
	}
	if _, err := svc.Cases.Overview(ctx, w, cases.Items[0].ID); err != nil {
		t.Fatalf("case page: %v", err)
	}
	found, err := svc.Cases.List(ctx, w, model.CaseFilter{Q: cases.Items[0].Persons[0].FamilyName, Limit: 25})
	if err != nil || len(found.Items) == 0 {
		t.Fatalf("search by name: %v, %d rows", err, len(found.Items))
	}
	mine, err := svc.Tasks.List(ctx, w, model.TaskFilter{Mine: true, Status: []model.TaskStatus{model.TaskOpen, model.TaskInProgress, model.TaskWaiting}})
	if err != nil || len(mine.Items) == 0 {
		t.Fatalf("my open tasks: %v, %d rows", err, len(mine.Items))
	}

	p := signIn(partner)
	inbox, err := svc.Referrals.List(ctx, p, model.ReferralFilter{Box: model.ReferralsIncoming})
	if err != nil || len(inbox.Items) == 0 {
		t.Fatalf("partner inbox: %v, %d rows", err, len(inbox.Items))
	}
	if _, err := svc.Cases.Overview(ctx, p, inbox.Items[0].CaseID); err != nil {
		t.Fatalf("the partner opens a referred case: %v", err)
	}

	h := signIn(head)
	team, err := svc.Dashboard.Team(ctx, h, service.TeamFilter{})
	if err != nil || len(team.List) == 0 || len(team.Orgs) < 2 {
		t.Fatalf("team dashboard: %v", err)
	}
}

// TestAccountsWithoutDatabase: the accounts are the same on every call, one role each, with
// unique subjects and e-mails on reserved domains, every role present.
func TestAccountsWithoutDatabase(t *testing.T) {
	cfg := scale.Config{Sizes: scale.FullCity, Seed: 13}
	a, b := scale.Accounts(cfg), scale.Accounts(cfg)
	if !slices.Equal(a, b) {
		t.Fatal("Accounts differs between two calls")
	}
	if len(a) != scale.FullCity.Users {
		t.Errorf("%d accounts, want %d", len(a), scale.FullCity.Users)
	}
	subjects, roles := map[string]bool{}, map[model.Role]int{}
	for _, d := range demo.Accounts() { // the development identity provider may offer both
		subjects[strings.SplitN(d.Email, "@", 2)[0]] = true
	}
	for _, acc := range a {
		if subjects[acc.Subject] {
			t.Errorf("subject %s twice", acc.Subject)
		}
		subjects[acc.Subject] = true
		roles[acc.Role]++
		if !bytes.HasSuffix([]byte(acc.Email), []byte(".example")) || acc.Email != acc.Subject+acc.Email[len(acc.Subject):] {
			t.Errorf("e-mail %q: not on a reserved domain or not the subject's", acc.Email)
		}
	}
	for _, r := range []model.Role{model.RoleCaseworker, model.RoleLead, model.RoleOrgAdmin, model.RoleCoordinator, model.RoleSysadmin, model.RoleDPO} {
		if roles[r] == 0 {
			t.Errorf("no account with the role %s", r)
		}
	}
	if roles[model.RoleCaseworker] < len(a)*8/10 {
		t.Errorf("%d caseworkers of %d accounts", roles[model.RoleCaseworker], len(a))
	}
	orgs := scale.Organisations(cfg)
	if len(orgs) < 280 || len(orgs) > 320 {
		t.Errorf("%d organisations, want about 300", len(orgs))
	}
	depth := 0
	for _, o := range orgs {
		depth = max(depth, o.Depth)
	}
	if depth < 3 {
		t.Errorf("the organisation tree is %d deep, want city > department > unit > team", depth)
	}
}
