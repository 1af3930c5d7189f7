package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/alecthomas/kong"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lotse-project/lotse/internal/auditchain"
	"github.com/lotse-project/lotse/internal/tracing"
)

// Config is the whole runtime configuration. Every field carries its environment variable,
// its default and a help text; kong turns them into flags (e.g. --http-addr) as well.
// Fields tagged secret also accept NAME_FILE, the path of a file holding the value, so that
// secrets can come from container secrets instead of the environment.
type Config struct {
	DatabaseURL          string `name:"database-url" env:"LOTSE_DATABASE_URL" secret:"" help:"PostgreSQL URL of the application role the server runs as (postgres://lotse_server:pass@host:5432/lotse): a member of lotse_app that owns nothing. Required for serve, directory and policy check (and lotse-dev seed); lotse-dev dev finds or starts a local server when empty."`
	MigrationDatabaseURL string `name:"migration-database-url" env:"LOTSE_MIGRATION_DATABASE_URL" secret:"" help:"PostgreSQL URL of the owner role that runs the migrations (lotse migrate, serve --migrate, lotse-dev dev). Never used for serving; there is no fallback to LOTSE_DATABASE_URL."`
	DatabaseReplicaURL   string `name:"database-replica-url" env:"LOTSE_DATABASE_REPLICA_URL" secret:"" help:"PostgreSQL URL of a read replica (a hot standby of the database, as the application role) for the heavy reads: statistics, team dashboards and list downloads (see docs/read-replica.md). Empty: everything reads the primary, as it also does while the replica is unreachable or lags."`
	DBMaxConns           int32  `name:"db-max-conns" env:"LOTSE_DB_MAX_CONNS" default:"20" help:"Maximum number of connections in the database pool."`

	HTTPAddr       string        `name:"http-addr" env:"LOTSE_HTTP_ADDR" default:"127.0.0.1:8080" help:"Address the HTTP server listens on (host:port)."`
	BaseURL        string        `name:"base-url" env:"LOTSE_BASE_URL" default:"http://127.0.0.1:8080" help:"Public URL under which users reach Lotse; used for links and login redirects."`
	ReadTimeout    time.Duration `name:"read-timeout" env:"LOTSE_READ_TIMEOUT" default:"30s" help:"Maximum time to read a whole request, body included."`
	WriteTimeout   time.Duration `name:"write-timeout" env:"LOTSE_WRITE_TIMEOUT" default:"60s" help:"Maximum time to write a response."`
	IdleTimeout    time.Duration `name:"idle-timeout" env:"LOTSE_IDLE_TIMEOUT" default:"120s" help:"How long an idle keep-alive connection stays open."`
	BodyLimit      string        `name:"body-limit" env:"LOTSE_BODY_LIMIT" default:"1M" help:"Largest accepted request body (e.g. 512K, 1M, 10M)."`
	MemoryLimit    string        `name:"memory-limit" env:"LOTSE_MEMORY_LIMIT" default:"120M" help:"Soft limit of the server's memory (lotse serve, lotse-dev dev): near it Go's garbage collector runs more often and gives memory back, so a burst of requests does not hold on to it (e.g. 120M, 1G); off: none. GOMEMLIMIT, when set, is used instead."`
	ShutdownGrace  time.Duration `name:"shutdown-grace" env:"LOTSE_SHUTDOWN_GRACE" default:"15s" help:"How long in-flight requests may take to finish after SIGTERM or SIGINT."`
	ReadinessDelay time.Duration `name:"shutdown-readiness-delay" env:"LOTSE_SHUTDOWN_READINESS_DELAY" default:"5s" help:"After SIGTERM or SIGINT, how long /readyz answers 503 (draining) while requests are still served, so that the load balancer stops sending traffic before the server stops accepting (between 0s and 5m)."`
	LogLevel       string        `name:"log-level" env:"LOTSE_LOG_LEVEL" default:"info" help:"Log level: debug, info, warn or error."`
	LogFormat      string        `name:"log-format" env:"LOTSE_LOG_FORMAT" default:"auto" help:"Log format: json, text, or auto (json for serve, text for dev)."`
	MetricsEnabled bool          `name:"metrics" env:"LOTSE_METRICS" default:"true" negatable:"" help:"Serve Prometheus metrics at /metrics."`
	Tracing        string        `name:"tracing" env:"LOTSE_TRACING" default:"auto" help:"OpenTelemetry traces of requests, SQL statements and jobs over OTLP/HTTP: on, off, or auto (on when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set). The standard OTEL_* variables configure the exporter (see docs/tracing.md)."`

	OIDCIssuer        string `name:"oidc-issuer" env:"LOTSE_OIDC_ISSUER" help:"Issuer URL of the OpenID Connect provider for sign-in (one provider; several via LOTSE_OIDC_PROVIDERS_FILE)."`
	OIDCClientID      string `name:"oidc-client-id" env:"LOTSE_OIDC_CLIENT_ID" help:"Client id of Lotse at that provider."`
	OIDCClientSecret  string `name:"oidc-client-secret" env:"LOTSE_OIDC_CLIENT_SECRET" secret:"" help:"Client secret of Lotse at that provider."`
	OIDCName          string `name:"oidc-name" env:"LOTSE_OIDC_NAME" default:"Anmeldung" help:"Name of the provider on the login page."`
	OIDCTrustEmail    bool   `name:"oidc-trust-email" env:"LOTSE_OIDC_TRUST_EMAIL" help:"Link a first sign-in to an account pre-provisioned by e-mail when the provider says the e-mail is verified."`
	OIDCAPIAudience   string `name:"oidc-api-audience" env:"LOTSE_OIDC_API_AUDIENCE" help:"Audience that bearer access tokens for /api/v1 must carry; empty disables bearer tokens from this provider."`
	OIDCProvidersFile string `name:"oidc-providers-file" env:"LOTSE_OIDC_PROVIDERS_FILE" help:"YAML file listing several OpenID Connect providers (see docs/login.md)."`

	SessionIdleTimeout time.Duration `name:"session-idle-timeout" env:"LOTSE_SESSION_IDLE_TIMEOUT" default:"30m" help:"A session ends after this long without a request."`
	SessionLifetime    time.Duration `name:"session-lifetime" env:"LOTSE_SESSION_LIFETIME" default:"10h" help:"A session ends this long after sign-in, however active."`
	CookieSecure       string        `name:"cookie-secure" env:"LOTSE_COOKIE_SECURE" default:"auto" help:"Secure session cookie with the __Host- prefix: true, false (plain-http development only) or auto (true when LOTSE_BASE_URL is https)."`
	TrustedProxies     []string      `name:"trusted-proxies" env:"LOTSE_TRUSTED_PROXIES" help:"Comma-separated networks (CIDR) of reverse proxies whose X-Forwarded-For header names the client address."`
	LoginRateLimit     float64       `name:"login-rate-limit" env:"LOTSE_LOGIN_RATE_LIMIT" default:"0.5" help:"Sign-in attempts per second and client address allowed on the login and callback routes (bursts of 20), for all instances together (the buckets are in the database)."`

	SMTPHost     string `name:"smtp-host" env:"LOTSE_SMTP_HOST" help:"SMTP server for the notification e-mails (see docs/email.md); empty: no e-mails, the bell only."`
	SMTPPort     int    `name:"smtp-port" env:"LOTSE_SMTP_PORT" default:"587" help:"Port of the SMTP server (587 for starttls, 465 for tls)."`
	SMTPUsername string `name:"smtp-username" env:"LOTSE_SMTP_USERNAME" help:"User name for SMTP AUTH; empty: no authentication."`
	SMTPPassword string `name:"smtp-password" env:"LOTSE_SMTP_PASSWORD" secret:"" help:"Password for SMTP AUTH."`
	SMTPFrom     string `name:"smtp-from" env:"LOTSE_SMTP_FROM" help:"Sender address of the e-mails (e.g. lotse@stadt.example); required with LOTSE_SMTP_HOST."`
	SMTPTLS      string `name:"smtp-tls" env:"LOTSE_SMTP_TLS" default:"starttls" help:"Transport security: starttls (mandatory STARTTLS), tls (implicit TLS, port 465) or none (unencrypted, only for a server on loopback)."`
	DigestTime   string `name:"digest-time" env:"LOTSE_DIGEST_TIME" default:"07:00" help:"Time of day (HH:MM, Europe/Berlin) at which the daily digest e-mails go out, on working days."`

	LegalBasesFile string `name:"legal-bases-file" env:"LOTSE_LEGAL_BASES_FILE" help:"YAML file listing the legal bases a referral may rest on without a consent, each with the person data categories it releases (see docs/sharing.md); empty: the built-in list, identity only."`
	RemindersFile  string `name:"reminders-file" env:"LOTSE_REMINDERS_FILE" help:"YAML file tuning the reminder rules: working days before a referral's reply deadline, working days before an escalation to the department head, days before a consent ends (see docs/reminders.md); empty: 2, 3 and 14."`
	RetentionFile  string `name:"retention-file" env:"LOTSE_RETENTION_FILE" help:"YAML file tuning the retention rules: years after a case was closed, months after a referral ended unworked, months after a consent ended until its evidence goes, days after a notification was read (see docs/retention.md); empty: 3, 12, 0 and 90."`
	// EmergencyAccessDuration is how long an emergency access lasts (docs/emergency-access.md).
	EmergencyAccessDuration time.Duration `name:"emergency-access-duration" env:"LOTSE_EMERGENCY_ACCESS_DURATION" default:"4h" help:"How long an emergency access (Notfallzugriff) to a case outside the caseworker's scope lasts (between 15m and 24h; see docs/emergency-access.md)."`

	AuditSigningKey      string        `name:"audit-signing-key" env:"LOTSE_AUDIT_SIGNING_KEY" secret:"" help:"Ed25519 private key that signs the audit chain's checkpoints: PEM (PKCS #8, as lotse audit keygen writes it) or a 32-byte seed in hex or base64; usually given as LOTSE_AUDIT_SIGNING_KEY_FILE (see docs/audit.md). Empty: the chain is sealed but no checkpoint is signed."`
	AuditEarlierKeysFile string        `name:"audit-earlier-keys-file" env:"LOTSE_AUDIT_EARLIER_KEYS_FILE" help:"PEM file with the public keys of the audit signing keys used before a rotation (one PUBLIC KEY block each), so that lotse audit verify and prune without --public-key still check the checkpoints they signed (see docs/audit.md)."`
	AuditCheckpointEvery time.Duration `name:"audit-checkpoint-every" env:"LOTSE_AUDIT_CHECKPOINT_EVERY" default:"1h" help:"Least time between two signed checkpoints of the audit chain (between 1m and 24h)."`
	AuditSealEvery       time.Duration `name:"audit-seal-every" env:"LOTSE_AUDIT_SEAL_EVERY" default:"1m" help:"How often the elected instance appends new audit events to the hash chain (between 1s and 1h)."`
}

