package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
)

// The demo cases: the generated households (households.go) brought into the database through
// the services, acting as the demo accounts, so that every rule, reference number and audit
// event is the real one. Where a state needs time to pass (a case opened months ago, a reply
// deadline missed, a consent run out), the seed sets the services' clock back while it acts,
// and puts it back at the end.
//
// Idempotency: a household is in place when a case led by its organisation has the primary
// person of the household (family name, given names, date of birth). The seed first looks for
// the last household (one name search); when it is there, the seed is done. Otherwise it lists
// the cases of both lead organisations once and creates only the households that are missing,
// so that a run that stopped half-way is completed by the next. A household is created as a
// whole or, if a run stops inside it, left as it is.

// CaseSummary says what SeedCases did.
type CaseSummary struct {
	// Households created by this run, and found in place already.
	Created, Present int
	Consents         int
	// Referrals created, by their state at the end of the run.
	Referrals map[model.ReferralStatus]int
	Tasks     int
	Notes     int
	// FollowUps set by the housing caseworker (Wiedervorlagen), some due already.
	FollowUps int
}

// seedPurpose is the purpose the seed's reads and changes carry in the audit trail.
const seedPurpose = "demo data"

// demoActor keys.
const (
	actHousing   = "housing caseworker"
	actHead      = "housing lead"
	actMigration = "migration caseworker"
	actJobcenter = "jobcenter caseworker"
	actCaritas   = "caritas caseworker"
)

// demoActors are the accounts the seed acts as: role and organisation of their grant.
var demoActors = map[string]struct {
	role model.Role
	org  string
}{
	actHousing:   {model.RoleCaseworker, leadHousing},
	actHead:      {model.RoleLead, leadHousing},
	actMigration: {model.RoleCaseworker, leadMigration},
	actJobcenter: {model.RoleCaseworker, "JOBCENTER"},
	actCaritas:   {model.RoleCaseworker, "CARITAS"},
}

// seeder plays the households' stories.
type seeder struct {
	ctx    context.Context
	svc    *service.Services
	today  time.Time        // the seed's calendar day in Europe/Berlin, as midnight UTC
	wall   func() time.Time // the process's clock the seed found and restores
	berlin *time.Location
	r      *rand.Rand

	mu  sync.Mutex
	now time.Time // what the services see as now while the seed runs

	orgs   map[string]uuid.UUID
	actors map[string]model.Actor
	sum    CaseSummary
	// housingCases counts the open cases of the housing caseworker seeded so far.
	housingCases int
}

// SeedCases brings the demo households into the database, after the demo directory (their
// organisations and accounts) is in place. It is idempotent (see above). It sets the
// process's one clock (the services' and the store's) back while it runs and restores it at
// the end, so it must not run while the services serve requests.
func SeedCases(ctx context.Context, svc *service.Services) (CaseSummary, error) {
	berlin := model.Berlin
	clock := svc.Clock()
	s := &seeder{
		ctx: ctx, svc: svc, berlin: berlin, today: model.CalendarDay(clock()), wall: clock,
		r:   rand.New(rand.NewPCG(householdSeed, 2)),
		sum: CaseSummary{Referrals: map[model.ReferralStatus]int{}},
	}
	if err := s.resolveActors(); err != nil {
		return s.sum, err
	}
	households := Households(s.today)
	last := households[len(households)-1]
	present, err := s.present(last)
	if err != nil || present {
		if present {
			s.sum.Present = len(households)
		}
		return s.sum, err
	}
	existing := map[string]bool{}
	for _, lead := range []string{leadHousing, leadMigration} {
		if err := s.existing(lead, existing); err != nil {
			return s.sum, err
		}
	}
	svc.SetClock(s.clock)
	defer svc.SetClock(clock)
	for _, h := range households {
		if existing[householdKey(h.Primary)] {
			s.sum.Present++
			continue
		}
		if err := s.household(h); err != nil {
			return s.sum, fmt.Errorf("demo: household %d: %w", h.Number, err)
		}
		s.sum.Created++
	}
	// Reply deadlines that passed while the clock was set back expire now, as they would
	// have on the day.
	svc.SetClock(clock)
	n, err := svc.Referrals.ExpireOverdue(ctx)
	if err != nil {
		return s.sum, fmt.Errorf("demo: expire referrals: %w", err)
	}
	s.sum.Referrals[model.ReferralSent] -= n
	s.sum.Referrals[model.ReferralExpired] += n
	return s.sum, nil
}

