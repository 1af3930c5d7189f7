package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil"
)

// TestGenericCreateAndUpdate: every repository's create and versioned update go through one
// pair of helpers. A create gives a new record its id, version 1 and times as Postgres keeps
// them; an update with the stored version writes and bumps it; an update with a stale version
// (a lost race) is ErrConflict and writes nothing, whichever repository calls it.
func TestGenericCreateAndUpdate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := New(testutil.NewDB(t).Gorm, nil)
	sys := model.Actor{System: true, Name: "test"}

	var o model.Organisation
	err := st.Tx(ctx, sys, func(tx *Tx) error {
		o = model.Organisation{Kind: model.OrgWelfare, Name: "Caritas", ShortName: "CARITAS", Active: true}
		return tx.Organisations().Create(ctx, &o)
	})
	if err != nil {
		t.Fatal(err)
	}
	if o.ID == uuid.Nil || o.Version != 1 || o.CreatedAt.IsZero() || !o.UpdatedAt.Equal(o.CreatedAt) {
		t.Fatalf("created %+v", o)
	}
	if o.CreatedAt.Location() != time.UTC || o.CreatedAt.Nanosecond()%1000 != 0 {
		t.Errorf("created at %v: not as Postgres keeps it", o.CreatedAt)
	}
	read := func() model.Organisation {
		t.Helper()
		var got *model.Organisation
		if err := st.Read(ctx, sys, func(tx *Tx) error {
			var err error
			got, err = tx.Organisations().Get(ctx, model.Scope{Object: "organisation", Kinds: []model.ScopeKind{model.ScopeAll}}, o.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return *got
	}
	if got := read(); !got.CreatedAt.Equal(o.CreatedAt) || got.Version != 1 {
		t.Errorf("read back %v version %d, created %v", got.CreatedAt, got.Version, o.CreatedAt)
	}

	t.Run("update with the stored version", func(t *testing.T) {
		before := o.UpdatedAt
		o.Name = "Caritas Stadt"
		if err := st.Tx(ctx, sys, func(tx *Tx) error { return tx.Organisations().Update(ctx, &o, 1) }); err != nil {
			t.Fatal(err)
		}
		got := read()
		if o.Version != 2 || got.Version != 2 || got.Name != "Caritas Stadt" || !got.UpdatedAt.Equal(o.UpdatedAt) || o.UpdatedAt.Before(before) {
			t.Errorf("after update: returned %+v, stored %+v", o, got)
		}
	})
	t.Run("a stale version is a conflict and writes nothing", func(t *testing.T) {
		stale := o
		stale.Name = "Verloren"
		err := st.Tx(ctx, sys, func(tx *Tx) error { return tx.Organisations().Update(ctx, &stale, 1) })
		if !errors.Is(err, model.ErrConflict) {
			t.Fatalf("stale update: %v", err)
		}
		if stale.Version != 2 {
			t.Errorf("the lost update bumped the record's version to %d", stale.Version)
		}
		if got := read(); got.Name != "Caritas Stadt" || got.Version != 2 {
			t.Errorf("the lost update wrote: %+v", got)
		}
	})
	t.Run("a missing record is a conflict", func(t *testing.T) {
		ghost := model.Organisation{ID: model.NewID(), Kind: model.OrgWelfare, Name: "x", ShortName: "X"}
		err := st.Tx(ctx, sys, func(tx *Tx) error { return tx.Organisations().Update(ctx, &ghost, 1) })
		if !errors.Is(err, model.ErrConflict) {
			t.Fatalf("update of a missing record: %v", err)
		}
	})
	t.Run("a composite key with a stale version", func(t *testing.T) {
		// The plan row is keyed by (case, area), not by id: the helper takes any key.
		var row model.AreaStatus
		err := st.Tx(ctx, sys, func(tx *Tx) error {
			c := model.Case{Reference: "F-2026-00001", LeadOrgID: o.ID, Status: model.CaseOpen}
			if err := tx.Cases().Create(ctx, &c); err != nil {
				return err
			}
			if c.Version != 1 || !c.UpdatedAt.Equal(c.CreatedAt) {
				t.Errorf("case created %+v", c)
			}
			if err := tx.Plan().CreateRows(ctx, c.ID, []string{"housing"}, uuid.Nil); err != nil {
				return err
			}
			return tx.db.Where("case_id = ?", c.ID).Take(&row).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		row.Status = model.AreaInProgress
		if err := st.Tx(ctx, sys, func(tx *Tx) error { return tx.Plan().Update(ctx, &row, 1) }); err != nil || row.Version != 2 {
			t.Fatalf("plan update: %v, version %d", err, row.Version)
		}
		err = st.Tx(ctx, sys, func(tx *Tx) error { return tx.Plan().Update(ctx, &row, 1) })
		if !errors.Is(err, model.ErrConflict) {
			t.Fatalf("stale plan update: %v", err)
		}
	})
}
