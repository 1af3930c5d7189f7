package world

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
)

// The case-work builders. They make cases, consents, referrals, notes and tasks through the
// services (not through the API under test), acting as the world's users, so that the
// records are exactly what the application itself would have written, audit events
// included. The builders' services have an enforcer of their own, loaded when first used:
// grants added after that are not seen by them.

// Services returns the services the builders use, on the world's database.
func (w *World) Services(t testing.TB) *service.Services {
	t.Helper()
	w.svcOnce.Do(func() {
		w.svc = service.New(w.Store, w.Enforcer(t), slog.New(slog.DiscardHandler))
	})
	return w.svc
}

// Actor is u acting in the organisation of its first grant (or org, when given), as the
// services see it.
func (w *World) Actor(t testing.TB, u *User, org ...*model.Organisation) model.Actor {
	t.Helper()
	req := service.ActorRequest{UserID: u.ID, RequestID: "world-builder", RemoteAddr: "192.0.2.1"}
	if len(org) > 0 {
		req.OrgID = &org[0].ID
	} else if len(u.Grants) > 0 {
		req.OrgID = &u.Grants[0].OrgID
	}
	a, _, err := w.Services(t).Access.Actor(context.Background(), req)
	if err != nil {
		t.Fatalf("world: actor %s: %v", u.Name, err)
	}
	a.Purpose = "test setup"
	return a
}

// OrgOf returns the organisation of u's first grant.
func (w *World) OrgOf(t testing.TB, u *User) *model.Organisation {
	t.Helper()
	if len(u.Grants) == 0 {
		t.Fatalf("world: %s holds no grant", u.Name)
	}
	for _, o := range []*model.Organisation{w.City, w.Housing, w.HousingNorth, w.Migration, w.Jobcenter, w.Caritas, w.Diakonie} {
		if o.ID == u.Grants[0].OrgID {
			return o
		}
	}
	t.Fatalf("world: %s acts in an organisation the world does not know", u.Name)
	return nil
}

// NewPerson returns a made-up person whose names occur nowhere else in the world, so that a
// test can look for them in a response: a family name "Haddad<n>" and a given name
// "Amina<n>", with a phone number, an e-mail address, the languages ar and de, a date of
// birth, an arrival date and a residence status.
func (w *World) NewPerson() model.PersonInput {
	n := w.seq.Add(1)
	birth := time.Date(1990, 3, 14, 0, 0, 0, 0, time.UTC)
	arrival := time.Date(2024, 9, 2, 0, 0, 0, 0, time.UTC)
	return model.PersonInput{
		FamilyName: fmt.Sprintf("Haddad%d", n), GivenNames: fmt.Sprintf("Amina%d", n), NameVariants: []string{fmt.Sprintf("Hadad%d", n)},
		BirthDate: &birth, Languages: []string{"ar", "de"}, ArrivalDate: &arrival, ResidenceStatus: "Aufenthaltserlaubnis",
		District: "Schinkel", Phone: fmt.Sprintf("0541 %06d", n), Email: fmt.Sprintf("amina%d@example.test", n), Address: fmt.Sprintf("Lotter Str. %d", n),
	}
}

// Case opens a case led by lead's organisation, for a new person (NewPerson).
func (w *World) Case(t testing.TB, lead *User) *model.CaseView {
	t.Helper()
	v, err := w.Services(t).Cases.Create(context.Background(), w.Actor(t, lead), model.CaseCreate{Primary: w.NewPerson()})
	if err != nil {
		t.Fatalf("world: case: %v", err)
	}
	return v
}

// CaseSetup describes a piece of case work: a case of a lead organisation, optionally
// referred to a partner with consent, and where that referral stands.
type CaseSetup struct {
	// Lead is a caseworker of the lead organisation (required).
	Lead *User
	// Partner is a caseworker of the organisation the case is referred to; nil: none.
	Partner *User
	// Area is the referred area (default work); Other an area not referred (default housing).
	Area, Other string
	// Categories are the data categories the consent releases (default identity, languages).
	Categories []model.DataCategory
	// Status is where the referral stands: "" for no referral (the consent is recorded all
	// the same), or sent, accepted, in_progress, declined, completed, withdrawn, revoked
	// (the consent revoked after the referral was accepted).
	Status model.ReferralStatus
}

// CaseWork is what CaseWorkFor built. Records are as the lead organisation sees them.
type CaseWork struct {
	Setup   CaseSetup
	Case    *model.CaseView
	Person  model.Person // the primary person, unmasked
	Consent *model.Consent
	// Referral is nil without a referral.
	Referral *model.Referral
	// OrgNote is a note of the lead organisation for itself; SharedNote one shared for the
	// referred area.
	OrgNote, SharedNote *model.Note
	// Task is a task of the lead organisation on the case.
	Task *model.Task
}

