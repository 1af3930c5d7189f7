package db

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrPrivilegedRole means the server's database role could rewrite the audit trail: it owns
// audit_events (or may act as its owner), is a superuser, may create roles (and so make
// itself a member of the owner), or holds UPDATE, DELETE or TRUNCATE on it. The append-only
// triggers stop only roles that cannot disable them.
var ErrPrivilegedRole = errors.New("the database role of LOTSE_DATABASE_URL could rewrite the audit trail; serve as an application role that owns nothing (a member of lotse_app) and migrate as the owner with LOTSE_MIGRATION_DATABASE_URL, see README \"Database roles\"")

// CheckApplicationRole returns nil when neither the session's login role nor its current
// role can change or remove audit events other than through INSERT, and ErrPrivilegedRole
// (naming the role and the reason, on one line) otherwise. Both roles count because a session
// can return from SET ROLE to its login role at any time.
func (d *DB) CheckApplicationRole(ctx context.Context) error {
	rows, err := d.Pool.Query(ctx, `
		SELECT r.rolname,
		       r.rolsuper,
		       r.rolcreaterole,
		       pg_has_role(r.oid, c.relowner, 'MEMBER'),
		       has_table_privilege(r.oid, c.oid, 'UPDATE') OR has_table_privilege(r.oid, c.oid, 'DELETE')
		           OR has_table_privilege(r.oid, c.oid, 'TRUNCATE')
		FROM pg_roles r, pg_class c
		WHERE r.rolname IN (session_user, current_user) AND c.oid = 'audit_events'::regclass`)
	if err != nil {
		return fmt.Errorf("db: check the database role: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var super, createRole, owner, rewrite bool
		if err := rows.Scan(&name, &super, &createRole, &owner, &rewrite); err != nil {
			return fmt.Errorf("db: check the database role: %w", err)
		}
		var why []string
		if super {
			why = append(why, "is a superuser")
		}
		if createRole {
			why = append(why, "may create roles")
		}
		if owner {
			why = append(why, "owns audit_events or may act as its owner")
		}
		if rewrite {
			why = append(why, "holds UPDATE, DELETE or TRUNCATE on audit_events")
		}
		if len(why) > 0 {
			return fmt.Errorf("role %q %s: %w", name, strings.Join(why, " and "), ErrPrivilegedRole)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("db: check the database role: %w", err)
	}
	return nil
}