// clock is the services' clock during the seed.
func (s *seeder) clock() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

// at sets the clock to daysAgo days before the seed's day, at 9:00 in Berlin plus minute
// minutes; 0 days ago is the clock the seed found.
func (s *seeder) at(daysAgo, minute int) {
	t := s.wall()
	if daysAgo > 0 {
		day := s.today.AddDate(0, 0, -daysAgo)
		t = time.Date(day.Year(), day.Month(), day.Day(), 9, minute, 0, 0, s.berlin)
	}
	s.mu.Lock()
	s.now = t
	s.mu.Unlock()
}

// day is the calendar day offset days from the seed's day (negative: before).
func (s *seeder) day(offset int) *model.Date {
	d := s.today.AddDate(0, 0, offset)
	return &d
}

// resolveActors finds the demo accounts (pre-provisioned by e-mail) and the organisations.
func (s *seeder) resolveActors() error {
	system := model.Actor{System: true, Name: "seed demo", Purpose: seedPurpose}
	orgs, err := s.svc.Directory.ListOrganisations(s.ctx, system)
	if err != nil {
		return fmt.Errorf("demo: organisations: %w", err)
	}
	s.orgs = map[string]uuid.UUID{}
	for _, o := range orgs {
		s.orgs[o.ShortName] = o.ID
	}
	members, err := s.svc.Directory.ListMembers(s.ctx, system, nil)
	if err != nil {
		return fmt.Errorf("demo: members: %w", err)
	}
	byEmail := map[string]uuid.UUID{}
	for _, m := range members {
		byEmail[m.User.Email] = m.User.ID
	}
	s.actors = map[string]model.Actor{}
	for key, want := range demoActors {
		var email string
		for _, acc := range Accounts() {
			if acc.Role == want.role && acc.Org == want.org {
				email = acc.Email
				break
			}
		}
		user, ok := byEmail[email]
		org, okOrg := s.orgs[want.org]
		if email == "" || !ok || !okOrg {
			return fmt.Errorf("demo: no account for the %s: apply the demo directory first", key)
		}
		a, _, err := s.svc.Access.Actor(s.ctx, service.ActorRequest{UserID: user, OrgID: &org, RequestID: "seed-demo"})
		if err != nil {
			return fmt.Errorf("demo: act as the %s: %w", key, err)
		}
		a.Purpose = seedPurpose
		s.actors[key] = a
	}
	return nil
}

// leadActor is the caseworker of a lead organisation.
func (s *seeder) leadActor(lead string) model.Actor {
	if lead == leadMigration {
		return s.actors[actMigration]
	}
	return s.actors[actHousing]
}

// householdKey identifies a household by the names of its primary person (the generator
// gives every household its own; the dates move with the seed's day, the names do not).
func householdKey(p model.PersonInput) string { return p.FamilyName + "\x00" + p.GivenNames }

func viewKeys(v model.CaseView) []string {
	var out []string
	for _, p := range v.Persons {
		if p.IsPrimary {
			out = append(out, householdKey(model.PersonInput{FamilyName: p.FamilyName, GivenNames: p.GivenNames}))
		}
	}
	return out
}

// present reports whether the household's case exists: one name search by its lead
// organisation's caseworker.
func (s *seeder) present(h Household) (bool, error) {
	org := s.orgs[h.Lead]
	f := model.CaseFilter{Q: h.Primary.FamilyName, LeadOrgID: &org, Limit: 100}
	for {
		page, err := s.svc.Cases.List(s.ctx, s.leadActor(h.Lead), f)
		if err != nil {
			return false, fmt.Errorf("demo: look for the demo cases: %w", err)
		}
		for _, v := range page.Items {
			if slices.Contains(viewKeys(v), householdKey(h.Primary)) {
				return true, nil
			}
		}
		if page.NextCursor == "" {
			return false, nil
		}
		f.Cursor = page.NextCursor
	}
}

