package pglocal

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNoPostgres is returned (wrapped) by Find when neither a running server nor
// the server binaries are available; its message tells the developer what to do.
var ErrNoPostgres = errors.New("no PostgreSQL found: start one on 127.0.0.1:5432, set LOTSE_DATABASE_URL, or install the server (Debian: apt-get install postgresql)")

// connectTimeout bounds each probe so Find stays fast when nothing listens.
const connectTimeout = 2 * time.Second

// Server is a reachable PostgreSQL server with superuser access.
type Server struct {
	// AdminURL connects as a superuser to the maintenance database "postgres", e.g.
	// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
	AdminURL string
	// Private is true when this package started the cluster (and Stop will stop it).
	Private bool
	// Dir is where the private cluster actually lives. It differs from
	// Options.Dir when that was empty or not reachable by the postgres OS user.
	// Empty for a server that was already running.
	Dir string

	pgCtl     string
	run       runner
	removeDir bool   // Dir is ours alone (Options.Dir was empty)
	sockTemp  string // short socket dir outside Dir, removed on Stop

	// startArgs are pg_ctl's arguments that started the private cluster (data dir, log
	// file, port and socket), so that Resume starts it again at the same address.
	startArgs []string

	mu      sync.Mutex
	stopped bool
}

// Options controls Find.
type Options struct {
	// Dir is where a private cluster lives (data dir Dir/pgdata, socket dir, log file). Empty: a fresh temp dir (removed on Stop).
	Dir string
	// Log receives one-line progress messages ("starting a private PostgreSQL 15 cluster in ..."); may be nil.
	Log func(format string, args ...any)
	// SkipLocal: do not try an already running server, go straight to the private cluster (used by a test of the cluster path).
	SkipLocal bool
}

// Find returns a usable server: a running local one if it accepts a
// superuser-ish login, otherwise a private cluster started from the installed
// binaries. The caller must Stop the result when done.
func Find(ctx context.Context, o Options) (*Server, error) {
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
	var lastErr error
	if !o.SkipLocal {
		for _, u := range localCandidates() {
			if lastErr = probe(ctx, u); lastErr == nil {
				o.Log("using the PostgreSQL server at %s", u)
				return &Server{AdminURL: u}, nil
			}
		}
	}
	initdb, pgCtl, version := findBinaries()
	if initdb == "" {
		if lastErr != nil {
			return nil, fmt.Errorf("%w (last connection error: %v)", ErrNoPostgres, lastErr)
		}
		return nil, ErrNoPostgres
	}
	return startPrivate(ctx, o, initdb, pgCtl, version, "")
}

// Standby makes a streaming hot standby of the private cluster s in a fresh temp dir
// (pg_basebackup -R from s, so that it follows s by streaming replication) and starts it;
// Stop stops it and removes its dir. It is for tests of a read replica: s must be private,
// since only its pg_hba (initdb's trust for replication from loopback) is known to allow it.
func (s *Server) Standby(ctx context.Context, o Options) (*Server, error) {
	if !s.Private || s.pgCtl == "" {
		return nil, errors.New("pglocal: a standby needs a private primary cluster")
	}
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
	o.Dir = ""
	bin := filepath.Dir(s.pgCtl)
	return startPrivate(ctx, o, filepath.Join(bin, "initdb"), s.pgCtl, versionOf(s.pgCtl), s.AdminURL)
}

// localCandidates lists the usual ways to reach a distribution-packaged or
// developer-run server, most common first.
func localCandidates() []string {
	users := []string{"postgres"}
	if u, err := user.Current(); err == nil && u.Username != "postgres" {
		users = append(users, u.Username)
	}
	var out []string
	for _, name := range users {
		n := url.PathEscape(name)
		out = append(out,
			"postgres://"+n+"@127.0.0.1:5432/postgres?sslmode=disable",
			"postgres://"+n+"@/postgres?host=/var/run/postgresql&sslmode=disable")
	}
	return out
}

