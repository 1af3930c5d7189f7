package service_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/lotse-project/lotse/internal/authz"
	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil"
)

// The random world of the exact-set property test (property_test.go) and its oracle.
//
// The world is generated as plain Go facts from a seed and written to a fresh database with
// COPY (the services would take minutes for it). The facts are kept consistent with what the
// services can produce: referrals go out from the lead organisation under a consent that
// covered recipient, areas and the day they were sent (or on a legal basis); only a revoked
// consent leaves revoked referrals behind; tasks and notes belong to organisations that could
// have written them. Time then passes: consents expire, referrals end. A few referrals are
// put under defective consents on purpose (tamper), to test the predicates' second line of
// defence.
//
// The oracle answers "what may this actor see" from those facts alone, following DOMAIN.md
// and policies/policy.csv: no SQL, no Casbin, no store predicate.

// pwAreas are the areas of the migrated database, in display order.
var pwAreas = []string{"housing", "work", "schooling", "language", "health", "residence"}

type pwOrg struct {
	id     uuid.UUID
	short  string
	kind   model.OrgKind
	parent int // index, -1 for a root
	// adminCasework: the organisation lets its administrators also work cases (the one
	// exception to the separation of duties).
	adminCasework bool
}

type pwGrant struct {
	org  int
	role model.Role
}

type pwUser struct {
	id     uuid.UUID
	name   string
	grants []pwGrant
}

type pwPerson struct {
	id                    uuid.UUID
	primary               bool
	family, given         string
	variants, languages   []string
	birth, arrival        *time.Time
	residence, district   string
	phone, email, address string
	searchText            string
	createdAt             time.Time
}

type pwCase struct {
	id        uuid.UUID
	ref       string
	lead      int
	status    model.CaseStatus
	reason    string
	district  string
	updatedAt time.Time
	persons   []pwPerson
	plan      map[string]model.AreaStatusValue
	consents  []int
	referrals []int
	tasks     []int
	notes     []int
}

type pwConsent struct {
	id          uuid.UUID
	caseIdx     int
	person      int // index into the case's persons, -1 for the household
	areas       []string
	categories  []string
	recipients  []int
	from, until time.Time
	revoked     bool
	tampered    bool // made by tamper: never used for another referral
}

type pwReferral struct {
	id         uuid.UUID
	ref        string
	caseIdx    int
	from, to   int
	areas      []string
	status     model.ReferralStatus
	consent    int // -1: none
	legalBasis string
	// basisCats are the categories the legal basis released when the referral was sent.
	basisCats []string
	createdAt time.Time
	replyDue  time.Time
}

type pwTask struct {
	id       uuid.UUID
	org      int
	assignee int // user index, -1: nobody
	caseIdx  int // -1: no case
	area     string
	referral int // -1: none
	status   model.TaskStatus
	due      *time.Time
}

type pwNote struct {
	id        uuid.UUID
	caseIdx   int
	org       int
	area      string
	shared    bool
	createdAt time.Time
}

// pwWorld is the generated facts, the database they were written to, and the services on it.
type pwWorld struct {
	t     *testing.T
	ctx   context.Context
	seed  uint64
	today time.Time // berlin_today() of the database, as midnight UTC

	orgs      []pwOrg
	users     []pwUser
	cases     []pwCase
	consents  []pwConsent
	referrals []pwReferral
	tasks     []pwTask
	notes     []pwNote

	db  *db.DB
	own *db.DB // the same database as its owner: replacing berlin_today, ANALYZE
	svc *service.Services

	// tampered counts the referrals under a defective consent (tamper).
	tampered int
	// seen counts the situations the checks met (property_test.go asserts that each occurs).
	seen map[string]int
	// textTrigrams caches the trigrams of every distinct search text (unambiguous).
	textTrigrams map[string]map[string]bool
}

// Names with transliteration variants and the spellings name search must fold (umlauts, ß,
// Turkish letters, apostrophes).
var pwFamilies = [][]string{
	{"Haddad", "Hadad"}, {"Al-Ahmad", "Alahmad"}, {"Khalil", "Chalil"}, {"Mahmoud", "Mahmud"},
	{"Hussein", "Husain", "Hussain"}, {"Ibrahim"}, {"Mustafa", "Moustafa"}, {"Darwish", "Derwisch"},
	{"Kovalenko", "Kowalenko"}, {"Shevchenko", "Schewtschenko"}, {"Bondarenko"}, {"Tkachenko", "Tkatschenko"},
	{"Melnyk", "Melnik"}, {"Ahmadi"}, {"Hosseini", "Husseini"}, {"Karimi"}, {"Stanekzai"}, {"Yılmaz", "Yilmaz"},
	{"Öztürk", "Oeztuerk"}, {"Çelik", "Celik"}, {"Tesfaye", "Tesfay"}, {"Gebremedhin"}, {"Woldemariam"},
	{"Warsame"}, {"Farah"}, {"Popescu"}, {"Munteanu"}, {"Großmann"}, {"Müller", "Mueller"}, {"O'Neill"},
	{"Zebari"}, {"Barzani"}, {"Kidane"}, {"Ionescu"}, {"Nasser", "Nasir"},
}

