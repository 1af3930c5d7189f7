package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/labstack/echo/v4"
	"go.opentelemetry.io/otel/trace"

	"github.com/lotse-project/lotse/internal/authz"
	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/jobs"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/tracing"
	"github.com/lotse-project/lotse/internal/web"
)

// App is one running Lotse process: configuration, database, migrator and HTTP server.
type App struct {
	cfg *config.Config
	log *slog.Logger
	db  *db.DB
	// replica is the pool on the read replica (LOTSE_DATABASE_REPLICA_URL); nil without one.
	replica  *db.DB
	migrator *db.Migrator
	store    *store.Store
	authz    *authz.Enforcer
	services *service.Services
	auth     web.Auth
	web      *web.Server
	jobs     *jobs.Runner
	// chain seals and verifies the audit trail (docs/audit.md).
	chain *service.AuditChain
	// tracing exports the spans of requests, statements and jobs (docs/tracing.md).
	tracing *tracing.Provider
}

// Options adjust how an App is built; the zero value is production.
type Options struct {
	// ExtraRoutes lets tests add routes, e.g. a deliberately slow one.
	ExtraRoutes func(e *echo.Echo)
	// Identify tells who signed a request; tests use it to act as a user.
	Identify web.Identifier
	// Now is the one clock of the process (default time.Now): sessions, token checks, the
	// services and, through them, the pages' "today". Tests move it.
	Now func() time.Time
	// HTTPClient talks to the identity providers (default: 10 s timeout).
	HTTPClient *http.Client
	// Jobs tunes the background jobs (tests: a short sweep interval).
	Jobs jobs.Config
	// MailTLS replaces the TLS configuration of the SMTP connection (tests: their own CA).
	MailTLS *tls.Config
}

