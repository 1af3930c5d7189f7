package service

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Idempotency remembers the first answer to a creating request sent with an
// Idempotency-Key, so that a client retrying after a lost response creates nothing twice.
type Idempotency struct{ base }

// StoredResponse is a remembered answer.
type StoredResponse struct {
	Status  int
	Body    []byte
	Headers map[string]string
}

// Begin claims key for the user. It returns a stored response to replay, or nil when the
// request should run now. The same key with a different request, or while the first request
// still runs, is ErrConflict.
func (s *Idempotency) Begin(ctx context.Context, user uuid.UUID, key, requestHash string) (*StoredResponse, error) {
	if err := refuseBadText(textInput{"Idempotency-Key": key}); err != nil {
		return nil, err
	}
	if len(key) == 0 || len(key) > 200 {
		return nil, model.Invalid("Idempotency-Key", "must be 1 to 200 characters")
	}
	prev, err := s.store.ClaimIdempotencyKey(ctx, user, key, requestHash)
	if err != nil || prev == nil {
		return nil, err
	}
	if prev.RequestHash != requestHash {
		return nil, fmt.Errorf("service: idempotency key reused for another request: %w", model.ErrConflict)
	}
	if prev.Status == 0 {
		return nil, fmt.Errorf("service: the first request with this idempotency key is still running: %w", model.ErrConflict)
	}
	out := &StoredResponse{Status: prev.Status, Body: prev.Body, Headers: map[string]string{}}
	for k, v := range prev.Headers {
		if s, ok := v.(string); ok {
			out.Headers[k] = s
		}
	}
	return out, nil
}

// Finish stores the answer of a request that ran; a server error releases the key instead,
// so that the retry runs again.
func (s *Idempotency) Finish(ctx context.Context, user uuid.UUID, key string, r StoredResponse) error {
	if r.Status >= 500 || r.Status == 0 {
		return s.store.ReleaseIdempotencyKey(ctx, user, key)
	}
	h := model.JSONMap{}
	for k, v := range r.Headers {
		h[k] = v
	}
	return s.store.FinishIdempotencyKey(ctx, &store.IdempotentResponse{UserID: user, Key: key, Status: r.Status, Body: r.Body, Headers: h})
}
