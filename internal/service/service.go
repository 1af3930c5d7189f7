package service

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/authz"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Services bundles every service of the process.
type Services struct {
	Access    *Access
	Directory *Directory
	Cases     *Cases
	Notes     *Notes
	Consents  *Consents
	Referrals *Referrals
	Tasks     *Tasks
	// Dashboard answers the department head's questions about the team (dashboard.go).
	Dashboard *Dashboard
	// Home builds the start page, the worklist of the acting role (today.go).
	Home *Home
	// Statistics gives the coordination staff the anonymised city-wide figures (statistics.go).
	Statistics *Statistics
	// Audit lets the data protection officer review and export the audit log (audit.go).
	Audit *Audit
	// Idempotency replays the first answer to a retried creating request.
	Idempotency *Idempotency
	// Notifications tells members what needs them: the bell, its page, the e-mails
	// (notifications.go).
	Notifications *Notifications
	// Reminders writes the notifications the reminder rules make due (reminders.go).
	Reminders *Reminders
	// Retention deletes on schedule, with legal holds and a preview (retention.go).
	Retention *Retention
	// SubjectAccess answers a person's request for access with the access history
	// (subjectaccess.go).
	SubjectAccess *SubjectAccess
	// Emergency is emergency access to a case outside the caseworker's scope (emergency.go).
	Emergency *Emergency
}

// New builds the services on one store and one enforcer. The services' clock is the store's
// (store.New), so that both read the one clock of the process; without a store (tests of the
// web layer alone) it is the wall clock.
func New(st *store.Store, en *authz.Enforcer, log *slog.Logger) *Services {
	now := time.Now
	if st != nil {
		now = st.Clock()
	}
	b := base{store: st, authz: en, log: log, now: now, legalBases: model.DefaultLegalBases()}
	return &Services{
		Access: &Access{base: b}, Directory: &Directory{base: b},
		Cases: &Cases{base: b}, Notes: &Notes{base: b},
		Consents: &Consents{base: b}, Referrals: &Referrals{base: b}, Tasks: &Tasks{base: b},
		Idempotency: &Idempotency{base: b},
		Dashboard:   &Dashboard{base: b},
		Statistics:  &Statistics{base: b}, Audit: &Audit{base: b},
		Home: &Home{base: b}, Notifications: &Notifications{base: b},
		Reminders:     &Reminders{base: b, rules: model.DefaultReminderRules()},
		Retention:     &Retention{base: b, rules: model.DefaultRetentionRules()},
		SubjectAccess: &SubjectAccess{base: b},
		Emergency:     &Emergency{base: b, duration: model.DefaultEmergencyDuration},
	}
}

// base is what every service shares.
type base struct {
	store *store.Store
	authz *authz.Enforcer
	log   *slog.Logger
	now   func() time.Time
	// legalBases are the configured legal bases (SetLegalBases), shared by every service.
	legalBases []model.LegalBasis
}

// today is the current calendar day in Europe/Berlin, as a date at midnight UTC (the form
// in which Postgres dates are scanned).
func (b base) today() time.Time { return model.CalendarDay(b.now()) }

// Now is the services' clock, the one clock of the process: the web layer reads "now" and
// "today" from here, so that a clock set for tests or backdated demo data is the same for
// every layer.
func (s *Services) Now() time.Time { return s.Cases.now() }

// Today is the calendar day of Now in Berlin, as midnight UTC.
func (s *Services) Today() time.Time { return model.CalendarDay(s.Now()) }

// SetClock replaces the one clock: the services' and the store's (times written, audit
// times and the calendar day by which the scopes' SQL judges consents); for tests of
// deadlines and expiry and for backdated demo data. It must not run while requests are in
// flight.
func (s *Services) SetClock(now func() time.Time) {
	for _, b := range s.bases() {
		b.now = now
	}
	if s.Cases.store != nil {
		s.Cases.store.SetClock(now)
	}
}

// Clock returns the clock set last (SetClock), for a caller that sets it for a while and
// then restores it.
func (s *Services) Clock() func() time.Time { return s.Cases.now }

// SetLegalBases replaces the legal bases a referral may rest on without a consent (the
// composition root passes LOTSE_LEGAL_BASES_FILE's list); call it before serving.
func (s *Services) SetLegalBases(bases []model.LegalBasis) {
	for _, b := range s.bases() {
		b.legalBases = slices.Clone(bases)
	}
}

// LegalBases returns the names of the configured legal bases, for forms.
func (s *Services) LegalBases() []string { return model.LegalBasisNames(s.Referrals.legalBases) }

func (s *Services) bases() []*base {
	return []*base{&s.Access.base, &s.Directory.base, &s.Cases.base, &s.Notes.base, &s.Consents.base, &s.Referrals.base, &s.Tasks.base, &s.Dashboard.base, &s.Home.base, &s.Statistics.base, &s.Audit.base, &s.Idempotency.base, &s.Notifications.base, &s.Reminders.base, &s.Retention.base, &s.SubjectAccess.base, &s.Emergency.base}
}

// legalBasis returns the configured legal basis named name.
func (b base) legalBasis(name string) (model.LegalBasis, bool) {
	i := slices.IndexFunc(b.legalBases, func(l model.LegalBasis) bool { return l.Name == name })
	if i < 0 {
		return model.LegalBasis{}, false
	}
	return b.legalBases[i], true
}

