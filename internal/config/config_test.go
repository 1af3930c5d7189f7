package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"

	"github.com/lotse-project/lotse/internal/config"
)

type cli struct {
	config.Config `embed:""`
}

// parse runs kong exactly as the lotse command does, with env set for the duration.
func parse(t *testing.T, env map[string]string, args ...string) (*config.Config, error) {
	t.Helper()
	for _, f := range reflect.VisibleFields(reflect.TypeOf(config.Config{})) {
		t.Setenv(f.Tag.Get("env"), "")
		os.Unsetenv(f.Tag.Get("env"))
		os.Unsetenv(f.Tag.Get("env") + "_FILE")
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
	var c cli
	p, err := kong.New(&c, kong.Resolvers(config.FileResolver()), kong.Exit(func(int) { t.Fatal("kong tried to exit") }))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Parse(args); err != nil {
		return nil, err
	}
	return &c.Config, nil
}

func TestDefaultsAreValid(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:8080" || c.ShutdownGrace != 15*time.Second || c.ReadinessDelay != 5*time.Second || c.LogLevel != "info" || c.LogFormat != "auto" {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	if err := c.Validate(false); err != nil {
		t.Fatalf("defaults without a database must be valid for dev: %v", err)
	}
	if err := c.Validate(true); err == nil || !strings.Contains(err.Error(), "LOTSE_DATABASE_URL: is required") {
		t.Fatalf("serve must require a database URL, got %v", err)
	}
}

