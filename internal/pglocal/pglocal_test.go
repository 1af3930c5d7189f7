package pglocal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func ping(ctx context.Context, u string) error {
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	var one int
	return conn.QueryRow(ctx, "SELECT 1").Scan(&one)
}

func dropDatabase(t *testing.T, adminURL, name string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), adminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		t.Fatal(err)
	}
}

func TestFindDefault(t *testing.T) {
	ctx := context.Background()
	s, err := Find(ctx, Options{Log: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	if err := ping(ctx, s.AdminURL); err != nil {
		t.Fatalf("%s: %v", s.AdminURL, err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
}

func TestEnsureDatabase(t *testing.T) {
	ctx := context.Background()
	s, err := Find(ctx, Options{Log: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	name := fmt.Sprintf("pglocal_test_%d", time.Now().UnixNano())
	t.Cleanup(func() { dropDatabase(t, s.AdminURL, name) })

	for i := 0; i < 2; i++ { // second call: already exists
		if err := EnsureDatabase(ctx, s.AdminURL, name, ""); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if err := ping(ctx, s.URL(name)); err != nil {
		t.Fatal(err)
	}

	race := name + "_race"
	t.Cleanup(func() { dropDatabase(t, s.AdminURL, race) })
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = EnsureDatabase(ctx, s.AdminURL, race, "") })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
}

// TestEnsureRoles: the owner and the application login roles exist afterwards, without
// cluster-wide rights, the application role is a member of lotse_app and not of the owner,
// the database belongs to the owner, and concurrent callers all succeed.
func TestEnsureRoles(t *testing.T) {
	ctx := context.Background()
	s, err := Find(ctx, Options{Log: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	suffix := fmt.Sprint(time.Now().UnixNano())
	r := Roles{Owner: "pglocal_test_owner_" + suffix, App: "pglocal_test_app_" + suffix, Password: "pw"}
	name := "pglocal_test_roles_" + suffix
	t.Cleanup(func() {
		dropDatabase(t, s.AdminURL, name)
		conn, err := pgx.Connect(ctx, s.AdminURL)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close(ctx)
		for _, role := range []string{r.App, r.Owner} {
			if _, err := conn.Exec(ctx, "DROP ROLE IF EXISTS "+pgx.Identifier{role}.Sanitize()); err != nil {
				t.Error(err)
			}
		}
	})
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() { errs[i] = EnsureRoles(ctx, s.AdminURL, r) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if err := EnsureDatabase(ctx, s.AdminURL, name, r.Owner); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, s.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var dbOwner string
	if err := conn.QueryRow(ctx, `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1`, name).Scan(&dbOwner); err != nil {
		t.Fatal(err)
	}
	if dbOwner != r.Owner {
		t.Errorf("database owner %q, want %q", dbOwner, r.Owner)
	}
	for _, c := range []struct {
		name, sql string
		want      bool
	}{
		{"app is a member of lotse_app", `SELECT pg_has_role($1, 'lotse_app', 'MEMBER')`, true},
		{"app can log in", `SELECT rolcanlogin FROM pg_roles WHERE rolname = $1`, true},
		{"app may not create roles or databases", `SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = $1`, false},
		{"app is no member of the owner", `SELECT pg_has_role($1, '` + r.Owner + `', 'MEMBER')`, false},
	} {
		var got bool
		if err := conn.QueryRow(ctx, c.sql, r.App).Scan(&got); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got != c.want {
			t.Errorf("%s: got %t", c.name, got)
		}
	}
	var ownerPowers bool
	if err := conn.QueryRow(ctx, `SELECT rolsuper OR rolcreaterole OR rolcreatedb OR pg_has_role(oid, 'lotse_app', 'MEMBER') FROM pg_roles WHERE rolname = $1`, r.Owner).Scan(&ownerPowers); err != nil {
		t.Fatal(err)
	}
	if ownerPowers {
		t.Error("the owner role has cluster-wide rights or the application's")
	}
	for _, role := range []string{r.Owner, r.App} {
		if err := ping(ctx, s.URLAs(role, r.Password, name)); err != nil {
			t.Errorf("log in as %s: %v", role, err)
		}
	}
}

func TestPrivateCluster(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Find(ctx, Options{SkipLocal: true, Dir: dir, Log: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	// As root, t.TempDir's 0700 parent is not traversable by the postgres
	// user, so Find moves to a fallback dir that we must clean up.
	if s.Dir != dir {
		t.Cleanup(func() { os.RemoveAll(s.Dir) })
	}
	defer s.Stop()
	if !s.Private {
		t.Fatal("want a private cluster")
	}
	roles := Roles{Owner: "lotse_owner", App: "lotse_server", Password: "pw"}
	if err := EnsureRoles(ctx, s.AdminURL, roles); err != nil {
		t.Fatal(err)
	}
	if err := EnsureDatabase(ctx, s.AdminURL, "app", roles.Owner); err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{roles.Owner, roles.App} {
		if err := ping(ctx, s.URLAs(role, roles.Password, "app")); err != nil {
			t.Fatalf("%s: %v", role, err)
		}
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := ping(cctx, s.AdminURL); err == nil {
		t.Fatal("server still answers after Stop")
	}

	// Same Dir again: restarts the existing data dir, data survives.
	s2, err := Find(ctx, Options{SkipLocal: true, Dir: dir, Log: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Stop()
	if s2.Dir != s.Dir {
		t.Fatalf("second Find used %s, first %s", s2.Dir, s.Dir)
	}
	if err := ping(ctx, s2.URL("app")); err != nil {
		t.Fatal(err)
	}

	// A third Find while s2 runs reuses it instead of starting another.
	s3, err := Find(ctx, Options{SkipLocal: true, Dir: dir, Log: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	if s3.AdminURL != s2.AdminURL {
		t.Fatalf("running cluster not reused: %s vs %s", s3.AdminURL, s2.AdminURL)
	}
	if err := s2.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, "pgdata", "postmaster.pid")); err == nil {
		t.Fatal("postmaster.pid left after Stop")
	}
	if err := s3.Stop(); err != nil { // already stopped by s2: no error
		t.Fatal(err)
	}
}

func TestPrivateClusterTempDir(t *testing.T) {
	ctx := context.Background()
	s, err := Find(ctx, Options{SkipLocal: true, Log: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	if err := ping(ctx, s.AdminURL); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.Dir); !os.IsNotExist(err) {
		t.Fatalf("temp dir %s not removed: %v", s.Dir, err)
	}
}

func TestPickHighest(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"/usr/lib/postgresql/9.6/bin/initdb", "/usr/lib/postgresql/15/bin/initdb", "/usr/lib/postgresql/10/bin/initdb"}, "/usr/lib/postgresql/15/bin/initdb"},
		{[]string{"/usr/lib/postgresql/16/bin/initdb", "/usr/lib/postgresql/9.6/bin/initdb"}, "/usr/lib/postgresql/16/bin/initdb"},
		{[]string{"/usr/lib/postgresql/x/bin/initdb", "/usr/lib/postgresql/14/bin/initdb"}, "/usr/lib/postgresql/14/bin/initdb"},
		{[]string{"/usr/lib/postgresql/old/bin/initdb"}, ""},
	} {
		if got := pickHighest(tc.in); got != tc.want {
			t.Errorf("pickHighest(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestURL(t *testing.T) {
	s := &Server{AdminURL: "postgres://postgres@/postgres?host=/var/run/postgresql&sslmode=disable"}
	if got, want := s.URL("app"), "postgres://postgres@/app?host=/var/run/postgresql&sslmode=disable"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestReachable(t *testing.T) {
	if !reachable(os.TempDir(), 12345, 12345) {
		t.Errorf("%s should be traversable by anyone", os.TempDir())
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if reachable(dir, os.Getuid()+1, os.Getgid()+1) {
		t.Errorf("0700 dir %s should not be traversable by another user", dir)
	}
	if !reachable(dir, os.Getuid(), os.Getgid()) {
		t.Errorf("%s should be traversable by its owner", dir)
	}
}

// TestHaltResume: a halted private cluster refuses connections, keeps its data, and answers
// again at the same address once resumed; a server this process did not start cannot be halted.
func TestHaltResume(t *testing.T) {
	ctx := context.Background()
	s, err := Find(ctx, Options{SkipLocal: true, Log: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop() })
	conn, err := pgx.Connect(ctx, s.AdminURL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	if err := s.Halt(ctx); err != nil {
		t.Fatalf("Halt: %v", err)
	}
	if err := ping(ctx, s.AdminURL); err == nil {
		t.Fatal("the halted cluster still answers")
	}
	if err := s.Resume(ctx); err != nil {
		t.Fatalf("Resume: %v", err)
	}
	conn, err = pgx.Connect(ctx, s.AdminURL)
	if err != nil {
		t.Fatalf("the resumed cluster does not answer at %s: %v", s.AdminURL, err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT n FROM kept").Scan(&n); err != nil || n != 42 {
		t.Fatalf("data after resume: %d %v", n, err)
	}
	if err := (&Server{AdminURL: s.AdminURL}).Halt(ctx); err == nil {
		t.Error("a server not started by this process was halted")
	}
}
