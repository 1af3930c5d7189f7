package scale

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lotse-project/lotse/internal/model"
)

// span is how far back the generated history reaches, in days.
const span = 3 * 365

var areaCodes = []string{"housing", "work", "schooling", "language", "health", "residence"}

type counterKey struct {
	prefix string
	year   int
}

// generator draws the cases. Every case has its own random stream (seed, case number), so a
// case's rows do not depend on the batch size; the reference numbers are counted in case
// order, and the cases are in the order they were opened.
type generator struct {
	cfg      Config
	city     *city
	cityRand *rand.Rand
	now      time.Time
	today    time.Time // the calendar day in Berlin, as midnight UTC
	// opened[i] is how many days before today case i was opened (descending).
	opened   []int
	counters map[counterKey]int
	// leaderWeights: cumulative caseworker counts of the leading organisations.
	leaderCum []int
	// receiver picks: partner offices weigh more than municipal units.
	receiverCum []int
	origins     []int // cumulative origin weights
	// taskMean and referralMean are the average numbers per case.
	taskMean, referralMean float64
}

func newGenerator(cfg Config) *generator {
	g := &generator{cfg: cfg, city: buildCity(cfg.Seed, cfg.Sizes), now: cfg.Now.UTC().Truncate(time.Microsecond),
		counters: map[counterKey]int{}}
	g.cityRand = rand.New(rand.NewPCG(cfg.Seed, 0x6A7))
	g.today = model.CalendarDay(g.now)
	r := rand.New(rand.NewPCG(cfg.Seed, 0x0FE))
	g.opened = make([]int, cfg.Sizes.Cases)
	for i := range g.opened {
		// More recent cases than old ones: the city takes more households in than it closes.
		g.opened[i] = 1 + int(float64(span-1)*math.Pow(r.Float64(), 1.4))
	}
	sort.Sort(sort.Reverse(sort.IntSlice(g.opened)))
	total := 0
	for _, i := range g.city.leaders {
		total += max(1, len(g.city.orgs[i].caseworkers))
		g.leaderCum = append(g.leaderCum, total)
	}
	// Referrals go mostly to partners, and unevenly: like in a real city, a few offices (the
	// job center's main office, the big counselling services) receive many times what a
	// small association does; the k-th partner weighs about 1/k. So the busiest office has
	// thousands of active referrals, which is what a query starting from the office meets.
	rank := r.Perm(len(g.city.receivers)) // which partner is how busy
	total = 0
	for k, i := range g.city.receivers {
		w := 2
		if g.city.orgs[i].Kind != model.OrgMunicipal {
			w = 3 * max(1, 40/(1+rank[k]))
		}
		total += w
		g.receiverCum = append(g.receiverCum, total)
	}
	total = 0
	for _, o := range origins {
		total += o.weight
		g.origins = append(g.origins, total)
	}
	g.taskMean = float64(cfg.Sizes.Tasks) / float64(max(1, cfg.Sizes.Cases))
	g.referralMean = float64(cfg.Sizes.Referrals) / float64(max(1, cfg.Sizes.Cases))
	return g
}

// pick returns the index of the weight range that a draw falls into.
func pick(r *rand.Rand, cum []int) int {
	x := r.IntN(cum[len(cum)-1])
	return sort.SearchInts(cum, x+1)
}

// count draws a count with the given mean: uniform on [0, 2·mean], rounded at random.
func count(r *rand.Rand, mean float64) int {
	x := r.Float64() * 2 * mean
	n := int(x)
	if r.Float64() < x-float64(n) {
		n++
	}
	return n
}

// day is the calendar day daysAgo days before today.
func (g *generator) day(daysAgo int) time.Time { return g.today.AddDate(0, 0, -daysAgo) }