// LogLevels and LogFormats are the accepted values of LOTSE_LOG_LEVEL and LOTSE_LOG_FORMAT.
var (
	LogLevels  = []string{"debug", "info", "warn", "error"}
	LogFormats = []string{"auto", "json", "text"}
)

// Validate checks every field and returns all problems at once, one per line, so that an
// operator fixes a broken deployment in one round instead of one error per restart.
// requireDB says whether the command serves and so needs LOTSE_DATABASE_URL; it is false for
// commands that can find a database themselves (lotse-dev dev). Validate(b) is ValidateFor(b, false).
func (c *Config) Validate(requireDB bool) error { return c.ValidateFor(requireDB, false) }

// ValidateFor is Validate for a command that needs the serving URL (serving), the migration
// URL (migrating), both or neither. A URL that is set is always checked.
//
// There is deliberately no fallback from one URL to the other: migrating with the
// application role fails for want of ownership, and serving with the owner's URL is what the
// two roles exist to prevent (serve refuses it).
func (c *Config) ValidateFor(serving, migrating bool) error {
	var errs []error
	bad := func(env, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", env, fmt.Sprintf(format, args...)))
	}
	for _, u := range []struct {
		env, value string
		required   bool
		missing    string
	}{
		{"LOTSE_DATABASE_URL", c.DatabaseURL, serving, "is required: the URL of the application role (e.g. postgres://lotse_server@localhost:5432/lotse)"},
		{"LOTSE_MIGRATION_DATABASE_URL", c.MigrationDatabaseURL, migrating, "is required to migrate: the URL of the schema owner role (e.g. postgres://lotse_owner@localhost:5432/lotse)"},
		{"LOTSE_DATABASE_REPLICA_URL", c.DatabaseReplicaURL, false, ""},
	} {
		if u.value == "" && u.required {
			bad(u.env, "%s", u.missing)
		} else if u.value != "" {
			if err := checkDatabaseURL(u.value); err != nil {
				bad(u.env, "%v", err)
			}
		}
	}
	if c.DatabaseURL != "" && c.DatabaseURL == c.MigrationDatabaseURL {
		bad("LOTSE_MIGRATION_DATABASE_URL", "must differ from LOTSE_DATABASE_URL: the server runs as an application role that owns nothing, the migrations as the owner")
	}
	if c.DatabaseReplicaURL != "" && c.DatabaseReplicaURL == c.MigrationDatabaseURL {
		bad("LOTSE_DATABASE_REPLICA_URL", "must not be the owner's URL (LOTSE_MIGRATION_DATABASE_URL): the replica is read as the application role")
	}
	if c.DBMaxConns < 2 || c.DBMaxConns > 1000 {
		bad("LOTSE_DB_MAX_CONNS", "must be between 2 and 1000, got %d", c.DBMaxConns)
	}
	if _, port, err := net.SplitHostPort(c.HTTPAddr); err != nil || port == "" {
		bad("LOTSE_HTTP_ADDR", "must be host:port (e.g. 127.0.0.1:8080 or :8080), got %q", c.HTTPAddr)
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("LOTSE_BASE_URL", "must be an absolute http or https URL (e.g. https://lotse.stadt.example), got %q", c.BaseURL)
	} else if u.RawQuery != "" || u.Fragment != "" {
		bad("LOTSE_BASE_URL", "must not have a query or fragment")
	}
	for _, d := range []struct {
		env string
		v   time.Duration
	}{
		{"LOTSE_READ_TIMEOUT", c.ReadTimeout},
		{"LOTSE_WRITE_TIMEOUT", c.WriteTimeout},
		{"LOTSE_IDLE_TIMEOUT", c.IdleTimeout},
	} {
		if d.v <= 0 {
			bad(d.env, "must be a positive duration (e.g. 30s), got %s", d.v)
		}
	}
	if c.ShutdownGrace < 0 || c.ShutdownGrace > 10*time.Minute {
		bad("LOTSE_SHUTDOWN_GRACE", "must be between 0s and 10m, got %s", c.ShutdownGrace)
	}
	if c.ReadinessDelay < 0 || c.ReadinessDelay > 5*time.Minute {
		bad("LOTSE_SHUTDOWN_READINESS_DELAY", "must be between 0s and 5m, got %s", c.ReadinessDelay)
	}
	if _, err := ParseSize(c.BodyLimit); err != nil {
		bad("LOTSE_BODY_LIMIT", "%v", err)
	}
	if c.MemoryLimit != "off" {
		if n, err := ParseSize(c.MemoryLimit); err != nil {
			bad("LOTSE_MEMORY_LIMIT", "%v, or off", err)
		} else if n < 32<<20 {
			bad("LOTSE_MEMORY_LIMIT", "must be at least 32M (Lotse itself needs about 60M), got %q", c.MemoryLimit)
		}
	}
	if !contains(LogLevels, c.LogLevel) {
		bad("LOTSE_LOG_LEVEL", "must be one of %s, got %q", strings.Join(LogLevels, ", "), c.LogLevel)
	}
	if !contains(LogFormats, c.LogFormat) {
		bad("LOTSE_LOG_FORMAT", "must be one of %s, got %q", strings.Join(LogFormats, ", "), c.LogFormat)
	}
	if c.Tracing != "" && !contains(tracing.Modes, c.Tracing) { // empty: built in code, auto
		bad("LOTSE_TRACING", "must be one of %s, got %q", strings.Join(tracing.Modes, ", "), c.Tracing)
	}
	if (c.OIDCIssuer != "") != (c.OIDCClientID != "") {
		bad("LOTSE_OIDC_ISSUER", "LOTSE_OIDC_ISSUER and LOTSE_OIDC_CLIENT_ID go together")
	}
	if c.OIDCIssuer != "" {
		if u, err := url.Parse(c.OIDCIssuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("LOTSE_OIDC_ISSUER", "must be an absolute URL, got %q", c.OIDCIssuer)
		}
	}
	if c.OIDCAPIAudience != "" && c.OIDCAPIAudience == c.OIDCClientID {
		bad("LOTSE_OIDC_API_AUDIENCE", "must differ from the client id, so that ID tokens are never accepted as API tokens")
	}
	if c.LegalBasesFile != "" {
		if _, err := LoadLegalBases(c.LegalBasesFile); err != nil {
			errs = append(errs, err)
		}
	}
	if c.RemindersFile != "" {
		if _, err := LoadReminderRules(c.RemindersFile); err != nil {
			errs = append(errs, err)
		}
	}
	if c.RetentionFile != "" {
		if _, err := LoadRetentionRules(c.RetentionFile); err != nil {
			errs = append(errs, err)
		}
	}
	if c.EmergencyAccessDuration < 15*time.Minute || c.EmergencyAccessDuration > 24*time.Hour {
		bad("LOTSE_EMERGENCY_ACCESS_DURATION", "must be between 15m and 24h, got %s", c.EmergencyAccessDuration)
	}
	if c.SessionIdleTimeout < time.Minute || c.SessionIdleTimeout > 24*time.Hour {
		bad("LOTSE_SESSION_IDLE_TIMEOUT", "must be between 1m and 24h, got %s", c.SessionIdleTimeout)
	}
	if c.SessionLifetime < c.SessionIdleTimeout || c.SessionLifetime > 7*24*time.Hour {
		bad("LOTSE_SESSION_LIFETIME", "must be at least the idle timeout and at most 168h, got %s", c.SessionLifetime)
	}
	if _, err := c.SecureCookies(); err != nil {
		bad("LOTSE_COOKIE_SECURE", "%v", err)
	}
	if c.LoginRateLimit <= 0 || c.LoginRateLimit > 1000 {
		bad("LOTSE_LOGIN_RATE_LIMIT", "must be between 0 and 1000 per second, got %g", c.LoginRateLimit)
	}
	if _, err := c.ProxyNets(); err != nil {
		bad("LOTSE_TRUSTED_PROXIES", "%v", err)
	}
	errs = append(errs, c.validateMail()...)
	errs = append(errs, c.validateAudit()...)
	if len(errs) == 0 {
		return nil
	}
	return &Error{Problems: errs}
}

