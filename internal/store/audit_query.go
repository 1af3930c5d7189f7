package store

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

// AuditQuery selects audit events for the review of the log. Empty fields do not filter.
type AuditQuery struct {
	// CaseID, or else CaseReference (exact), names the case.
	CaseID        *uuid.UUID
	CaseReference string
	// User is an e-mail address (exact, any case) or part of a name: of the account, or as
	// recorded in the event (for accounts deleted meanwhile and for the system).
	User  string
	OrgID *uuid.UUID
	// From (included) and To (excluded) bound the time of the event.
	From, To *time.Time
	// Action is an action, or the object part before the dot.
	Action string
	// Before is the keyset cursor: only events with a smaller id.
	Before int64
	Limit  int
}

// likeEscape quotes the wildcard characters of LIKE.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Query returns audit events newest first, with the organisation's name and the case's
// reference number.
func (r Audit) Query(ctx context.Context, q AuditQuery) ([]model.AuditRow, error) {
	where, args := auditWhere(q)
	if q.Before > 0 {
		where = append(where, "e.id < ?")
		args = append(args, q.Before)
	}
	sql := `SELECT e.*, coalesce(o.name, '') AS org_name, coalesce(c.reference, '') AS case_reference
		FROM audit_events e
		LEFT JOIN organisations o ON o.id = e.org_id
		LEFT JOIN cases c ON c.id = e.case_id`
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += " ORDER BY e.id DESC"
	if q.Limit > 0 {
		sql += " LIMIT ?"
		args = append(args, q.Limit)
	}
	var out []model.AuditRow
	err := r.db.WithContext(ctx).Raw(sql, args...).Scan(&out).Error
	return out, translate("query audit events", err)
}

// Count returns how many events q selects on all pages (q.Before and q.Limit aside).
func (r Audit) Count(ctx context.Context, q AuditQuery) (int64, error) {
	where, args := auditWhere(q)
	sql := `SELECT count(*) FROM audit_events e`
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	var n int64
	err := r.db.WithContext(ctx).Raw(sql, args...).Scan(&n).Error
	return n, translate("count audit events", err)
}

// auditWhere is the condition of q's filters (not its position), over audit_events e.
func auditWhere(q AuditQuery) ([]string, []any) {
	var where []string
	var args []any
	add := func(cond string, a ...any) {
		where = append(where, cond)
		args = append(args, a...)
	}
	switch {
	case q.CaseID != nil:
		add("e.case_id = ?", *q.CaseID)
	case q.CaseReference != "":
		add("e.case_id IN (SELECT id FROM cases WHERE reference = ?)", q.CaseReference)
	}
	if u := strings.TrimSpace(q.User); u != "" {
		pat := "%" + likeEscape(u) + "%"
		add(`(e.actor_id IN (SELECT id FROM users WHERE email ILIKE ? OR display_name ILIKE ?) OR e.actor_name ILIKE ?)`, pat, pat, pat)
	}
	if q.OrgID != nil {
		add("e.org_id = ?", *q.OrgID)
	}
	if q.From != nil {
		add("e.at >= ?", q.From.UTC())
	}
	if q.To != nil {
		add("e.at < ?", q.To.UTC())
	}
	if a := strings.TrimSpace(q.Action); a != "" {
		add("(e.action = ? OR e.action LIKE ?)", a, likeEscape(a)+".%")
	}
	return where, args
}