var pwGiven = [][]string{
	{"Mohammed", "Muhammad", "Mohamed"}, {"Ahmad", "Ahmed"}, {"Fatima", "Fatma"}, {"Olena", "Elena"},
	{"Oleksandr", "Alexander"}, {"Iryna", "Irina"}, {"Zahra"}, {"Maryam", "Meryem"}, {"Yonas"}, {"Semira"},
	{"Amina"}, {"Hamid"}, {"Khaled", "Chaled"}, {"Nour"}, {"Layla", "Leila"}, {"Andrei"}, {"Elif"}, {"Dawit"},
	{"Hodan"}, {"Ayşe", "Ayse"},
}

var pwDistricts = []string{"Innenstadt", "Schinkel", "Wüste", "Eversburg", "Dodesheide", "Haste", "Sonnenhügel", "Kalkhügel", "Hellern"}

// pick returns a random element of xs.
func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// someOf returns a random non-empty subset of xs, in the order of xs.
func someOf[T any](r *rand.Rand, xs []T) []T {
	for {
		var out []T
		for _, x := range xs {
			if r.IntN(3) == 0 {
				out = append(out, x)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
}

// pwSearchText is what name search reads of a person: the folded words of names and
// variants, each once (folding is not access logic: service.FoldName is used as it is).
func pwSearchText(family, given string, variants []string) string {
	var words []string
	for _, s := range append([]string{family, given}, variants...) {
		for _, f := range service.FoldName(s) {
			for _, w := range strings.Fields(f) {
				if !slices.Contains(words, w) {
					words = append(words, w)
				}
			}
		}
	}
	return strings.Join(words, " ")
}

// newPropWorld generates the world of seed and writes it to a fresh database.
func newPropWorld(t *testing.T, seed uint64, nCases int) *pwWorld {
	t.Helper()
	ctx := context.Background()
	tdb := testutil.NewDatabase(t)
	d := testutil.Open(t, tdb.URL)
	w := &pwWorld{t: t, ctx: ctx, seed: seed, db: d, own: testutil.Open(t, tdb.OwnerURL)}
	// The day is pinned for the whole test, in the database (berlin_today, which every
	// validity check uses) and in the services (overdue tasks), so that a run across
	// midnight cannot move a consent over its last day between the oracle and the lists.
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	y, m, day := time.Now().In(berlin).Date()
	w.today = time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
	noon := time.Date(y, m, day, 12, 0, 0, 0, berlin)
	if _, err := w.own.SQL.ExecContext(ctx, `CREATE OR REPLACE FUNCTION berlin_today() RETURNS date LANGUAGE sql STABLE
		AS $$ SELECT DATE '`+w.today.Format(time.DateOnly)+`' $$`); err != nil {
		t.Fatal(err)
	}
	w.generate(rand.New(rand.NewPCG(seed, seed*7919+1)), nCases)
	w.seen = map[string]int{}
	for _, rf := range w.referrals {
		w.seen["referral "+string(rf.status)]++
	}
	w.seen["tampered consent"] = w.tampered
	w.write()
	st := store.New(d.Gorm, nil)
	en, err := authz.New(ctx, snapshotLoader(st))
	if err != nil {
		t.Fatal(err)
	}
	w.svc = service.New(st, en, slog.New(slog.DiscardHandler))
	w.svc.SetClock(func() time.Time { return noon })
	return w
}

func (w *pwWorld) generate(r *rand.Rand, nCases int) {
	// Organisations: the city with two departments and a unit below the first; partners.
	w.orgs = []pwOrg{
		{short: "STADT", kind: model.OrgMunicipal, parent: -1},
		{short: "FB-SOZIALES", kind: model.OrgMunicipal, parent: 0},
		{short: "FB-WOHNEN", kind: model.OrgMunicipal, parent: 0},
		{short: "FD-MIGRATION", kind: model.OrgMunicipal, parent: 1},
		{short: "JOBCENTER", kind: model.OrgJobcenter, parent: -1},
		{short: "CARITAS", kind: model.OrgWelfare, parent: -1},
		{short: "DIAKONIE", kind: model.OrgWelfare, parent: -1, adminCasework: true}, // fixed-07
		{short: "SCHULE", kind: model.OrgSchool, parent: -1},
	}
	for i := range w.orgs {
		w.orgs[i].id = model.NewID()
	}
	municipal := []int{0, 1, 2, 3}
	// Users: one of each administrative role, leads at every level, then random caseworkers
	// (some in two organisations, some also lead).
	fixed := [][]pwGrant{
		{{0, model.RoleSysadmin}}, {{0, model.RoleDPO}}, {{1, model.RoleCoordinator}}, {{5, model.RoleOrgAdmin}},
		{{0, model.RoleLead}}, {{1, model.RoleLead}, {1, model.RoleCaseworker}}, {{4, model.RoleLead}},
		{{6, model.RoleCaseworker}, {6, model.RoleOrgAdmin}}, {{2, model.RoleCaseworker}, {3, model.RoleCaseworker}},
		{{5, model.RoleCaseworker}, {6, model.RoleCaseworker}},
	}
	for i, g := range fixed {
		w.users = append(w.users, pwUser{name: fmt.Sprintf("fixed-%02d", i), grants: g})
	}
	for len(w.users) < 30 {
		i := len(w.users)
		org := r.IntN(len(w.orgs))
		if r.IntN(2) == 0 {
			org = pick(r, municipal)
		}
		role := model.RoleCaseworker
		if r.IntN(6) == 0 {
			role = model.RoleLead
		}
		u := pwUser{name: fmt.Sprintf("random-%02d", i), grants: []pwGrant{{org, role}}}
		if r.IntN(6) == 0 {
			if other := r.IntN(len(w.orgs)); other != org {
				u.grants = append(u.grants, pwGrant{other, model.RoleCaseworker})
			}
		}
		w.users = append(w.users, u)
	}
	for i := range w.users {
		w.users[i].id = model.NewID()
	}
	members := func(org int) []int {
		var out []int
		for i, u := range w.users {
			if slices.ContainsFunc(u.grants, func(g pwGrant) bool { return g.org == org }) {
				out = append(out, i)
			}
		}
		return out
	}

	day := func(offset int) time.Time { return w.today.AddDate(0, 0, offset) }
	// A few distinct timestamps only, so that the list orders have many ties to break.
	base := time.Now().UTC().Truncate(time.Second).Add(-48 * time.Hour)
	stamp := func() time.Time { return base.Add(time.Duration(r.IntN(40)) * time.Hour) }
	pdate := func(from, to int) *time.Time {
		if r.IntN(5) == 0 {
			return nil
		}
		d := day(from + r.IntN(to-from+1))
		return &d
	}

	personSeq := 0
	for ci := 0; ci < nCases; ci++ {
		c := pwCase{
			id: model.NewID(), ref: fmt.Sprintf("F-2026-%05d", ci+1), lead: pick(r, municipal),
			status: model.CaseOpen, district: pick(r, pwDistricts), updatedAt: stamp(),
			plan: map[string]model.AreaStatusValue{},
		}
		switch r.IntN(7) {
		case 0:
			c.status, c.reason = model.CaseClosed, "Ziel erreicht"
		case 1:
			c.status, c.reason = model.CasePaused, "Familie verreist"
		}
		fam := pick(r, pwFamilies)
		for pi, n := 0, 1+r.IntN(4); pi < n; pi++ {
			f := fam
			if pi > 0 && r.IntN(4) == 0 {
				f = pick(r, pwFamilies) // a relative under another name
			}
			g := pick(r, pwGiven)
			family, given := f[0], g[0]
			var variants []string
			if len(f) > 1 && r.IntN(2) == 0 {
				variants = append(variants, f[1:]...)
			}
			if len(g) > 1 && r.IntN(2) == 0 {
				variants = append(variants, g[1:]...)
			}
			personSeq++
			p := pwPerson{
				id: model.NewID(), primary: pi == 0, family: family, given: given, variants: variants,
				birth: pdate(-25000, -400), arrival: pdate(-3500, -1),
				residence: pick(r, []string{"", "Aufenthaltsgestattung", "Duldung", "Aufenthaltserlaubnis § 24 AufenthG"}),
				district:  pick(r, append([]string{""}, pwDistricts...)),
				phone:     pick(r, []string{"", fmt.Sprintf("+49 541 %06d", personSeq)}),
				email:     pick(r, []string{"", fmt.Sprintf("p%d@example.org", personSeq)}),
				address:   pick(r, []string{"", fmt.Sprintf("Musterweg %d", personSeq)}),
				languages: someOf(r, []string{"ar", "uk", "ru", "fa", "ps", "ku", "tr", "ti", "so", "ro", "de"}),
				createdAt: base.Add(time.Duration(pi) * time.Second),
			}
			if r.IntN(5) == 0 {
				p.languages = nil
			}
			p.searchText = pwSearchText(p.family, p.given, p.variants)
			c.persons = append(c.persons, p)
		}
		for _, a := range pwAreas {
			c.plan[a] = pick(r, model.AreaStatusValues)
		}
		w.cases = append(w.cases, c)
		cp := &w.cases[ci]

		// Consents: valid (also valid until today or from today), expired, not yet valid,
		// revoked; for the household or one person; any recipients, areas and categories.
		for k, n := 0, r.IntN(4); k < n; k++ {
			cn := pwConsent{
				id: model.NewID(), caseIdx: ci, person: -1, areas: someOf(r, pwAreas),
				categories: []string{},
			}
			for _, cat := range model.DataCategories {
				if r.IntN(2) == 0 {
					cn.categories = append(cn.categories, string(cat))
				}
			}
			if r.IntN(4) == 0 {
				cn.person = r.IntN(len(cp.persons))
			}
			for _, o := range someOf(r, []int{0, 1, 2, 3, 4, 5, 6, 7}) {
				if o != cp.lead {
					cn.recipients = append(cn.recipients, o)
				}
			}
			if len(cn.recipients) == 0 {
				cn.recipients = []int{4}
			}
			switch r.IntN(8) {
			case 0: // expired, possibly yesterday
				cn.from, cn.until = day(-400-r.IntN(100)), day(-1-r.IntN(3)*30)
			case 1: // not yet valid, possibly from tomorrow
				cn.from, cn.until = day(1+r.IntN(3)*20), day(200+r.IntN(100))
			case 2: // revoked
				cn.from, cn.until, cn.revoked = day(-100-r.IntN(100)), day(100+r.IntN(300)), true
			case 3: // valid until today
				cn.from, cn.until = day(-50-r.IntN(100)), day(0)
			case 4: // valid from today
				cn.from, cn.until = day(0), day(300)
			default:
				cn.from, cn.until = day(-r.IntN(300)), day(1+r.IntN(400))
			}
			cp.consents = append(cp.consents, len(w.consents))
			w.consents = append(w.consents, cn)
		}

		// Referrals from the lead organisation, under a consent that covered them when sent,
		// or on a legal basis.
		for k, n := 0, r.IntN(4); k < n; k++ {
			ref := pwReferral{
				id: model.NewID(), ref: fmt.Sprintf("V-2026-%05d", len(w.referrals)+1), caseIdx: ci, from: cp.lead,
				consent: -1, createdAt: stamp(), replyDue: day(r.IntN(30) - 10),
			}
			var usable []int
			for _, ix := range cp.consents {
				if !w.consents[ix].from.After(w.today) && !w.consents[ix].tampered {
					usable = append(usable, ix)
				}
			}
			if len(usable) > 0 && r.IntN(5) != 0 {
				ix := pick(r, usable)
				cn := w.consents[ix]
				ref.consent, ref.to, ref.areas = ix, pick(r, cn.recipients), someOf(r, cn.areas)
				if r.IntN(10) == 0 {
					w.legalBasis(r, &ref) // recorded as well
				}
			} else {
				w.legalBasis(r, &ref)
				for ref.to = r.IntN(len(w.orgs)); ref.to == cp.lead; ref.to = r.IntN(len(w.orgs)) {
				}
				ref.areas = someOf(r, pwAreas)
			}
			if ref.consent >= 0 && w.consents[ref.consent].revoked {
				// Revocation revoked every referral still active; the others had ended before.
				ref.status = pick(r, append([]model.ReferralStatus{model.ReferralRevoked}, pwEnded()...))
			} else {
				// Active states twice as often; revoked only comes with a revoked consent.
				states := append(slices.Clone(model.ActiveReferralStatuses), model.ActiveReferralStatuses...)
				states = append(states, slices.DeleteFunc(pwEnded(), func(s model.ReferralStatus) bool { return s == model.ReferralRevoked })...)
				ref.status = pick(r, states)
			}
			if pwActive(ref.status) && ref.consent >= 0 && ref.legalBasis == "" && r.IntN(10) == 0 {
				w.tamper(r, &ref, day)
			}
			cp.referrals = append(cp.referrals, len(w.referrals))
			w.referrals = append(w.referrals, ref)
		}

		// Now and then several referrals of the case to one organisation in different
		// states, each with a task of the recipient hanging on it and a note of the
		// recipient: the predicates must keep apart what each of them gives.
		if r.IntN(8) == 0 {
			w.referralBundle(r, ci, day, stamp, members)
		}

		// Tasks of the lead, of other departments (a head may have reassigned them), of
		// recipients of the case's referrals (optionally linked to the referral).
		for k, n := 0, r.IntN(4); k < n; k++ {
			tk := pwTask{id: model.NewID(), caseIdx: ci, assignee: -1, referral: -1, org: cp.lead, status: pick(r, model.TaskStatuses)}
			switch x := r.IntN(10); {
			case x < 3 && len(cp.referrals) > 0:
				ri := pick(r, cp.referrals)
				tk.org = w.referrals[ri].to
				if r.IntN(2) == 0 {
					tk.referral = ri
				}
			case x < 5:
				tk.org = pick(r, municipal)
			case x < 6 && len(cp.referrals) > 0:
				tk.referral = pick(r, cp.referrals) // the sender's own follow-up
			}
			w.finishTask(r, &tk, day, members)
			cp.tasks = append(cp.tasks, len(w.tasks))
			w.tasks = append(w.tasks, tk)
		}

		// Notes of the lead (with or without area, for itself or shared) and of recipients
		// (for a referred area).
		for k, n := 0, r.IntN(4); k < n; k++ {
			nt := pwNote{id: model.NewID(), caseIdx: ci, org: cp.lead, createdAt: stamp()}
			if len(cp.referrals) > 0 && r.IntN(5) < 2 {
				ref := w.referrals[pick(r, cp.referrals)]
				nt.org, nt.area, nt.shared = ref.to, pick(r, ref.areas), r.IntN(2) == 0
			} else {
				nt.shared = r.IntN(5) < 2
				if nt.shared || r.IntN(2) == 0 {
					nt.area = pick(r, pwAreas)
				}
			}
			cp.notes = append(cp.notes, len(w.notes))
			w.notes = append(w.notes, nt)
		}
	}
	// Tasks without a case, of municipal organisations.
	for k := 0; k < nCases/5; k++ {
		tk := pwTask{id: model.NewID(), caseIdx: -1, assignee: -1, referral: -1, org: pick(r, municipal), status: pick(r, model.TaskStatuses)}
		w.finishTask(r, &tk, day, members)
		w.tasks = append(w.tasks, tk)
	}
}

// legalBasis records a legal basis on ref with the categories it released when sent: the
// configured default (identity), none, or others.
func (w *pwWorld) legalBasis(r *rand.Rand, ref *pwReferral) {
	ref.legalBasis = pick(r, model.LegalBasisNames(model.DefaultLegalBases()))
	ref.basisCats = pick(r, [][]string{{"identity"}, {"identity"}, {}, {"identity", "contact"}, {"residence", "languages"}})
}

// referralBundle adds to case ci two to four referrals to one organisation other than the
// lead, in different states (at least one active and covered, at least one ended or not
// covered), each with an open task of the recipient linked to it and a note of the
// recipient in one of its areas; a few of the ended ones keep a consent that still covers.
func (w *pwWorld) referralBundle(r *rand.Rand, ci int, day func(int) time.Time, stamp func() time.Time, members func(int) []int) {
	cp := &w.cases[ci]
	to := r.IntN(len(w.orgs))
	for to == cp.lead {
		to = r.IntN(len(w.orgs))
	}
	// A fresh consent covering the recipient for every area, valid now.
	cn := pwConsent{id: model.NewID(), caseIdx: ci, person: -1, areas: slices.Clone(pwAreas),
		categories: []string{"identity", "residence"}, recipients: []int{to}, from: day(-30), until: day(300)}
	cp.consents = append(cp.consents, len(w.consents))
	w.consents = append(w.consents, cn)
	consent := len(w.consents) - 1
	states := []model.ReferralStatus{pick(r, model.ActiveReferralStatuses)}
	ended := pwEnded()
	for k, n := 0, 1+r.IntN(3); k < n; k++ {
		states = append(states, pick(r, ended))
	}
	for _, st := range states {
		ref := pwReferral{id: model.NewID(), ref: fmt.Sprintf("V-2026-%05d", len(w.referrals)+1), caseIdx: ci, from: cp.lead, to: to,
			areas: someOf(r, pwAreas), status: st, consent: consent, createdAt: stamp(), replyDue: day(r.IntN(30) - 10)}
		if r.IntN(4) == 0 && st != model.ReferralRevoked {
			ref.consent = -1
			w.legalBasis(r, &ref)
		}
		ri := len(w.referrals)
		cp.referrals = append(cp.referrals, ri)
		w.referrals = append(w.referrals, ref)
		tk := pwTask{id: model.NewID(), caseIdx: ci, assignee: -1, referral: ri, org: to,
			status: pick(r, append(pwOpenTask(), model.TaskCancelled))}
		w.finishTask(r, &tk, day, members)
		cp.tasks = append(cp.tasks, len(w.tasks))
		w.tasks = append(w.tasks, tk)
		nt := pwNote{id: model.NewID(), caseIdx: ci, org: to, area: pick(r, ref.areas), shared: r.IntN(2) == 0, createdAt: stamp()}
		cp.notes = append(cp.notes, len(w.notes))
		w.notes = append(w.notes, nt)
	}
}

// pwEnded are the model's referral states that are not active; pwOpenTask its task states
// that are not closed. The generator draws from the model's lists, so that a new state is
// exercised as soon as it exists.
func pwEnded() []model.ReferralStatus {
	return slices.DeleteFunc(slices.Clone(model.ReferralStatuses), func(s model.ReferralStatus) bool {
		return slices.Contains(model.ActiveReferralStatuses, s)
	})
}

func pwOpenTask() []model.TaskStatus {
	return slices.DeleteFunc(slices.Clone(model.TaskStatuses), func(s model.TaskStatus) bool {
		return slices.Contains(model.ClosedTaskStatuses, s)
	})
}

// tamper puts an active referral under a consent with a defect that the services never let
// happen (revocation ends the consent's active referrals in the same transaction; a consent
// must name the recipient and be valid on the day it is used): revoked, not yet valid, or
// for other organisations. The read predicates guard against these states all the same
// (defence in depth), and so does the oracle: such a referral gives the recipient nothing.
func (w *pwWorld) tamper(r *rand.Rand, ref *pwReferral, day func(int) time.Time) {
	cn := w.consents[ref.consent]
	cn.id, cn.recipients, cn.tampered = model.NewID(), slices.Clone(cn.recipients), true
	switch r.IntN(3) {
	case 0:
		cn.revoked = true
	case 1:
		cn.from, cn.until = day(1), day(100)
	default:
		cn.recipients = slices.DeleteFunc(cn.recipients, func(o int) bool { return o == ref.to })
		if len(cn.recipients) == 0 {
			cn.recipients = []int{w.cases[cn.caseIdx].lead}
		}
	}
	w.cases[cn.caseIdx].consents = append(w.cases[cn.caseIdx].consents, len(w.consents))
	ref.consent = len(w.consents)
	w.consents = append(w.consents, cn)
	w.tampered++
}

// finishTask gives a task its assignee (a member of its organisation, or nobody), area and
// due date (none, past, today, future: few distinct days, so that the order has ties).
func (w *pwWorld) finishTask(r *rand.Rand, tk *pwTask, day func(int) time.Time, members func(int) []int) {
	if m := members(tk.org); len(m) > 0 && r.IntN(2) == 0 {
		tk.assignee = pick(r, m)
	}
	if r.IntN(3) == 0 {
		tk.area = pick(r, pwAreas)
	}
	if r.IntN(5) != 0 {
		d := day(r.IntN(21) - 10)
		tk.due = &d
	}
}

// write copies the facts into the database.
func (w *pwWorld) write() {
	w.t.Helper()
	ctx := w.ctx
	conn, err := w.db.Pool.Acquire(ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	copyRows := func(table string, cols []string, rows [][]any) {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
			w.t.Fatalf("copy %s: %v", table, err)
		}
	}
	id := func(u uuid.UUID) [16]byte { return u }
	opt := func(i int, ids func(int) uuid.UUID) any {
		if i < 0 {
			return nil
		}
		return id(ids(i))
	}
	orgID := func(i int) uuid.UUID { return w.orgs[i].id }
	var rows [][]any
	for _, o := range w.orgs {
		rows = append(rows, []any{id(o.id), opt(o.parent, orgID), string(o.kind), o.short, o.short, o.adminCasework})
	}
	copyRows("organisations", []string{"id", "parent_id", "kind", "name", "short_name", "allow_admin_casework"}, rows)
	rows, grants := nil, [][]any{}
	for i, u := range w.users {
		rows = append(rows, []any{id(u.id), fmt.Sprintf("pw-%02d@stadt.test", i), u.name})
		for _, g := range u.grants {
			grants = append(grants, []any{id(model.NewID()), id(u.id), id(w.orgs[g.org].id), string(g.role)})
		}
	}
	copyRows("users", []string{"id", "email", "display_name"}, rows)
	copyRows("role_grants", []string{"id", "user_id", "org_id", "role"}, grants)

	var cases, persons, plan, consents, recipients, refs, tasks, notes [][]any
	for _, c := range w.cases {
		var closed any
		if c.status == model.CaseClosed {
			closed = c.updatedAt
		}
		cases = append(cases, []any{id(c.id), c.ref, id(w.orgs[c.lead].id), string(c.status), c.reason, c.district, closed, c.updatedAt, c.updatedAt})
		for _, p := range c.persons {
			persons = append(persons, []any{id(p.id), id(c.id), p.primary, p.family, p.given, nonNil(p.variants), p.birth,
				nonNil(p.languages), p.arrival, p.residence, p.district, p.phone, p.email, p.address, p.searchText, p.createdAt})
		}
		for _, a := range pwAreas {
			plan = append(plan, []any{id(c.id), a, string(c.plan[a])})
		}
	}
	for _, cn := range w.consents {
		c := w.cases[cn.caseIdx]
		var person any
		if cn.person >= 0 {
			person = id(c.persons[cn.person].id)
		}
		var revoked any
		if cn.revoked {
			revoked = time.Now().UTC().Add(-time.Hour)
		}
		consents = append(consents, []any{id(cn.id), id(c.id), person, cn.areas, cn.categories, "Vermittlung", cn.from, cn.until,
			"Formular", id(w.orgs[c.lead].id), revoked})
		for _, o := range cn.recipients {
			recipients = append(recipients, []any{id(cn.id), id(w.orgs[o].id)})
		}
	}
	for _, rf := range w.referrals {
		var consent any
		if rf.consent >= 0 {
			consent = id(w.consents[rf.consent].id)
		}
		refs = append(refs, []any{id(rf.id), rf.ref, id(w.cases[rf.caseIdx].id), id(w.orgs[rf.from].id), id(w.orgs[rf.to].id),
			rf.areas, rf.replyDue, string(rf.status), consent, rf.legalBasis, nonNil(rf.basisCats), rf.createdAt, rf.createdAt})
	}
	for _, tk := range w.tasks {
		var area any
		if tk.area != "" {
			area = tk.area
		}
		tasks = append(tasks, []any{id(tk.id), id(w.orgs[tk.org].id), opt(tk.assignee, func(i int) uuid.UUID { return w.users[i].id }),
			opt(tk.caseIdx, func(i int) uuid.UUID { return w.cases[i].id }), area,
			opt(tk.referral, func(i int) uuid.UUID { return w.referrals[i].id }), "Aufgabe", tk.due, string(tk.status)})
	}
	for _, n := range w.notes {
		var area any
		if n.area != "" {
			area = n.area
		}
		vis := model.NoteOrg
		if n.shared {
			vis = model.NoteShared
		}
		notes = append(notes, []any{id(n.id), id(w.cases[n.caseIdx].id), area, id(w.orgs[n.org].id), string(vis), "Vermerk", n.createdAt})
	}
	copyRows("cases", []string{"id", "reference", "lead_org_id", "status", "status_reason", "district", "closed_at", "created_at", "updated_at"}, cases)
	copyRows("persons", []string{"id", "case_id", "is_primary", "family_name", "given_names", "name_variants", "birth_date", "languages",
		"arrival_date", "residence_status", "district", "phone", "email", "address", "search_text", "created_at"}, persons)
	copyRows("area_statuses", []string{"case_id", "area", "status"}, plan)
	copyRows("consents", []string{"id", "case_id", "person_id", "areas", "data_categories", "purpose", "valid_from", "valid_until",
		"evidence", "recorded_org_id", "revoked_at"}, consents)
	copyRows("consent_recipients", []string{"consent_id", "org_id"}, recipients)
	copyRows("referrals", []string{"id", "reference", "case_id", "from_org_id", "to_org_id", "areas", "reply_due", "status",
		"consent_id", "legal_basis", "legal_basis_categories", "created_at", "updated_at"}, refs)
	copyRows("tasks", []string{"id", "org_id", "assignee_id", "case_id", "area", "referral_id", "title", "due_date", "status"}, tasks)
	copyRows("notes", []string{"id", "case_id", "area", "org_id", "visibility", "body", "created_at"}, notes)
	if err := tx.Commit(ctx); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.own.SQL.ExecContext(ctx, `ANALYZE`); err != nil {
		w.t.Fatal(err)
	}
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// ---- The oracle ----

// pwActor is a user acting in one of their organisations, with what the oracle derives from
// the grants there.
type pwActor struct {
	user  int
	org   int
	roles []model.Role
	a     model.Actor
	// leadOrgs: the organisations whose cases the actor sees in full (a municipal caseworker's
	// own organisation; a head's subtree).
	leadOrgs map[int]bool
	// relOrgs: the organisations whose referrals and tasks reach cases for the actor, and
	// whose tasks the actor sees (a caseworker's own organisation; a head's subtree).
	relOrgs map[int]bool
}

func (pa pwActor) caseContent() bool { return len(pa.relOrgs) > 0 || len(pa.leadOrgs) > 0 }

// subtree is org and every organisation below it.
func (w *pwWorld) subtree(org int) map[int]bool {
	out := map[int]bool{org: true}
	for changed := true; changed; {
		changed = false
		for i, o := range w.orgs {
			if o.parent >= 0 && out[o.parent] && !out[i] {
				out[i], changed = true, true
			}
		}
	}
	return out
}

// actors lists every user in every organisation they hold a grant in.
func (w *pwWorld) actors() []pwActor {
	w.t.Helper()
	var out []pwActor
	for ui, u := range w.users {
		byOrg := map[int][]model.Role{}
		var orgs []int
		for _, g := range u.grants {
			if byOrg[g.org] == nil {
				orgs = append(orgs, g.org)
			}
			byOrg[g.org] = append(byOrg[g.org], g.role)
		}
		for _, org := range orgs {
			roles := byOrg[org]
			pa := pwActor{user: ui, org: org, roles: roles, leadOrgs: map[int]bool{}, relOrgs: map[int]bool{}}
			if slices.Contains(roles, model.RoleCaseworker) {
				pa.relOrgs[org] = true
				if w.orgs[org].kind == model.OrgMunicipal {
					pa.leadOrgs[org] = true
				}
			}
			if slices.Contains(roles, model.RoleLead) {
				for o := range w.subtree(org) {
					pa.leadOrgs[o], pa.relOrgs[o] = true, true
				}
			}
			oid := w.orgs[org].id
			a, _, err := w.svc.Access.Actor(w.ctx, service.ActorRequest{UserID: u.id, OrgID: &oid, RequestID: "property"})
			if err != nil {
				w.t.Fatalf("actor %s in %s: %v", u.name, w.orgs[org].short, err)
			}
			a.Purpose = "property test"
			pa.a = a
			out = append(out, pa)
		}
	}
	return out
}

func (w *pwWorld) actorName(pa pwActor) string {
	return fmt.Sprintf("seed %d, %s acting in %s as %v", w.seed, w.users[pa.user].name, w.orgs[pa.org].short, pa.roles)
}

// coveredToday: the referral rests on a legal basis, or on a consent that is not revoked,
// valid today, names the recipient and covers the referred areas.
func (w *pwWorld) coveredToday(rf pwReferral) bool {
	return rf.legalBasis != "" || w.consentCovers(rf)
}

// consentCovers: the referral's consent covers it today (legal basis aside).
func (w *pwWorld) consentCovers(rf pwReferral) bool {
	if rf.consent < 0 {
		return false
	}
	cn := w.consents[rf.consent]
	if cn.revoked || w.today.Before(cn.from) || w.today.After(cn.until) || !slices.Contains(cn.recipients, rf.to) {
		return false
	}
	for _, a := range rf.areas {
		if !slices.Contains(cn.areas, a) {
			return false
		}
	}
	return true
}

func pwActive(s model.ReferralStatus) bool {
	return s == model.ReferralSent || s == model.ReferralAccepted || s == model.ReferralInProgress
}

// activeFor lists the referrals of case ci that give the actor access now: active, covered,
// to one of the actor's organisations.
func (w *pwWorld) activeFor(pa pwActor, ci int) []pwReferral {
	var out []pwReferral
	for _, ri := range w.cases[ci].referrals {
		rf := w.referrals[ri]
		if pa.relOrgs[rf.to] && pwActive(rf.status) && w.coveredToday(rf) {
			out = append(out, rf)
		}
	}
	return out
}

// pwAccess is the oracle's answer for one case: whether and how much the actor sees.
type pwAccess struct {
	visible, full, summary bool
	areas                  []string                    // referred areas, in display order
	household              map[model.DataCategory]bool // categories released for every person
	person                 map[int]map[model.DataCategory]bool
}

func (w *pwWorld) access(pa pwActor, ci int) pwAccess {
	c := w.cases[ci]
	acc := pwAccess{household: map[model.DataCategory]bool{}, person: map[int]map[model.DataCategory]bool{}}
	if pa.leadOrgs[c.lead] {
		acc.visible, acc.full = true, true
		for _, cat := range model.DataCategories {
			acc.household[cat] = true
		}
		acc.areas = slices.Clone(pwAreas)
		return acc
	}
	refs := w.activeFor(pa, ci)
	if len(refs) > 0 {
		acc.visible = true
		for _, rf := range refs {
			for _, a := range rf.areas {
				if !slices.Contains(acc.areas, a) {
					acc.areas = append(acc.areas, a)
				}
			}
			if rf.legalBasis != "" {
				if !slices.Equal(rf.basisCats, []string{"identity"}) {
					w.seen["legal basis other than identity"]++
				}
				for _, cat := range rf.basisCats {
					acc.household[model.DataCategory(cat)] = true
				}
			}
			if w.consentCovers(rf) {
				cn := w.consents[rf.consent]
				for _, cat := range cn.categories {
					if cn.person < 0 {
						acc.household[model.DataCategory(cat)] = true
						continue
					}
					if acc.person[cn.person] == nil {
						acc.person[cn.person] = map[model.DataCategory]bool{}
					}
					acc.person[cn.person][model.DataCategory(cat)] = true
				}
			}
		}
		slices.SortFunc(acc.areas, func(a, b string) int { return slices.Index(pwAreas, a) - slices.Index(pwAreas, b) })
		return acc
	}
	for _, ti := range c.tasks {
		tk := w.tasks[ti]
		if pa.relOrgs[tk.org] && !tk.status.Closed() && w.taskLive(tk) {
			acc.visible, acc.summary = true, true
			return acc
		}
	}
	return acc
}

// categoriesOf are the categories the actor sees of person pi of a case.
func (acc pwAccess) categoriesOf(pi int) []model.DataCategory {
	var out []model.DataCategory
	for _, cat := range model.DataCategories {
		if acc.household[cat] || acc.person[pi][cat] {
			out = append(out, cat)
		}
	}
	return out
}

// referralVisible: the sender and the case's lead organisation at every step; the
// recipient while the referral is active and covered.
func (w *pwWorld) referralVisible(pa pwActor, rf pwReferral) bool {
	if pa.leadOrgs[rf.from] || pa.leadOrgs[w.cases[rf.caseIdx].lead] {
		return true
	}
	return pa.relOrgs[rf.to] && pwActive(rf.status) && w.coveredToday(rf)
}

// taskVisible: every task on the cases the actor's organisations lead, and the live tasks
// of the actor's organisations.
func (w *pwWorld) taskVisible(pa pwActor, tk pwTask) bool {
	if tk.caseIdx >= 0 && pa.relOrgs[w.cases[tk.caseIdx].lead] {
		return true
	}
	return pa.relOrgs[tk.org] && w.taskLive(tk)
}

// taskLive: a task that hangs on a referral to its own organisation lives only while that
// referral is active and covered; other tasks always.
func (w *pwWorld) taskLive(tk pwTask) bool {
	if tk.referral < 0 || w.referrals[tk.referral].to != tk.org {
		return true
	}
	rf := w.referrals[tk.referral]
	return pwActive(rf.status) && w.coveredToday(rf)
}

// noteVisible: the lead side reads its own notes and the shared ones; a recipient, while
// its referral is active and covered, its own notes and those shared for a referred area.
func (w *pwWorld) noteVisible(pa pwActor, n pwNote) bool {
	c := w.cases[n.caseIdx]
	if pa.leadOrgs[c.lead] && (pa.leadOrgs[n.org] || n.shared) {
		return true
	}
	refs := w.activeFor(pa, n.caseIdx)
	if len(refs) == 0 {
		return false
	}
	if pa.relOrgs[n.org] {
		return true
	}
	return n.shared && slices.ContainsFunc(refs, func(rf pwReferral) bool { return slices.Contains(rf.areas, n.area) })
}

// nameMatch: the folded query word is a part of one of the person's folded names.
func nameMatch(p pwPerson, word string) bool { return strings.Contains(p.searchText, word) }

// trigrams are pg_trgm's trigrams of a word: padded with two blanks before and one after.
func trigrams(word string) []string {
	s := "  " + word + " "
	rs := []rune(s)
	var out []string
	for i := 0; i+3 <= len(rs); i++ {
		if t := string(rs[i : i+3]); !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// textTrigrams are the trigrams of a search text, split into words both the way the search
// text is and at every non-ASCII letter (as a C-locale pg_trgm may).
func textTrigrams(text string) map[string]bool {
	have := map[string]bool{}
	for _, w := range strings.Fields(text) {
		for _, part := range append([]string{w}, strings.FieldsFunc(w, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') })...) {
			for _, t := range trigrams(part) {
				have[t] = true
			}
		}
	}
	return have
}

// fuzzyBound is an upper bound of pg_trgm's word_similarity(query, text): the share of the
// query's trigrams found anywhere in the text's trigrams.
func fuzzyBound(query string, text map[string]bool) float64 {
	q := trigrams(query)
	n := 0
	for _, t := range q {
		if text[t] {
			n++
		}
	}
	return float64(n) / float64(len(q))
}

// unambiguous reports whether a query word splits every person of the world cleanly into
// certain matches (a part of a name) and certain misses (far below the fuzzy threshold of
// 0.6), so that the oracle's substring rule is exactly the search's answer.
func (w *pwWorld) unambiguous(word string) bool {
	if w.textTrigrams == nil {
		w.textTrigrams = map[string]map[string]bool{}
		for _, c := range w.cases {
			for _, p := range c.persons {
				if w.textTrigrams[p.searchText] == nil {
					w.textTrigrams[p.searchText] = textTrigrams(p.searchText)
				}
			}
		}
	}
	for text, tri := range w.textTrigrams {
		if !strings.Contains(text, word) && fuzzyBound(word, tri) >= 0.5 {
			return false
		}
	}
	return true
}

// sortedIDs renders ids for messages.
func sortedIDs(ids map[uuid.UUID]bool) []string {
	out := make([]string, 0, len(ids))
	for id := range ids {
		out = append(out, id.String())
	}
	sort.Strings(out)
	return out
}
