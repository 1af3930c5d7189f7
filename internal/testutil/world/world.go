// Package world builds a small, complete Lotse for black-box tests: a real app (app.New on a
// fresh, migrated PostgreSQL database) with a city's organisations and a user for every role,
// seeded through the store, never through the API under test. Tests act as a user through
// an identifier that reads the X-Test-User header; it exists only here, in test code, and is
// never wired into production. Scenario tables (scenario.go) run requests through the whole
// stack and check status, body and that refused requests changed nothing. Case work (cases,
// consents, referrals in any state, notes, tasks) is built through the services by the
// builders of casework.go.
//
// It is a package of its own, not part of testutil, because it imports the app and thereby
// every layer: store, authz and service tests import testutil, and would otherwise import
// themselves.
package world

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alecthomas/kong"
	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/app"
	"github.com/lotse-project/lotse/internal/authz"
	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil"
)

// UserHeader names the user a test request acts as (the user's id). Only the world's
// identifier reads it.
const UserHeader = "X-Test-User"

// User is a seeded account with the grants it was given.
type User struct {
	ID     uuid.UUID
	Name   string
	Grants []model.Grant
}

// Grant returns the user's grant in org (the first, when there are several); it fails the
// test when there is none.
func (u *User) Grant(t testing.TB, org *model.Organisation) model.Grant {
	t.Helper()
	for _, g := range u.Grants {
		if g.OrgID == org.ID {
			return g
		}
	}
	t.Fatalf("world: %s holds no grant in %s", u.Name, org.ShortName)
	return model.Grant{}
}

// World is a running Lotse with its seeded facts.
type World struct {
	// Handler is the app's HTTP handler, the whole stack.
	Handler http.Handler
	// DB is a pool of the world's own on the app's database, for seeding and for assertions.
	DB *db.DB
	// Store is the store on DB.
	Store *store.Store
	// URL is the database URL (the application role's); OwnerURL connects as the schema
	// owner, for set-up no application does (rows shaped by hand, reference data changed).
	URL, OwnerURL string
	// Log collects the app's log lines.
	Log *testutil.LogBuffer
	// App is the running app's own services (on its clock, WithClock), for the jobs the
	// composition root schedules (e.g. Referrals.ExpireOverdue) and for questions a test
	// asks the app directly.
	App *service.Services

	// The organisations: the city with its housing office (and a unit below it) and its
	// migration service, the job center and two welfare associations.
	City, Housing, HousingNorth, Migration, Jobcenter, Caritas, Diakonie *model.Organisation

	// Users, one or more per role. Each holds exactly one grant, in the organisation named.
	Sysadmin        *User // sysadmin in City
	DPO             *User // dpo in City
	Coordinator     *User // coordinator in Migration
	HousingLead     *User // lead in Housing
	HousingAdmin    *User // org_admin in Housing
	HousingWorker   *User // caseworker in Housing
	HousingWorker2  *User // a second caseworker in Housing
	NorthWorker     *User // caseworker in HousingNorth
	MigrationWorker *User // caseworker in Migration
	JobcenterWorker *User // caseworker in Jobcenter
	JobcenterAdmin  *User // org_admin in Jobcenter
	CaritasAdmin    *User // org_admin in Caritas
	CaritasWorker   *User // caseworker in Caritas
	DiakonieAdmin   *User // org_admin in Diakonie
	DiakonieWorker  *User // caseworker in Diakonie
	Inactive        *User // a deactivated caseworker in Housing
	NoRole          *User // an active account without any grant

	users []*User

	// The case-work builders' services (casework.go) and the counter of made-up names.
	svcOnce sync.Once
	svc     *service.Services
	seq     atomic.Int64
}

// Option adjusts a world before the app starts.
type Option func(*options)

type options struct {
	seed   []func(ctx context.Context, w *World, tx *store.Tx) error
	config []func(*config.Config)
	now    func() time.Time
	db     *testutil.Database
}

// WithDatabase builds the world on tdb, a migrated database the test made itself (e.g. on a
// cluster of its own with a standby), instead of a fresh one of the test server.
func WithDatabase(tdb *testutil.Database) Option {
	return func(o *options) { o.db = tdb }
}

// WithClock gives the app this clock, the one clock of its sessions, services, store (the
// times it writes, the calendar day of its scopes) and pages (the builders' services keep the
// wall clock).
func WithClock(now func() time.Time) Option {
	return func(o *options) { o.now = now }
}

// WithConfig adjusts the app's configuration (e.g. LOTSE_LEGAL_BASES_FILE).
func WithConfig(f func(*config.Config)) Option {
	return func(o *options) { o.config = append(o.config, f) }
}

// WithSeed adds data after the standard seed and before the app starts (so that the policy
// loads it).
func WithSeed(f func(ctx context.Context, w *World, tx *store.Tx) error) Option {
	return func(o *options) { o.seed = append(o.seed, f) }
}