// probe checks that connURL answers and that its role can create databases,
// which is all dev and tests need.
func probe(ctx context.Context, connURL string) error {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, connURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user").Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%s: role may not create databases", connURL)
	}
	return nil
}

// findBinaries locates initdb and pg_ctl, preferring the newest Debian-style
// install because PATH usually lacks /usr/lib/postgresql/N/bin.
func findBinaries() (initdb, pgCtl, version string) {
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if best := pickHighest(matches); best != "" {
		ctl := filepath.Join(filepath.Dir(best), "pg_ctl")
		if _, err := os.Stat(ctl); err == nil {
			return best, ctl, versionOf(best)
		}
	}
	initdb, err1 := exec.LookPath("initdb")
	pgCtl, err2 := exec.LookPath("pg_ctl")
	if err1 != nil || err2 != nil {
		return "", "", ""
	}
	return initdb, pgCtl, ""
}

// versionOf extracts "15" from /usr/lib/postgresql/15/bin/initdb.
func versionOf(binPath string) string {
	return filepath.Base(filepath.Dir(filepath.Dir(binPath)))
}

// pickHighest returns the glob match with the numerically highest version
// ("10" beats "9.6"), ignoring directories that are not version numbers.
func pickHighest(matches []string) string {
	var best string
	var bestV []int
	for _, m := range matches {
		v, ok := parseVersion(versionOf(m))
		if ok && (best == "" || versionLess(bestV, v)) {
			best, bestV = m, v
		}
	}
	return best
}

func parseVersion(s string) ([]int, bool) {
	var v []int
	for _, part := range strings.Split(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil {
			return nil, false
		}
		v = append(v, n)
	}
	return v, true
}

func versionLess(a, b []int) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

// runner runs server binaries, as the postgres OS user when we are root
// (PostgreSQL refuses to run as root).
type runner struct {
	cred *syscall.Credential
	env  []string
	dir  string // working directory the child can enter
}

func (r runner) run(ctx context.Context, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env, cmd.Dir = r.env, r.dir
	if r.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: r.cred}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", filepath.Base(name), args[len(args)-1], err, tail(string(out), 5))
	}
	return nil
}

