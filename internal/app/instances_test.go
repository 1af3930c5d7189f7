package app_test

// Tests with real `lotse serve` processes (issue 15, parts 4 and 5): several instances on one
// database behind a load balancer, restarted one at a time; instances that start at once with
// migrations pending; the database restarted under load. The binary is built from cmd/lotse
// once per test; the load is bounded in time and count and goes to loopback addresses only.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/pglocal"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil"
)

// buildLotse builds the production binary (cmd/lotse) into the test's temporary directory.
func buildLotse(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "lotse")
	cmd := exec.Command("go", "build", "-o", bin, "../../cmd/lotse")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/lotse: %v\n%s", err, out)
	}
	return bin
}

// serveEnv is the environment of a `lotse serve` process: the test process's own without any
// LOTSE_* variable, plus kv ("NAME=value").
func serveEnv(kv ...string) []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "LOTSE_") {
			env = append(env, e)
		}
	}
	return append(env, kv...)
}

// instance is one `lotse` process that can be stopped and started again on the same address.
type instance struct {
	t    *testing.T
	name string
	bin  string
	addr string
	env  []string
	args []string
	logs *testutil.LogBuffer

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan error
}

func newInstance(t *testing.T, name, bin, addr string, env []string, args ...string) *instance {
	t.Helper()
	own := append(append([]string{}, env...), "LOTSE_HTTP_ADDR="+addr) // never the caller's array
	in := &instance{t: t, name: name, bin: bin, addr: addr, env: own, args: args, logs: &testutil.LogBuffer{}}
	t.Cleanup(func() {
		in.mu.Lock()
		cmd, done := in.cmd, in.done
		in.mu.Unlock()
		if cmd != nil {
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("log of %s:\n%s", name, in.logs.String())
		}
	})
	return in
}