// SecureCookies resolves LOTSE_COOKIE_SECURE: auto means secure exactly when the base URL is
// https. Insecure cookies are for plain-http development on loopback only.
func (c *Config) SecureCookies() (bool, error) {
	switch c.CookieSecure {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "auto", "":
		return strings.HasPrefix(c.BaseURL, "https://"), nil
	}
	return false, fmt.Errorf("must be true, false or auto, got %q", c.CookieSecure)
}

// TracingEnabled resolves LOTSE_TRACING: on and off say so; auto (and empty, a configuration
// built in code) is on when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT
// is set, unless OTEL_SDK_DISABLED=true.
func (c *Config) TracingEnabled() bool { return tracing.Enabled(c.Tracing, os.Getenv) }

// ProxyNets parses LOTSE_TRUSTED_PROXIES.
func (c *Config) ProxyNets() ([]*net.IPNet, error) {
	var out []*net.IPNet
	for _, s := range c.TrustedProxies {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not a network in CIDR notation (e.g. 10.0.0.0/8)", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// SMTPTLSModes are the accepted values of LOTSE_SMTP_TLS.
var SMTPTLSModes = []string{"starttls", "tls", "none"}

// DigestClock parses LOTSE_DIGEST_TIME (HH:MM, 24 hours) into hour and minute; empty (a
// configuration built in code, not parsed) is the default 07:00.
func (c *Config) DigestClock() (hour, minute int, err error) {
	if c.DigestTime == "" {
		return 7, 0, nil
	}
	t, perr := time.Parse("15:04", c.DigestTime)
	if perr != nil || len(c.DigestTime) != 5 {
		return 0, 0, fmt.Errorf("must be a time of day as HH:MM (e.g. 07:00), got %q", c.DigestTime)
	}
	return t.Hour(), t.Minute(), nil
}

// validateMail checks the e-mail settings: without LOTSE_SMTP_HOST e-mail is off and only the
// digest time is checked; with it, the sender address, port and transport security must make
// sense, and unencrypted SMTP is refused unless the server is on loopback.
func (c *Config) validateMail() []error {
	var errs []error
	bad := func(env, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", env, fmt.Sprintf(format, args...)))
	}
	if _, _, err := c.DigestClock(); err != nil {
		bad("LOTSE_DIGEST_TIME", "%v", err)
	}
	if c.SMTPHost == "" {
		return errs
	}
	if strings.ContainsAny(c.SMTPHost, ":/ ") {
		bad("LOTSE_SMTP_HOST", "must be a host name or address without port or scheme (the port is LOTSE_SMTP_PORT), got %q", c.SMTPHost)
	}
	if c.SMTPPort < 1 || c.SMTPPort > 65535 {
		bad("LOTSE_SMTP_PORT", "must be between 1 and 65535, got %d", c.SMTPPort)
	}
	if a, err := mail.ParseAddress(c.SMTPFrom); c.SMTPFrom == "" || err != nil || a.Address != c.SMTPFrom {
		bad("LOTSE_SMTP_FROM", "must be a plain e-mail address (e.g. lotse@stadt.example) when LOTSE_SMTP_HOST is set, got %q", c.SMTPFrom)
	}
	if !contains(SMTPTLSModes, c.SMTPTLS) {
		bad("LOTSE_SMTP_TLS", "must be one of %s, got %q", strings.Join(SMTPTLSModes, ", "), c.SMTPTLS)
	} else if c.SMTPTLS == "none" && !isLoopback(c.SMTPHost) {
		bad("LOTSE_SMTP_TLS", "none sends mail and password unencrypted and is allowed only for a server on loopback (localhost, 127.0.0.1, ::1), not %q", c.SMTPHost)
	}
	if (c.SMTPUsername == "") != (c.SMTPPassword == "") {
		bad("LOTSE_SMTP_USERNAME", "LOTSE_SMTP_USERNAME and LOTSE_SMTP_PASSWORD go together")
	}
	return errs
}

// validateAudit checks the settings of the tamper-evident audit. The key's text never
// appears in a message.
func (c *Config) validateAudit() []error {
	var errs []error
	if c.AuditSigningKey != "" {
		if _, err := auditchain.ParsePrivateKey(c.AuditSigningKey); err != nil {
			errs = append(errs, fmt.Errorf("LOTSE_AUDIT_SIGNING_KEY: %w", err))
		}
	}
	// Zero is a configuration built in code, not parsed: the defaults.
	if c.AuditCheckpointEvery != 0 && (c.AuditCheckpointEvery < time.Minute || c.AuditCheckpointEvery > 24*time.Hour) {
		errs = append(errs, fmt.Errorf("LOTSE_AUDIT_CHECKPOINT_EVERY: must be between 1m and 24h, got %s", c.AuditCheckpointEvery))
	}
	if c.AuditSealEvery != 0 && (c.AuditSealEvery < time.Second || c.AuditSealEvery > time.Hour) {
		errs = append(errs, fmt.Errorf("LOTSE_AUDIT_SEAL_EVERY: must be between 1s and 1h, got %s", c.AuditSealEvery))
	}
	return errs
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Error lists every configuration problem found by Validate.
type Error struct{ Problems []error }

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = "  - " + p.Error()
	}
	return fmt.Sprintf("invalid configuration (%d problems):\n%s", len(e.Problems), strings.Join(lines, "\n"))
}

// Unwrap lets errors.Is and errors.As look at each problem.
func (e *Error) Unwrap() []error { return e.Problems }

func checkDatabaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		// url.Parse echoes the input, which may hold a password: name the problem only.
		return errors.New("is not a valid URL")
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return fmt.Errorf("must start with postgres:// or postgresql://, got scheme %q", u.Scheme)
	}
	if u.Host == "" && u.Query().Get("host") == "" {
		return errors.New("names no host")
	}
	if strings.TrimPrefix(u.Path, "/") == "" {
		return errors.New("names no database")
	}
	if _, err := pgconn.ParseConfig(s); err != nil {
		// Not err itself: pgconn's message may repeat the URL with its password.
		return errors.New("is not a valid PostgreSQL connection URL (check port and parameters)")
	}
	return nil
}

