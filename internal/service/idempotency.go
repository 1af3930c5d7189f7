package service

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Idempotency makes a request sent with an Idempotency-Key safe to retry: the operation that
// creates or changes a resource writes the key with a reference to its result (status and
// resource, never a copy of it) in its own transaction (see base.keyed), and a retry gets the
// same resource again, read as the caller may see it now. A refused request (a client error)
// is remembered with its status and error code, so that its retry does not suddenly succeed
// differently. Keys are per user and kept for model.IdempotencyRetention; Purge removes older
// ones.
type Idempotency struct{ base }

const maxIdempotencyKey = 200

// keySince is the oldest creation time of a key that still counts, by the services' clock.
func (b base) keySince() time.Time { return b.now().Add(-model.IdempotencyRetention) }

// Check validates the key of a request and returns what became of an earlier request with
// it: nil when there was none. The same key with another request is ErrConflict.
func (s *Idempotency) Check(ctx context.Context, a model.Actor, k *model.RequestKey) (*model.IdempotencyRecord, error) {
	if err := refuseBadText(textInput{"Idempotency-Key": k.Key}); err != nil {
		return nil, err
	}
	if len(k.Key) == 0 || len(k.Key) > maxIdempotencyKey {
		return nil, model.Invalid("Idempotency-Key", model.CodeLength, model.Params{"min": 1, "max": maxIdempotencyKey})
	}
	var prev *model.IdempotencyRecord
	err := s.store.Read(ctx, a, func(tx *store.Tx) error {
		var err error
		prev, err = tx.Idempotency().Get(ctx, a.UserID, k.Key, s.keySince())
		return err
	})
	if err != nil || prev == nil {
		return nil, err
	}
	return prev, checkSame(prev, k)
}

// checkSame refuses a key that an earlier request with other content used.
func checkSame(prev *model.IdempotencyRecord, k *model.RequestKey) error {
	if prev.RequestHash != k.Hash {
		return fmt.Errorf("service: idempotency key reused for another request: %w", model.ErrConflict)
	}
	return nil
}

// Refused remembers that the request with key k was refused with status (a client error) and
// error code, in a transaction of its own: the operation rolled back and left nothing, so
// should this record be lost, the retry merely runs again. A key already written (by a
// concurrent retry that got further) stays as it is.
func (s *Idempotency) Refused(ctx context.Context, a model.Actor, k *model.RequestKey, status int, code string) error {
	if status < 400 || status > 499 {
		return fmt.Errorf("service: remember refused request: status %d is no client error", status)
	}
	return s.store.Tx(ctx, a, func(tx *store.Tx) error {
		r := tx.Idempotency()
		if err := r.Lock(ctx, a.UserID, k.Key); err != nil {
			return err
		}
		since := s.keySince()
		prev, err := r.Get(ctx, a.UserID, k.Key, since)
		if err != nil || prev != nil {
			return err
		}
		return r.Put(ctx, &model.IdempotencyRecord{UserID: a.UserID, Key: k.Key, RequestHash: k.Hash, Status: status, Code: code, CreatedAt: s.now()}, since)
	})
}

// Purge deletes the keys older than model.IdempotencyRetention and returns how many; the
// background sweep of the composition root runs it.
func (s *Idempotency) Purge(ctx context.Context) (int64, error) {
	var n int64
	err := s.store.Tx(ctx, model.Actor{System: true, Name: "idempotency purge"}, func(tx *store.Tx) error {
		var err error
		n, err = tx.Idempotency().Purge(ctx, s.keySince())
		return err
	})
	return n, err
}

// keyed runs fn, the transaction of an operation whose result is one resource (kind, *id),
// answered with status on success. Without an idempotency key on ctx it is store.Tx. With one,
// the key is locked and looked up first in the same transaction: when an earlier request
// wrote it, fn does not run, *id is set to that request's resource and replayed is true (the
// caller then returns the resource through its normal, access-checked read); otherwise fn
// runs and the key is written with its result before the commit, so that the key exists
// exactly when the result does.
func (b base) keyed(ctx context.Context, a model.Actor, status int, kind string, id *uuid.UUID, fn func(tx *store.Tx) error) (replayed bool, err error) {
	k, ok := model.RequestKeyFrom(ctx)
	if !ok || a.UserID == uuid.Nil {
		return false, b.store.Tx(ctx, a, fn)
	}
	err = b.store.Tx(ctx, a, func(tx *store.Tx) error {
		r := tx.Idempotency()
		if err := r.Lock(ctx, a.UserID, k.Key); err != nil {
			return err
		}
		since := b.keySince()
		prev, err := r.Get(ctx, a.UserID, k.Key, since)
		if err != nil {
			return err
		}
		if prev != nil {
			if err := checkSame(prev, k); err != nil {
				return err
			}
			if prev.ResourceID == nil || prev.ResourceType != kind {
				// Refused meanwhile (a concurrent retry), or written by an older version.
				return fmt.Errorf("service: the first request with this idempotency key ended otherwise: %w", model.ErrConflict)
			}
			*id, replayed = *prev.ResourceID, true
			return nil
		}
		if err := fn(tx); err != nil {
			return err
		}
		res := *id
		return r.Put(ctx, &model.IdempotencyRecord{UserID: a.UserID, Key: k.Key, RequestHash: k.Hash, Status: status, ResourceType: kind, ResourceID: &res, CreatedAt: b.now()}, since)
	})
	if err != nil {
		return false, err
	}
	if replayed {
		k.MarkReplayed()
	} else {
		k.MarkRecorded()
	}
	return replayed, nil
}

// The statuses recorded with the key of a keyed operation: the answer to a request that
// created a resource, or changed one (an action on a versioned record).
const (
	created = http.StatusCreated
	changed = http.StatusOK
)

// findByID returns the item of items (as read after a replayed request) with the id want;
// ErrNotFound when the caller no longer sees it, or when reading items failed with err.
func findByID[T any](items []T, want uuid.UUID, id func(T) uuid.UUID, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	for i := range items {
		if id(items[i]) == want {
			return &items[i], nil
		}
	}
	return nil, fmt.Errorf("service: replay: %w", model.ErrNotFound)
}

// person returns a person of a case as a read of the case shows it now.
func (s *Cases) person(ctx context.Context, a model.Actor, caseID, id uuid.UUID) (*model.Person, error) {
	v, err := s.Get(ctx, a, caseID)
	if err != nil {
		return nil, err
	}
	return findByID(v.Persons, id, func(p model.Person) uuid.UUID { return p.ID }, nil)
}

// comment returns a comment of a task as the task's comments show it now.
func (s *Tasks) comment(ctx context.Context, a model.Actor, taskID, id uuid.UUID) (*model.TaskComment, error) {
	cs, err := s.Comments(ctx, a, taskID)
	return findByID(cs, id, func(c model.TaskComment) uuid.UUID { return c.ID }, err)
}

// grant returns a grant of an account as the account's read shows it now.
func (d *Directory) grant(ctx context.Context, a model.Actor, user, id uuid.UUID) (*model.Grant, error) {
	m, err := d.GetMember(ctx, a, user)
	if err != nil {
		return nil, err
	}
	return findByID(m.Grants, id, func(g model.Grant) uuid.UUID { return g.ID }, nil)
}