// existing adds the primary persons of every case led by lead to keys.
func (s *seeder) existing(lead string, keys map[string]bool) error {
	org := s.orgs[lead]
	f := model.CaseFilter{LeadOrgID: &org, Limit: 100}
	for {
		page, err := s.svc.Cases.List(s.ctx, s.leadActor(lead), f)
		if err != nil {
			return fmt.Errorf("demo: list the cases of %s: %w", lead, err)
		}
		for _, v := range page.Items {
			for _, k := range viewKeys(v) {
				keys[k] = true
			}
		}
		if page.NextCursor == "" {
			return nil
		}
		f.Cursor = page.NextCursor
	}
}

// caseRun is one household's case while its story is played.
type caseRun struct {
	s       *seeder
	h       Household
	lead    model.Actor
	id      uuid.UUID
	persons []model.Person
	// elapsed is the story's clock: days before the seed's day; steps move it forward.
	elapsed int
	minute  int
}

// step moves the story's clock forward by days (never past the seed's day).
func (c *caseRun) step(days int) {
	c.elapsed -= days
	if c.elapsed < 0 {
		c.elapsed = 0
	}
	c.minute = (c.minute + 7) % 50
	c.s.at(c.elapsed, c.minute)
}

// household opens the case of h and plays its story.
func (s *seeder) household(h Household) error {
	c := &caseRun{s: s, h: h, lead: s.leadActor(h.Lead), elapsed: h.OpenedDaysAgo}
	s.at(c.elapsed, 0)
	v, err := s.svc.Cases.Create(s.ctx, c.lead, model.CaseCreate{Primary: h.Primary, Members: h.Members})
	if err != nil {
		return fmt.Errorf("open case: %w", err)
	}
	c.id, c.persons = v.ID, v.Persons
	if err := c.plan(); err != nil {
		return err
	}
	if err := c.story(); err != nil {
		return err
	}
	return c.everyday()
}

// Area codes of the migrated area list.
const (
	areaHousing   = "housing"
	areaWork      = "work"
	areaSchooling = "schooling"
	areaLanguage  = "language"
	areaHealth    = "health"
	areaResidence = "residence"
)

type planRow struct {
	area   string
	status model.AreaStatusValue
	org    string
	note   string
}

// hasChild reports whether the household has a member under 18.
func (c *caseRun) hasChild() bool {
	for _, m := range c.h.Members {
		if m.BirthDate != nil && m.BirthDate.After(c.s.today.AddDate(-18, 0, 0)) {
			return true
		}
	}
	return false
}

// plan sets some rows of the integration plan: what the lead organisation knows at intake.
func (c *caseRun) plan() error {
	s := c.s
	c.step(1)
	rows := []planRow{
		{areaHousing, model.AreaInProgress, c.h.Lead, "Sucht eine Wohnung; derzeit Gemeinschaftsunterkunft"},
		{areaLanguage, model.AreaInProgress, "VHS", "Integrationskurs, Modul 3"},
		{areaResidence, model.AreaWaiting, "FD-AUSLAENDER", "Verlängerung beantragt"},
		{areaWork, model.AreaNotStarted, "JOBCENTER", ""},
		{areaSchooling, model.AreaNotNeeded, "", ""},
		{areaHealth, model.AreaAchieved, "", "Hausarzt gefunden"},
	}
	if c.hasChild() {
		rows[4] = planRow{areaSchooling, model.AreaWaiting, "FB-JUGEND", "Kita- und Schulplatz angefragt"}
	}
	for i, row := range rows {
		if s.r.IntN(4) == 0 && i > 0 {
			continue // not every row is known at intake
		}
		p := model.AreaStatusPatch{Status: &row.status}
		if row.note != "" {
			p.Note = &row.note
		}
		if id, ok := s.orgs[row.org]; ok {
			p.ResponsibleOrgID = &id
		}
		if _, err := s.svc.Cases.UpdateArea(s.ctx, c.lead, c.id, row.area, p, 1); err != nil {
			return fmt.Errorf("plan %s: %w", row.area, err)
		}
	}
	return nil
}