// CaseWorkFor builds a case as s describes: the case with its person, a consent for the
// partner (if any) for the area and categories, a note of the lead organisation for itself
// and one shared for the area, an open task of the lead organisation on the case, and the
// referral brought to s.Status through the services' own transitions.
func (w *World) CaseWorkFor(t testing.TB, s CaseSetup) *CaseWork {
	t.Helper()
	if s.Area == "" {
		s.Area = "work"
	}
	if s.Other == "" {
		s.Other = "housing"
	}
	if s.Categories == nil {
		s.Categories = []model.DataCategory{model.CategoryIdentity, model.CategoryLanguages}
	}
	ctx := context.Background()
	svc := w.Services(t)
	lead := w.Actor(t, s.Lead)
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("world: case work: %s: %v", what, err)
		}
	}
	cw := &CaseWork{Setup: s}
	var err error
	cw.Case, err = svc.Cases.Create(ctx, lead, model.CaseCreate{Primary: w.NewPerson()})
	must("case", err)
	cw.Person = cw.Case.Persons[0]
	if s.Partner != nil {
		today := time.Now()
		cw.Consent, err = svc.Consents.Create(ctx, lead, cw.Case.ID, model.ConsentCreate{
			Recipients: []uuid.UUID{w.OrgOf(t, s.Partner).ID}, Areas: []string{s.Area}, DataCategories: s.Categories,
			Purpose: "Vermittlung", ValidFrom: today.AddDate(0, 0, -1), ValidUntil: today.AddDate(1, 0, 0),
			Evidence: "Formular 12/" + cw.Case.Reference, Language: "ar",
		})
		must("consent", err)
	}
	cw.OrgNote, err = svc.Notes.Create(ctx, lead, cw.Case.ID, model.NoteCreate{Body: "Interner Vermerk " + cw.Case.Reference})
	must("note", err)
	cw.SharedNote, err = svc.Notes.Create(ctx, lead, cw.Case.ID, model.NoteCreate{Area: s.Area, Visibility: model.NoteShared, Body: "Geteilter Vermerk " + cw.Case.Reference})
	must("shared note", err)
	cw.Task, err = svc.Tasks.Create(ctx, lead, model.TaskCreate{OrgID: w.OrgOf(t, s.Lead).ID, CaseID: &cw.Case.ID, Title: "Unterlagen prüfen"})
	must("task", err)
	if s.Status == "" {
		return cw
	}
	if s.Partner == nil {
		t.Fatal("world: case work: a referral needs a partner")
	}
	ref, err := svc.Referrals.Create(ctx, lead, cw.Case.ID, model.ReferralCreate{
		ToOrgID: w.OrgOf(t, s.Partner).ID, Areas: []string{s.Area}, Message: "Bitte um Unterstützung", ConsentID: &cw.Consent.ID,
	})
	must("referral", err)
	partner := w.Actor(t, s.Partner)
	step := func(what string, f func() (*model.Referral, error)) {
		t.Helper()
		r, err := f()
		must(what, err)
		ref = r
	}
	switch s.Status {
	case model.ReferralSent:
	case model.ReferralAccepted, model.ReferralInProgress, model.ReferralCompleted, model.ReferralRevoked:
		step("accept", func() (*model.Referral, error) { return svc.Referrals.Accept(ctx, partner, ref.ID, ref.Version) })
		switch s.Status {
		case model.ReferralInProgress:
			step("start", func() (*model.Referral, error) { return svc.Referrals.Start(ctx, partner, ref.ID, ref.Version) })
		case model.ReferralCompleted:
			step("complete", func() (*model.Referral, error) {
				return svc.Referrals.Complete(ctx, partner, ref.ID, ref.Version, "Vermittelt in Sprachkurs")
			})
		case model.ReferralRevoked:
			c, err := svc.Consents.Revoke(ctx, lead, cw.Consent.ID, cw.Consent.Version)
			must("revoke consent", err)
			cw.Consent = c
			step("reload", func() (*model.Referral, error) { return svc.Referrals.Get(ctx, lead, ref.ID) })
		}
	case model.ReferralDeclined:
		step("decline", func() (*model.Referral, error) {
			return svc.Referrals.Decline(ctx, partner, ref.ID, ref.Version, "Keine Kapazität")
		})
	case model.ReferralWithdrawn:
		step("withdraw", func() (*model.Referral, error) { return svc.Referrals.Withdraw(ctx, lead, ref.ID, ref.Version) })
	default:
		t.Fatalf("world: case work: cannot build a referral in state %s", s.Status)
	}
	if ref.Status != s.Status {
		t.Fatalf("world: case work: referral is %s, want %s", ref.Status, s.Status)
	}
	cw.Referral = ref
	return cw
}

// LastAuditID is the id of the newest audit event (0 when there is none).
func (w *World) LastAuditID(t testing.TB) int64 {
	t.Helper()
	var id int64
	if err := w.DB.SQL.QueryRow(`SELECT coalesce(max(id), 0) FROM audit_events`).Scan(&id); err != nil {
		t.Fatalf("world: last audit id: %v", err)
	}
	return id
}

// AuditAfter returns the audit events newer than id, oldest first.
func (w *World) AuditAfter(t testing.TB, id int64) []model.AuditEvent {
	t.Helper()
	var out []model.AuditEvent
	if err := w.DB.Gorm.Where("id > ?", id).Order("id").Find(&out).Error; err != nil {
		t.Fatalf("world: audit events: %v", err)
	}
	return out
}
