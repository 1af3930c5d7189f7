package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/alecthomas/kong"
	"github.com/jackc/pgx/v5/pgconn"
)

// Config is the whole runtime configuration. Every field carries its environment variable,
// its default and a help text; kong turns them into flags (e.g. --http-addr) as well.
// Fields tagged secret also accept NAME_FILE, the path of a file holding the value, so that
// secrets can come from container secrets instead of the environment.
type Config struct {
	DatabaseURL string `name:"database-url" env:"LOTSE_DATABASE_URL" secret:"" help:"PostgreSQL connection URL (postgres://user:pass@host:5432/db). Required for serve and migrate; lotse dev finds or starts a local server when empty."`
	DBMaxConns  int32  `name:"db-max-conns" env:"LOTSE_DB_MAX_CONNS" default:"20" help:"Maximum number of connections in the database pool."`

	HTTPAddr       string        `name:"http-addr" env:"LOTSE_HTTP_ADDR" default:"127.0.0.1:8080" help:"Address the HTTP server listens on (host:port)."`
	BaseURL        string        `name:"base-url" env:"LOTSE_BASE_URL" default:"http://127.0.0.1:8080" help:"Public URL under which users reach Lotse; used for links and login redirects."`
	ReadTimeout    time.Duration `name:"read-timeout" env:"LOTSE_READ_TIMEOUT" default:"30s" help:"Maximum time to read a whole request, body included."`
	WriteTimeout   time.Duration `name:"write-timeout" env:"LOTSE_WRITE_TIMEOUT" default:"60s" help:"Maximum time to write a response."`
	IdleTimeout    time.Duration `name:"idle-timeout" env:"LOTSE_IDLE_TIMEOUT" default:"120s" help:"How long an idle keep-alive connection stays open."`
	BodyLimit      string        `name:"body-limit" env:"LOTSE_BODY_LIMIT" default:"1M" help:"Largest accepted request body (e.g. 512K, 1M, 10M)."`
	ShutdownGrace  time.Duration `name:"shutdown-grace" env:"LOTSE_SHUTDOWN_GRACE" default:"15s" help:"How long in-flight requests may take to finish after SIGTERM or SIGINT."`
	LogLevel       string        `name:"log-level" env:"LOTSE_LOG_LEVEL" default:"info" help:"Log level: debug, info, warn or error."`
	LogFormat      string        `name:"log-format" env:"LOTSE_LOG_FORMAT" default:"auto" help:"Log format: json, text, or auto (json for serve, text for dev)."`
	MetricsEnabled bool          `name:"metrics" env:"LOTSE_METRICS" default:"true" negatable:"" help:"Serve Prometheus metrics at /metrics."`
}

// LogLevels and LogFormats are the accepted values of LOTSE_LOG_LEVEL and LOTSE_LOG_FORMAT.
var (
	LogLevels  = []string{"debug", "info", "warn", "error"}
	LogFormats = []string{"auto", "json", "text"}
)

// Validate checks every field and returns all problems at once, one per line, so that an
// operator fixes a broken deployment in one round instead of one error per restart.
// requireDB is false for commands that can find a database themselves (lotse dev).
func (c *Config) Validate(requireDB bool) error {
	var errs []error
	bad := func(env, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", env, fmt.Sprintf(format, args...)))
	}
	switch {
	case c.DatabaseURL == "" && requireDB:
		bad("LOTSE_DATABASE_URL", "is required (e.g. postgres://lotse@localhost:5432/lotse)")
	case c.DatabaseURL != "":
		if err := checkDatabaseURL(c.DatabaseURL); err != nil {
			bad("LOTSE_DATABASE_URL", "%v", err)
		}
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
	if _, err := ParseSize(c.BodyLimit); err != nil {
		bad("LOTSE_BODY_LIMIT", "%v", err)
	}
	if !contains(LogLevels, c.LogLevel) {
		bad("LOTSE_LOG_LEVEL", "must be one of %s, got %q", strings.Join(LogLevels, ", "), c.LogLevel)
	}
	if !contains(LogFormats, c.LogFormat) {
		bad("LOTSE_LOG_FORMAT", "must be one of %s, got %q", strings.Join(LogFormats, ", "), c.LogFormat)
	}
	if len(errs) == 0 {
		return nil
	}
	return &Error{Problems: errs}
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