// consent records a consent of the household (or of one person) for recipients and areas,
// valid from the story's day for validDays days.
func (c *caseRun) consent(recipients []string, areas []string, cats []model.DataCategory, validDays int, person bool) (*model.Consent, error) {
	s := c.s
	in := model.ConsentCreate{
		Areas: areas, DataCategories: cats, Purpose: "Vermittlung und Abstimmung der Unterstützung",
		ValidFrom: *s.day(-c.elapsed), ValidUntil: *s.day(-c.elapsed + validDays),
		Evidence: fmt.Sprintf("Einwilligungsformular, Akte %s-%03d", c.h.Lead, c.h.Number), Language: c.h.Primary.Languages[0],
	}
	for _, r := range recipients {
		in.Recipients = append(in.Recipients, s.orgs[r])
	}
	if person {
		id := c.persons[0].ID
		in.PersonID = &id
	}
	cn, err := s.svc.Consents.Create(s.ctx, c.lead, c.id, in)
	if err != nil {
		return nil, fmt.Errorf("consent: %w", err)
	}
	s.sum.Consents++
	return cn, nil
}

// refer sends a referral under a consent.
func (c *caseRun) refer(to string, areas []string, cn *model.Consent, replyDays int, message string) (*model.Referral, error) {
	return c.send(model.ReferralCreate{ToOrgID: c.s.orgs[to], Areas: areas, Message: message, ReplyDays: &replyDays, ConsentID: &cn.ID})
}

// send sends a referral.
func (c *caseRun) send(in model.ReferralCreate) (*model.Referral, error) {
	s := c.s
	to := in.ToOrgID
	ref, err := s.svc.Referrals.Create(s.ctx, c.lead, c.id, in)
	if err != nil {
		return nil, fmt.Errorf("referral to %s: %w", to, err)
	}
	s.sum.Referrals[model.ReferralSent]++
	return ref, nil
}

// moved counts a referral's change of state.
func (c *caseRun) moved(ref *model.Referral, from model.ReferralStatus) {
	c.s.sum.Referrals[from]--
	c.s.sum.Referrals[ref.Status]++
}

// answer plays the recipient's answers in order: accept, start, complete or decline.
func (c *caseRun) answer(who string, ref *model.Referral, steps ...model.ReferralStatus) (*model.Referral, error) {
	s := c.s
	a := s.actors[who]
	for _, st := range steps {
		c.step(1 + s.r.IntN(4))
		from := ref.Status
		var err error
		switch st {
		case model.ReferralAccepted:
			ref, err = s.svc.Referrals.Accept(s.ctx, a, ref.ID, ref.Version)
		case model.ReferralInProgress:
			ref, err = s.svc.Referrals.Start(s.ctx, a, ref.ID, ref.Version)
		case model.ReferralCompleted:
			ref, err = s.svc.Referrals.Complete(s.ctx, a, ref.ID, ref.Version, completion[ref.Areas[0]])
		case model.ReferralDeclined:
			ref, err = s.svc.Referrals.Decline(s.ctx, a, ref.ID, ref.Version,
				"Nicht zuständig: Leistungen nach dem Asylbewerberleistungsgesetz, bitte an die Migrationsberatung wenden.")
		default:
			return nil, fmt.Errorf("no answer %s", st)
		}
		if err != nil {
			return nil, fmt.Errorf("%s answers %s: %w", who, st, err)
		}
		c.moved(ref, from)
	}
	return ref, nil
}

// completion is the outcome a recipient reports, by the referral's first area.
var completion = map[string]string{
	areaHousing:   "Wohnung in Aussicht, Besichtigung vereinbart; Mietvertrag wird geprüft.",
	areaWork:      "Beratung abgeschlossen; Anmeldung zur berufsbezogenen Sprachförderung erfolgt.",
	areaLanguage:  "Einstufungstest gemacht; Kursbeginn im nächsten Monat.",
	areaResidence: "Unterlagen vollständig an die Ausländerbehörde weitergeleitet.",
	areaSchooling: "Schulplatz gefunden; Anmeldung erfolgt.",
	areaHealth:    "Termin bei der psychosozialen Beratung vereinbart.",
}

var identityContact = []model.DataCategory{model.CategoryIdentity, model.CategoryContact}