// tail keeps the last n lines of tool output for error messages.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// startPrivate starts the private cluster of o.Dir, initialising it first when it has none:
// with initdb, or, when primary is set, as a standby of the server at that URL (pg_basebackup).
func startPrivate(ctx context.Context, o Options, initdb, pgCtl, version, primary string) (*Server, error) {
	s := &Server{Private: true, pgCtl: pgCtl}
	if o.Dir == "" {
		d, err := os.MkdirTemp("", "lotse-pg-")
		if err != nil {
			return nil, err
		}
		s.Dir, s.removeDir = d, true
	} else {
		d, err := filepath.Abs(o.Dir)
		if err != nil {
			return nil, err
		}
		s.Dir = d
	}
	s.run = runner{env: []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}}
	uid, gid := -1, -1
	if os.Geteuid() == 0 {
		pu, err := user.Lookup("postgres")
		if err != nil {
			return nil, errors.New(`pglocal: running as root, but PostgreSQL refuses to run as root and there is no "postgres" OS user to run it as (create one or run as a normal user)`)
		}
		uid, _ = strconv.Atoi(pu.Uid)
		gid, _ = strconv.Atoi(pu.Gid)
		s.run.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		s.run.env[1] = "HOME=" + pu.HomeDir
		if !s.removeDir && !reachable(filepath.Dir(s.Dir), uid, gid) {
			// A stable name, so the next run with the same Dir reuses the cluster.
			h := fnv.New32a()
			h.Write([]byte(s.Dir))
			alt := filepath.Join(os.TempDir(), fmt.Sprintf("lotse-pg-%08x", h.Sum32()))
			o.Log("%s is not reachable by the postgres OS user; using %s instead", s.Dir, alt)
			s.Dir = alt
		}
	}
	s.run.dir = s.Dir
	fail := func(err error) (*Server, error) {
		s.cleanup()
		return nil, err
	}
	sock := filepath.Join(s.Dir, "run")
	// Unix socket paths are limited to ~107 bytes including ".s.PGSQL.NNNNN".
	if len(sock)+len("/.s.PGSQL.65535") >= 100 {
		d, err := os.MkdirTemp("", "lpg")
		if err != nil {
			return fail(err)
		}
		sock, s.sockTemp = d, d
	}
	for _, d := range []string{s.Dir, sock} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fail(err)
		}
	}
	if uid >= 0 {
		for _, d := range []string{s.Dir, sock} {
			if err := chownTree(d, uid, gid); err != nil {
				return fail(err)
			}
		}
	}
	data := filepath.Join(s.Dir, "pgdata")
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err != nil {
		// No complete cluster: start over, as a half-done initdb cannot be resumed.
		if err := os.RemoveAll(data); err != nil {
			return fail(err)
		}
		if primary != "" {
			o.Log("copying the primary into a standby PostgreSQL %s cluster in %s", version, data)
			basebackup := filepath.Join(filepath.Dir(pgCtl), "pg_basebackup")
			if err := s.run.run(ctx, basebackup, "-D", data, "-R", "-X", "stream", "-c", "fast", "-d", primary); err != nil {
				return fail(err)
			}
		} else {
			o.Log("initialising a private PostgreSQL %s cluster in %s", version, data)
			// -N skips fsync: a dev/test cluster does not need crash durability.
			args := []string{"-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "-N"}
			if err := s.run.run(ctx, initdb, append(args, "--locale=C.UTF-8")...); err != nil {
				os.RemoveAll(data)
				if err := s.run.run(ctx, initdb, append(args, "--no-locale")...); err != nil {
					return fail(err)
				}
			}
		}
	} else if port := runningPort(data); port != "" {
		u := adminURL(port)
		if reused(ctx, u, data) {
			o.Log("reusing the private PostgreSQL cluster in %s", data)
			s.AdminURL = u
			return s, nil
		}
		// Running but not answering as expected: restart cleanly. A stale
		// postmaster.pid left by a crash makes this fail; pg_ctl start copes.
		_ = s.run.run(ctx, pgCtl, "-D", data, "-m", "fast", "-w", "stop")
	}
	o.Log("starting a private PostgreSQL %s cluster in %s", version, data)
	var err error
	for attempt := 0; attempt < 3; attempt++ { // the free port may be taken meanwhile
		var port string
		if port, err = freePort(); err != nil {
			break
		}
		// fsync, synchronous_commit and full_page_writes are off: dev and test
		// data is disposable, and this makes schema setup much faster.
		opts := fmt.Sprintf("-p %s -k '%s' -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
			port, strings.ReplaceAll(sock, "'", `'\''`))
		logFile := filepath.Join(s.Dir, "postgres.log")
		args := []string{"-w", "-t", "60", "-D", data, "-l", logFile, "-o", opts, "start"}
		if err = s.run.run(ctx, pgCtl, args...); err == nil {
			s.AdminURL, s.startArgs = adminURL(port), args
			return s, nil
		}
		if b, rerr := os.ReadFile(logFile); rerr == nil {
			err = fmt.Errorf("%w; postgres.log: %s", err, tail(string(b), 5))
		}
	}
	return fail(fmt.Errorf("pglocal: starting private cluster: %w", err))
}

func adminURL(port string) string {
	return "postgres://postgres@127.0.0.1:" + port + "/postgres?sslmode=disable"
}