// New builds a world on a fresh database and starts the app on it; everything is released
// when the test ends.
func New(t testing.TB, opts ...Option) *World {
	t.Helper()
	var o options
	for _, f := range opts {
		f(&o)
	}
	w := newCity(t, o)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := Config(w.URL)
	for _, f := range o.config {
		f(cfg)
	}
	a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(w.Log, &slog.HandlerOptions{Level: slog.LevelDebug})), false, app.Options{Identify: Identify, Now: o.now})
	if err != nil {
		t.Fatalf("world: start the app: %v", err)
	}
	t.Cleanup(a.Close)
	w.Handler, w.App = a.Handler(), a.Services()
	return w
}

// NewCity builds the world's city (organisations, users, grants and WithSeed's data) on a
// fresh database without starting the app, for tests of the services and below that act
// through the builders' services (Services, Actor) and the Store. Handler and App are nil;
// WithConfig and WithClock do not apply (the builders' services take a clock with SetClock).
func NewCity(t testing.TB, opts ...Option) *World {
	t.Helper()
	var o options
	for _, f := range opts {
		f(&o)
	}
	return newCity(t, o)
}

func newCity(t testing.TB, o options) *World {
	t.Helper()
	tdb := o.db
	if tdb == nil {
		tdb = testutil.NewDatabase(t)
	}
	d := testutil.Open(t, tdb.URL)
	w := &World{DB: d, Store: store.New(d.Gorm, nil), URL: tdb.URL, OwnerURL: tdb.OwnerURL, Log: &testutil.LogBuffer{}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := w.Store.Tx(ctx, model.Actor{System: true, Name: "world"}, func(tx *store.Tx) error {
		if err := w.seed(ctx, tx); err != nil {
			return err
		}
		for _, f := range o.seed {
			if err := f(ctx, w, tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("world: seed: %v", err)
	}
	return w
}

// Config is the app configuration of a world: the defaults of the command line (as the CLI
// parses them, so LOTSE_* variables of the environment count), a database, loopback
// addresses and debug logs.
func Config(dbURL string) *config.Config {
	var cfg config.Config
	p, err := kong.New(&cfg, kong.Exit(func(int) {}))
	if err == nil {
		_, err = p.Parse(nil)
	}
	if err != nil {
		panic(fmt.Sprintf("world: config defaults: %v", err))
	}
	cfg.DatabaseURL, cfg.DBMaxConns = dbURL, 4
	cfg.HTTPAddr, cfg.BaseURL = "127.0.0.1:0", "http://127.0.0.1"
	cfg.LogLevel, cfg.LogFormat, cfg.MetricsEnabled = "debug", "text", false
	return &cfg
}

// Identify is the test-only identifier: the user named in the X-Test-User header, or
// unauthenticated without one. The account itself is checked by the app as for any sign-in
// (unknown or deactivated accounts are refused).
func Identify(r *http.Request) (uuid.UUID, error) {
	h := strings.TrimSpace(r.Header.Get(UserHeader))
	if h == "" {
		return uuid.Nil, fmt.Errorf("world: no %s header: %w", UserHeader, model.ErrUnauthenticated)
	}
	id, err := uuid.Parse(h)
	if err != nil {
		return uuid.Nil, fmt.Errorf("world: bad %s header: %w", UserHeader, model.ErrUnauthenticated)
	}
	return id, nil
}

func (w *World) seed(ctx context.Context, tx *store.Tx) error {
	org := func(parent *model.Organisation, kind model.OrgKind, short, name string) (*model.Organisation, error) {
		o := &model.Organisation{Kind: kind, ShortName: short, Name: name, Active: true}
		if parent != nil {
			o.ParentID = &parent.ID
		}
		return o, tx.Organisations().Create(ctx, o)
	}
	var err error
	for _, o := range []struct {
		dst         **model.Organisation
		parent      **model.Organisation // nil for a root; filled by an earlier step
		kind        model.OrgKind
		short, name string
	}{
		{&w.City, nil, model.OrgMunicipal, "STADT", "Stadt Osnabrück"},
		{&w.Housing, &w.City, model.OrgMunicipal, "FB-WOHNEN", "Fachbereich Wohnen"},
		{&w.HousingNorth, &w.Housing, model.OrgMunicipal, "FB-WOHNEN-NORD", "Wohnen, Team Nord"},
		{&w.Migration, &w.City, model.OrgMunicipal, "FD-MIGRATION", "Fachdienst Migration und Integration"},
		{&w.Jobcenter, nil, model.OrgJobcenter, "JOBCENTER", "Jobcenter Stadt Osnabrück"},
		{&w.Caritas, nil, model.OrgWelfare, "CARITAS", "Caritasverband Osnabrück"},
		{&w.Diakonie, nil, model.OrgWelfare, "DIAKONIE", "Diakonisches Werk Osnabrück"},
	} {
		var parent *model.Organisation
		if o.parent != nil {
			parent = *o.parent
		}
		if *o.dst, err = org(parent, o.kind, o.short, o.name); err != nil {
			return err
		}
	}
	users := []struct {
		dst    **User
		name   string
		org    *model.Organisation
		role   model.Role
		active bool
	}{
		{&w.Sysadmin, "Sam Sysadmin", w.City, model.RoleSysadmin, true},
		{&w.DPO, "Dana Datenschutz", w.City, model.RoleDPO, true},
		{&w.Coordinator, "Kim Koordination", w.Migration, model.RoleCoordinator, true},
		{&w.HousingLead, "Lea Leitung", w.Housing, model.RoleLead, true},
		{&w.HousingAdmin, "Hans Admin-Wohnen", w.Housing, model.RoleOrgAdmin, true},
		{&w.HousingWorker, "Wiebke Wohnen", w.Housing, model.RoleCaseworker, true},
		{&w.NorthWorker, "Nils Nord", w.HousingNorth, model.RoleCaseworker, true},
		{&w.MigrationWorker, "Mira Migration", w.Migration, model.RoleCaseworker, true},
		{&w.JobcenterWorker, "Jonas Jobcenter", w.Jobcenter, model.RoleCaseworker, true},
		{&w.JobcenterAdmin, "Jana Admin-Jobcenter", w.Jobcenter, model.RoleOrgAdmin, true},
		{&w.CaritasAdmin, "Carla Admin-Caritas", w.Caritas, model.RoleOrgAdmin, true},
		{&w.CaritasWorker, "Chris Caritas", w.Caritas, model.RoleCaseworker, true},
		{&w.DiakonieAdmin, "Dirk Admin-Diakonie", w.Diakonie, model.RoleOrgAdmin, true},
		{&w.DiakonieWorker, "Doris Diakonie", w.Diakonie, model.RoleCaseworker, true},
		{&w.Inactive, "Ina Inaktiv", w.Housing, model.RoleCaseworker, false},
		{&w.NoRole, "Otto Ohnerolle", nil, "", true},
		// Last, so that the accounts above keep their subjects (world-NN) and addresses.
		{&w.HousingWorker2, "Willi Wohnen", w.Housing, model.RoleCaseworker, true},
	}
	for i, u := range users {
		sub := fmt.Sprintf("world-%02d", i)
		m := &model.User{Issuer: "https://idp.test", Subject: &sub, Email: sub + "@stadt.test", DisplayName: u.name, Active: u.active}
		if err := tx.Users().Create(ctx, m); err != nil {
			return err
		}
		wu := &User{ID: m.ID, Name: u.name}
		if u.org != nil {
			g := &model.Grant{UserID: m.ID, OrgID: u.org.ID, Role: u.role}
			if err := tx.Grants().Create(ctx, g); err != nil {
				return err
			}
			wu.Grants = append(wu.Grants, *g)
		}
		*u.dst = wu
		w.users = append(w.users, wu)
	}
	return nil
}

// Users lists every seeded user.
func (w *World) Users() []*User { return w.users }

// Enforcer builds a fresh policy enforcer over the world's database, for questions asked of
// the policy directly (separation of duties) rather than through HTTP.
func (w *World) Enforcer(t testing.TB) *authz.Enforcer {
	t.Helper()
	en, err := authz.New(context.Background(), func(ctx context.Context) (authz.Snapshot, error) {
		orgs, grants, err := w.Store.PolicySnapshot(ctx)
		return authz.Snapshot{Orgs: orgs, Grants: grants}, err
	})
	if err != nil {
		t.Fatalf("world: enforcer: %v", err)
	}
	return en
}

// Fingerprint summarises the directory tables (organisations, users, role_grants), the
// case-work tables (cases, persons, plans, consents, referrals, tasks, comments, notes) and
// the number of audit events; two equal fingerprints mean nothing was changed or recorded.
func (w *World) Fingerprint(t testing.TB) string {
	t.Helper()
	return testutil.Fingerprint(t, w.DB.SQL, fingerprinted...)
}

// fingerprinted are the tables whose every row counts for Fingerprint. Idempotency keys and
// sessions are bookkeeping of requests, not data.
var fingerprinted = []string{
	"organisations", "users", "role_grants", "reference_counters", "cases", "persons", "area_statuses",
	"consents", "consent_recipients", "referrals", "tasks", "task_comments", "notes",
}

// AuditEvents returns the audit events of one action on one object, oldest first.
func (w *World) AuditEvents(t testing.TB, action, objectID string) []model.AuditEvent {
	t.Helper()
	var out []model.AuditEvent
	if err := w.DB.Gorm.Where("action = ? AND object_id = ?", action, objectID).Order("id").Find(&out).Error; err != nil {
		t.Fatalf("world: audit events: %v", err)
	}
	return out
}