// at is a moment daysAgo days before today during office hours in Berlin (minute after
// 8:00), never later than now.
func (g *generator) at(daysAgo, minute int) time.Time {
	d := g.day(daysAgo)
	t := time.Date(d.Year(), d.Month(), d.Day(), 8, 0, 0, 0, model.Berlin).Add(time.Duration(minute%600) * time.Minute).UTC()
	if !t.Before(g.now) {
		t = g.now.Add(-time.Duration(1+minute%50) * time.Minute)
	}
	return t
}

// after is d after t, but not after now: something that followed t on the same day.
func (g *generator) after(t time.Time, d time.Duration) time.Time {
	if u := t.Add(d); u.Before(g.now) {
		return u
	}
	return t.Add(g.now.Sub(t) / 2)
}

func (g *generator) reference(prefix string, t time.Time) string {
	k := counterKey{prefix, t.In(model.Berlin).Year()}
	g.counters[k]++
	return fmt.Sprintf("%s-%d-%05d", prefix, k.year, g.counters[k])
}

func nullUUID(u uuid.UUID) pgtype.UUID { return pgtype.UUID{Bytes: u, Valid: u != uuid.Nil} }

func nullTime(t time.Time) pgtype.Timestamptz { return pgtype.Timestamptz{Time: t, Valid: !t.IsZero()} }

func nullDate(t time.Time) pgtype.Date { return pgtype.Date{Time: t, Valid: !t.IsZero()} }

// table is the rows of one table in a batch.
type table struct {
	name string
	cols []string
	rows [][]any
}

// batch is the rows of a run of cases, written in one transaction.
type batch struct {
	cases  int
	tables []*table
	byName map[string]*table
	refs   map[model.ReferralStatus]int64
	states map[model.CaseStatus]int64
}

var tableColumns = []struct {
	name string
	cols []string
}{
	{"cases", []string{"id", "reference", "lead_org_id", "responsible_user_id", "status", "status_reason", "district", "opened_at", "closed_at", "version", "created_at", "updated_at"}},
	{"persons", []string{"id", "case_id", "is_primary", "family_name", "given_names", "name_variants", "birth_date", "languages", "arrival_date",
		"residence_status", "district", "phone", "email", "address", "search_text", "created_at", "updated_at"}},
	{"area_statuses", []string{"case_id", "area", "status", "responsible_org_id", "note", "changed_by", "changed_at", "version"}},
	{"consents", []string{"id", "case_id", "person_id", "areas", "data_categories", "purpose", "valid_from", "valid_until", "evidence", "language",
		"recorded_by", "recorded_org_id", "recorded_at", "revoked_at", "revoked_by", "version"}},
	{"consent_recipients", []string{"consent_id", "org_id"}},
	{"referrals", []string{"id", "reference", "case_id", "from_org_id", "to_org_id", "areas", "message", "reply_due", "status", "consent_id",
		"legal_basis", "legal_basis_categories", "reply", "outcome", "sent_by", "answered_by", "answered_at", "closed_at", "assignee_id", "version", "created_at", "updated_at"}},
	{"tasks", []string{"id", "org_id", "assignee_id", "case_id", "area", "referral_id", "title", "description", "due_date", "priority", "status",
		"status_reason", "created_by", "done_at", "version", "created_at", "updated_at"}},
	{"notes", []string{"id", "case_id", "area", "org_id", "author_id", "visibility", "body", "created_at"}},
	{"notifications", []string{"id", "user_id", "org_id", "kind", "object_type", "object_id", "occasion", "created_at", "read_at"}},
	{"follow_ups", []string{"id", "user_id", "org_id", "case_id", "due_on", "created_at", "updated_at"}},
	{"audit_events", []string{"at", "actor_id", "actor_name", "org_id", "role", "action", "object_type", "object_id", "case_id", "purpose", "details"}},
}

func newBatch() *batch {
	b := &batch{byName: map[string]*table{}, refs: map[model.ReferralStatus]int64{}, states: map[model.CaseStatus]int64{}}
	for _, tc := range tableColumns {
		t := &table{name: tc.name, cols: tc.cols}
		b.tables = append(b.tables, t)
		b.byName[tc.name] = t
	}
	return b
}