// story plays the referrals of the household's story.
func (c *caseRun) story() error {
	s := c.s
	c.step(2)
	switch c.h.Story {
	case StoryHousingSearch:
		cn, err := c.consent([]string{"CARITAS", "DIAKONIE"}, []string{areaHousing}, identityContact, 365, false)
		if err != nil {
			return err
		}
		ref, err := c.refer("CARITAS", []string{areaHousing}, cn, 10, "Bitte um Unterstützung bei der Wohnungssuche (4 Personen).")
		if err != nil {
			return err
		}
		if ref, err = c.answer(actCaritas, ref, model.ReferralAccepted, model.ReferralInProgress); err != nil {
			return err
		}
		return c.partnerWork(actCaritas, ref, areaHousing, "Wohnungsbesichtigung begleiten",
			"Erstgespräch geführt; zwei Wohnungsangebote der Wohnungsgenossenschaft besprochen.")
	case StoryJobcenterWaiting:
		c.elapsed = min(c.elapsed, 3+s.r.IntN(5)) // sent in the last days: the reply is still due
		c.step(0)
		cn, err := c.consent([]string{"JOBCENTER"}, []string{areaWork, areaLanguage},
			[]model.DataCategory{model.CategoryIdentity, model.CategoryContact, model.CategoryLanguages}, 365, false)
		if err != nil {
			return err
		}
		_, err = c.refer("JOBCENTER", []string{areaWork, areaLanguage}, cn, 10, "Bitte um Beratung zu Arbeit und Sprachkurs.")
		return err
	case StoryJobcenterDone:
		cn, err := c.consent([]string{"JOBCENTER", "VHS"}, []string{areaWork, areaLanguage}, identityContact, 730, false)
		if err != nil {
			return err
		}
		ref, err := c.refer("JOBCENTER", []string{areaWork}, cn, 10, "Bitte um Vermittlung in eine Maßnahme.")
		if err != nil {
			return err
		}
		if ref, err = c.answer(actJobcenter, ref, model.ReferralAccepted, model.ReferralInProgress); err != nil {
			return err
		}
		achieved, note := model.AreaAchieved, "Maßnahme begonnen"
		if _, err := s.svc.Cases.UpdateArea(s.ctx, s.actors[actJobcenter], c.id, areaWork,
			model.AreaStatusPatch{Status: &achieved, Note: &note}, c.planVersion(areaWork)); err != nil {
			return fmt.Errorf("jobcenter updates the plan: %w", err)
		}
		_, err = c.answer(actJobcenter, ref, model.ReferralCompleted)
		return err
	case StoryJobcenterDeclined:
		cn, err := c.consent([]string{"JOBCENTER", "CARITAS"}, []string{areaWork, areaHousing}, identityContact, 365, false)
		if err != nil {
			return err
		}
		ref, err := c.refer("JOBCENTER", []string{areaWork}, cn, 10, "Bitte um Prüfung der Leistungen.")
		if err != nil {
			return err
		}
		if _, err := c.answer(actJobcenter, ref, model.ReferralDeclined); err != nil {
			return err
		}
		c.elapsed = min(c.elapsed, 4)
		c.step(0)
		_, err = c.refer("CARITAS", []string{areaHousing}, cn, 10, "Nach Absage des Jobcenters: Bitte um Migrationsberatung.")
		return err
	case StoryWithdrawn:
		cn, err := c.consent([]string{"DIAKONIE"}, []string{areaHealth}, []model.DataCategory{model.CategoryIdentity}, 365, false)
		if err != nil {
			return err
		}
		ref, err := c.refer("DIAKONIE", []string{areaHealth}, cn, 10, "Bitte um psychosoziale Beratung.")
		if err != nil {
			return err
		}
		c.step(2)
		from := ref.Status
		if ref, err = s.svc.Referrals.Withdraw(s.ctx, c.lead, ref.ID, ref.Version); err != nil {
			return fmt.Errorf("withdraw: %w", err)
		}
		c.moved(ref, from)
		return nil
	case StoryExpired:
		cn, err := c.consent([]string{"VHS"}, []string{areaLanguage}, []model.DataCategory{model.CategoryIdentity, model.CategoryLanguages}, 365, false)
		if err != nil {
			return err
		}
		// Nobody at the VHS answers within five working days: the deadline passes and the
		// seed's final expiry run moves the referral to expired.
		_, err = c.refer("VHS", []string{areaLanguage}, cn, 5, "Bitte um einen Platz im Integrationskurs mit Kinderbetreuung.")
		return err
	case StoryConsentRevoked:
		cn, err := c.consent([]string{"CARITAS"}, []string{areaHousing, areaHealth}, identityContact, 365, false)
		if err != nil {
			return err
		}
		ref, err := c.refer("CARITAS", []string{areaHousing}, cn, 10, "Bitte um Begleitung bei der Wohnungssuche.")
		if err != nil {
			return err
		}
		if _, err = c.answer(actCaritas, ref, model.ReferralAccepted); err != nil {
			return err
		}
		// Caritas starts working; the revocation then ends its access, and its open task
		// with it ("Zugang beendet" on the lead's timeline).
		if err := c.partnerWork(actCaritas, ref, areaHousing, "Besichtigungstermine abstimmen",
			"Erste Wohnungsangebote gesichtet; Besichtigung nächste Woche geplant."); err != nil {
			return err
		}
		c.step(3)
		if _, err := s.svc.Consents.Revoke(s.ctx, c.lead, cn.ID, cn.Version); err != nil {
			return fmt.Errorf("revoke consent: %w", err)
		}
		s.sum.Referrals[model.ReferralAccepted]--
		s.sum.Referrals[model.ReferralRevoked]++
		return nil
	case StoryLegalBasis:
		ref, err := c.send(model.ReferralCreate{
			ToOrgID: s.orgs["JOBCENTER"], Areas: []string{areaWork}, LegalBasis: "SGB II § 50",
			Message: "Datenübermittlung nach § 50 SGB II: Abstimmung der Eingliederungsvereinbarung.",
		})
		if err != nil {
			return err
		}
		if ref, err = c.answer(actJobcenter, ref, model.ReferralAccepted); err != nil {
			return err
		}
		return c.partnerWork(actJobcenter, ref, areaWork, "Termin zur Eingliederungsvereinbarung",
			"Termin zur Eingliederungsvereinbarung vereinbart; Sprachkursnachweis fehlt noch.")
	case StoryConsentExpired:
		// The consent ran out a week ago; the referral, sent under it, still waits for an
		// answer, and the Jobcenter no longer sees it.
		cn, err := c.consent([]string{"JOBCENTER"}, []string{areaWork}, identityContact, c.elapsed-7, false)
		if err != nil {
			return err
		}
		_, err = c.refer("JOBCENTER", []string{areaWork}, cn, 60, "Bitte um Beratung zur Anerkennung des Berufsabschlusses.")
		if err != nil {
			return err
		}
		// A fresh consent for Caritas, for one person only.
		c.step(2)
		_, err = c.consent([]string{"CARITAS"}, []string{areaHealth}, []model.DataCategory{model.CategoryIdentity}, 180, true)
		return err
	case StoryClosed:
		cn, err := c.consent([]string{"CARITAS"}, []string{areaHousing}, identityContact, 365, false)
		if err != nil {
			return err
		}
		ref, err := c.refer("CARITAS", []string{areaHousing}, cn, 10, "Bitte um Unterstützung bei der Wohnungssuche.")
		if err != nil {
			return err
		}
		if _, err = c.answer(actCaritas, ref, model.ReferralAccepted, model.ReferralInProgress, model.ReferralCompleted); err != nil {
			return err
		}
		c.step(5)
		achieved, note := model.AreaAchieved, "Eigene Wohnung bezogen"
		if _, err := s.svc.Cases.UpdateArea(s.ctx, c.lead, c.id, areaHousing, model.AreaStatusPatch{Status: &achieved, Note: &note},
			c.planVersion(areaHousing)); err != nil {
			return fmt.Errorf("plan: %w", err)
		}
		closed, reason := model.CaseClosed, "Eigene Wohnung bezogen, Ziele des Integrationsplans erreicht."
		_, err = s.svc.Cases.Update(s.ctx, c.lead, c.id, model.CasePatch{Status: &closed, StatusReason: &reason}, 1)
		if err != nil {
			return fmt.Errorf("close case: %w", err)
		}
		return nil
	case StoryPaused:
		c.elapsed = min(c.elapsed, 6)
		c.step(0)
		cn, err := c.consent([]string{"DRK"}, []string{areaHealth}, []model.DataCategory{model.CategoryIdentity}, 365, false)
		if err != nil {
			return err
		}
		_, err = c.refer("DRK", []string{areaHealth}, cn, 10, "Suchdienst: Bitte um Unterstützung bei der Suche nach Angehörigen.")
		if err != nil {
			return err
		}
		paused, reason := model.CasePaused, "Familie vorübergehend bei Verwandten in Hamburg."
		if _, err := s.svc.Cases.Update(s.ctx, c.lead, c.id, model.CasePatch{Status: &paused, StatusReason: &reason}, 1); err != nil {
			return fmt.Errorf("pause case: %w", err)
		}
		return nil
	case StoryInternal:
		cn, err := c.consent([]string{leadMigration, "JOBCENTER"}, []string{areaResidence, areaLanguage, areaWork},
			[]model.DataCategory{model.CategoryIdentity, model.CategoryContact, model.CategoryResidence}, 365, false)
		if err != nil {
			return err
		}
		ref, err := c.refer(leadMigration, []string{areaResidence, areaLanguage}, cn, 10, "Bitte um Beratung zum Aufenthalt und zum Sprachkurs.")
		if err != nil {
			return err
		}
		if ref, err = c.answer(actMigration, ref, model.ReferralAccepted); err != nil {
			return err
		}
		return c.partnerWork(actMigration, ref, areaResidence, "Termin bei der Ausländerbehörde vorbereiten",
			"Unterlagen für die Verlängerung gesichtet; Passkopie fehlt.")
	}
	return errors.New("unknown story")
}