func (in *instance) start() {
	in.t.Helper()
	cmd := exec.Command(in.bin, in.args...)
	cmd.Env = in.env
	cmd.Stdout, cmd.Stderr = in.logs, in.logs
	if err := cmd.Start(); err != nil {
		in.t.Fatalf("start %s: %v", in.name, err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	in.mu.Lock()
	in.cmd, in.done = cmd, done
	in.mu.Unlock()
}

// running reports whether the process started last is still running, and its pid.
func (in *instance) running() (int, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.cmd == nil {
		return 0, false
	}
	select {
	case err := <-in.done:
		in.done <- err // keep it for stop and the clean-up
		return in.cmd.Process.Pid, false
	default:
		return in.cmd.Process.Pid, true
	}
}

// waitReady waits until /readyz answers 200, failing when the process exits first.
func (in *instance) waitReady(bound time.Duration) {
	in.t.Helper()
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(bound)
	for time.Now().Before(deadline) {
		if _, ok := in.running(); !ok {
			in.t.Fatalf("%s exited before it was ready:\n%s", in.name, in.logs.String())
		}
		if res, err := c.Get("http://" + in.addr + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	in.t.Fatalf("%s not ready within %s:\n%s", in.name, bound, in.logs.String())
}

// stop sends SIGTERM and waits for the process to exit; it must exit with code 0.
func (in *instance) stop(bound time.Duration) time.Duration {
	in.t.Helper()
	in.mu.Lock()
	cmd, done := in.cmd, in.done
	in.mu.Unlock()
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		in.t.Fatalf("SIGTERM to %s: %v", in.name, err)
	}
	select {
	case err := <-done:
		in.mu.Lock()
		in.cmd, in.done = nil, nil
		in.mu.Unlock()
		if err != nil {
			in.t.Fatalf("%s exited with %v after SIGTERM:\n%s", in.name, err, in.logs.String())
		}
	case <-time.After(bound):
		in.t.Fatalf("%s still runs %s after SIGTERM", in.name, bound)
	}
	return time.Since(start)
}

// balancer is the load balancer of the test: round robin over the instances whose /readyz
// answered 200 at the last probe (every 50 ms), without retries: a request that fails at the
// instance it was sent to fails for the client, as it would behind a plain load balancer.
type balancer struct {
	backends  []*backend
	next      atomic.Uint64
	noneReady atomic.Int64
	stopProbe chan struct{}
	probed    sync.WaitGroup
}

type backend struct {
	addr   string
	ready  atomic.Bool
	served atomic.Int64
	failed atomic.Int64
	proxy  *httputil.ReverseProxy
}

func newBalancer(t *testing.T, addrs ...string) *balancer {
	t.Helper()
	lb := &balancer{stopProbe: make(chan struct{})}
	transport := &http.Transport{MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second}
	for _, a := range addrs {
		b := &backend{addr: a}
		target := &url.URL{Scheme: "http", Host: a}
		b.proxy = &httputil.ReverseProxy{
			Rewrite: func(pr *httputil.ProxyRequest) {
				pr.SetURL(target)
				pr.Out.Host = pr.In.Host // Lotse sees the public host, as behind a real balancer
			},
			Transport: transport,
			ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
				b.failed.Add(1)
				http.Error(w, "balancer: "+err.Error(), http.StatusBadGateway)
			},
		}
		lb.backends = append(lb.backends, b)
	}
	// A slow probe only delays the next verdict; a lost one takes the instance out.
	probe := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	lb.probed.Add(1)
	go func() {
		defer lb.probed.Done()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			for _, b := range lb.backends {
				ok := false
				if res, err := probe.Get("http://" + b.addr + "/readyz"); err == nil {
					_, _ = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					ok = res.StatusCode == http.StatusOK
				}
				b.ready.Store(ok)
			}
			select {
			case <-lb.stopProbe:
				return
			case <-tick.C:
			}
		}
	}()
	t.Cleanup(func() { close(lb.stopProbe); lb.probed.Wait(); transport.CloseIdleConnections() })
	return lb
}

func (lb *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := lb.next.Add(1)
	for i := range lb.backends {
		b := lb.backends[(int(n)+i)%len(lb.backends)]
		if b.ready.Load() {
			b.served.Add(1)
			b.proxy.ServeHTTP(w, r)
			return
		}
	}
	lb.noneReady.Add(1)
	http.Error(w, "balancer: no instance is ready", http.StatusServiceUnavailable)
}

// waitBalanced waits until the balancer sees every instance ready.
func (lb *balancer) waitBalanced(t *testing.T, bound time.Duration) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for time.Now().Before(deadline) {
		all := true
		for _, b := range lb.backends {
			all = all && b.ready.Load()
		}
		if all {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("the balancer does not see every instance ready within %s", bound)
}

// load is a steady, bounded request load of a signed-in caseworker: reads of /api/v1/me and
// of the start page, and new cases through the API, each with a family name of its own.
type load struct {
	stopc chan struct{}
	wg    sync.WaitGroup

	mu       sync.Mutex
	total    int
	statuses map[int]int
	failures []string
	written  []string // family names of the cases whose creation was answered 201
	okAfter  map[string]time.Time
}

// judge decides whether a response is acceptable; it returns "" or what is wrong.
type judge func(method, path string, status int, body string) string

// strict accepts only the expected success.
func strict(method, path string, status int, body string) string {
	want := http.StatusOK
	if method == http.MethodPost {
		want = http.StatusCreated
	}
	if status != want {
		return fmt.Sprintf("%s %s = %d, want %d: %.300s", method, path, status, want, body)
	}
	return ""
}

// startLoad runs workers against base with the session cookie until stop, each at most
// maxPerWorker requests, one every pause.
func startLoad(base string, sess session, workers, maxPerWorker int, pause time.Duration, ok judge) *load {
	l := &load{stopc: make(chan struct{}), statuses: map[int]int{}, okAfter: map[string]time.Time{}}
	client := &http.Client{Timeout: 15 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for w := 0; w < workers; w++ {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := 0; i < maxPerWorker; i++ {
				select {
				case <-l.stopc:
					return
				default:
				}
				var req *http.Request
				family := ""
				switch i % 3 {
				case 0:
					req, _ = http.NewRequest(http.MethodGet, base+"/api/v1/me", nil)
				case 1:
					req, _ = http.NewRequest(http.MethodGet, base+"/", nil)
				default:
					family = fmt.Sprintf("Last-%d-%d", w, i)
					req, _ = http.NewRequest(http.MethodPost, base+"/api/v1/cases", strings.NewReader(`{"primary":{"family_name":"`+family+`"}}`))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("X-CSRF-Token", sess.csrf)
				}
				req.Header.Set("Cookie", sess.cookie)
				res, err := client.Do(req)
				status, body := 0, ""
				if err == nil {
					b, _ := io.ReadAll(res.Body)
					res.Body.Close()
					status, body = res.StatusCode, string(b)
				}
				l.mu.Lock()
				l.total++
				l.statuses[status]++
				kind := req.Method + " " + req.URL.Path
				switch {
				case err != nil:
					l.failures = append(l.failures, fmt.Sprintf("%s: %v", kind, err))
				default:
					if why := ok(req.Method, req.URL.Path, status, body); why != "" {
						l.failures = append(l.failures, why)
					} else if status < 300 {
						if _, seen := l.okAfter[kind]; !seen {
							l.okAfter[kind] = time.Now()
						}
						if family != "" {
							l.written = append(l.written, family)
						}
					}
				}
				l.mu.Unlock()
				time.Sleep(pause)
			}
		}()
	}
	return l
}

// resetOK forgets the first successes, to measure the time to the next ones.
func (l *load) resetOK() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.okAfter = map[string]time.Time{}
}

func (l *load) firstOK(kind string) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	at, ok := l.okAfter[kind]
	return at, ok
}