func TestParseAndValidate(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "db-url")
	if err := os.WriteFile(secret, []byte("postgres://lotse:geheim@db:5432/lotse\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const good = "postgres://lotse:pw@localhost:5432/lotse"
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		parseErr string   // substring of a parse error
		problems []string // the variables Validate must name, all at once
		check    func(t *testing.T, c *config.Config)
	}{
		{name: "env values", env: map[string]string{"LOTSE_DATABASE_URL": good, "LOTSE_HTTP_ADDR": ":9090", "LOTSE_SHUTDOWN_GRACE": "3s", "LOTSE_LOG_LEVEL": "debug", "LOTSE_LOG_FORMAT": "json"},
			check: func(t *testing.T, c *config.Config) {
				if c.DatabaseURL != good || c.HTTPAddr != ":9090" || c.ShutdownGrace != 3*time.Second || c.LogLevel != "debug" || c.LogFormat != "json" {
					t.Fatalf("env not applied: %+v", c)
				}
			}},
		{name: "flags win over env", env: map[string]string{"LOTSE_DATABASE_URL": good, "LOTSE_HTTP_ADDR": ":9090"}, args: []string{"--http-addr", ":7070"},
			check: func(t *testing.T, c *config.Config) {
				if c.HTTPAddr != ":7070" {
					t.Fatalf("flag not applied: %s", c.HTTPAddr)
				}
			}},
		{name: "secret from _FILE", env: map[string]string{"LOTSE_DATABASE_URL_FILE": secret},
			check: func(t *testing.T, c *config.Config) {
				if c.DatabaseURL != "postgres://lotse:geheim@db:5432/lotse" {
					t.Fatalf("file secret not read (or newline kept): %q", c.DatabaseURL)
				}
			}},
		{name: "_FILE and plain both set", env: map[string]string{"LOTSE_DATABASE_URL_FILE": secret, "LOTSE_DATABASE_URL": good}, parseErr: "either LOTSE_DATABASE_URL or LOTSE_DATABASE_URL_FILE"},
		{name: "_FILE missing", env: map[string]string{"LOTSE_DATABASE_URL_FILE": filepath.Join(dir, "nope")}, parseErr: "LOTSE_DATABASE_URL_FILE: cannot read"},
		{name: "bad duration", env: map[string]string{"LOTSE_SHUTDOWN_GRACE": "soon"}, parseErr: "LOTSE_SHUTDOWN_GRACE"},
		{name: "readiness delay", env: map[string]string{"LOTSE_DATABASE_URL": good, "LOTSE_SHUTDOWN_READINESS_DELAY": "0s"},
			check: func(t *testing.T, c *config.Config) {
				if c.ReadinessDelay != 0 {
					t.Fatalf("LOTSE_SHUTDOWN_READINESS_DELAY not applied: %s", c.ReadinessDelay)
				}
			}},
		{name: "readiness delay at its limit", env: map[string]string{"LOTSE_DATABASE_URL": good, "LOTSE_SHUTDOWN_READINESS_DELAY": "5m"},
			check: func(t *testing.T, c *config.Config) {}},
		{name: "readiness delay too long", env: map[string]string{"LOTSE_DATABASE_URL": good, "LOTSE_SHUTDOWN_READINESS_DELAY": "5m1s"}, problems: []string{"LOTSE_SHUTDOWN_READINESS_DELAY"}},
		{name: "readiness delay negative", env: map[string]string{"LOTSE_DATABASE_URL": good, "LOTSE_SHUTDOWN_READINESS_DELAY": "-1s"}, problems: []string{"LOTSE_SHUTDOWN_READINESS_DELAY"}},
		{name: "memory limit by default and set", env: map[string]string{"LOTSE_DATABASE_URL": good, "LOTSE_MEMORY_LIMIT": "1G"},
			check: func(t *testing.T, c *config.Config) {
				if c.MemoryLimit != "1G" {
					t.Fatalf("memory limit %q", c.MemoryLimit)
				}
			}},
		{name: "memory limit off", env: map[string]string{"LOTSE_DATABASE_URL": good, "LOTSE_MEMORY_LIMIT": "off"}, check: func(*testing.T, *config.Config) {}},
		{name: "memory limit not a size", env: map[string]string{"LOTSE_DATABASE_URL": good, "LOTSE_MEMORY_LIMIT": "lots"}, problems: []string{"LOTSE_MEMORY_LIMIT"}},
		{name: "memory limit too small", env: map[string]string{"LOTSE_DATABASE_URL": good, "LOTSE_MEMORY_LIMIT": "16M"}, problems: []string{"LOTSE_MEMORY_LIMIT"}},
		{name: "unknown flag", args: []string{"--bogus"}, parseErr: "unknown flag --bogus"},
		{name: "malformed database URL", env: map[string]string{"LOTSE_DATABASE_URL": "postgres://u:pw@[::1"}, problems: []string{"LOTSE_DATABASE_URL"}},
		{name: "wrong scheme", env: map[string]string{"LOTSE_DATABASE_URL": "mysql://u@h/db"}, problems: []string{"LOTSE_DATABASE_URL"}},
		{name: "no database name", env: map[string]string{"LOTSE_DATABASE_URL": "postgres://u@h:5432/"}, problems: []string{"LOTSE_DATABASE_URL"}},
		{name: "several problems at once",
			env: map[string]string{
				"LOTSE_DATABASE_URL": good, "LOTSE_HTTP_ADDR": "nonsense", "LOTSE_BASE_URL": "ftp://x", "LOTSE_LOG_LEVEL": "loud",
				"LOTSE_LOG_FORMAT": "xml", "LOTSE_SHUTDOWN_GRACE": "-1s", "LOTSE_BODY_LIMIT": "lots", "LOTSE_DB_MAX_CONNS": "1", "LOTSE_READ_TIMEOUT": "0s",
			},
			problems: []string{"LOTSE_HTTP_ADDR", "LOTSE_BASE_URL", "LOTSE_LOG_LEVEL", "LOTSE_LOG_FORMAT", "LOTSE_SHUTDOWN_GRACE", "LOTSE_BODY_LIMIT", "LOTSE_DB_MAX_CONNS", "LOTSE_READ_TIMEOUT"}},
		{name: "smtp settings", env: map[string]string{"LOTSE_DATABASE_URL": good, "LOTSE_SMTP_HOST": "mail.stadt.example", "LOTSE_SMTP_FROM": "lotse@stadt.example",
			"LOTSE_SMTP_USERNAME": "lotse", "LOTSE_SMTP_PASSWORD_FILE": secret, "LOTSE_DIGEST_TIME": "06:30"},
			check: func(t *testing.T, c *config.Config) {
				h, m, err := c.DigestClock()
				if c.SMTPPort != 587 || c.SMTPTLS != "starttls" || c.SMTPPassword == "" || err != nil || h != 6 || m != 30 {
					t.Fatalf("smtp settings not applied: port %d tls %q password set %v digest %d:%d %v", c.SMTPPort, c.SMTPTLS, c.SMTPPassword != "", h, m, err)
				}
			}},
		{name: "smtp unencrypted on loopback", env: map[string]string{"LOTSE_DATABASE_URL": good, "LOTSE_SMTP_HOST": "127.0.0.1", "LOTSE_SMTP_PORT": "2525", "LOTSE_SMTP_FROM": "lotse@stadt.example", "LOTSE_SMTP_TLS": "none"},
			check: func(*testing.T, *config.Config) {}},
		{name: "bad smtp settings",
			env: map[string]string{
				"LOTSE_DATABASE_URL": good, "LOTSE_SMTP_HOST": "mail.stadt.example:25", "LOTSE_SMTP_PORT": "0", "LOTSE_SMTP_FROM": "Lotse <lotse@x>",
				"LOTSE_SMTP_USERNAME": "lotse", "LOTSE_DIGEST_TIME": "7 Uhr",
			},
			problems: []string{"LOTSE_SMTP_HOST", "LOTSE_SMTP_PORT", "LOTSE_SMTP_FROM", "LOTSE_SMTP_USERNAME", "LOTSE_DIGEST_TIME"}},
		{name: "smtp without tls off loopback", env: map[string]string{"LOTSE_DATABASE_URL": good, "LOTSE_SMTP_HOST": "mail.stadt.example", "LOTSE_SMTP_FROM": "lotse@stadt.example", "LOTSE_SMTP_TLS": "none"},
			problems: []string{"LOTSE_SMTP_TLS"}},
		{name: "unknown smtp tls", env: map[string]string{"LOTSE_DATABASE_URL": good, "LOTSE_SMTP_HOST": "mail.stadt.example", "LOTSE_SMTP_FROM": "lotse@stadt.example", "LOTSE_SMTP_TLS": "ssl"},
			problems: []string{"LOTSE_SMTP_TLS"}},
		{name: "digest time out of range", env: map[string]string{"LOTSE_DATABASE_URL": good, "LOTSE_DIGEST_TIME": "24:00"}, problems: []string{"LOTSE_DIGEST_TIME"}},
		{name: "emergency access duration default", env: map[string]string{"LOTSE_DATABASE_URL": good},
			check: func(t *testing.T, c *config.Config) {
				if c.EmergencyAccessDuration != 4*time.Hour {
					t.Fatalf("default emergency access duration %s, want 4h", c.EmergencyAccessDuration)
				}
			}},
		{name: "emergency access duration at its bounds", env: map[string]string{"LOTSE_DATABASE_URL": good, "LOTSE_EMERGENCY_ACCESS_DURATION": "15m"},
			check: func(t *testing.T, c *config.Config) {
				if c.EmergencyAccessDuration != 15*time.Minute {
					t.Fatalf("emergency access duration %s, want 15m", c.EmergencyAccessDuration)
				}
			}},
		{name: "emergency access duration 24h", env: map[string]string{"LOTSE_DATABASE_URL": good, "LOTSE_EMERGENCY_ACCESS_DURATION": "24h"},
			check: func(*testing.T, *config.Config) {}},
		{name: "emergency access duration too short", env: map[string]string{"LOTSE_DATABASE_URL": good, "LOTSE_EMERGENCY_ACCESS_DURATION": "14m59s"},
			problems: []string{"LOTSE_EMERGENCY_ACCESS_DURATION"}},
		{name: "emergency access duration too long", env: map[string]string{"LOTSE_DATABASE_URL": good, "LOTSE_EMERGENCY_ACCESS_DURATION": "24h1s"},
			problems: []string{"LOTSE_EMERGENCY_ACCESS_DURATION"}},
		{name: "base URL with query", env: map[string]string{"LOTSE_DATABASE_URL": good, "LOTSE_BASE_URL": "https://x.example/?a=b"}, problems: []string{"LOTSE_BASE_URL"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parse(t, tc.env, tc.args...)
			if tc.parseErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.parseErr) {
					t.Fatalf("want parse error containing %q, got %v", tc.parseErr, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			verr := c.Validate(true)
			if len(tc.problems) == 0 {
				if verr != nil {
					t.Fatalf("unexpected validation error: %v", verr)
				}
				tc.check(t, c)
				return
			}
			var ce *config.Error
			if !errors.As(verr, &ce) {
				t.Fatalf("want *config.Error, got %v", verr)
			}
			if len(ce.Problems) != len(tc.problems) {
				t.Errorf("want %d problems, got %d: %v", len(tc.problems), len(ce.Problems), verr)
			}
			for _, p := range tc.problems {
				if !strings.Contains(verr.Error(), p+":") {
					t.Errorf("problem %s not reported in %v", p, verr)
				}
			}
			if strings.Contains(verr.Error(), "pw@") {
				t.Errorf("validation error leaks the password: %v", verr)
			}
		})
	}
}

// TestMigrationURL: the migration URL is required exactly by the commands that migrate, is
// read from its _FILE variant, is checked like the serving URL, and never equals it.
func TestMigrationURL(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "migration-url")
	if err := os.WriteFile(secret, []byte("postgres://lotse_owner:geheim@db:5432/lotse\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const app, owner = "postgres://lotse_server:pw@localhost:5432/lotse", "postgres://lotse_owner:pw@localhost:5432/lotse"
	tests := []struct {
		name               string
		env                map[string]string
		serving, migrating bool
		problems           []string
	}{
		{name: "serve needs only the serving URL", env: map[string]string{"LOTSE_DATABASE_URL": app}, serving: true},
		{name: "migrate needs only the migration URL", env: map[string]string{"LOTSE_MIGRATION_DATABASE_URL": owner}, migrating: true},
		{name: "migrate without the migration URL", env: map[string]string{"LOTSE_DATABASE_URL": app}, migrating: true, problems: []string{"LOTSE_MIGRATION_DATABASE_URL"}},
		{name: "serve --migrate needs both", env: map[string]string{"LOTSE_DATABASE_URL": app}, serving: true, migrating: true, problems: []string{"LOTSE_MIGRATION_DATABASE_URL"}},
		{name: "neither given to serve --migrate", serving: true, migrating: true, problems: []string{"LOTSE_DATABASE_URL", "LOTSE_MIGRATION_DATABASE_URL"}},
		{name: "malformed migration URL", env: map[string]string{"LOTSE_DATABASE_URL": app, "LOTSE_MIGRATION_DATABASE_URL": "mysql://u:pw@h/db"}, serving: true, problems: []string{"LOTSE_MIGRATION_DATABASE_URL"}},
		{name: "the same URL for both roles", env: map[string]string{"LOTSE_DATABASE_URL": owner, "LOTSE_MIGRATION_DATABASE_URL": owner}, serving: true, migrating: true, problems: []string{"LOTSE_MIGRATION_DATABASE_URL"}},
		{name: "from _FILE", env: map[string]string{"LOTSE_DATABASE_URL": app, "LOTSE_MIGRATION_DATABASE_URL_FILE": secret}, serving: true, migrating: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parse(t, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := tc.env["LOTSE_MIGRATION_DATABASE_URL_FILE"]; ok && c.MigrationDatabaseURL != "postgres://lotse_owner:geheim@db:5432/lotse" {
				t.Fatalf("file secret not read: %q", c.MigrationDatabaseURL)
			}
			verr := c.ValidateFor(tc.serving, tc.migrating)
			var ce *config.Error
			if len(tc.problems) == 0 {
				if verr != nil {
					t.Fatalf("unexpected validation error: %v", verr)
				}
				return
			}
			if !errors.As(verr, &ce) || len(ce.Problems) != len(tc.problems) {
				t.Fatalf("want %d problems, got %v", len(tc.problems), verr)
			}
			for _, p := range tc.problems {
				if !strings.Contains(verr.Error(), p+":") {
					t.Errorf("problem %s not reported in %v", p, verr)
				}
			}
			if strings.Contains(verr.Error(), "pw@") {
				t.Errorf("validation error leaks the password: %v", verr)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1": 1, "512K": 512 << 10, "1M": 1 << 20, "2g": 2 << 30} {
		if got, err := config.ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1M", "1.5M", "1MB", "M"} {
		if _, err := config.ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) accepted", in)
		}
	}
}

func TestRedactURL(t *testing.T) {
	if got := config.RedactURL("postgres://u:geheim@h/db"); strings.Contains(got, "geheim") {
		t.Fatalf("password not redacted: %s", got)
	}
}

// TestTracingMode: LOTSE_TRACING is off by default and on with auto exactly when an OTLP
// endpoint variable is set (and the SDK is not disabled); on and off override; anything else
// is refused.
func TestTracingMode(t *testing.T) {
	const good = "postgres://lotse:pw@localhost:5432/lotse"
	for _, tc := range []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"default, no endpoint", nil, false},
		{"default with endpoint", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, true},
		{"auto with traces endpoint", map[string]string{"LOTSE_TRACING": "auto", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, true},
		{"auto with endpoint, SDK disabled", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "true"}, false},
		{"on without endpoint", map[string]string{"LOTSE_TRACING": "on"}, true},
		{"off with endpoint", map[string]string{"LOTSE_TRACING": "off", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"LOTSE_DATABASE_URL": good, "OTEL_EXPORTER_OTLP_ENDPOINT": "", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "", "OTEL_SDK_DISABLED": ""}
			for k, v := range tc.env {
				env[k] = v
			}
			c, err := parse(t, env)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Validate(true); err != nil {
				t.Fatal(err)
			}
			if got := c.TracingEnabled(); got != tc.want {
				t.Errorf("LOTSE_TRACING=%q: enabled %v, want %v", c.Tracing, got, tc.want)
			}
		})
	}
	c, err := parse(t, map[string]string{"LOTSE_DATABASE_URL": good, "LOTSE_TRACING": "yes"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(true); err == nil || !strings.Contains(err.Error(), "LOTSE_TRACING: must be one of auto, on, off") {
		t.Errorf("LOTSE_TRACING=yes: want a problem naming the modes, got %v", err)
	}
}

// TestReplicaURL: the read replica's URL is optional, read from its _FILE variant like the
// other secret URLs, checked like them when set, and never the owner's URL.
func TestReplicaURL(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "replica-url")
	if err := os.WriteFile(secret, []byte("postgres://lotse_server:geheim@replica:5432/lotse\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const app, owner = "postgres://lotse_server:pw@localhost:5432/lotse", "postgres://lotse_owner:pw@localhost:5432/lotse"
	tests := []struct {
		name     string
		env      map[string]string
		want     string
		problems []string
	}{
		{name: "unset: no replica", env: map[string]string{"LOTSE_DATABASE_URL": app}},
		{name: "set", env: map[string]string{"LOTSE_DATABASE_URL": app, "LOTSE_DATABASE_REPLICA_URL": "postgres://lotse_server:pw@replica:5432/lotse"}, want: "postgres://lotse_server:pw@replica:5432/lotse"},
		{name: "from _FILE", env: map[string]string{"LOTSE_DATABASE_URL": app, "LOTSE_DATABASE_REPLICA_URL_FILE": secret}, want: "postgres://lotse_server:geheim@replica:5432/lotse"},
		{name: "malformed", env: map[string]string{"LOTSE_DATABASE_URL": app, "LOTSE_DATABASE_REPLICA_URL": "mysql://u:pw@h/db"}, want: "mysql://u:pw@h/db", problems: []string{"LOTSE_DATABASE_REPLICA_URL"}},
		{name: "no database named", env: map[string]string{"LOTSE_DATABASE_URL": app, "LOTSE_DATABASE_REPLICA_URL": "postgres://u:pw@replica:5432/"}, want: "postgres://u:pw@replica:5432/", problems: []string{"LOTSE_DATABASE_REPLICA_URL"}},
		{name: "the owner's URL", env: map[string]string{"LOTSE_DATABASE_URL": app, "LOTSE_MIGRATION_DATABASE_URL": owner, "LOTSE_DATABASE_REPLICA_URL": owner}, want: owner, problems: []string{"LOTSE_DATABASE_REPLICA_URL"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parse(t, tc.env)
			if err != nil {
				t.Fatal(err)
			}
			if c.DatabaseReplicaURL != tc.want {
				t.Fatalf("DatabaseReplicaURL = %q, want %q", c.DatabaseReplicaURL, tc.want)
			}
			verr := c.Validate(true)
			if len(tc.problems) == 0 {
				if verr != nil {
					t.Fatalf("unexpected validation error: %v", verr)
				}
				return
			}
			var ce *config.Error
			if !errors.As(verr, &ce) || len(ce.Problems) != len(tc.problems) {
				t.Fatalf("want %d problems, got %v", len(tc.problems), verr)
			}
			for _, p := range tc.problems {
				if !strings.Contains(verr.Error(), p+":") {
					t.Errorf("problem %s not reported in %v", p, verr)
				}
			}
			if strings.Contains(verr.Error(), "pw@") {
				t.Errorf("validation error leaks the password: %v", verr)
			}
		})
	}
	t.Run("both the variable and its _FILE", func(t *testing.T) {
		if _, err := parse(t, map[string]string{"LOTSE_DATABASE_REPLICA_URL": "postgres://u@h/db", "LOTSE_DATABASE_REPLICA_URL_FILE": secret}); err == nil {
			t.Fatal("setting both was accepted")
		}
	})
}