func (b *batch) add(name string, row ...any) { t := b.byName[name]; t.rows = append(t.rows, row) }

func (b *batch) write(ctx context.Context, pool *pgxpool.Pool) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	for _, t := range b.tables {
		if len(t.rows) == 0 {
			continue
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(t.rows)); err != nil {
			return fmt.Errorf("copy %s: %w", t.name, err)
		}
	}
	return tx.Commit(ctx)
}

func (b *batch) count(sum *Summary) {
	for _, t := range b.tables {
		sum.Tables[t.name] += int64(len(t.rows))
	}
	for k, v := range b.refs {
		sum.Referrals[k] += v
	}
	for k, v := range b.states {
		sum.Cases[k] += v
	}
}

// batch generates cases [from, to).
func (g *generator) batch(from, to int) *batch {
	b := newBatch()
	b.cases = to - from
	for i := from; i < to; i++ {
		g.oneCase(b, i)
	}
	return b
}

// audit appends an audit event of a case.
func (g *generator) audit(b *batch, at time.Time, who *Account, action, objType string, objID, caseID uuid.UUID, details map[string]any) {
	d := []byte("{}")
	if details != nil {
		d, _ = json.Marshal(details)
	}
	if who == nil {
		b.add("audit_events", at, pgtype.UUID{}, "system: reminders", pgtype.UUID{}, "", action, objType, objID.String(), nullUUID(caseID), model.PurposeCaseWork, d)
		return
	}
	b.add("audit_events", at, who.UserID, who.DisplayName, who.OrgID, string(who.Role), action, objType, objID.String(), nullUUID(caseID), model.PurposeCaseWork, d)
}

// notify writes a notification to the member; an unread one stays unread when unread is
// set, else it was read at random (most are).
func (g *generator) notify(b *batch, r *rand.Rand, to *Account, org uuid.UUID, kind model.NotificationKind, objType string,
	obj uuid.UUID, occasion string, at time.Time, unread bool) {
	var read pgtype.Timestamptz
	if !unread || r.IntN(3) == 0 {
		read = nullTime(g.after(at, time.Duration(1+r.IntN(48))*time.Hour))
	}
	b.add("notifications", newUUID(r), to.UserID, org, string(kind), objType, obj, occasion, at, read)
}

// daysAgo counts the days from day to today.
func daysAgo(today, day time.Time) int { return int(today.Sub(day).Hours() / 24) }

// member picks a member of org with the role (caseworker, else lead), or nil.
func (g *generator) member(r *rand.Rand, org int) *Account {
	o := &g.city.orgs[org]
	if len(o.caseworkers) > 0 {
		return &g.city.users[o.caseworkers[r.IntN(len(o.caseworkers))]]
	}
	if len(o.leads) > 0 {
		return &g.city.users[o.leads[r.IntN(len(o.leads))]]
	}
	return nil
}

