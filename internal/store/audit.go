package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// Audit is the audit trail repository of one transaction. It can only append and read.
type Audit struct {
	db      *gorm.DB
	pending *[]*model.AuditEvent
}

// Audit returns the audit trail repository.
func (tx *Tx) Audit() Audit { return Audit{tx.db, tx.audit} }

// Record appends one event to the caller's transaction, so that a change and its audit event
// commit together or not at all. The event is written with the transaction's COMMIT, in the
// same message (commit), not as a round trip of its own; a failure to write it fails the
// commit, and the transaction's changes with it. Outside a transaction (Store.One) there is
// nothing to record in: that is a programming error.
func (r Audit) Record(ctx context.Context, ev *model.AuditEvent) error {
	if r.pending == nil {
		return errors.New("store: record audit event: not in a transaction")
	}
	if ev.At.IsZero() {
		ev.At = dbNow(r.db)
	}
	*r.pending = append(*r.pending, ev)
	return nil
}

// asyncIfRead switches synchronous commit off for the rest of the transaction when it has
// written nothing so far: Postgres assigns a transaction id at the first write (or row lock),
// and a read has none.
const asyncIfRead = `SELECT set_config('synchronous_commit', 'off', true) WHERE pg_current_xact_id_if_assigned() IS NULL`

// auditColumns are the columns commit writes, in the order of auditValues.
const auditColumns = `at, actor_id, actor_name, org_id, role, action, object_type, object_id, case_id, purpose, request_id, remote_addr, details`

// auditValues are the values of ev for auditColumns, as text the simple protocol quotes
// (pgx turns each into a literal; the casts give them their types).
func auditValues(ev *model.AuditEvent, n int) (string, []any, error) {
	details, err := ev.Details.Value()
	if err != nil {
		return "", nil, err
	}
	id := func(u *uuid.UUID) any {
		if u == nil {
			return nil
		}
		return u.String()
	}
	args := []any{asStored(ev.At).Format(time.RFC3339Nano), id(ev.ActorID), ev.ActorName, id(ev.OrgID), ev.Role, ev.Action,
		ev.ObjectType, ev.ObjectID, id(ev.CaseID), ev.Purpose, ev.RequestID, ev.RemoteAddr, details}
	casts := []string{"timestamptz", "uuid", "text", "uuid", "text", "text", "text", "text", "uuid", "text", "text", "text", "jsonb"}
	var b strings.Builder
	b.WriteString("(")
	for i, c := range casts {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d::%s", n+i+1, c)
	}
	b.WriteString(")")
	return b.String(), args, nil
}

// commit is the one message that ends a transaction: its audit events and the COMMIT,
// sent together by the simple protocol (one round trip; pgx quotes the values). A transaction
// that has written nothing before its audit events (no transaction id assigned: a read)
// commits without waiting for the write-ahead log to reach the disk (synchronous_commit off,
// for this transaction only): a crash of the database server itself may lose the read-audit
// rows of its last fraction of a second, never a change or the audit event of one (see
// docs/performance.md). The decision is the database's, taken in the same message, so no
// code path can mark a write as a read by mistake.
func commit(events []*model.AuditEvent) (string, []any) {
	if len(events) == 0 {
		return "commit", nil
	}
	var b strings.Builder
	b.WriteString(asyncIfRead + ";\n")
	b.WriteString("INSERT INTO audit_events (" + auditColumns + ") VALUES ")
	args := []any{pgx.QueryExecModeSimpleProtocol}
	for i, ev := range events {
		row, vals, err := auditValues(ev, len(args)-1)
		if err != nil {
			// A map that does not encode as JSON: write the event without its details
			// rather than lose it.
			ev.Details = model.JSONMap{"details": "not encodable"}
			row, vals, _ = auditValues(ev, len(args)-1)
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
		args = append(args, vals...)
	}
	b.WriteString(";\ncommit")
	return b.String(), args
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	ObjectType string
	ObjectID   string
	Limit      int
}

// List returns audit events, newest first.
func (r Audit) List(ctx context.Context, f AuditFilter) ([]model.AuditEvent, error) {
	q := r.db.WithContext(ctx).Model(&model.AuditEvent{})
	if f.ObjectType != "" {
		q = q.Where("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != "" {
		q = q.Where("object_id = ?", f.ObjectID)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	var out []model.AuditEvent
	err := q.Order("id DESC").Limit(f.Limit).Find(&out).Error
	return out, translate("list audit events", err)
}