// RedactURL hides the password of a connection URL for logs and messages.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// ParseSize reads a byte size such as 512K, 1M or 2G (powers of 1024).
func ParseSize(s string) (int64, error) {
	t := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	switch {
	case strings.HasSuffix(t, "K"):
		mult, t = 1<<10, strings.TrimSuffix(t, "K")
	case strings.HasSuffix(t, "M"):
		mult, t = 1<<20, strings.TrimSuffix(t, "M")
	case strings.HasSuffix(t, "G"):
		mult, t = 1<<30, strings.TrimSuffix(t, "G")
	}
	var n int64
	if _, err := fmt.Sscanf(t, "%d", &n); err != nil || n <= 0 || fmt.Sprint(n) != t {
		return 0, fmt.Errorf("must be a positive size like 512K, 1M or 10M, got %q", s)
	}
	return n * mult, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// FileResolver is a kong resolver that reads a secret field from the file named by its
// environment variable with a _FILE suffix (LOTSE_DATABASE_URL_FILE). Setting both the
// variable and its _FILE variant is an error, since it is unclear which one was meant.
func FileResolver() kong.Resolver {
	return kong.ResolverFunc(func(_ *kong.Context, _ *kong.Path, flag *kong.Flag) (any, error) {
		if !flag.Tag.Has("secret") {
			return nil, nil
		}
		for _, env := range flag.Envs {
			path, ok := os.LookupEnv(env + "_FILE")
			if !ok {
				continue
			}
			if _, both := os.LookupEnv(env); both {
				return nil, fmt.Errorf("set either %s or %s_FILE, not both", env, env)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("%s_FILE: cannot read %s: %w", env, path, errors.Unwrap(err))
			}
			return strings.TrimRight(string(b), "\r\n"), nil
		}
		return nil, nil
	})
}