// runningPort returns the port recorded in postmaster.pid (4th line), or ""
// when no server was left running.
func runningPort(data string) string {
	b, err := os.ReadFile(filepath.Join(data, "postmaster.pid"))
	if err != nil {
		return ""
	}
	if lines := strings.Split(string(b), "\n"); len(lines) > 3 {
		return strings.TrimSpace(lines[3])
	}
	return ""
}

// reused reports whether the server at u is the cluster in data, guarding
// against a stale postmaster.pid whose port now belongs to another server.
func reused(ctx context.Context, u, data string) bool {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return false
	}
	defer conn.Close(context.Background())
	var dir string
	err = conn.QueryRow(ctx, "SELECT current_setting('data_directory')").Scan(&dir)
	return err == nil && dir == data
}

// reachable reports whether every directory from dir up to / can be traversed
// by uid/gid, judged by permission bits (supplementary groups are ignored).
func reachable(dir string, uid, gid int) bool {
	for {
		fi, err := os.Stat(dir)
		if err != nil {
			return false
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return false
		}
		var bit fs.FileMode = 0o001
		switch {
		case int(st.Uid) == uid:
			bit = 0o100
		case int(st.Gid) == gid:
			bit = 0o010
		}
		if fi.Mode().Perm()&bit == 0 {
			return false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return true
		}
		dir = parent
	}
}

func chownTree(dir string, uid, gid int) error {
	return filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
}

// freePort asks the kernel for an unused port; it is released before
// postgres binds it, hence the retry in startPrivate.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}

// URL returns a URL for database dbname on the same server with the same credentials.
func (s *Server) URL(dbname string) string {
	u, err := url.Parse(s.AdminURL)
	if err != nil {
		return s.AdminURL // AdminURL is always built by this package, so unreachable
	}
	u.Path = "/" + dbname
	u.RawPath = ""
	return u.String()
}

// Halt stops the private cluster that this process started (pg_ctl stop -m fast: open
// sessions are ended, as in a database restart or a failover) and keeps its data, so that
// Resume brings it back at the same address. For tests of how Lotse rides out an outage.
func (s *Server) Halt(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.startArgs == nil || s.stopped {
		return errors.New("pglocal: Halt: not a private cluster started by this process")
	}
	return s.run.run(ctx, s.pgCtl, "-D", filepath.Join(s.Dir, "pgdata"), "-m", "fast", "-w", "stop")
}

// Resume starts a cluster stopped by Halt again, on the same port and socket, and returns
// once it accepts connections.
func (s *Server) Resume(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.startArgs == nil || s.stopped {
		return errors.New("pglocal: Resume: not a private cluster started by this process")
	}
	return s.run.run(ctx, s.pgCtl, s.startArgs...)
}

// Stop stops a private cluster (pg_ctl stop -m fast) and removes its temp
// dirs; it is a no-op for a server that was already running, and idempotent.
func (s *Server) Stop() error {
	if !s.Private {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil
	}
	s.stopped = true
	data := filepath.Join(s.Dir, "pgdata")
	var err error
	if _, serr := os.Stat(filepath.Join(data, "postmaster.pid")); serr == nil {
		err = s.run.run(context.Background(), s.pgCtl, "-D", data, "-m", "fast", "-w", "stop")
	}
	return errors.Join(err, s.cleanup())
}

func (s *Server) cleanup() error {
	var errs []error
	if s.sockTemp != "" {
		errs = append(errs, os.RemoveAll(s.sockTemp))
	}
	if s.removeDir {
		errs = append(errs, os.RemoveAll(s.Dir))
	}
	return errors.Join(errs...)
}

