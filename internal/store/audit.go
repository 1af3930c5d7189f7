package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// Audit is the audit trail repository of one transaction. It can only append and read.
type Audit struct{ db *gorm.DB }

// Audit returns the audit trail repository.
func (tx *Tx) Audit() Audit { return Audit{tx.db} }

// Record appends one event. It runs in the caller's transaction, so that a change and its
// audit event commit together or not at all.
func (r Audit) Record(ctx context.Context, ev *model.AuditEvent) error {
	if ev.At.IsZero() {
		ev.At = dbNow(r.db)
	}
	return translate("record audit event", r.db.WithContext(ctx).Omit("id").Create(ev).Error)
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
