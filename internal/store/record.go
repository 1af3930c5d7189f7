package store

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// stamp points at the bookkeeping fields of one record that the generic create and update
// set: its id, its version (nil for records without optimistic locking) and its creation and
// update times (nil where the table has none).
type stamp struct {
	id        *uuid.UUID
	version   *int
	createdAt *time.Time
	updatedAt *time.Time
}

// create inserts rec after giving it what every new record gets: a new id unless one is set,
// version 1, and a creation time (now, unless the caller set one, e.g. the services' clock
// for backdated demo data) with the update time equal to it unless set. Times are kept as
// Postgres keeps them (UTC, microseconds), so that what a create returns, the keyset cursor
// built from it and a later read all agree.
func create(ctx context.Context, db *gorm.DB, op string, rec any, s stamp) error {
	if *s.id == uuid.Nil {
		*s.id = model.NewID()
	}
	if s.version != nil {
		*s.version = 1
	}
	if s.createdAt != nil {
		if s.createdAt.IsZero() {
			*s.createdAt = dbNow(db)
		}
		*s.createdAt = asStored(*s.createdAt)
		if s.updatedAt != nil {
			if s.updatedAt.IsZero() {
				*s.updatedAt = *s.createdAt
			}
			*s.updatedAt = asStored(*s.updatedAt)
		}
	}
	return translate(op, db.WithContext(ctx).Create(rec).Error)
}

// update writes cols to the row of T that matches where (with args) if its stored version is
// still version, bumps the version and, where s has an update time, sets it to now; rec's
// version and update time (through s) follow only on success. A row that another writer
// changed meanwhile, or that is gone, is ErrConflict: GORM reports a lost race only as
// RowsAffected == 0, and this is the one place that checks it.
func update[T any](ctx context.Context, db *gorm.DB, op string, s stamp, version int, cols map[string]any, where string, args ...any) error {
	now := dbNow(db)
	cols["version"] = version + 1
	if s.updatedAt != nil {
		cols["updated_at"] = now
	}
	res := db.WithContext(ctx).Model(new(T)).Where(where+" AND version = ?", append(args, version)...).Updates(cols)
	if err := translate(op, res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return conflict(op)
	}
	*s.version = version + 1
	if s.updatedAt != nil {
		*s.updatedAt = now
	}
	return nil
}

// conflict is the error of a versioned write that lost the race.
func conflict(op string) error {
	return fmt.Errorf("store: %s: stale version: %w", op, model.ErrConflict)
}

// dbNow is the current time of the store's clock (which Store.run hands to the transaction's
// handle as GORM's NowFunc) as Postgres stores it (UTC, microseconds), so that what a write
// returns equals what a later read returns.
func dbNow(db *gorm.DB) time.Time { return asStored(db.NowFunc()) }

// today is the calendar day of the store's clock in Berlin (model.CalendarDay), the day the
// scopes judge a consent's validity by.
func today(db *gorm.DB) time.Time { return model.CalendarDay(db.NowFunc()) }

// asStored is t as a timestamptz column gives it back: UTC, to the microsecond.
func asStored(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
