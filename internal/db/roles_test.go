package db_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/testutil"
)

// appPrivileges declares what the application role (a member of lotse_app) may do on every
// relation of the migrated schema, and nothing more: a table without an entry here, an entry
// without a table, or a privilege more or less fails TestAppRolePrivilegesAreExactlyDeclared.
// A new table therefore needs its GRANT in its migration and its line here.
var appPrivileges = map[string]string{
	"goose_db_version": "SELECT",
	"audit_events":     "INSERT,SELECT",
	// The audit chain (migration 00031): the sealer appends and the verifier reads; only
	// retention, as the owner, deletes.
	"audit_chain":        "INSERT,SELECT",
	"audit_checkpoints":  "INSERT,SELECT",
	"areas":              "SELECT",
	"notes":              "INSERT,SELECT",
	"task_comments":      "INSERT,SELECT",
	"consent_recipients": "INSERT,SELECT",
	"organisations":      "INSERT,SELECT,UPDATE",
	"users":              "INSERT,SELECT,UPDATE",
	"reference_counters": "INSERT,SELECT,UPDATE",
	"cases":              "DELETE,INSERT,SELECT,UPDATE",
	"persons":            "DELETE,INSERT,SELECT,UPDATE",
	"case_handovers":     "INSERT,SELECT,UPDATE",
	"area_statuses":      "INSERT,SELECT,UPDATE",
	"consents":           "INSERT,SELECT,UPDATE",
	"referrals":          "DELETE,INSERT,SELECT,UPDATE",
	"tasks":              "INSERT,SELECT,UPDATE",
	"role_grants":        "DELETE,INSERT,SELECT",
	"sessions":           "DELETE,INSERT,SELECT,UPDATE",
	"idempotency_keys":   "DELETE,INSERT,SELECT,UPDATE",
	// The sign-in rate limit shared by every instance (00033): taken, refilled, purged.
	"login_rate_buckets": "DELETE,INSERT,SELECT,UPDATE",
	// Notifications and follow-ups (issue 12): read, written, marked and cleared.
	"notifications":                "DELETE,INSERT,SELECT,UPDATE",
	"case_holds":                   "DELETE,INSERT,SELECT,UPDATE",
	"subject_access_requests":      "INSERT,SELECT,UPDATE",
	"subject_access_confirmations": "INSERT,SELECT,UPDATE",
	"emergency_accesses":           "INSERT,SELECT",
	"statistics_archive":           "INSERT,SELECT,UPDATE",
	"notification_settings":        "DELETE,INSERT,SELECT,UPDATE",
	"follow_ups":                   "DELETE,INSERT,SELECT,UPDATE",
	// River's job queue (internal/db/river.go): every instance works it.
	"river_job":          "DELETE,INSERT,SELECT,UPDATE",
	"river_leader":       "DELETE,INSERT,SELECT,UPDATE",
	"river_queue":        "DELETE,INSERT,SELECT,UPDATE",
	"river_client":       "DELETE,INSERT,SELECT,UPDATE",
	"river_client_queue": "DELETE,INSERT,SELECT,UPDATE",
	"river_migration":    "SELECT",
	"river_job_id_seq":   "SELECT,USAGE",
	// Sequences: identity columns need none, and the application calls nextval on none.
	"audit_events_id_seq":     "",
	"goose_db_version_id_seq": "",
}

