package service

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Audit lets the data protection officer review the audit log: who read or changed which
// record, when, in which role and organisation, for what purpose. The log holds no case
// content, only references (ids, reference numbers) and names of actors. Reading and
// exporting the log are themselves recorded, with the kinds of filters used but not their
// values (which may name a person).
type Audit struct {
	base
	// verifyKeys are the installation's public keys for VerifyChain (SetVerifyKeys; none: the
	// checkpoints' signatures are not checked unless the officer gives a key).
	verifyKeys []ed25519.PublicKey
}

const (
	objAudit     = "audit"
	actExport    = "export"
	auditPurpose = model.PurposeDataProtectionReview
	// auditBatch is how many events the export reads at a time.
	auditBatch = 500
)

// query checks a filter and turns it into the store's query.
func (s *Audit) query(f model.AuditFilter) (store.AuditQuery, error) {
	v := &model.ValidationError{}
	q := store.AuditQuery{User: strings.TrimSpace(f.User), OrgID: f.OrgID, Action: strings.TrimSpace(f.Action)}
	if c := strings.TrimSpace(f.Case); c != "" {
		if id, err := uuid.Parse(c); err == nil {
			q.CaseID = &id
		} else {
			q.CaseReference = strings.ToUpper(c)
		}
		if len(c) > 100 {
			v.Add("case", model.CodeTooLong, model.Params{"max": 100})
		}
	}
	if len(q.User) > 200 {
		v.Add("user", model.CodeTooLong, model.Params{"max": 200})
	}
	if len(q.Action) > 100 {
		v.Add("action", model.CodeTooLong, model.Params{"max": 100})
	}
	if f.From != nil {
		from := day(*f.From)
		q.From = &from
	}
	if f.To != nil {
		to := day(*f.To).AddDate(0, 0, 1)
		q.To = &to
	}
	if f.From != nil && f.To != nil && f.To.Before(*f.From) {
		v.Add("to", model.CodeBefore, model.Params{"other": "from"})
	}
	if ok, err := auditPages.after(f.Cursor, &q.Before); err != nil {
		v.Fields = append(v.Fields, err.(*model.ValidationError).Fields...)
	} else if ok && q.Before <= 0 {
		v.Add("cursor", model.CodeBadCursor)
	}
	return q, v.Err()
}

// day is the start of calendar day d in Europe/Berlin.
func day(d time.Time) time.Time {
	y, m, dd := d.Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, model.Berlin)
}

// record writes the audit event of reading or exporting the log in a transaction of its own,
// before the log is read: an export cut short is still recorded as attempted.
func (s *Audit) record(ctx context.Context, a model.Actor, action string, f model.AuditFilter) error {
	ev := event(a, action, objAudit, uuid.Nil, model.JSONMap{"filters": f.Kinds(), "continued": f.Cursor != ""})
	ev.ObjectID = ""
	ev.Purpose = auditPurpose
	return s.store.Tx(ctx, a, func(tx *store.Tx) error { return tx.Audit().Record(ctx, ev) })
}

// List returns one page of the audit log, newest first, and the organisations to filter by.
func (s *Audit) List(ctx context.Context, a model.Actor, f model.AuditFilter) (*model.AuditLog, error) {
	if err := refuseBadText(f); err != nil {
		return nil, err
	}
	if _, err := s.require(a, objAudit, actRead, false); err != nil {
		return nil, err
	}
	q, err := s.query(f)
	if err != nil {
		return nil, err
	}
	limit, err := auditPages.limit(f.Limit)
	if err != nil {
		return nil, err
	}
	q.Limit = limit + 1 // one more tells whether there is a next page
	if err := s.record(ctx, a, "audit.read", f); err != nil {
		return nil, err
	}
	out := &model.AuditLog{}
	err = s.store.Read(ctx, a, func(tx *store.Tx) error {
		rows, err := tx.Audit().Query(ctx, q)
		if err != nil {
			return err
		}
		out.Items, out.NextCursor = cut(auditPages, rows, limit, func(r *model.AuditRow) any { return r.ID })
		if out.Total, err = tx.Audit().Count(ctx, q); err != nil {
			return err
		}
		out.Organisations, err = s.organisations(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Export streams every event the filter selects, newest first, to fn, in batches from one
// snapshot of the log, so that a large range needs no more memory than a batch. An error of
// fn stops the export and is returned.
func (s *Audit) Export(ctx context.Context, a model.Actor, f model.AuditFilter, fn func(model.AuditRow) error) error {
	if err := refuseBadText(f); err != nil {
		return err
	}
	if _, err := s.require(a, objAudit, actExport, false); err != nil {
		return err
	}
	f.Cursor = ""
	q, err := s.query(f)
	if err != nil {
		return err
	}
	if err := s.record(ctx, a, "audit.export", f); err != nil {
		return err
	}
	return s.store.Read(ctx, a, func(tx *store.Tx) error {
		q.Limit = auditBatch
		for {
			rows, err := tx.Audit().Query(ctx, q)
			if err != nil {
				return err
			}
			for _, r := range rows {
				if err := fn(r); err != nil {
					return fmt.Errorf("service: export audit log: %w", err)
				}
			}
			if len(rows) < auditBatch {
				return nil
			}
			q.Before = rows[len(rows)-1].ID
		}
	})
}
