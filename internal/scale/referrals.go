package scale

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
)

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