// oneCase draws case i with everything that hangs on it.
func (g *generator) oneCase(b *batch, i int) {
	r := rand.New(rand.NewPCG(g.cfg.Seed, uint64(i)+1<<32))
	opened := g.opened[i]
	leadIdx := g.city.leaders[pick(r, g.leaderCum)]
	lead := &g.city.orgs[leadIdx]
	worker := g.member(r, leadIdx)
	caseID := newUUID(r)
	openedAt := g.at(opened, r.IntN(540))

	// The case's state: the older the case, the likelier it is closed.
	status := model.CaseOpen
	closedDay := -1
	x := r.Float64()
	switch {
	case opened > 60 && x < 0.05+0.45*float64(opened)/span:
		status = model.CaseClosed
		closedDay = r.IntN(opened - 30)
	case x > 0.92:
		status = model.CasePaused
	}
	b.states[status]++
	// last is the last day (days ago) anything may happen on the case.
	last := 0
	if status == model.CaseClosed {
		last = closedDay
	}
	activity := opened

	// The household.
	h := g.household(r, caseID, opened, openedAt)
	for _, p := range h {
		b.add("persons", p...)
	}
	district := h[0][10]

	// Referrals and their cover.
	nRef := count(r, g.referralMean)
	if opened-last < 3 {
		nRef = 0
	}
	var plans []*referralPlan
	for k := 0; k < nRef; k++ {
		p := g.planReferral(r, leadIdx, opened, last, status)
		if p == nil {
			continue
		}
		plans = append(plans, p)
	}
	// One consent covers the referrals that are not on a legal basis: it names every one of
	// their recipients and areas, and was given before the first of them was sent.
	var covered []*referralPlan
	for _, p := range plans {
		if p.legal == "" {
			covered = append(covered, p)
		}
	}
	var consentID uuid.UUID
	if len(covered) > 0 {
		consentID = g.consent(b, r, caseID, h, lead, leadIdx, worker, opened, covered)
	} else if r.IntN(5) == 0 && opened > 2 {
		// A consent without referrals yet, some of them long expired.
		g.consent(b, r, caseID, h, lead, leadIdx, worker, opened, nil)
	}
	for _, p := range plans {
		if p.created < activity {
			activity = p.created
		}
		if p.closed >= 0 && p.closed < activity {
			activity = p.closed
		}
	}

	// The case row (written first in the batch: everything else refers to it).
	var closedAt time.Time
	reason := ""
	switch status {
	case model.CaseClosed:
		closedAt = g.at(closedDay, 480+r.IntN(60))
		reason = closeReasons[r.IntN(len(closeReasons))]
		activity = closedDay
	case model.CasePaused:
		reason = pauseReasons[r.IntN(len(pauseReasons))]
		activity = min(activity, r.IntN(60))
	}
	updated := g.at(activity, 500+r.IntN(90))
	if updated.Before(openedAt) {
		updated = openedAt
	}
	var responsible pgtype.UUID
	if worker != nil && r.IntN(20) != 0 {
		responsible = nullUUID(worker.UserID)
	}
	ref := g.reference("F", openedAt)
	version := 1 + r.IntN(4)
	b.add("cases", caseID, ref, lead.ID, responsible, string(status), reason, district, openedAt, nullTime(closedAt), version, openedAt, updated)
	g.audit(b, openedAt, worker, "case.create", "case", caseID, caseID, map[string]any{"persons": len(h)})

	for _, p := range plans {
		g.writeReferral(b, r, caseID, lead, worker, p, consentID)
	}
	g.plan(b, r, caseID, leadIdx, worker, plans, opened, last)
	g.tasks(b, r, caseID, leadIdx, worker, plans, opened, last, status)
	g.notes(b, r, caseID, leadIdx, worker, plans, opened, last)
	// A follow-up date of the responsible caseworker on some open cases.
	if status == model.CaseOpen && worker != nil && r.IntN(10) == 0 {
		at := g.at(r.IntN(30), r.IntN(600))
		b.add("follow_ups", newUUID(r), worker.UserID, lead.ID, caseID, g.day(-r.IntN(30)+5), at, at)
	}
	// Reads of the case: the audit trail is mostly reads.
	for k, n := 0, r.IntN(4); k < n; k++ {
		d := last + r.IntN(max(1, opened-last))
		g.audit(b, g.at(d, r.IntN(600)), worker, "case.read", "case", caseID, caseID, nil)
	}
}

var closeReasons = []string{"Ziele des Integrationsplans erreicht.", "Eigene Wohnung bezogen, Arbeit aufgenommen.",
	"Familie ist in eine andere Stadt verzogen.", "Beratung auf Wunsch der Familie beendet.", "Zuständigkeit an den Landkreis abgegeben."}

var pauseReasons = []string{"Familie vorübergehend bei Verwandten.", "Krankenhausaufenthalt.", "Wartet auf Entscheidung der Ausländerbehörde.",
	"Auf Wunsch der Familie ruhend gestellt."}