// TestAppRolePrivilegesAreExactlyDeclared compares the effective privileges of the test
// application role (through lotse_app and PUBLIC alike) on every table, view and sequence of
// the migrated schema with appPrivileges, and checks that the role owns nothing and may not
// create objects.
func TestAppRolePrivilegesAreExactlyDeclared(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testutil.Open(t, testutil.NewDatabase(t).OwnerURL)
	rows, err := d.Pool.Query(ctx, `
		SELECT c.relname,
		       coalesce(array_to_string(ARRAY(
		           SELECT p FROM unnest(CASE WHEN c.relkind = 'S' THEN ARRAY['SELECT', 'UPDATE', 'USAGE']
		                                     ELSE ARRAY['DELETE', 'INSERT', 'REFERENCES', 'SELECT', 'TRIGGER', 'TRUNCATE', 'UPDATE'] END) p
		           WHERE CASE WHEN c.relkind = 'S' THEN has_sequence_privilege($1, c.oid, p)
		                      ELSE has_table_privilege($1, c.oid, p) END
		           ORDER BY p), ','), '')
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
		ORDER BY 1`, testutil.AppRole)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for rows.Next() {
		var name, privs string
		if err := rows.Scan(&name, &privs); err != nil {
			t.Fatal(err)
		}
		got[name] = privs
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range got {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		want, declared := appPrivileges[n]
		switch {
		case !declared:
			t.Errorf("%s: the application role holds {%s} but the table has no line in appPrivileges: declare it and grant lotse_app exactly that in its migration", n, got[n])
		case got[n] != want:
			t.Errorf("%s: the application role holds {%s}, declared {%s}", n, got[n], want)
		}
	}
	for n := range appPrivileges {
		if _, ok := got[n]; !ok {
			t.Errorf("%s is declared in appPrivileges but not in the schema", n)
		}
	}

	var owned int
	if err := d.Pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM pg_class WHERE pg_has_role($1, relowner, 'MEMBER'))
		     + (SELECT count(*) FROM pg_proc WHERE pg_has_role($1, proowner, 'MEMBER'))
		     + (SELECT count(*) FROM pg_namespace WHERE pg_has_role($1, nspowner, 'MEMBER'))
		     + (SELECT count(*) FROM pg_type WHERE pg_has_role($1, typowner, 'MEMBER'))
		     + (SELECT count(*) FROM pg_database WHERE datname = current_database() AND pg_has_role($1, datdba, 'MEMBER'))`,
		testutil.AppRole).Scan(&owned); err != nil {
		t.Fatal(err)
	}
	if owned != 0 {
		t.Errorf("the application role owns (or may act as the owner of) %d objects, want none", owned)
	}
	var createSchema, createDB bool
	if err := d.Pool.QueryRow(ctx, `SELECT has_schema_privilege($1, 'public', 'CREATE'), has_database_privilege($1, current_database(), 'CREATE')`,
		testutil.AppRole).Scan(&createSchema, &createDB); err != nil {
		t.Fatal(err)
	}
	if createSchema || createDB {
		t.Errorf("the application role may create objects (schema public: %t, database: %t)", createSchema, createDB)
	}
}

// TestAppRoleCannotRewriteAudit: connected as the application role, every way of changing or
// removing audit events is refused by the privilege system itself (SQLSTATE 42501 and not the
// append-only trigger's message: the trigger is the second wall, which the owner could
// disable), while appending and reading work.
func TestAppRoleCannotRewriteAudit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := testutil.Open(t, testutil.NewDBURL(t))
	if _, err := d.Pool.Exec(ctx, `INSERT INTO audit_events (action, object_type) VALUES ('test', 'case')`); err != nil {
		t.Fatalf("the application role cannot append an audit event: %v", err)
	}
	count := func() int {
		var n int
		if err := d.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events`).Scan(&n); err != nil {
			t.Fatalf("the application role cannot read the audit trail: %v", err)
		}
		return n
	}
	before := count()
	if before == 0 {
		t.Fatal("the appended event is not visible")
	}
	for _, tc := range []struct{ name, sql string }{
		{"update", `UPDATE audit_events SET action = 'forged'`},
		{"delete", `DELETE FROM audit_events`},
		{"truncate", `TRUNCATE audit_events`},
		{"disable trigger", `ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only`},
		{"disable all triggers", `ALTER TABLE audit_events DISABLE TRIGGER ALL`},
		{"drop trigger", `DROP TRIGGER audit_events_append_only ON audit_events`},
		{"replace trigger function", `CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$`},
		{"alter table", `ALTER TABLE audit_events ADD COLUMN forged boolean`},
		{"rename table", `ALTER TABLE audit_events RENAME TO audit_events_old`},
		{"drop table", `DROP TABLE audit_events`},
		{"take ownership", `ALTER TABLE audit_events OWNER TO ` + testutil.AppRole},
		{"set role to the owner", `SET ROLE ` + testutil.OwnerRole},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := d.Pool.Exec(ctx, tc.sql)
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "42501" || strings.Contains(pgErr.Message, "append-only") {
				t.Fatalf("%s: got %v, want a permission error (42501) from the privilege system", tc.sql, err)
			}
		})
	}
	if n := count(); n != before {
		t.Errorf("the audit trail changed from %d to %d events", before, n)
	}
}

// TestCheckApplicationRole: the check that serve runs passes for the application role and
// refuses the owner, a superuser, and a superuser session that merely switched to the
// application role (it could switch back).
func TestCheckApplicationRole(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tdb := testutil.NewDatabase(t)
	admin := testutil.Server(t).URL(tdb.Name)
	for _, tc := range []struct {
		name, url string
		setRole   string // SET ROLE on the (only) connection first
		refused   string // part of the error; "" for none
	}{
		{"application role", tdb.URL, "", ""},
		{"owner", tdb.OwnerURL, "", "owns audit_events"},
		{"superuser", admin, "", "is a superuser"},
		{"superuser switched to the application role", admin, testutil.AppRole, "is a superuser"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := db.Open(ctx, tc.url, db.Options{MaxConns: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if tc.setRole != "" {
				if _, err := d.Pool.Exec(ctx, `SET ROLE `+tc.setRole); err != nil {
					t.Fatal(err)
				}
				var cur string
				if err := d.Pool.QueryRow(ctx, `SELECT current_user`).Scan(&cur); err != nil || cur != tc.setRole {
					t.Fatalf("SET ROLE did not stick: %q %v", cur, err)
				}
			}
			err = d.CheckApplicationRole(ctx)
			if tc.refused == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, db.ErrPrivilegedRole) || !strings.Contains(err.Error(), tc.refused) {
				t.Fatalf("got %v, want ErrPrivilegedRole saying %q", err, tc.refused)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("the refusal is not one line: %q", err)
			}
		})
	}
}
