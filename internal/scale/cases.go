package scale

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
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

// referralPlan is one referral of a case while it is drawn.
type referralPlan struct {
	id       uuid.UUID
	to       int
	areas    []string
	created  int // days ago
	status   model.ReferralStatus
	answered int // days ago, -1 when not answered
	closed   int // days ago, -1 while active
	legal    string
	assignee *Account
	answerer *Account
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

// planReferral draws one referral of a case led by leadIdx, opened `opened` days ago, on which
// nothing happens after `last` days ago.
func (g *generator) planReferral(r *rand.Rand, leadIdx, opened, last int, caseStatus model.CaseStatus) *referralPlan {
	to := g.city.receivers[pick(r, g.receiverCum)]
	if to == leadIdx {
		return nil
	}
	p := &referralPlan{id: newUUID(r), to: to, answered: -1, closed: -1}
	p.areas = []string{areaCodes[r.IntN(len(areaCodes))]}
	if r.IntN(3) == 0 {
		if a := areaCodes[r.IntN(len(areaCodes))]; a != p.areas[0] {
			p.areas = append(p.areas, a)
		}
	}
	kind := g.city.orgs[to].Kind
	switch {
	case kind == model.OrgJobcenter && r.IntN(5) < 2:
		p.legal = "SGB II § 50"
	case kind == model.OrgMunicipal && r.IntN(10) < 3:
		p.legal = "SGB X § 69"
	case slices.Contains(p.areas, "residence") && kind == model.OrgMunicipal:
		p.legal = "AufenthG § 87"
	}
	// The state the referral reached: active ones only on cases that are not closed.
	x := r.IntN(100)
	active := caseStatus != model.CaseClosed
	switch {
	case active && x < 12:
		p.status = model.ReferralSent
	case active && x < 24:
		p.status = model.ReferralAccepted
	case active && x < 44:
		p.status = model.ReferralInProgress
	case x < 72:
		p.status = model.ReferralCompleted
	case x < 80:
		p.status = model.ReferralDeclined
	case x < 88:
		p.status = model.ReferralWithdrawn
	default:
		p.status = model.ReferralExpired
	}
	// Days (ago): sent between the case's opening and its last day; a sent one still waits
	// for its reply, so it is recent.
	room := opened - last - 2
	if room < 1 {
		return nil
	}
	switch p.status {
	case model.ReferralSent:
		p.created = last + r.IntN(min(room, 12)+1)
	case model.ReferralExpired:
		if room < 20 {
			p.status = model.ReferralWithdrawn
		}
		p.created = last + 16 + r.IntN(max(1, room-16))
	default:
		p.created = last + 1 + r.IntN(room)
	}
	if p.created >= opened {
		p.created = opened - 1
	}
	if p.created <= last {
		p.created = last + 1
	}
	switch p.status {
	case model.ReferralAccepted, model.ReferralInProgress, model.ReferralCompleted:
		p.answered = max(last, p.created-1-r.IntN(5))
		if p.status == model.ReferralCompleted {
			p.closed = max(last, p.answered-r.IntN(max(1, p.answered-last)+1))
		}
	case model.ReferralDeclined:
		p.answered = max(last, p.created-1-r.IntN(5))
		p.closed = p.answered
	case model.ReferralWithdrawn:
		p.closed = max(last, p.created-1-r.IntN(10))
	case model.ReferralExpired:
		p.closed = p.created - 15 // the reply deadline of 10 working days passed
	}
	if p.answered >= 0 {
		p.answerer = g.member(r, to)
		if p.answerer == nil {
			return nil
		}
		if p.status != model.ReferralDeclined {
			p.assignee = p.answerer
		}
	}
	return p
}

// consent records the case's consent for the covered referrals (or, without referrals, one
// given at intake): it names their recipients and areas and was given before the first was
// sent. Some consents are revoked (their active referrals are then revoked too), some have
// run out (their active referrals wait, unseen by the recipient). It returns the consent's id.
func (g *generator) consent(b *batch, r *rand.Rand, caseID uuid.UUID, h [][]any, lead *Org, leadIdx int, worker *Account,
	opened int, covered []*referralPlan) uuid.UUID {
	id := newUUID(r)
	first := 0 // the day (ago) the first covered referral was sent
	latest := opened
	var areas []string
	var recipients []uuid.UUID
	for _, p := range covered {
		first = max(first, p.created)
		latest = min(latest, p.created)
		if p.answered >= 0 {
			latest = min(latest, p.answered)
		}
		for _, a := range p.areas {
			if !slices.Contains(areas, a) {
				areas = append(areas, a)
			}
		}
		if to := g.city.orgs[p.to].ID; !slices.Contains(recipients, to) {
			recipients = append(recipients, to)
		}
	}
	if len(covered) == 0 {
		areas = []string{areaCodes[r.IntN(len(areaCodes))]}
		recipients = []uuid.UUID{g.city.orgs[g.city.receivers[pick(r, g.receiverCum)]].ID}
		first, latest = opened-1, opened-1
	}
	if r.IntN(4) == 0 { // an area more than the referrals need so far
		if a := areaCodes[r.IntN(len(areaCodes))]; !slices.Contains(areas, a) {
			areas = append(areas, a)
		}
	}
	from := min(opened, first+1+r.IntN(3))
	// Validity: usually a year or two from the day it was given; some have run out.
	until := from - 365 - r.IntN(365)
	expired := r.IntN(100) < 8 && latest > 2
	if expired {
		// Ran out after the last time the consent was relied on (sent, accepted).
		until = latest - 1 - r.IntN(max(1, latest-1))
	} else if until > 0 {
		until = -r.IntN(365) - 30 // still valid today
	}
	if until > from {
		until = from
	}
	revoked := -1
	if !expired && r.IntN(100) < 5 && latest > 1 {
		revoked = r.IntN(latest)
	}
	cats := []string{"identity"}
	for _, c := range []string{"contact", "residence", "languages"} {
		if r.IntN(10) < 6 {
			cats = append(cats, c)
		}
	}
	var person pgtype.UUID
	if r.IntN(10) == 0 {
		person = pgtype.UUID{Bytes: h[0][0].(uuid.UUID), Valid: true}
	}
	recorded := g.at(from, 30+r.IntN(400))
	var revokedAt time.Time
	var revokedBy pgtype.UUID
	if revoked >= 0 {
		revokedAt = g.at(revoked, 500+r.IntN(60))
		if worker != nil {
			revokedBy = nullUUID(worker.UserID)
		}
	}
	var recordedBy pgtype.UUID
	if worker != nil {
		recordedBy = nullUUID(worker.UserID)
	}
	lang := h[0][7].([]string)[0]
	b.add("consents", id, caseID, person, areas, cats, consentPurposes[r.IntN(len(consentPurposes))], g.day(from), g.day(until),
		fmt.Sprintf("Einwilligungsformular vom %s, unterschrieben, Akte %s", g.day(from).Format("02.01.2006"), lead.ShortName), lang,
		recordedBy, lead.ID, recorded, nullTime(revokedAt), revokedBy, 1+btoi(revoked >= 0))
	for _, to := range recipients {
		b.add("consent_recipients", id, to)
	}
	g.audit(b, recorded, worker, "consent.create", "consent", id, caseID, map[string]any{"recipients": len(recipients)})
	if revoked >= 0 {
		g.audit(b, revokedAt, worker, "consent.revoke", "consent", id, caseID, nil)
		// Revocation ends the active referrals under the consent on its day; those that
		// ended before keep their state.
		for _, p := range covered {
			if p.closed < 0 || p.closed < revoked {
				p.status, p.closed = model.ReferralRevoked, revoked
			}
		}
	}
	return id
}

var consentPurposes = []string{"Vermittlung und Abstimmung der Unterstützung", "Abstimmung der Hilfen zwischen Stadt und Beratungsstelle",
	"Wohnungssuche und Sicherung der Wohnung", "Vermittlung in Arbeit und Ausbildung", "Begleitung im Aufenthaltsverfahren"}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// writeReferral writes a referral with its audit events.
func (g *generator) writeReferral(b *batch, r *rand.Rand, caseID uuid.UUID, lead *Org, worker *Account, p *referralPlan, consentID uuid.UUID) {
	created := g.at(p.created, 60+r.IntN(300))
	replyDays := 10
	if p.status == model.ReferralSent {
		replyDays = 10 + r.IntN(20)
	}
	due := service.AddWorkingDays(g.day(p.created), replyDays)
	if p.status == model.ReferralSent && due.Before(g.today) {
		due = g.today.AddDate(0, 0, 1+r.IntN(10))
	}
	if p.status == model.ReferralExpired {
		due = g.day(p.closed + 1)
	}
	var consent pgtype.UUID
	cats := []string{}
	if p.legal == "" {
		consent = nullUUID(consentID)
	} else {
		cats = []string{"identity"}
	}
	var answeredBy, assignee pgtype.UUID
	var answeredAt, closedAt time.Time
	reply, outcome := "", ""
	if p.answered >= 0 {
		answeredAt = g.at(p.answered, 120+r.IntN(300))
		if answeredAt.Before(created) {
			answeredAt = g.after(created, time.Hour)
		}
		answeredBy = nullUUID(p.answerer.UserID)
	}
	if p.assignee != nil {
		assignee = nullUUID(p.assignee.UserID)
	}
	if p.closed >= 0 {
		closedAt = g.at(p.closed, 420+r.IntN(100))
		if closedAt.Before(answeredAt) {
			closedAt = g.after(answeredAt, time.Hour)
		}
		if closedAt.Before(created) {
			closedAt = g.after(created, 2*time.Hour)
		}
	}
	switch p.status {
	case model.ReferralDeclined:
		reply = declineReasons[r.IntN(len(declineReasons))]
	case model.ReferralCompleted:
		outcome = outcomes[r.IntN(len(outcomes))]
	}
	updated := created
	for _, t := range []time.Time{answeredAt, closedAt} {
		if t.After(updated) {
			updated = t
		}
	}
	version := 1
	var sentBy pgtype.UUID
	if worker != nil {
		sentBy = nullUUID(worker.UserID)
	}
	from := lead.ID
	b.add("referrals", p.id, g.reference("V", created), caseID, from, g.city.orgs[p.to].ID, p.areas,
		referralMessages[r.IntN(len(referralMessages))], due, string(p.status), consent, p.legal, cats, reply, outcome,
		sentBy, answeredBy, nullTime(answeredAt), nullTime(closedAt), assignee, version+btoi(p.answered >= 0)+btoi(p.closed >= 0), created, updated)
	b.refs[p.status]++
	// The bell: the recipient's caseworkers heard of a referral waiting for them; the sender
	// of the answer.
	if p.status == model.ReferralSent {
		to := &g.city.orgs[p.to]
		for _, u := range to.caseworkers {
			g.notify(b, r, &g.city.users[u], to.ID, model.NotifyReferralNew, "referral", p.id, "sent", created, true)
		}
	}
	if p.answered >= 0 && worker != nil {
		answer := model.ReferralAccepted
		if p.status == model.ReferralDeclined {
			answer = model.ReferralDeclined
		}
		g.notify(b, r, worker, lead.ID, model.NotifyReferralAnswered, "referral", p.id, string(answer), answeredAt, false)
	}
	details := map[string]any{"status": "sent", "to_org_id": g.city.orgs[p.to].ID.String(), "from_org_id": from.String()}
	g.audit(b, created, worker, "referral.create", "referral", p.id, caseID, details)
	if p.answered >= 0 {
		action := "referral.accept"
		if p.status == model.ReferralDeclined {
			action = "referral.decline"
		}
		g.audit(b, answeredAt, p.answerer, action, "referral", p.id, caseID, nil)
	}
	if p.closed >= 0 {
		switch p.status {
		case model.ReferralCompleted:
			g.audit(b, closedAt, p.answerer, "referral.complete", "referral", p.id, caseID, nil)
		case model.ReferralWithdrawn:
			g.audit(b, closedAt, worker, "referral.withdraw", "referral", p.id, caseID, nil)
		case model.ReferralExpired:
			g.audit(b, closedAt, nil, "referral.expire", "referral", p.id, caseID, nil)
		}
	}
}

var referralMessages = []string{"Bitte um Begleitung bei der Wohnungssuche.", "Bitte um Beratung zur Anerkennung des Berufsabschlusses.",
	"Bitte um einen Platz im Integrationskurs mit Kinderbetreuung.", "Bitte um Unterstützung bei der Schulanmeldung der Kinder.",
	"Bitte um Beratung zum Aufenthalt und zur Verlängerung.", "Bitte um einen Termin zur psychosozialen Beratung.",
	"Abstimmung der Eingliederungsvereinbarung.", "Bitte um Übernahme der Beratung im Stadtteil."}

var declineReasons = []string{"Nicht zuständig: bitte an die Migrationsberatung wenden.", "Derzeit keine Kapazität; Warteliste bis zum Quartalsende.",
	"Leistung wird im Wohnort der Familie nicht angeboten."}

var outcomes = []string{"Wohnung in Aussicht, Besichtigung vereinbart.", "Anmeldung zur berufsbezogenen Sprachförderung erfolgt.",
	"Einstufungstest gemacht; Kursbeginn im nächsten Monat.", "Unterlagen vollständig an die Ausländerbehörde weitergeleitet.",
	"Schulplatz gefunden; Anmeldung erfolgt.", "Termin bei der psychosozialen Beratung vereinbart."}

// plan writes the six rows of the integration plan.
func (g *generator) plan(b *batch, r *rand.Rand, caseID uuid.UUID, leadIdx int, worker *Account, plans []*referralPlan, opened, last int) {
	for _, area := range areaCodes {
		st := []model.AreaStatusValue{model.AreaNotStarted, model.AreaInProgress, model.AreaInProgress, model.AreaWaiting, model.AreaAchieved,
			model.AreaNotNeeded}[r.IntN(6)]
		var org pgtype.UUID
		for _, p := range plans {
			if slices.Contains(p.areas, area) {
				org = nullUUID(g.city.orgs[p.to].ID)
			}
		}
		if !org.Valid && st != model.AreaNotNeeded && r.IntN(2) == 0 {
			org = nullUUID(g.city.orgs[leadIdx].ID)
		}
		note := ""
		if st != model.AreaNotStarted && r.IntN(3) == 0 {
			note = planNotes[area][r.IntN(len(planNotes[area]))]
		}
		var by pgtype.UUID
		if worker != nil {
			by = nullUUID(worker.UserID)
		}
		changed := g.at(last+r.IntN(max(1, opened-last)), r.IntN(600))
		b.add("area_statuses", caseID, area, string(st), org, note, by, changed, 1+btoi(st != model.AreaNotStarted))
	}
}

var planNotes = map[string][]string{
	"housing":   {"Sucht eine Wohnung; derzeit Gemeinschaftsunterkunft.", "Wohnberechtigungsschein liegt vor.", "Mietvertrag wird geprüft."},
	"work":      {"Berufserfahrung liegt vor; Zeugnisse in Kopie.", "Anerkennungsverfahren läuft.", "Minijob aufgenommen."},
	"schooling": {"Kita- und Schulplatz angefragt.", "Kinder besuchen die Grundschule im Stadtteil."},
	"language":  {"Integrationskurs, Modul 3.", "A2-Zertifikat liegt vor; B1 angestrebt."},
	"health":    {"Hausarzt gefunden.", "Krankenversicherung geklärt."},
	"residence": {"Verlängerung beantragt.", "Fiktionsbescheinigung liegt vor."},
}

// tasks writes the case's tasks: the lead organisation's own, assigned or not, and those of
// the recipients of accepted referrals; many of the open ones are overdue.
func (g *generator) tasks(b *batch, r *rand.Rand, caseID uuid.UUID, leadIdx int, worker *Account, plans []*referralPlan, opened, last int,
	caseStatus model.CaseStatus) {
	var working []*referralPlan // referrals a recipient worked on
	for _, p := range plans {
		if p.assignee != nil {
			working = append(working, p)
		}
	}
	lead := &g.city.orgs[leadIdx]
	n := count(r, g.taskMean)
	for k := 0; k < n; k++ {
		id := newUUID(r)
		org := lead
		var ref *referralPlan
		var assignee *Account
		creator := worker
		if len(working) > 0 && r.IntN(4) == 0 {
			ref = working[r.IntN(len(working))]
			org = &g.city.orgs[ref.to]
			creator = ref.assignee
			if r.IntN(10) < 7 {
				assignee = ref.assignee
			}
		} else {
			switch x := r.IntN(20); {
			case x < 10:
				assignee = worker
			case x < 13:
				assignee = g.member(r, leadIdx)
			case x < 14 && len(lead.leads) > 0:
				assignee = &g.city.users[lead.leads[0]]
			}
		}
		// Created between the case's opening (or the referral's answer) and its last day.
		first, lo := opened, last
		if ref != nil {
			first = ref.answered
			if ref.closed >= 0 {
				lo = ref.closed
			}
		}
		created := lo + r.IntN(max(1, first-lo+1))
		createdAt := g.at(created, r.IntN(600))
		var area any
		if ref != nil {
			area = ref.areas[r.IntN(len(ref.areas))]
		} else if r.IntN(5) != 0 {
			area = areaCodes[r.IntN(len(areaCodes))]
		}
		title := taskTitle(r, area)
		status := model.TaskOpen
		reason := ""
		x := r.IntN(100)
		switch {
		case caseStatus == model.CaseClosed:
			status = model.TaskDone
			if x < 15 {
				status = model.TaskCancelled
			}
		case x < 45:
			status = model.TaskOpen
		case x < 55:
			status = model.TaskInProgress
		case x < 60:
			status = model.TaskWaiting
		case x < 95:
			status = model.TaskDone
		default:
			status = model.TaskCancelled
		}
		// A recipient's open work ends with its referral.
		if ref != nil && ref.closed >= 0 && !status.Closed() {
			status, reason = model.TaskCancelled, "access_ended"
			if ref.status == model.ReferralCompleted {
				status, reason = model.TaskDone, ""
			}
		}
		var due pgtype.Date
		switch y := r.IntN(100); {
		case !status.Closed() && y < 40: // overdue
			due = nullDate(g.day(1 + r.IntN(60)))
		case !status.Closed() && y < 48:
			due = nullDate(g.today)
		case !status.Closed() && y < 85:
			due = nullDate(g.day(-1 - r.IntN(45)))
		case y < 85:
			due = nullDate(g.day(created - 3 - r.IntN(40)))
		}
		var doneAt time.Time
		updated := createdAt
		if status.Closed() {
			end := last + r.IntN(max(1, created-last))
			if ref != nil && ref.closed >= 0 {
				end = ref.closed
			}
			doneAt = g.at(end, 400+r.IntN(100))
			if doneAt.Before(createdAt) {
				doneAt = g.after(createdAt, time.Hour)
			}
			updated = doneAt
			if status == model.TaskCancelled {
				doneAt = time.Time{}
			}
		}
		var refID pgtype.UUID
		if ref != nil {
			refID = nullUUID(ref.id)
		}
		var assigneeID, creatorID pgtype.UUID
		if assignee != nil {
			assigneeID = nullUUID(assignee.UserID)
		}
		if creator != nil {
			creatorID = nullUUID(creator.UserID)
		}
		priority := []string{"low", "normal", "normal", "normal", "normal", "normal", "high", "high", "urgent", "normal"}[r.IntN(10)]
		b.add("tasks", id, org.ID, assigneeID, caseID, area, refID, title, "", due, priority, string(status), reason,
			creatorID, nullTime(doneAt), 1+btoi(status.Closed()), createdAt, updated)
		// The bell: the assignee heard of the task, and of it being overdue.
		if assignee != nil && assignee != creator {
			g.notify(b, r, assignee, org.ID, model.NotifyTaskAssigned, "task", id, "v1", createdAt, !status.Closed())
		}
		if assignee != nil && !status.Closed() && due.Valid && due.Time.Before(g.today) {
			g.notify(b, r, assignee, org.ID, model.NotifyTaskOverdue, "task", id, "overdue:"+due.Time.Format(time.DateOnly),
				g.at(daysAgo(g.today, due.Time)-1, 0), true)
		}
		if k < 3 || r.IntN(4) == 0 { // the audit trail of older tasks has been thinned by retention
			g.audit(b, createdAt, creator, "task.create", "task", id, caseID, map[string]any{"org_id": org.ID.String(), "status": "open"})
		}
	}
}

// taskTitle is a task's title for its area.
func taskTitle(r *rand.Rand, area any) string {
	a, _ := area.(string)
	titles, ok := taskTitles[a]
	if !ok {
		titles = taskTitles[""]
	}
	return titles[r.IntN(len(titles))]
}

var taskTitles = map[string][]string{
	"housing": {"Wohnungsangebot prüfen", "Antrag auf Wohnberechtigungsschein begleiten", "Mietübernahme beim Sozialamt klären",
		"Besichtigungstermin abstimmen", "Kaution klären"},
	"residence": {"Termin bei der Ausländerbehörde vereinbaren", "Fiktionsbescheinigung nachhalten", "Passbeschaffung unterstützen"},
	"language":  {"Anmeldung zum Integrationskurs prüfen", "Kinderbetreuung für den Sprachkurs klären", "Fahrtkostenerstattung beantragen"},
	"schooling": {"Kita-Anmeldung unterstützen", "Schulanmeldung begleiten", "Bildungs- und Teilhabeleistungen beantragen"},
	"work":      {"Unterlagen für das Jobcenter zusammenstellen", "Anerkennung des Berufsabschlusses anstoßen", "Bewerbung begleiten"},
	"health":    {"Krankenversicherung klären", "Hausarzt suchen", "Termin bei der psychosozialen Beratung vereinbaren"},
	"":          {"Rückruf der Familie", "Unterlagen anfordern", "Hausbesuch planen", "Sprachmittlung organisieren"},
}

// notes writes the case's notes: the lead organisation's, some shared for an area, and those
// of the recipients of accepted referrals (shared for a referred area).
func (g *generator) notes(b *batch, r *rand.Rand, caseID uuid.UUID, leadIdx int, worker *Account, plans []*referralPlan, opened, last int) {
	n := 1 + r.IntN(4)
	for k := 0; k < n; k++ {
		id := newUUID(r)
		org := g.city.orgs[leadIdx].ID
		author := worker
		vis, area := "org", any(nil)
		first, lo := opened, last
		if r.IntN(3) == 0 {
			for _, p := range plans {
				if p.assignee != nil {
					org, author, first = g.city.orgs[p.to].ID, p.assignee, p.answered
					if p.closed >= 0 {
						lo = p.closed
					}
					vis, area = "shared", p.areas[0]
					break
				}
			}
		}
		if area == nil && r.IntN(3) == 0 {
			vis, area = "shared", areaCodes[r.IntN(len(areaCodes))]
		}
		var authorID pgtype.UUID
		if author != nil {
			authorID = nullUUID(author.UserID)
		}
		at := g.at(lo+r.IntN(max(1, first-lo+1)), r.IntN(600))
		b.add("notes", id, caseID, area, org, authorID, vis, noteBodies[r.IntN(len(noteBodies))], at)
		if r.IntN(2) == 0 {
			g.audit(b, at, author, "note.create", "note", id, caseID, nil)
		}
	}
}

var noteBodies = []string{
	"Erstgespräch mit Sprachmittlung geführt. Familie ist motiviert, braucht aber Begleitung bei Behördenterminen.",
	"Vermieter hat sich gemeldet; Besichtigung nächste Woche. Familie wünscht Nähe zur Schule der Kinder.",
	"Wohnberechtigungsschein liegt vor (gültig 12 Monate). Bitte bei Angeboten berücksichtigen.",
	"Berufserfahrung als Elektriker (8 Jahre); Zeugnisse liegen in Kopie vor.",
	"Aufenthaltserlaubnis läuft in drei Monaten ab; Verlängerung rechtzeitig beantragen.",
	"A2-Zertifikat liegt vor; B1-Kurs wird angestrebt.",
	"Telefonat mit der Schule: Kinder sind gut angekommen, Sprachförderung läuft.",
	"Termin beim Jobcenter wahrgenommen; Eingliederungsvereinbarung in Vorbereitung.",
	"Familie hat Unterlagen nachgereicht; Antrag ist vollständig.",
	"Hausbesuch: Wohnsituation beengt, Schimmel im Kinderzimmer gemeldet.",
}

// household draws the persons of a case: 1 to 3, the primary first. Each row is in the
// column order of the persons table.
func (g *generator) household(r *rand.Rand, caseID uuid.UUID, opened int, openedAt time.Time) [][]any {
	o := &origins[pick(r, g.origins)]
	size := 1 + r.IntN(3)
	family := o.families[r.IntN(len(o.families))]
	district := districts[r.IntN(len(districts))]
	address := fmt.Sprintf("%s %d, 490%02d Lotsenburg", streets[r.IntN(len(streets))], 1+r.IntN(120), 74+2*r.IntN(9))
	status := o.statuses[r.IntN(len(o.statuses))]
	span := o.arrivals[r.IntN(len(o.arrivals))]
	openedDay := g.day(opened)
	var arrival time.Time
	if span[0] > 0 {
		year := span[0] + r.IntN(span[1]-span[0]+1)
		arrival = time.Date(year, time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		if latest := openedDay.AddDate(0, 0, -7); arrival.After(latest) {
			arrival = latest
		}
	}
	var out [][]any
	for k := 0; k < size; k++ {
		adult := k == 0 || (k == 1 && r.IntN(2) == 0)
		var given []string
		female := r.IntN(2) == 0
		if female {
			given = o.female[r.IntN(len(o.female))]
		} else {
			given = o.male[r.IntN(len(o.male))]
		}
		age := 19 + r.IntN(50)
		if !adult {
			age = r.IntN(18)
		}
		birth := openedDay.AddDate(-age, -r.IntN(12), -r.IntN(28))
		fam := family
		if k == 1 && adult && r.IntN(3) == 0 { // a spouse under her or his own name
			fam = o.families[r.IntN(len(o.families))]
		}
		// The name as written on the file: usually the first spelling, sometimes another;
		// the other spellings are its variants.
		famName, famVariants := spell(r, fam)
		givenName, givenVariants := spell(r, given)
		if r.IntN(8) == 0 && adult { // a second given name
			g2 := o.male[r.IntN(len(o.male))][0]
			if female {
				g2 = o.female[r.IntN(len(o.female))][0]
			}
			if g2 != givenName {
				givenName += " " + g2
			}
		}
		langs := []string{o.languages[0]}
		if len(o.languages) > 1 && r.IntN(3) == 0 {
			langs = append(langs, o.languages[1])
		}
		var arr pgtype.Date
		if !arrival.IsZero() && arrival.After(birth) {
			arr = nullDate(arrival)
			if arrival.Year() <= 2019 || !adult {
				langs = append(langs, "de")
			}
		} else if langs[0] != "de" {
			langs = append(langs, "de")
		}
		phone, email := "", ""
		if adult {
			phone = fmt.Sprintf("+49 541 000-%04d", r.IntN(10000))
			if r.IntN(2) == 0 {
				email = fmt.Sprintf("%s.%s%d@mail.example", asciiName(givenName), asciiName(famName), r.IntN(100))
			}
		}
		p := &model.Person{FamilyName: famName, GivenNames: givenName, NameVariants: append(famVariants, givenVariants...)}
		id := newUUID(r)
		variants := []string(p.NameVariants)
		if variants == nil {
			variants = []string{}
		}
		out = append(out, []any{id, caseID, k == 0, famName, givenName, variants, nullDate(birth), langs, arr, status, district,
			phone, email, address, service.SearchText(p), openedAt, openedAt})
	}
	return out
}

// spell picks the spelling of a name and returns it with the other spellings.
func spell(r *rand.Rand, spellings []string) (string, []string) {
	i := 0
	if len(spellings) > 1 && r.IntN(10) < 3 {
		i = r.IntN(len(spellings))
	}
	var rest []string
	for j, s := range spellings {
		if j != i {
			rest = append(rest, s)
		}
	}
	return spellings[i], rest
}
