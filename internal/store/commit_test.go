package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil"
)

// TestAuditTravelsWithCommit: the audit events of a transaction are written with its COMMIT,
// in one message, exactly as recorded (text that needs quoting, JSON details, no actor); the
// change and its events commit together, and neither stays when the function fails or when
// an event cannot be written.
func TestAuditTravelsWithCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := New(testutil.NewDB(t).Gorm, nil)
	actor := model.NewID()
	sys := model.Actor{System: true, Name: "test"}
	events := func(objectID string) []model.AuditEvent {
		t.Helper()
		var out []model.AuditEvent
		if err := st.Read(ctx, sys, func(tx *Tx) error {
			var err error
			out, err = tx.Audit().List(ctx, AuditFilter{ObjectID: objectID})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	orgs := func(short string) int {
		t.Helper()
		var n int64
		if err := st.Read(ctx, sys, func(tx *Tx) error {
			return tx.db.Model(&model.Organisation{}).Where("short_name = ?", short).Count(&n).Error
		}); err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	at := time.Date(2026, 3, 29, 1, 30, 0, 123456000, time.UTC)
	want := model.AuditEvent{
		At: at, ActorID: &actor, ActorName: `O'Brien \ "Zoë" $1`, Role: "caseworker", Action: "case.read",
		ObjectType: "case", ObjectID: "obj-1", Purpose: "case work", RequestID: "req-1", RemoteAddr: "192.0.2.1",
		Details: model.JSONMap{"note": `it's "quoted" \ $2`, "n": float64(3), "list": []any{"a", "b"}},
	}

	t.Run("a change and its events commit together", func(t *testing.T) {
		err := st.Tx(ctx, sys, func(tx *Tx) error {
			if err := tx.Organisations().Create(ctx, &model.Organisation{Kind: model.OrgWelfare, Name: "Eins", ShortName: "EINS", Active: true}); err != nil {
				return err
			}
			ev := want
			if err := tx.Audit().Record(ctx, &ev); err != nil {
				return err
			}
			second := model.AuditEvent{Action: "case.list", ObjectType: "case", ObjectID: "obj-1"}
			return tx.Audit().Record(ctx, &second)
		})
		if err != nil {
			t.Fatal(err)
		}
		if orgs("EINS") != 1 {
			t.Error("the change was not committed")
		}
		got := events("obj-1")
		if len(got) != 2 {
			t.Fatalf("%d events, want 2", len(got))
		}
		first, second := got[1], got[0] // newest first
		if second.Action != "case.list" || second.ActorID != nil || second.At.IsZero() || second.ID <= first.ID {
			t.Errorf("second event %+v", second)
		}
		first.ID = 0
		if !first.At.Equal(want.At) || *first.ActorID != actor || first.ActorName != want.ActorName || first.OrgID != nil ||
			first.Role != want.Role || first.Action != want.Action || first.ObjectType != want.ObjectType ||
			first.ObjectID != want.ObjectID || first.CaseID != nil || first.Purpose != want.Purpose ||
			first.RequestID != want.RequestID || first.RemoteAddr != want.RemoteAddr {
			t.Errorf("stored %+v,\nrecorded %+v", first, want)
		}
		if first.Details["note"] != want.Details["note"] || first.Details["n"] != want.Details["n"] || len(first.Details["list"].([]any)) != 2 {
			t.Errorf("details %v, recorded %v", first.Details, want.Details)
		}
	})

	t.Run("nothing stays when the function fails", func(t *testing.T) {
		boom := errors.New("boom")
		err := st.Tx(ctx, sys, func(tx *Tx) error {
			if err := tx.Organisations().Create(ctx, &model.Organisation{Kind: model.OrgWelfare, Name: "Zwei", ShortName: "ZWEI", Active: true}); err != nil {
				return err
			}
			if err := tx.Audit().Record(ctx, &model.AuditEvent{Action: "case.read", ObjectType: "case", ObjectID: "obj-2"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v", err)
		}
		if orgs("ZWEI") != 0 || len(events("obj-2")) != 0 {
			t.Error("a failed transaction left its change or its event")
		}
	})

	t.Run("the change does not stay when its event cannot be written", func(t *testing.T) {
		err := st.Tx(ctx, sys, func(tx *Tx) error {
			if err := tx.Organisations().Create(ctx, &model.Organisation{Kind: model.OrgWelfare, Name: "Drei", ShortName: "DREI", Active: true}); err != nil {
				return err
			}
			// Postgres refuses a NUL character in text.
			return tx.Audit().Record(ctx, &model.AuditEvent{Action: "case.read", ObjectType: "case", ObjectID: "obj-3", Purpose: "a\x00b"})
		})
		if err == nil {
			t.Fatal("committed an event Postgres cannot store")
		}
		if orgs("DREI") != 0 || len(events("obj-3")) != 0 {
			t.Error("the change stayed without its audit event")
		}
		// The connection went back to the pool clean: the next transaction works.
		if err := st.Tx(ctx, sys, func(tx *Tx) error {
			return tx.Audit().Record(ctx, &model.AuditEvent{Action: "case.read", ObjectType: "case", ObjectID: "obj-4"})
		}); err != nil || len(events("obj-4")) != 1 {
			t.Fatalf("the next transaction: %v", err)
		}
	})

	t.Run("no audit event outside a transaction", func(t *testing.T) {
		err := st.One(ctx, sys, func(tx *Tx) error {
			return tx.Audit().Record(ctx, &model.AuditEvent{Action: "case.read", ObjectType: "case", ObjectID: "obj-5"})
		})
		if err == nil || len(events("obj-5")) != 0 {
			t.Errorf("recorded outside a transaction: %v", err)
		}
	})
}

// TestReadsCommitAsynchronously: a transaction that wrote nothing before its audit events
// (a read) commits with synchronous_commit off; one that wrote anything (a change, a row
// lock) keeps the synchronous commit of the server.
func TestReadsCommitAsynchronously(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := New(testutil.NewDB(t).Gorm, nil)
	sys := model.Actor{System: true, Name: "test"}
	setting := func(before func(tx *Tx) error) string {
		t.Helper()
		var got string
		err := st.Tx(ctx, sys, func(tx *Tx) error {
			if err := before(tx); err != nil {
				return err
			}
			if err := tx.db.Exec(asyncIfRead).Error; err != nil {
				return err
			}
			return tx.db.Raw(`SHOW synchronous_commit`).Scan(&got).Error
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	read := func(tx *Tx) error {
		var n int64
		return tx.db.Model(&model.Organisation{}).Count(&n).Error
	}
	write := func(tx *Tx) error {
		return tx.Organisations().Create(ctx, &model.Organisation{Kind: model.OrgWelfare, Name: "X " + uuid.NewString(), ShortName: "X" + uuid.NewString()[:8], Active: true})
	}
	lock := func(tx *Tx) error {
		if err := write(tx); err != nil {
			return err
		}
		var ids []uuid.UUID
		return tx.db.Session(&gorm.Session{}).Raw(`SELECT id FROM organisations FOR UPDATE`).Scan(&ids).Error
	}
	if got := setting(read); got != "off" {
		t.Errorf("a read commits with synchronous_commit %q, want off", got)
	}
	if got := setting(write); got != "on" {
		t.Errorf("a change commits with synchronous_commit %q, want on", got)
	}
	if got := setting(lock); got != "on" {
		t.Errorf("a transaction holding row locks commits with synchronous_commit %q, want on", got)
	}
}