// planVersion reads the version of a plan row as the lead organisation sees it.
func (c *caseRun) planVersion(area string) int {
	rows, err := c.s.svc.Cases.Plan(c.s.ctx, c.lead, c.id)
	if err != nil {
		return 0 // the update reports the conflict
	}
	for _, row := range rows {
		if row.Area == area {
			return row.Version
		}
	}
	return 0
}

// partnerWork is what a recipient does with an accepted referral: a task of its own, due
// soon, and a note shared for the referred area.
func (c *caseRun) partnerWork(who string, ref *model.Referral, area, task, note string) error {
	s := c.s
	a := s.actors[who]
	c.step(1)
	due := s.day(2 + s.r.IntN(10))
	if s.r.IntN(3) == 0 {
		due = s.day(-2) // overdue
	}
	user := a.UserID
	if _, err := s.svc.Tasks.Create(s.ctx, a, model.TaskCreate{
		OrgID: a.OrgID, AssigneeID: &user, ReferralID: &ref.ID, Area: &area, Title: task, DueDate: due,
	}); err != nil {
		return fmt.Errorf("%s adds a task: %w", who, err)
	}
	s.sum.Tasks++
	if _, err := s.svc.Notes.Create(s.ctx, a, c.id, model.NoteCreate{Area: area, Visibility: model.NoteShared, Body: note}); err != nil {
		return fmt.Errorf("%s adds a note: %w", who, err)
	}
	s.sum.Notes++
	return nil
}