// EnsureDatabase creates database name, owned by role owner (empty: the administrator),
// on the server at adminURL unless it exists. Concurrent callers racing to create the same
// name all succeed. An existing database is left as it is; one that belongs to another role
// than owner is an error, since the migrations could not change its schema as owner.
func EnsureDatabase(ctx context.Context, adminURL, name, owner string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	var current string
	err = conn.QueryRow(ctx, "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", name).Scan(&current)
	switch {
	case err == nil && owner != "" && current != owner:
		return fmt.Errorf("pglocal: the database %s belongs to the role %q, not to %q (an older lotse made it): drop it (dropdb %s) to have it made again with the two roles", name, current, owner, name)
	case err == nil:
		return nil
	case !errors.Is(err, pgx.ErrNoRows):
		return err
	}
	stmt := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize()
	if owner != "" {
		stmt += " OWNER " + pgx.Identifier{owner}.Sanitize()
	}
	_, err = conn.Exec(ctx, stmt)
	var pgErr *pgconn.PgError
	// 42P04 duplicate_database; 23505 when the race is lost inside the catalog insert.
	if errors.As(err, &pgErr) && (pgErr.Code == "42P04" || pgErr.Code == "23505") {
		return nil
	}
	return err
}

// AppGroup is the group role (NOLOGIN) that the migrations grant the application's
// privileges to; a login role that serves Lotse is a member of it and owns nothing.
const AppGroup = "lotse_app"

// Roles names the two login roles of one Lotse database: Owner owns the schema and runs the
// migrations, App serves and is a member of AppGroup. Password (may be empty) is given to
// both when they are created; these are development and test roles, not production ones.
type Roles struct {
	Owner, App, Password string
}

// EnsureRoles creates the group role AppGroup and the login roles of r on the server at
// adminURL unless they exist, and makes r.App a member of AppGroup. The owner gets no
// cluster-wide rights: it owns its database (see EnsureDatabase) and nothing else. Concurrent
// callers (test processes of several packages) all succeed. The password, when given, is
// set when a login role is created; an existing role keeps its own (changing it here would
// race with concurrent callers, which PostgreSQL answers with "tuple concurrently updated").
func EnsureRoles(ctx context.Context, adminURL string, r Roles) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	create := func(name, attrs string) error {
		var exists bool
		if err := conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", name).Scan(&exists); err != nil || exists {
			return err
		}
		_, err := conn.Exec(ctx, "CREATE ROLE "+pgx.Identifier{name}.Sanitize()+" "+attrs)
		var pgErr *pgconn.PgError
		// 42710 duplicate_object; 23505 when the race is lost inside the catalog insert.
		if errors.As(err, &pgErr) && (pgErr.Code == "42710" || pgErr.Code == "23505") {
			return nil
		}
		return err
	}
	if err := create(AppGroup, "NOLOGIN"); err != nil {
		return fmt.Errorf("pglocal: create role %s: %w", AppGroup, err)
	}
	login := "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"
	if r.Password != "" {
		// Not a bind parameter: utility statements take none. The password is ours.
		login += " PASSWORD " + quoteLiteral(r.Password)
	}
	for _, name := range []string{r.Owner, r.App} {
		if err := create(name, login); err != nil {
			return fmt.Errorf("pglocal: create role %s: %w", name, err)
		}
	}
	var member bool
	if err := conn.QueryRow(ctx, "SELECT pg_has_role($1, $2, 'MEMBER')", r.App, AppGroup).Scan(&member); err != nil {
		return err
	}
	if !member {
		_, err := conn.Exec(ctx, "GRANT "+pgx.Identifier{AppGroup}.Sanitize()+" TO "+pgx.Identifier{r.App}.Sanitize())
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23505" { // granted concurrently
			err = nil
		}
		if err != nil {
			return fmt.Errorf("pglocal: make %s a member of %s: %w", r.App, AppGroup, err)
		}
	}
	return nil
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// URLAs returns a URL for database dbname on the same server as role with password (may be
// empty) instead of the administrator.
func (s *Server) URLAs(role, password, dbname string) string {
	u, err := url.Parse(s.URL(dbname))
	if err != nil {
		return s.URL(dbname)
	}
	if password != "" {
		u.User = url.UserPassword(role, password)
	} else {
		u.User = url.User(role)
	}
	return u.String()
}