// NewLogger builds the process logger. format "auto" resolves to autoFormat.
func NewLogger(cfg *config.Config, autoFormat string, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated before
	opts := &slog.HandlerOptions{Level: level}
	format := cfg.LogFormat
	if format == "auto" {
		format = autoFormat
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// openDB connects to url and prepares the migrator; tp, when set, traces its statements.
func openDB(ctx context.Context, url string, maxConns int32, log *slog.Logger, tp trace.TracerProvider) (*db.DB, *db.Migrator, error) {
	d, err := db.Open(ctx, url, db.Options{MaxConns: maxConns, Tracing: tp})
	if err != nil {
		return nil, nil, err
	}
	m, err := db.NewMigrator(d, log)
	if err != nil {
		d.Close()
		return nil, nil, err
	}
	return d, m, nil
}

// migrateUp applies pending migrations as the schema owner (LOTSE_MIGRATION_DATABASE_URL), on
// a small pool of its own that is closed before serving starts.
func migrateUp(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	if cfg.MigrationDatabaseURL == "" {
		return errors.New("LOTSE_MIGRATION_DATABASE_URL: is required to migrate: the URL of the schema owner role")
	}
	d, m, err := openDB(ctx, cfg.MigrationDatabaseURL, 2, log, nil)
	if err != nil {
		return fmt.Errorf("migration database: %w", err)
	}
	defer d.Close()
	// Several instances started at once wait for each other here (the migrator's advisory
	// lock): one applies the migrations, the others find nothing left to do.
	res, err := m.Up(ctx)
	if err != nil {
		return err
	}
	if len(res) > 0 {
		log.Info("migrated the schema", slog.Int("applied", len(res)), slog.Int64("version", res[len(res)-1].Source.Version))
	} else {
		log.Info("the schema is current, no migration to apply")
	}
	return nil
}

// New connects to the database as the application role (LOTSE_DATABASE_URL), migrates it
// first as the owner when migrate is set or else insists that the schema is current, refuses
// a role that could rewrite the audit trail, and builds the HTTP server.
func New(ctx context.Context, cfg *config.Config, log *slog.Logger, migrate bool, o Options) (*App, error) {
	if migrate {
		if err := migrateUp(ctx, cfg, log); err != nil {
			return nil, err
		}
	}
	// Traces of requests, statements and jobs when LOTSE_TRACING says so (docs/tracing.md);
	// log lines written within a trace name it (trace_id, span_id).
	tp, err := tracing.New(ctx, cfg.TracingEnabled(), Version(), log)
	if err != nil {
		return nil, err
	}
	var traced trace.TracerProvider
	if tp.On() {
		traced = tp
		log = slog.New(tracing.LogHandler(log.Handler()))
	}
	built := false
	defer func() {
		if !built {
			_ = tp.Close()
		}
	}()
	d, m, err := openDB(ctx, cfg.DatabaseURL, cfg.DBMaxConns, log, traced)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: log, db: d, migrator: m, tracing: tp}
	if err := m.Check(ctx); err != nil {
		d.Close()
		return nil, err
	}
	if err := d.CheckApplicationRole(ctx); err != nil {
		d.Close()
		return nil, err
	}
	// The one clock of the process (Options.Now, else the wall clock): the store takes it
	// here, and the services and through them the web pages read it from the store.
	a.store = store.New(d.Gorm, o.Now)
	if cfg.DatabaseReplicaURL != "" {
		// The heavy reads' replica (docs/read-replica.md): opened without insisting that it
		// answers, checked once now so that the first requests use it, then by Serve.
		if a.replica, err = db.Open(ctx, cfg.DatabaseReplicaURL, db.Options{MaxConns: cfg.DBMaxConns, Replica: true}); err != nil {
			d.Close()
			return nil, fmt.Errorf("read replica: %w", err)
		}
		a.store.SetReplica(a.replica.Gorm, store.ReplicaOptions{Log: log})
		if err := a.store.CheckReplica(ctx); err != nil {
			log.Warn("the read replica is not used for now, heavy reads go to the primary", slog.String("reason", err.Error()))
		}
	}
	a.authz, err = authz.New(ctx, a.policySnapshot, authz.WithLogger(log))
	if err != nil {
		d.Close()
		return nil, err
	}
	a.services = service.New(a.store, a.authz, log)
	bases, err := config.LoadLegalBases(cfg.LegalBasesFile) // validated with the config already
	if err != nil {
		d.Close()
		return nil, err
	}
	a.services.SetLegalBases(bases)
	rules, err := config.LoadReminderRules(cfg.RemindersFile) // validated with the config already
	if err != nil {
		d.Close()
		return nil, err
	}
	a.services.SetReminderRules(rules)
	retention, err := config.LoadRetentionRules(cfg.RetentionFile) // validated with the config already
	if err != nil {
		d.Close()
		return nil, err
	}
	a.services.Retention.SetRules(retention)
	if cfg.EmergencyAccessDuration > 0 { // validated with the config (15m to 24h); zero in tests that build no config
		a.services.Emergency.SetDuration(cfg.EmergencyAccessDuration)
	}
	jobsCfg, err := mailJobs(cfg, a.services, o, log)
	if err != nil {
		d.Close()
		return nil, err
	}
	if a.chain, err = auditChain(cfg, a.store, log); err != nil {
		d.Close()
		return nil, err
	}
	// The officer's check of the chain (/protokoll/kette) uses the installation's key, as
	// lotse audit verify does without --public-key.
	keys, err := verificationKeys(cfg, nil)
	if err != nil {
		d.Close()
		return nil, err
	}
	a.services.Audit.SetVerifyKeys(keys)
	jobsCfg.Register = append(jobsCfg.Register, jobs.RegisterAuditSeal(a.chain, cfg.AuditSealEvery, log))
	jobsCfg.Tracing = traced
	if a.jobs, err = jobs.New(d.SQL, a.services, jobsCfg, log); err != nil {
		d.Close()
		return nil, err
	}
	if a.auth, err = buildAuth(cfg, d, o); err != nil {
		d.Close()
		return nil, err
	}
	secure, _ := cfg.SecureCookies()
	proxies, _ := cfg.ProxyNets()
	a.web, err = web.New(web.Deps{
		Auth:           a.auth,
		BaseURL:        cfg.BaseURL,
		Secure:         secure,
		TrustedProxies: proxies,
		LoginRateLimit: cfg.LoginRateLimit,
		LoginLimiter:   a.store.LoginLimiter(cfg.LoginRateLimit, web.LoginBurst),
		Log:            log,
		Ready:          a,
		Services:       a.services,
		Identify:       o.Identify,
		BodyLimit:      cfg.BodyLimit,
		Metrics:        cfg.MetricsEnabled,
		Queries:        d.Queries,
		Tracing:        traced,
		ExtraRoutes:    o.ExtraRoutes,
		// Twice the pool: while one request renders what it read, another uses the
		// connection; more would only wait inside for a connection.
		MaxInFlight: 2 * int(cfg.DBMaxConns),
	})
	if err != nil {
		d.Close()
		return nil, err
	}
	built = true
	return a, nil
}

// policySnapshot reads what the enforcer keeps: the grants and the catalogue of areas and
// organisations the pages label with (model.Catalogue), reloaded together.
func (a *App) policySnapshot(ctx context.Context) (authz.Snapshot, error) {
	orgs, grants, err := a.store.PolicySnapshot(ctx)
	if err != nil {
		return authz.Snapshot{}, err
	}
	cat, err := a.store.Catalogue(ctx)
	return authz.Snapshot{Orgs: orgs, Grants: grants, Catalogue: cat}, err
}

// watchPolicy keeps this instance's policy current until ctx ends, on its own connection.
func (a *App) watchPolicy(ctx context.Context) {
	cfg := a.db.Pool.Config().ConnConfig.Copy()
	_ = a.authz.Watch(ctx, func(ctx context.Context) (*pgx.Conn, error) { return pgx.ConnectConfig(ctx, cfg) }, a.log)
}

// sweepOnce is one round of the periodic sweep, as the job runner works it.
func (a *App) sweepOnce(ctx context.Context) {
	if err := jobs.Sweep(ctx, a.services, a.log); err != nil && ctx.Err() == nil {
		a.log.Error("the sweep failed", slog.Any("error", err))
	}
}

// Services are the app's services, for what builds on them outside the HTTP server (the
// development variant's demo data).
func (a *App) Services() *service.Services { return a.services }

// Log is the app's logger.
func (a *App) Log() *slog.Logger { return a.log }

// Handler is the HTTP handler of the app.
func (a *App) Handler() http.Handler { return a.web }

// Routes lists every registered route, for tests that walk the router (e.g. that every
// unsafe route refuses cross-site requests).
func (a *App) Routes() []*echo.Route { return a.web.Echo().Routes() }

// Close releases the session cleanup and the database pool, and sends the spans still
// buffered.
func (a *App) Close() {
	if a.auth.Sessions != nil {
		a.auth.Sessions.Close()
	}
	a.db.Close()
	if err := a.tracing.Close(); err != nil {
		a.log.Warn("spans still buffered at shutdown were lost", slog.Any("error", err))
	}
	if a.replica != nil {
		a.replica.Close()
	}
}

// Ready implements web.Checker: the database answers and its schema is current.
func (a *App) Ready(ctx context.Context) map[string]error {
	out := map[string]error{"database": a.db.Ping(ctx)}
	if out["database"] != nil {
		out["database"] = errors.New(strings.TrimPrefix(out["database"].Error(), "db: "))
		out["schema"] = errors.New("unknown: the database is unreachable")
		return out
	}
	if err := a.migrator.Check(ctx); err != nil {
		out["schema"] = errors.New(strings.TrimPrefix(err.Error(), "db: "))
	} else {
		out["schema"] = nil
	}
	return out
}

// Serve listens on ln until ctx is cancelled (SIGTERM or SIGINT), then drains: /readyz answers
// 503 for LOTSE_SHUTDOWN_READINESS_DELAY while requests are still served (each closing its
// connection), then it stops accepting new connections, lets in-flight requests finish within
// LOTSE_SHUTDOWN_GRACE and returns.
// The database pool is closed by the caller after Serve returns.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.web,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       a.cfg.ReadTimeout,
		WriteTimeout:      a.cfg.WriteTimeout,
		IdleTimeout:       a.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	watchCtx, stopWatch := context.WithCancel(context.WithoutCancel(ctx))
	watched := make(chan struct{})
	go func() { defer close(watched); a.watchPolicy(watchCtx) }()
	replicaWatched := make(chan struct{})
	go func() { defer close(replicaWatched); a.store.WatchReplica(watchCtx) }()
	defer func() { stopWatch(); <-watched; <-replicaWatched }()
	// Background jobs (reminders, e-mails, the sweep) on River; they stop after the HTTP
	// server, so that a request's job is worked by this instance or, once it is gone, another.
	if err := a.jobs.Start(watchCtx); err != nil {
		return err
	}
	defer func() {
		jctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownGrace)
		defer cancel()
		if err := a.jobs.Stop(jctx); err != nil {
			a.log.Warn("background jobs still running at shutdown were cut off", slog.Any("error", err))
		}
	}()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	// Readiness goes 503 first while requests are still served, so that the load balancer
	// stops sending new ones before the listener closes; then stop accepting and let the
	// requests in flight finish.
	a.web.Drain()
	a.log.Info("draining", slog.Duration("readiness_delay", a.cfg.ReadinessDelay))
	if a.cfg.ReadinessDelay > 0 {
		select {
		case <-time.After(a.cfg.ReadinessDelay):
		case err := <-errc:
			return fmt.Errorf("http server: %w", err)
		}
	}
	a.log.Info("shutting down", slog.Duration("grace", a.cfg.ShutdownGrace))
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
		a.log.Warn("requests still running after the grace period were cut off", slog.Any("error", err))
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server: %w", err)
	}
	a.log.Info("stopped")
	return nil
}

// Listen opens the TCP listener with a clear message when the address is taken.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		var se *net.OpError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("cannot listen on %s: %v", addr, se.Err)
		}
		return nil, fmt.Errorf("cannot listen on %s: %w", addr, err)
	}
	return ln, nil
}