// taskTitles are the lead organisations' everyday tasks, by area.
var taskTitles = map[string][]string{
	areaHousing:   {"Wohnungsangebot prüfen", "Antrag auf Wohnberechtigungsschein begleiten", "Mietübernahme beim Sozialamt klären"},
	areaResidence: {"Termin bei der Ausländerbehörde vereinbaren", "Fiktionsbescheinigung nachhalten"},
	areaLanguage:  {"Anmeldung zum Integrationskurs prüfen", "Kinderbetreuung für den Sprachkurs klären"},
	areaSchooling: {"Kita-Anmeldung unterstützen", "Schulanmeldung begleiten"},
	areaWork:      {"Unterlagen für das Jobcenter zusammenstellen", "Anerkennung des Berufsabschlusses anstoßen"},
	areaHealth:    {"Krankenversicherung klären"},
}

var noteTexts = []struct {
	area   string
	shared bool
	body   string
}{
	{"", false, "Erstgespräch mit Sprachmittlung geführt. Familie ist motiviert, braucht aber Begleitung bei Behördenterminen."},
	{areaHousing, false, "Vermieter hat sich gemeldet; Besichtigung nächste Woche. Familie wünscht Nähe zur Schule der Kinder."},
	{areaHousing, true, "Wohnberechtigungsschein liegt vor (gültig 12 Monate). Bitte bei Angeboten berücksichtigen."},
	{areaWork, true, "Berufserfahrung als Elektriker (8 Jahre); Zeugnisse liegen in Kopie vor."},
	{areaResidence, false, "Aufenthaltserlaubnis läuft in drei Monaten ab; Verlängerung rechtzeitig beantragen."},
	{areaLanguage, true, "A2-Zertifikat liegt vor; B1-Kurs wird angestrebt."},
}

