package model

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// IdempotencyRetention is how long a request's Idempotency-Key is remembered. A retry later
// than this runs as a new request; older keys are purged.
const IdempotencyRetention = 24 * time.Hour

// IdempotencyRecord is what is remembered of a request sent with an Idempotency-Key: a
// reference to its result, never a copy of it. A request that succeeded has the status it was
// answered with and the resource it created or changed, written in the operation's own
// transaction; a refused one (a client error) has the status and the error code.
type IdempotencyRecord struct {
	UserID       uuid.UUID `gorm:"type:uuid;primaryKey"`
	Key          string    `gorm:"primaryKey"`
	RequestHash  string
	Status       int
	Code         string
	ResourceType string
	ResourceID   *uuid.UUID `gorm:"type:uuid"`
	CreatedAt    time.Time
}

// TableName names the table.
func (IdempotencyRecord) TableName() string { return "idempotency_keys" }

// Refused reports whether the remembered request was refused (a client error).
func (r *IdempotencyRecord) Refused() bool { return r.Status >= 400 }

// RequestKey is the Idempotency-Key of the request being served and a hash of the request
// (method, path, organisation, body), so that the key reused for another request is noticed.
// The service operation that creates or changes a resource takes it in its own transaction and
// says here what it did with it.
type RequestKey struct {
	Key  string
	Hash string
	// recorded: the operation wrote the key with its result; replayed: the key had been
	// written by an earlier request, and the operation returned that request's resource.
	recorded, replayed atomic.Bool
}

// MarkRecorded notes that the operation wrote the key with its result.
func (k *RequestKey) MarkRecorded() { k.recorded.Store(true) }

// MarkReplayed notes that the operation answered with an earlier request's result.
func (k *RequestKey) MarkReplayed() { k.replayed.Store(true) }

// Recorded reports whether the operation wrote the key with its result.
func (k *RequestKey) Recorded() bool { return k.recorded.Load() }

// Replayed reports whether the operation answered with an earlier request's result.
func (k *RequestKey) Replayed() bool { return k.replayed.Load() }

// requestKeyKey keys the RequestKey in a request's context.Context.
type requestKeyKey struct{}

// ContextWithRequestKey returns ctx carrying k, for the service operation the request runs.
func ContextWithRequestKey(ctx context.Context, k *RequestKey) context.Context {
	return context.WithValue(ctx, requestKeyKey{}, k)
}

// RequestKeyFrom returns the RequestKey set by ContextWithRequestKey, if any.
func RequestKeyFrom(ctx context.Context) (*RequestKey, bool) {
	k, ok := ctx.Value(requestKeyKey{}).(*RequestKey)
	return k, ok && k != nil
}
