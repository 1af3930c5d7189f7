package store

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// IdempotentResponse is the stored first answer to a request with an Idempotency-Key.
type IdempotentResponse struct {
	UserID      uuid.UUID `gorm:"type:uuid;primaryKey"`
	Key         string    `gorm:"primaryKey"`
	RequestHash string
	Status      int
	Body        []byte
	Headers     model.JSONMap `gorm:"type:jsonb"`
	CreatedAt   time.Time
}

// TableName names the table.
func (IdempotentResponse) TableName() string { return "idempotency_keys" }

// ClaimIdempotencyKey reserves (user, key) for a request. It returns the stored response when
// the key was used before (Status 0 means the first request is still running) and nil when
// this request now owns the key. Keys older than a day are reused.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, user uuid.UUID, key, hash string) (*IdempotentResponse, error) {
	db := s.db.WithContext(ctx)
	if err := db.Exec(`DELETE FROM idempotency_keys WHERE user_id = ? AND key = ? AND created_at < now() - interval '1 day'`, user, key).Error; err != nil {
		return nil, translate("expire idempotency key", err)
	}
	res := db.Exec(`INSERT INTO idempotency_keys (user_id, key, request_hash, status, body) VALUES (?, ?, ?, 0, '')
		ON CONFLICT (user_id, key) DO NOTHING`, user, key, hash)
	if res.Error != nil {
		return nil, translate("claim idempotency key", res.Error)
	}
	if res.RowsAffected == 1 {
		return nil, nil
	}
	var prev IdempotentResponse
	if err := db.Where("user_id = ? AND key = ?", user, key).Take(&prev).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) { // expired and deleted between the two statements
			return nil, translate("claim idempotency key", model.ErrConflict)
		}
		return nil, translate("read idempotency key", err)
	}
	return &prev, nil
}

// FinishIdempotencyKey stores the answer for a claimed key.
func (s *Store) FinishIdempotencyKey(ctx context.Context, r *IdempotentResponse) error {
	err := s.db.WithContext(ctx).Exec(`UPDATE idempotency_keys SET status = ?, body = ?, headers = ? WHERE user_id = ? AND key = ?`,
		r.Status, r.Body, r.Headers, r.UserID, r.Key).Error
	return translate("store idempotent response", err)
}

// ReleaseIdempotencyKey forgets a claimed key whose request failed, so that a retry runs.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, user uuid.UUID, key string) error {
	err := s.db.WithContext(ctx).Exec(`DELETE FROM idempotency_keys WHERE user_id = ? AND key = ? AND status = 0`, user, key).Error
	return translate("release idempotency key", err)
}