// everyday adds the lead organisation's tasks and notes: some overdue, some due today, some
// done, some for the department head's team members by name, and one reassigned by the head.
func (c *caseRun) everyday() error {
	s := c.s
	c.elapsed = min(c.elapsed, 1+s.r.IntN(3))
	c.step(0)
	areas := []string{areaHousing, areaResidence, areaLanguage, areaSchooling, areaWork, areaHealth}
	tasks := 1 + s.r.IntN(3)
	if c.h.Story == StoryClosed {
		tasks = 0 // a closed case has no open work
	}
	for i := 0; i < tasks; i++ {
		area := areas[s.r.IntN(len(areas))]
		titles := taskTitles[area]
		in := model.TaskCreate{OrgID: c.lead.OrgID, CaseID: &c.id, Area: &area, Title: titles[s.r.IntN(len(titles))]}
		switch s.r.IntN(6) {
		case 0, 1:
			in.DueDate = s.day(-1 - s.r.IntN(14)) // overdue
		case 2:
			in.DueDate = s.day(0) // due today
		case 3, 4:
			in.DueDate = s.day(1 + s.r.IntN(20))
		}
		if s.r.IntN(4) == 0 {
			in.Priority = model.PriorityHigh
		}
		switch x := s.r.IntN(4); {
		case x < 2:
			me := c.lead.UserID
			in.AssigneeID = &me
		case x == 2 && c.h.Lead == leadHousing:
			head := s.actors[actHead].UserID
			in.AssigneeID = &head
		}
		t, err := s.svc.Tasks.Create(s.ctx, c.lead, in)
		if err != nil {
			return fmt.Errorf("task: %w", err)
		}
		s.sum.Tasks++
		switch {
		case s.r.IntN(5) == 0:
			done := model.TaskDone
			if _, err := s.svc.Tasks.Update(s.ctx, c.lead, t.ID, t.Version, model.TaskPatch{Status: &done}); err != nil {
				return fmt.Errorf("finish task: %w", err)
			}
		case t.AssigneeID == nil && c.h.Lead == leadHousing && s.r.IntN(2) == 0:
			// The department head hands an unassigned task to the caseworker.
			worker := s.actors[actHousing].UserID
			if _, err := s.svc.Tasks.Reassign(s.ctx, s.actors[actHead], t.ID, t.Version,
				model.TaskReassign{OrgID: t.OrgID, AssigneeID: &worker}); err != nil {
				return fmt.Errorf("reassign task: %w", err)
			}
		}
	}
	// Every third open case of the housing caseworker comes back on a follow-up date
	// (Wiedervorlage): set twelve days ago for a few working days later (overdue now), set for
	// today (the next working day on a day off), or a few working days ahead. So the start
	// page shows all three groups. Counted, not drawn, so that the rest of the demo stays as
	// it was.
	if c.h.Lead == leadHousing && c.h.Story != StoryClosed {
		if s.housingCases++; s.housingCases%3 == 1 {
			in := model.FollowUpInput{Object: model.ObjectCase, ID: c.id}
			switch s.housingCases % 9 {
			case 1:
				s.at(12, c.minute)
				in.WorkingDays = 1 + s.housingCases%3
			case 4:
				today := s.today
				in.DueOn = &today
			default:
				in.WorkingDays = 2 + s.housingCases%4
			}
			_, err := s.svc.Notifications.SetFollowUp(s.ctx, c.lead, in)
			s.at(c.elapsed, c.minute)
			if err != nil {
				return fmt.Errorf("follow-up: %w", err)
			}
			s.sum.FollowUps++
		}
	}
	for i, n := 0, 1+s.r.IntN(2); i < n; i++ {
		nt := noteTexts[s.r.IntN(len(noteTexts))]
		vis := model.NoteOrg
		if nt.shared {
			vis = model.NoteShared
		}
		if _, err := s.svc.Notes.Create(s.ctx, c.lead, c.id, model.NoteCreate{Area: nt.area, Visibility: vis, Body: nt.body}); err != nil {
			return fmt.Errorf("note: %w", err)
		}
		s.sum.Notes++
	}
	return nil
}