// scope asks the enforcer which records of obj the actor reaches for act. The system actor
// (directory tool, jobs) reaches everything of the objects it handles.
func (b base) scope(a model.Actor, obj, act string) (model.Scope, error) {
	if a.System {
		return model.Scope{Object: obj, Action: act, Kinds: []model.ScopeKind{model.ScopeAll}}, nil
	}
	sc, err := b.authz.Scope(a.UserID, a.OrgID, obj, act)
	if err != nil {
		return model.Scope{}, fmt.Errorf("service: %w", err)
	}
	return sc, nil
}

// require is scope for actions that must be granted at all: without any scope the actor
// gets ErrForbidden for collections and ErrNotFound for records (hidden like missing).
func (b base) require(a model.Actor, obj, act string, record bool) (model.Scope, error) {
	sc, err := b.scope(a, obj, act)
	if err != nil {
		return sc, err
	}
	if !sc.Allowed() {
		if record {
			return sc, fmt.Errorf("service: %s %s: %w", obj, act, model.ErrNotFound)
		}
		return sc, fmt.Errorf("service: %s %s: %w", obj, act, model.ErrForbidden)
	}
	return sc, nil
}

// event builds an audit event for the actor.
func event(a model.Actor, action, objectType string, objectID uuid.UUID, details model.JSONMap) *model.AuditEvent {
	ev := &model.AuditEvent{
		ActorName:  a.Name,
		Role:       a.RoleNames(),
		Action:     action,
		ObjectType: objectType,
		ObjectID:   objectID.String(),
		RequestID:  a.RequestID,
		RemoteAddr: a.RemoteAddr,
		Details:    details,
	}
	if a.System {
		ev.ActorName = "system"
		if a.Name != "" {
			ev.ActorName = "system: " + a.Name
		}
	}
	if a.UserID != uuid.Nil {
		id := a.UserID
		ev.ActorID = &id
	}
	if a.OrgID != uuid.Nil {
		id := a.OrgID
		ev.OrgID = &id
	}
	return ev
}

// caseEvent builds the audit event of a read or change of case content: with the case and
// the purpose the actor gave.
func caseEvent(a model.Actor, action, objectType string, objectID, caseID uuid.UUID, details model.JSONMap) *model.AuditEvent {
	ev := event(a, action, objectType, objectID, details)
	if caseID != uuid.Nil {
		id := caseID
		ev.CaseID = &id
	}
	ev.Purpose = a.Purpose
	if ev.Purpose == "" {
		ev.Purpose = model.PurposeCaseWork
	}
	return ev
}

// areas are the active areas in display order, for a read to label with: the enforcer's
// catalogue (model.Catalogue, in memory, reloaded on every change), or read in tx when its
// loader read none. A change validates against the database (tx.UnknownAreas,
// tx.Areas().Active), never against this copy.
func (b base) areas(ctx context.Context, tx *store.Tx) ([]model.Area, error) {
	if c := b.catalogue(); c != nil {
		return slices.Clone(c.Areas), nil
	}
	return tx.Areas().Active(ctx)
}

// organisations are every organisation, active or not, by name (Organisations.All), for a
// read to label with: from the catalogue as areas.
func (b base) organisations(ctx context.Context, tx *store.Tx) ([]model.Organisation, error) {
	if c := b.catalogue(); c != nil {
		return slices.Clone(c.Organisations), nil
	}
	return tx.Organisations().All(ctx)
}

// visibleOrganisations are the organisations sc reaches (Organisations.List): all of them
// for a scope of kind all, whose predicate is TRUE, from the catalogue as areas; any narrower
// scope is the store's to answer.
func (b base) visibleOrganisations(ctx context.Context, tx *store.Tx, sc model.Scope) ([]model.Organisation, error) {
	if sc.Has(model.ScopeAll) {
		if c := b.catalogue(); c != nil {
			return slices.Clone(c.Organisations), nil
		}
	}
	return tx.Organisations().List(ctx, sc)
}

func (b base) catalogue() *model.Catalogue {
	if b.authz == nil {
		return nil
	}
	return b.authz.Catalogue()
}

// reloadPolicy makes a committed grant change visible on this instance at once; the other
// instances follow through the watcher.
func (b base) reloadPolicy(ctx context.Context) {
	if err := b.authz.Reload(ctx); err != nil {
		b.log.Error("reloading the policy after a change failed; the watcher will retry", slog.Any("error", err))
	}
}

// textInput names loose text arguments of a service method for refuseBadText.
type textInput map[string]string

// refuseBadText refuses input whose text PostgreSQL would refuse or that has no place in a record
// (model.TextOK), naming each field; every service method that takes text runs it first, over
// its whole input (a struct is checked field by field, so a new field is covered), before it
// reads or writes anything. The HTTP API has checked its requests already; this is the wall
// for the forms, `lotse directory apply` and any other caller.
func refuseBadText(in ...any) error {
	v := &model.ValidationError{}
	for _, x := range in {
		model.CheckText(v, "", x)
	}
	return v.Err()
}

// Unavailable reports whether err means that the database is out of reach for now (down,
// restarting, failing over): the request may succeed later as it is, so the web layer answers
// 503 with the page "temporarily unavailable" instead of 500.
func Unavailable(err error) bool { return store.Unavailable(err) }
