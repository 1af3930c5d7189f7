package store

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/lotse-project/lotse/internal/model"
)

// Idempotency is the repository of the Idempotency-Keys of one transaction. The key of an
// operation is written in the operation's own transaction, so it commits with the result or
// not at all.
type Idempotency struct{ db *gorm.DB }

// Idempotency returns the idempotency key repository.
func (tx *Tx) Idempotency() Idempotency { return Idempotency{tx.db} }

// Lock serialises the requests with one key: it holds a transaction-level advisory lock on
// (user, key) until the transaction ends, so that a concurrent retry waits for the first
// request and then finds its record.
func (r Idempotency) Lock(ctx context.Context, user uuid.UUID, key string) error {
	err := r.db.WithContext(ctx).Exec(`SELECT pg_advisory_xact_lock(hashtextextended(?, 7462014))`, user.String()+"/"+key).Error
	return translate("lock idempotency key", err)
}

// Get returns the record of (user, key) written at or after since, or nil when there is none.
func (r Idempotency) Get(ctx context.Context, user uuid.UUID, key string, since time.Time) (*model.IdempotencyRecord, error) {
	var rec model.IdempotencyRecord
	err := r.db.WithContext(ctx).Where("user_id = ? AND key = ? AND created_at >= ?", user, key, since).Take(&rec).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, translate("get idempotency key", err)
	}
	return &rec, nil
}

// Put writes rec. An expired record of the same key (written before since, not purged yet)
// is replaced; a current one is ErrConflict.
func (r Idempotency) Put(ctx context.Context, rec *model.IdempotencyRecord, since time.Time) error {
	rec.CreatedAt = asStored(rec.CreatedAt)
	res := r.db.WithContext(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "user_id"}, {Name: "key"}},
		DoUpdates: clause.AssignmentColumns([]string{"request_hash", "status", "code", "resource_type", "resource_id", "created_at"}),
		Where:     clause.Where{Exprs: []clause.Expression{clause.Expr{SQL: "idempotency_keys.created_at < ?", Vars: []any{since}}}},
	}).Create(rec)
	if err := translate("put idempotency key", res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return conflict("put idempotency key")
	}
	return nil
}

// Purge deletes the records written before `before` and returns how many.
func (r Idempotency) Purge(ctx context.Context, before time.Time) (int64, error) {
	res := r.db.WithContext(ctx).Where("created_at < ?", before).Delete(&model.IdempotencyRecord{})
	return res.RowsAffected, translate("purge idempotency keys", res.Error)
}
