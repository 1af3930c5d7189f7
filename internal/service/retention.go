package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Retention deletes on schedule what Lotse no longer needs (issue 14, docs/retention.md):
// closed cases after model.RetentionRules.ClosedCaseYears, referrals that ended without being
// worked after EndedReferralMonths, the evidence text of ended consents, read notifications.
// A legal hold (CaseHold) keeps a case and everything of it. Each case and each referral is
// deleted in a transaction of its own, so a failure leaves either the whole record or none of
// it, and the next run carries on. The statistics keep anonymised counts of what went
// (store.Retention.DeleteCase), so the city-wide figures are equal before and after a run.
// The audit event of a deletion names the rule and the record's id, no personal data.
//
// The data protection officer previews the next run and manages the holds (permission
// retention read/update); the run itself is the system's (the periodic sweep).
type Retention struct {
	base
	rules model.RetentionRules
}

const objRetention = "retention"

// retentionActor is who deletes: the system, named for the audit.
var retentionActor = model.Actor{System: true, Name: "retention"}

// retentionBatch is how many cases or referrals one run takes at most per rule; the next run
// takes the rest.
const retentionBatch = 500

// SetRules replaces the rules (LOTSE_RETENTION_FILE); call it before serving.
func (s *Retention) SetRules(r model.RetentionRules) { s.rules = r }

// Rules returns the rules in force.
func (s *Retention) Rules() model.RetentionRules { return s.rules }

// Preview returns what a run now would delete and the holds, for the officer. It reads
// counts and case references only, no case content.
func (s *Retention) Preview(ctx context.Context, a model.Actor) (*model.RetentionPreview, error) {
	if _, err := s.require(a, objRetention, actRead, false); err != nil {
		return nil, err
	}
	cut := s.rules.Cutoffs(s.now())
	out := &model.RetentionPreview{Rules: s.rules}
	err := s.store.Tx(ctx, a, func(tx *store.Tx) error {
		var err error
		if out.Due, err = tx.Retention().Count(ctx, cut); err != nil {
			return err
		}
		if out.Holds, err = tx.Retention().Holds(ctx, cut); err != nil {
			return err
		}
		return tx.Audit().Record(ctx, event(a, "retention.preview", objRetention, uuid.Nil, model.JSONMap{
			"cases": out.Due.Cases, "referrals": out.Due.Referrals, "holds": len(out.Holds)}))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Hold puts a legal hold on the case with the reference (a reason is required; until, when
// given, is today or later). The officer sees no case content: the case is named by its
// reference only, and a reference that matches no case is a field error.
func (s *Retention) Hold(ctx context.Context, a model.Actor, in model.CaseHoldInput) (*model.CaseHold, error) {
	if _, err := s.require(a, objRetention, actUpdate, false); err != nil {
		return nil, err
	}
	in.Reference, in.Reason = strings.TrimSpace(in.Reference), strings.TrimSpace(in.Reason)
	v := &model.ValidationError{}
	if in.Reference == "" {
		v.Add("reference", model.CodeRequired)
	}
	checkText(v, "reason", in.Reason, true)
	today := s.today()
	if in.Until != nil && civilDay(*in.Until).Before(today) {
		v.Add("until", model.CodePast)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	h := &model.CaseHold{Reason: in.Reason, HeldBy: a.UserID, HeldAt: s.now(), Reference: in.Reference}
	if in.Until != nil {
		d := civilDay(*in.Until)
		h.Until = &d
	}
	err := s.store.Tx(ctx, a, func(tx *store.Tx) error {
		id, err := tx.Retention().CaseByReference(ctx, in.Reference)
		if errors.Is(err, model.ErrNotFound) {
			v.Add("reference", model.CodeUnknown)
			return v.Err()
		}
		if err != nil {
			return err
		}
		h.CaseID = id
		if err := tx.Retention().PutHold(ctx, h); err != nil {
			return err
		}
		details := model.JSONMap{"until": nil}
		if h.Until != nil {
			details["until"] = h.Until.Format("2006-01-02")
		}
		return tx.Audit().Record(ctx, caseEvent(a, "retention.hold", objCase, id, id, details))
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// Release lifts the hold of the case id (ErrNotFound when it has none).
func (s *Retention) Release(ctx context.Context, a model.Actor, caseID uuid.UUID) error {
	if _, err := s.require(a, objRetention, actUpdate, false); err != nil {
		return err
	}
	return s.store.Tx(ctx, a, func(tx *store.Tx) error {
		ok, err := tx.Retention().ReleaseHold(ctx, caseID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("service: release hold: %w", model.ErrNotFound)
		}
		return tx.Audit().Record(ctx, caseEvent(a, "retention.release", objCase, caseID, caseID, nil))
	})
}

// Run deletes what is due now and returns what it deleted. Each case and referral is its own
// transaction with its audit event; a record that fails is left whole and reported, the run
// goes on with the next, and the error names how many failed.
func (s *Retention) Run(ctx context.Context) (model.RetentionCounts, error) {
	cut := s.rules.Cutoffs(s.now())
	var done model.RetentionCounts
	var errs []error
	var cases, referrals []uuid.UUID
	err := s.store.Read(ctx, retentionActor, func(tx *store.Tx) error {
		var err error
		if cases, err = tx.Retention().DueCases(ctx, cut, retentionBatch); err != nil {
			return err
		}
		referrals, err = tx.Retention().DueReferrals(ctx, cut, retentionBatch)
		return err
	})
	if err != nil {
		return done, err
	}
	del := func(object string, id uuid.UUID, rule string, fn func(tx *store.Tx) error) bool {
		err := s.store.Tx(ctx, retentionActor, func(tx *store.Tx) error {
			if err := fn(tx); err != nil {
				return err
			}
			ev := event(retentionActor, "retention.delete", object, id, model.JSONMap{"rule": rule})
			if object == objCase {
				ev = caseEvent(retentionActor, "retention.delete", object, id, id, model.JSONMap{"rule": rule})
			}
			return tx.Audit().Record(ctx, ev)
		})
		switch {
		case errors.Is(err, store.ErrHeldOrGone):
			return false // held or taken meanwhile: nothing to do
		case err != nil:
			errs = append(errs, fmt.Errorf("%s %s: %w", object, id, err))
			return false
		}
		return true
	}
	for _, id := range cases {
		if del(objCase, id, "case", func(tx *store.Tx) error { return tx.Retention().DeleteCase(ctx, id, cut) }) {
			done.Cases++
		}
	}
	for _, id := range referrals {
		if del("referral", id, "referral", func(tx *store.Tx) error { return tx.Retention().DeleteReferral(ctx, id, cut) }) {
			done.Referrals++
		}
	}
	err = s.store.Tx(ctx, retentionActor, func(tx *store.Tx) error {
		ids, err := tx.Retention().ClearConsentEvidence(ctx, cut)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := tx.Audit().Record(ctx, event(retentionActor, "retention.clear_evidence", "consent", id, model.JSONMap{"rule": "consent"})); err != nil {
				return err
			}
		}
		done.ConsentEvidence = len(ids)
		n, err := tx.Retention().DeleteReadNotifications(ctx, cut)
		done.Notifications = int(n)
		if err != nil || n == 0 {
			return err
		}
		return tx.Audit().Record(ctx, event(retentionActor, "retention.delete", "notification", uuid.Nil, model.JSONMap{"rule": "notification", "count": n}))
	})
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return done, fmt.Errorf("service: retention: %d records failed: %w", len(errs), errors.Join(errs...))
	}
	return done, nil
}