// statusCounts is a copy of the statuses so far (the workers may still run).
func (l *load) statusCounts() map[int]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[int]int, len(l.statuses))
	for k, v := range l.statuses {
		out[k] = v
	}
	return out
}

func (l *load) stop() {
	close(l.stopc)
	l.wg.Wait()
}

// session is a signed-in browser session: its Cookie header, its token and its anti-forgery
// token for unsafe requests.
type session struct{ cookie, token, csrf string }

// signIn signs Anna in at base through mockoidc.
func signIn(t *testing.T, mock *mockoidc.MockOIDC, base string) session {
	t.Helper()
	b := newBrowser(t)
	mock.QueueUser(mockUser(annaSubject, "anna@stadt.test", "anna"))
	p := b.get(base + "/login?return=" + url.QueryEscape("/api/v1/me"))
	if p.Status != http.StatusOK || p.URL.Path != "/api/v1/me" {
		t.Fatalf("sign-in ended at %s with %d: %s", p.URL, p.Status, p.Body)
	}
	token := b.cookie(base, "lotse_session")
	if token == "" {
		t.Fatal("no session cookie after sign-in")
	}
	return session{cookie: "lotse_session=" + token, token: token, csrf: b.csrf(base)}
}

// statusOf sends GET base+path with cookie and returns the status.
func statusOf(t *testing.T, base, path, cookie string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	req.Header.Set("Cookie", cookie)
	res, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("GET %s%s: %v", base, path, err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// countWritten counts the persons with one of the family names.
func countWritten(t *testing.T, d *testDB, names []string) int {
	t.Helper()
	return d.count(t, `SELECT count(DISTINCT family_name) FROM persons WHERE family_name = ANY($1)`, names)
}

// TestRollingRestartLosesNothing: two instances on one database behind a load balancer, a
// steady load through it, each instance restarted in turn (SIGTERM, wait, start): not one
// request fails, the session holds throughout, and a grant given meanwhile counts on both
// instances within a second.
func TestRollingRestartLosesNothing(t *testing.T) {
	bin := buildLotse(t)
	tdb := newTestDB(t)
	mock := startMock(t)
	city := tdb.org(t, "STADT", "Stadt Osnabrück")
	anna := tdb.user(t, mock.Issuer(), annaSubject, "anna@stadt.test", "Anna Amsel", true, grant{city, model.RoleCaseworker})

	addrs := []string{freePort(t), freePort(t)}
	lb := newBalancer(t, addrs...)
	front := httptest.NewServer(lb)
	t.Cleanup(front.Close)
	env := serveEnv(
		"LOTSE_DATABASE_URL="+tdb.URL, "LOTSE_BASE_URL="+front.URL, "LOTSE_COOKIE_SECURE=false",
		"LOTSE_OIDC_ISSUER="+mock.Issuer(), "LOTSE_OIDC_CLIENT_ID="+mock.ClientID, "LOTSE_OIDC_CLIENT_SECRET="+mock.ClientSecret,
		"LOTSE_SHUTDOWN_READINESS_DELAY=1s", "LOTSE_SHUTDOWN_GRACE=10s", "LOTSE_LOGIN_RATE_LIMIT=1000", "LOTSE_DB_MAX_CONNS=6",
	)
	var ins []*instance
	for i, a := range addrs {
		in := newInstance(t, fmt.Sprintf("instance %d", i+1), bin, a, env, "serve")
		in.start()
		ins = append(ins, in)
	}
	for _, in := range ins {
		in.waitReady(60 * time.Second)
	}
	lb.waitBalanced(t, 5*time.Second)

	sess := signIn(t, mock, front.URL)
	cookie, token := sess.cookie, sess.token
	for _, in := range ins {
		if st := statusOf(t, "http://"+in.addr, "/api/v1/members", cookie); st != http.StatusForbidden {
			t.Fatalf("%s: GET /api/v1/members as caseworker = %d, want 403 before the grant", in.name, st)
		}
	}

	l := startLoad(front.URL, sess, 3, 2000, 15*time.Millisecond, strict)
	stopped := false
	defer func() {
		if !stopped {
			l.stop()
		}
	}()
	time.Sleep(700 * time.Millisecond)
	for i, in := range ins {
		took := in.stop(20 * time.Second)
		if took < 900*time.Millisecond {
			t.Errorf("%s stopped %s after SIGTERM, before its readiness delay of 1s", in.name, took)
		}
		if !strings.Contains(in.logs.String(), "draining") {
			t.Errorf("%s did not log that it drains", in.name)
		}
		time.Sleep(300 * time.Millisecond) // the other instance carries the load alone
		servedBefore := lb.backends[i].served.Load()
		in.start()
		in.waitReady(60 * time.Second)
		lb.waitBalanced(t, 5*time.Second)
		time.Sleep(500 * time.Millisecond)
		if lb.backends[i].served.Load() == servedBefore {
			t.Errorf("%s got no request after its restart", in.name)
		}
		if i == 0 {
			// A grant change while the load runs: lead in the city may list the members.
			tdb.tx(t, func(ctx context.Context, tx *store.Tx) error {
				if err := tx.Grants().Create(ctx, &model.Grant{UserID: anna.ID, OrgID: city.ID, Role: model.RoleLead}); err != nil {
					return err
				}
				return tx.NotifyPolicyChanged(ctx)
			})
			granted := time.Now()
			for _, other := range ins {
				for statusOf(t, "http://"+other.addr, "/api/v1/members", cookie) != http.StatusOK {
					if time.Since(granted) > time.Second {
						t.Fatalf("%s does not honour the new grant one second after it was committed", other.name)
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
		}
	}
	time.Sleep(500 * time.Millisecond)
	l.stop()
	stopped = true

	if len(l.failures) > 0 {
		t.Errorf("%d of %d requests failed during the rolling restart (statuses %v); the first:\n%s",
			len(l.failures), l.total, l.statuses, strings.Join(l.failures[:min(len(l.failures), 10)], "\n"))
	}
	if n := lb.noneReady.Load(); n > 0 {
		t.Errorf("%d requests found no ready instance", n)
	}
	for i, b := range lb.backends {
		if f := b.failed.Load(); f > 0 {
			t.Errorf("the balancer could not reach instance %d for %d requests", i+1, f)
		}
	}
	if l.total < 150 || len(l.written) == 0 {
		t.Errorf("too little load to prove anything: %d requests, %d writes", l.total, len(l.written))
	}
	if n := countWritten(t, tdb, l.written); n != len(l.written) {
		t.Errorf("%d cases were answered 201, %d are in the database", len(l.written), n)
	}
	// The session is the one from before the restarts, on both instances.
	for _, in := range ins {
		if st := statusOf(t, "http://"+in.addr, "/api/v1/me", cookie); st != http.StatusOK {
			t.Errorf("%s: the session from before the restarts answers %d", in.name, st)
		}
	}
	if n := tdb.sessionRows(t, token); n != 1 {
		t.Errorf("the session's row: %d, want 1", n)
	}
	t.Logf("%d requests, %d cases written, statuses %v", l.total, len(l.written), l.statuses)
}

// TestInstancesMigrateOnceAtStart: two instances started at once on an empty database with
// `serve --migrate`: one applies the migrations, the other waits for it, and both serve.
func TestInstancesMigrateOnceAtStart(t *testing.T) {
	t.Parallel()
	bin := buildLotse(t)
	tdb := testutil.NewEmptyDatabase(t)
	env := serveEnv("LOTSE_DATABASE_URL="+tdb.URL, "LOTSE_MIGRATION_DATABASE_URL="+tdb.OwnerURL,
		"LOTSE_SHUTDOWN_READINESS_DELAY=0s", "LOTSE_DB_MAX_CONNS=4", "LOTSE_LOG_LEVEL=info")
	var ins []*instance
	for i := 0; i < 2; i++ {
		ins = append(ins, newInstance(t, fmt.Sprintf("instance %d", i+1), bin, freePort(t), env, "serve", "--migrate"))
	}
	for _, in := range ins {
		in.start()
	}
	for _, in := range ins {
		in.waitReady(120 * time.Second)
	}
	d := testutil.Open(t, tdb.OwnerURL)
	var versions, rows, dup int
	if err := d.SQL.QueryRow(`SELECT count(DISTINCT version_id), count(*) FROM goose_db_version WHERE version_id > 0 AND is_applied`).Scan(&versions, &rows); err != nil {
		t.Fatal(err)
	}
	if err := d.SQL.QueryRow(`SELECT count(*) FROM (SELECT version_id FROM goose_db_version WHERE version_id > 0 GROUP BY version_id HAVING count(*) > 1) x`).Scan(&dup); err != nil {
		t.Fatal(err)
	}
	if versions < 20 || rows != versions || dup != 0 {
		t.Errorf("goose_db_version: %d versions in %d rows, %d applied more than once; want each once", versions, rows, dup)
	}
	// Exactly one of the two applied the migrations; the other found none left.
	migrated, waited := 0, 0
	for _, in := range ins {
		l := in.logs.String()
		if strings.Contains(l, `"msg":"migrated the schema"`) {
			migrated++
		}
		if strings.Contains(l, `"msg":"the schema is current, no migration to apply"`) {
			waited++
		}
	}
	if migrated != 1 || waited != 1 {
		t.Fatalf("%d instances report applying the migrations and %d finding none left, want 1 and 1", migrated, waited)
	}
	// The other one waited for the migrations to finish rather than finding them done early:
	// it found the schema current only after the last migration was recorded (goose's tstamp,
	// written inside the migrator's lock). The migrating instance's own log line cannot be
	// the mark: it is written after the lock is released, and the waiting instance, which
	// takes the lock at that moment, may log first (seen under load, 52 ms earlier).
	var doneAt, foundAt time.Time
	if err := d.SQL.QueryRow(`SELECT max(tstamp) AT TIME ZONE current_setting('TimeZone') FROM goose_db_version`).Scan(&doneAt); err != nil {
		t.Fatal(err)
	}
	for _, in := range ins {
		if at, ok := logTime(in.logs.String(), "the schema is current, no migration to apply"); ok {
			foundAt = at
		}
	}
	if doneAt.IsZero() || foundAt.IsZero() || foundAt.Before(doneAt) {
		t.Errorf("the waiting instance found the schema current at %s, the last migration was recorded at %s", foundAt, doneAt)
	}
	for _, in := range ins {
		for _, p := range []string{"/readyz", "/healthz"} { // readyz: the database answers, the schema is current
			if st := statusOf(t, "http://"+in.addr, p, ""); st != http.StatusOK {
				t.Errorf("%s: GET %s = %d, want 200", in.name, p, st)
			}
		}
	}
	for _, in := range ins {
		in.stop(20 * time.Second)
	}
}

// logTime is the time of the first JSON log line with message msg.
func logTime(logs, msg string) (time.Time, bool) {
	for _, line := range strings.Split(logs, "\n") {
		var l struct {
			Time time.Time `json:"time"`
			Msg  string    `json:"msg"`
		}
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == msg {
			return l.Time, true
		}
	}
	return time.Time{}, false
}

// cleanUnavailable accepts the expected success, or a 503 that says "unavailable" in the
// user's terms with no internal text; everything else (a 500, a driver message) fails.
func cleanUnavailable(method, path string, status int, body string) string {
	if status != http.StatusServiceUnavailable {
		return strict(method, path, status, body)
	}
	low := strings.ToLower(body)
	for _, s := range internalPrefixes {
		if strings.Contains(body, s) {
			return fmt.Sprintf("%s %s: 503 shows internal text %q: %.300s", method, path, s, body)
		}
	}
	for _, s := range append(internalText, "sqlstate", "pgx", "postgres", "failed to connect", "eof") {
		if strings.Contains(low, s) {
			return fmt.Sprintf("%s %s: 503 shows internal text %q: %.300s", method, path, s, body)
		}
	}
	if path == "/" {
		if !strings.Contains(body, "Vorübergehend nicht verfügbar") {
			return fmt.Sprintf("GET /: 503 page is not the localised unavailable page: %.300s", body)
		}
		return ""
	}
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code != "unavailable" || e.Error.Message == "" {
		return fmt.Sprintf("%s %s: 503 body is not the API's unavailable error: %.300s", method, path, body)
	}
	return ""
}

// TestDatabaseRestartUnderLoad: the database goes away under load and comes back: meanwhile
// requests get a clean 503 (never a 500 or a driver's message) and /readyz says 503; within
// 10 seconds of its return everything works again, without a restart of Lotse, and every
// write that was answered with success is in the database.
func TestDatabaseRestartUnderLoad(t *testing.T) {
	bin := buildLotse(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pg, err := pglocal.Find(ctx, pglocal.Options{SkipLocal: true, Log: t.Logf})
	if err != nil {
		t.Fatalf("a throwaway PostgreSQL cluster: %v", err)
	}
	t.Cleanup(func() { _ = pg.Stop() })
	roles := pglocal.Roles{Owner: "lotse_owner", App: "lotse_server"}
	if err := pglocal.EnsureRoles(ctx, pg.AdminURL, roles); err != nil {
		t.Fatal(err)
	}
	if err := pglocal.EnsureDatabase(ctx, pg.AdminURL, "lotse", roles.Owner); err != nil {
		t.Fatal(err)
	}
	ownerURL, appURL := pg.URLAs(roles.Owner, "", "lotse"), pg.URLAs(roles.App, "", "lotse")
	if out, err := exec.Command(bin, "migrate", "up", "--migration-database-url", ownerURL).CombinedOutput(); err != nil {
		t.Fatalf("lotse migrate up: %v\n%s", err, out)
	}
	d := testutil.Open(t, appURL)
	tdb := &testDB{URL: appURL, DB: d, Store: store.New(d.Gorm, nil)}
	mock := startMock(t)
	city := tdb.org(t, "STADT", "Stadt Osnabrück")
	anna := tdb.user(t, mock.Issuer(), annaSubject, "anna@stadt.test", "Anna Amsel", true, grant{city, model.RoleCaseworker})

	addr := freePort(t)
	base := "http://" + addr
	in := newInstance(t, "lotse", bin, addr, serveEnv(
		"LOTSE_DATABASE_URL="+appURL, "LOTSE_BASE_URL="+base, "LOTSE_COOKIE_SECURE=false",
		"LOTSE_OIDC_ISSUER="+mock.Issuer(), "LOTSE_OIDC_CLIENT_ID="+mock.ClientID, "LOTSE_OIDC_CLIENT_SECRET="+mock.ClientSecret,
		"LOTSE_LOGIN_RATE_LIMIT=1000", "LOTSE_DB_MAX_CONNS=6"), "serve")
	in.start()
	in.waitReady(60 * time.Second)
	pid, _ := in.running()
	sess := signIn(t, mock, base)
	cookie := sess.cookie

	// /readyz, watched throughout.
	var readyMu sync.Mutex
	var readyDown, readyUpAgain time.Time
	var resumed time.Time
	probeStop := make(chan struct{})
	var probing sync.WaitGroup
	probing.Add(1)
	go func() {
		defer probing.Done()
		c := &http.Client{Timeout: 2 * time.Second}
		for {
			select {
			case <-probeStop:
				return
			case <-time.After(50 * time.Millisecond):
			}
			res, err := c.Get(base + "/readyz")
			if err != nil {
				continue
			}
			res.Body.Close()
			readyMu.Lock()
			if res.StatusCode == http.StatusServiceUnavailable && readyDown.IsZero() {
				readyDown = time.Now()
			}
			if res.StatusCode == http.StatusOK && !resumed.IsZero() && readyUpAgain.IsZero() {
				readyUpAgain = time.Now()
			}
			readyMu.Unlock()
		}
	}()
	defer func() { close(probeStop); probing.Wait() }()

	l := startLoad(base, sess, 3, 3000, 15*time.Millisecond, cleanUnavailable)
	stopped := false
	defer func() {
		if !stopped {
			l.stop()
		}
	}()
	time.Sleep(time.Second)
	if err := pg.Halt(ctx); err != nil {
		t.Fatalf("halt the database: %v", err)
	}
	time.Sleep(2 * time.Second)
	readyMu.Lock()
	down := readyDown
	readyMu.Unlock()
	if down.IsZero() {
		t.Error("/readyz did not answer 503 while the database was down")
	}
	l.resetOK()
	resuming := time.Now()
	if err := pg.Resume(ctx); err != nil {
		t.Fatalf("resume the database: %v", err)
	}
	readyMu.Lock()
	resumed = time.Now()
	readyMu.Unlock()

	// Everything works again within 10 seconds: reads, pages, writes and readiness.
	deadline := resumed.Add(10 * time.Second)
	for _, kind := range []string{"GET /api/v1/me", "GET /", "POST /api/v1/cases"} {
		for {
			if at, ok := l.firstOK(kind); ok {
				t.Logf("%s works again %s after the database was started again (its start took %s)", kind, at.Sub(resuming).Round(time.Millisecond), resumed.Sub(resuming).Round(time.Millisecond))
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s did not work again within 10s of the database's return (statuses %v)", kind, l.statusCounts())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	for {
		readyMu.Lock()
		up := readyUpAgain
		readyMu.Unlock()
		if !up.IsZero() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("/readyz did not answer 200 within 10s of the database's return")
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second)
	l.stop()
	stopped = true

	if len(l.failures) > 0 {
		t.Errorf("%d of %d requests failed otherwise than with a clean 503 (statuses %v); the first:\n%s",
			len(l.failures), l.total, l.statuses, strings.Join(l.failures[:min(len(l.failures), 10)], "\n"))
	}
	if l.statuses[http.StatusServiceUnavailable] == 0 {
		t.Errorf("no request met the outage (statuses %v): the test proves nothing", l.statuses)
	}
	if now, ok := in.running(); !ok || now != pid {
		t.Errorf("Lotse was restarted or died (pid %d, then %d running %v)", pid, now, ok)
	}
	// After recovery, a quiet check: every kind of request succeeds again.
	for _, p := range []string{"/api/v1/me", "/", "/readyz"} {
		if st := statusOf(t, base, p, cookie); st != http.StatusOK {
			t.Errorf("GET %s after the outage = %d, want 200", p, st)
		}
	}
	if n := countWritten(t, tdb, l.written); n != len(l.written) {
		t.Errorf("%d cases were answered 201, only %d are in the database: a lost write", len(l.written), n)
	}
	// The policy watcher lost its connection with the database and is back: a grant given now
	// counts within a second, as before the outage.
	if st := statusOf(t, base, "/api/v1/members", cookie); st != http.StatusForbidden {
		t.Fatalf("GET /api/v1/members as caseworker = %d, want 403 before the grant", st)
	}
	tdb.tx(t, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.Grants().Create(ctx, &model.Grant{UserID: anna.ID, OrgID: city.ID, Role: model.RoleLead}); err != nil {
			return err
		}
		return tx.NotifyPolicyChanged(ctx)
	})
	granted := time.Now()
	for statusOf(t, base, "/api/v1/members", cookie) != http.StatusOK {
		if time.Since(granted) > time.Second {
			t.Fatal("a grant given after the outage does not count within a second: the policy watcher did not come back")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Error("the test ran out of its time")
	}
	t.Logf("%d requests, %d cases written, statuses %v", l.total, len(l.written), l.statuses)
}
