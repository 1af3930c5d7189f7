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

	"github.com/lotse-project/lotse/internal/authz"
	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/jobs"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/web"
)

// App is one running Lotse process: configuration, database, migrator and HTTP server.
type App struct {
	cfg      *config.Config
	log      *slog.Logger
	db       *db.DB
	migrator *db.Migrator
	store    *store.Store
	authz    *authz.Enforcer
	services *service.Services
	auth     web.Auth
	web      *web.Server
	jobs     *jobs.Runner
	// chain seals and verifies the audit trail (docs/audit.md).
	chain *service.AuditChain
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

// openDB connects to url and prepares the migrator.
func openDB(ctx context.Context, url string, maxConns int32, log *slog.Logger) (*db.DB, *db.Migrator, error) {
	d, err := db.Open(ctx, url, db.Options{MaxConns: maxConns})
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
	d, m, err := openDB(ctx, cfg.MigrationDatabaseURL, 2, log)
	if err != nil {
		return fmt.Errorf("migration database: %w", err)
	}
	defer d.Close()
	_, err = m.Up(ctx)
	return err
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
	d, m, err := openDB(ctx, cfg.DatabaseURL, cfg.DBMaxConns, log)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, log: log, db: d, migrator: m}
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
	jobsCfg.Register = append(jobsCfg.Register, jobs.RegisterAuditSeal(a.chain, cfg.AuditSealEvery, log))
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
		Log:            log,
		Ready:          a,
		Services:       a.services,
		Identify:       o.Identify,
		BodyLimit:      cfg.BodyLimit,
		Metrics:        cfg.MetricsEnabled,
		Queries:        d.Queries,
		ExtraRoutes:    o.ExtraRoutes,
	})
	if err != nil {
		d.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) policySnapshot(ctx context.Context) (authz.Snapshot, error) {
	orgs, grants, err := a.store.PolicySnapshot(ctx)
	return authz.Snapshot{Orgs: orgs, Grants: grants}, err
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

// Close releases the session cleanup and the database pool.
func (a *App) Close() {
	if a.auth.Sessions != nil {
		a.auth.Sessions.Close()
	}
	a.db.Close()
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

// Serve listens on ln until ctx is cancelled (SIGTERM or SIGINT), then stops accepting new
// connections, lets in-flight requests finish within the configured grace period and returns.
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
	defer func() { stopWatch(); <-watched }()
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
