package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/pglocal"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestReadReplica runs Lotse against a primary and a real streaming standby of it, both
// private clusters of this test (docs/read-replica.md). With the standby's replay paused, a
// record written on the primary is missing from what the standby answers, which tells where a
// read went: the statistics and the team's download come from the standby (and their audit
// event lands on the primary); the same browser after a change of its own reads the primary;
// and with the standby stopped, everything reads the primary again without an error.
func TestReadReplica(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	logf := func(f string, a ...any) { t.Logf(f, a...) }
	primary, err := pglocal.Find(ctx, pglocal.Options{SkipLocal: true, Log: logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = primary.Stop() })
	const name, password = "lotse_replica", "lotse_test"
	if err := pglocal.EnsureRoles(ctx, primary.AdminURL, pglocal.Roles{Owner: testutil.OwnerRole, App: testutil.AppRole, Password: password}); err != nil {
		t.Fatal(err)
	}
	if err := pglocal.EnsureDatabase(ctx, primary.AdminURL, name, testutil.OwnerRole); err != nil {
		t.Fatal(err)
	}
	tdb := &testutil.Database{Name: name, URL: primary.URLAs(testutil.AppRole, password, name), OwnerURL: primary.URLAs(testutil.OwnerRole, password, name)}
	owner := testutil.Open(t, tdb.OwnerURL)
	m, err := db.NewMigrator(owner, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	standby, err := primary.Standby(ctx, pglocal.Options{Log: logf})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = standby.Stop() })

	w := world.New(t, world.WithDatabase(tdb), world.WithConfig(func(c *config.Config) {
		c.DatabaseReplicaURL = standby.URLAs(testutil.AppRole, password, name)
		c.MetricsEnabled = true
	}))

	admin := func(srv *pglocal.Server, q string, args ...any) pgx.Row {
		t.Helper()
		conn, err := pgx.Connect(ctx, srv.URL(name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close(context.Background()) })
		return conn.QueryRow(ctx, q, args...)
	}
	exec := func(srv *pglocal.Server, q string) {
		t.Helper()
		var ignored any
		if err := admin(srv, q).Scan(&ignored); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	caughtUp := func() {
		t.Helper()
		var lsn string
		if err := admin(primary, `SELECT pg_current_wal_lsn()::text`).Scan(&lsn); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(30 * time.Second); ; {
			var ok bool
			if err := admin(standby, `SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn`, lsn).Scan(&ok); err != nil {
				t.Fatal(err)
			}
			if ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the standby did not replay up to %s", lsn)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	get := func(u *world.User, path, cookie string) string {
		t.Helper()
		res := w.Do(t, world.Request{As: u, Method: http.MethodGet, URL: path, Headers: map[string]string{"Cookie": cookie}})
		if res.Status != http.StatusOK {
			t.Fatalf("GET %s: %d\n%s\n%s", path, res.Status, res.Body, w.Log)
		}
		return string(res.Body)
	}
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := w.DB.SQL.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	caseIn := func(district string) {
		t.Helper()
		p := w.NewPerson()
		p.District = district
		if _, err := w.Services(t).Cases.Create(ctx, w.Actor(t, w.HousingWorker), model.CaseCreate{Primary: p}); err != nil {
			t.Fatal(err)
		}
	}

	caughtUp()
	if metrics := get(nil, "/metrics", ""); !strings.Contains(metrics, "lotse_db_replica_up 1") {
		t.Fatalf("want lotse_db_replica_up 1 with the standby in use:\n%s", grepLines(metrics, "replica"))
	}

	// Replay paused: what is written now stays on the primary.
	exec(standby, `SELECT pg_wal_replay_pause()`)
	caseIn("Replikaviertel")
	if stats := get(w.Coordinator, "/statistik.csv", ""); strings.Contains(stats, "Replikaviertel") {
		t.Errorf("the statistics show a case the standby has not replayed: they were not read from it")
	}
	var onStandby int
	if err := admin(standby, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'lotse-replica'`).Scan(&onStandby); err != nil || onStandby == 0 {
		t.Errorf("no connection of Lotse's replica pool on the standby (%d, %v)", onStandby, err)
	}
	// The same browser after a change of its own (the mark the web layer sets) reads the primary.
	if stats := get(w.Coordinator, "/statistik.csv", "lotse_wrote=1"); !strings.Contains(stats, "Replikaviertel") {
		t.Errorf("after a change of its own the browser's statistics miss the new case: they came from the standby")
	}

	// The health check: a standby that trails by more than MaxLag is not used, and is used
	// again once it has caught up.
	rd := testutil.Open(t, standby.URLAs(testutil.AppRole, password, name))
	st := store.New(w.DB.Gorm, nil)
	st.SetReplica(rd.Gorm, store.ReplicaOptions{MaxLag: 500 * time.Millisecond})
	time.Sleep(time.Second) // the standby's last replayed transaction is now older than MaxLag
	if err := st.CheckReplica(ctx); err == nil || !strings.Contains(err.Error(), "trails") {
		t.Errorf("CheckReplica with replay paused behind a newer write: %v, want that it trails", err)
	}
	if configured, up := st.ReplicaUp(); !configured || up {
		t.Errorf("ReplicaUp = %t, %t with the standby behind; want true, false", configured, up)
	}

	// The team's download: read on the standby, audited on the primary.
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker})
	exports := count(`SELECT count(*) FROM audit_events WHERE action = 'task.export'`)
	if csv := get(w.HousingLead, "/team/aufgaben.csv", ""); strings.Contains(csv, cw.Task.Title) {
		t.Errorf("the team's download lists a task the standby has not replayed: it was not read from it")
	}
	if got := count(`SELECT count(*) FROM audit_events WHERE action = 'task.export'`); got != exports+1 {
		t.Errorf("task.export audit events %d, want %d: a read on the standby must be audited on the primary", got, exports+1)
	}

	// The head reassigns the new task and is sent back to the dashboard: that page, and the
	// download after it, show the change although the standby still has not replayed it.
	form := url.Values{"target": {fmt.Sprintf("%s:%s", w.Housing.ID, w.HousingWorker2.ID)}, "version": {fmt.Sprint(cw.Task.Version)}}
	res := w.Do(t, world.Request{As: w.HousingLead, Method: http.MethodPost, URL: "/team/aufgaben/" + cw.Task.ID.String() + "/neu-zuweisen",
		Body: form.Encode(), Headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("reassign: %d\n%s", res.Status, res.Body)
	}
	var mark string
	for _, c := range (&http.Response{Header: res.Header}).Cookies() {
		if c.Name == "lotse_wrote" && c.MaxAge > 0 {
			mark = c.Name + "=" + c.Value
		}
	}
	if mark == "" {
		t.Fatalf("the change set no lotse_wrote cookie: %v", res.Header.Values("Set-Cookie"))
	}
	back, _, _ := strings.Cut(res.Header.Get("Location"), "#")
	if page := get(w.HousingLead, back, mark); !strings.Contains(page, cw.Task.Title) {
		t.Errorf("the dashboard after the head's own reassignment misses the task: it was read from the standby")
	}
	if csv := get(w.HousingLead, "/team/aufgaben.csv", mark); !strings.Contains(csv, cw.Task.Title) || !strings.Contains(csv, w.HousingWorker2.Name) {
		t.Errorf("the download after the head's own reassignment misses the task or its new assignee:\n%s", csv)
	}
	if csv := get(w.HousingLead, "/team/aufgaben.csv", ""); strings.Contains(csv, cw.Task.Title) {
		t.Errorf("another browser of the head, without a change of its own, should still read the standby")
	}

	// Replay resumed: the standby catches up and answers with everything.
	exec(standby, `SELECT pg_wal_replay_resume()`)
	caughtUp()
	if stats := get(w.Coordinator, "/statistik.csv", ""); !strings.Contains(stats, "Replikaviertel") {
		t.Errorf("the standby caught up, yet the statistics miss the case")
	}
	if err := st.CheckReplica(ctx); err != nil {
		t.Errorf("CheckReplica after the standby caught up: %v", err)
	}
	if _, up := st.ReplicaUp(); !up {
		t.Errorf("the caught-up standby is not used again")
	}

	// The standby goes away: the same reads answer from the primary, with no error.
	exec(standby, `SELECT pg_wal_replay_pause()`)
	caseIn("Notfallviertel")
	if err := standby.Stop(); err != nil {
		t.Fatal(err)
	}
	if stats := get(w.Coordinator, "/statistik.csv", ""); !strings.Contains(stats, "Notfallviertel") {
		t.Errorf("with the standby stopped the statistics should come from the primary")
	}
	if csv := get(w.HousingLead, "/team/aufgaben.csv", ""); !strings.Contains(csv, cw.Task.Title) {
		t.Errorf("with the standby stopped the team's download should come from the primary")
	}
	get(w.HousingLead, "/team", "")
	if metrics := get(nil, "/metrics", ""); !strings.Contains(metrics, "lotse_db_replica_up 0") {
		t.Errorf("want lotse_db_replica_up 0 with the standby stopped:\n%s", grepLines(metrics, "replica"))
	}
	if !strings.Contains(w.Log.String(), "heavy reads go to the primary") {
		t.Errorf("the fallback was not logged:\n%s", w.Log)
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
