package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Emergency is emergency access (Notfallzugriff, "break the glass"; issue 14,
// docs/emergency-access.md). A caseworker of a municipal department (policy:
// emergency_access create, municipal class only) opens a case outside their scope by its
// reference, stating a reason. The access is limited to that case, to the member (the user
// in the organisation they act for) and to a time (LOTSE_EMERGENCY_ACCESS_DURATION); while
// it lasts, the case read paths admit the case (store/scopes.go, emergencyAccess), to read
// only. The grant is audited, the lead organisation is notified, and every read during it is
// an ordinary audited read with the purpose model.PurposeEmergencyAccess and the access's id.
// The data protection officer (emergency_access review) lists every access with its reason
// and what was read during it.
type Emergency struct {
	base
	duration time.Duration
}

const (
	objEmergency = "emergency_access"
	actReview    = "review"
	// emergencyReviewLimit is how many accesses the officer's list shows, newest first.
	emergencyReviewLimit = 200
)

// SetDuration replaces how long an access lasts (LOTSE_EMERGENCY_ACCESS_DURATION; validated
// with the configuration); call it before serving.
func (s *Emergency) SetDuration(d time.Duration) { s.duration = d }

// Duration is how long an access lasts.
func (s *Emergency) Duration() time.Duration { return s.duration }

// MayGrant reports whether the actor may ask for emergency access at all (a caseworker of a
// municipal department), for the forms.
func (s *Emergency) MayGrant(a model.Actor) bool { return s.may(a, objEmergency, actCreate) }

// Grant gives the actor emergency access to the case with the reference for the configured
// duration. Refusals change nothing: ErrForbidden for an actor who may not ask for it (not a
// caseworker of a municipal department); field errors for a missing or too short reason and
// for a missing or unknown reference. A case the actor reads anyway through their own scope
// needs no emergency access: Grant returns nil and the case's id, and grants nothing. While
// an access of the actor to the case lasts, Grant returns it and grants no second one.
func (s *Emergency) Grant(ctx context.Context, a model.Actor, in model.EmergencyAccessInput) (*model.EmergencyAccess, uuid.UUID, error) {
	if err := refuseBadText(in); err != nil {
		return nil, uuid.Nil, err
	}
	if _, err := s.require(a, objEmergency, actCreate, false); err != nil {
		return nil, uuid.Nil, err
	}
	readScope, err := s.require(a, objCase, actRead, false)
	if err != nil {
		return nil, uuid.Nil, err
	}
	in.Reference, in.Reason = strings.TrimSpace(in.Reference), strings.TrimSpace(in.Reason)
	v := &model.ValidationError{}
	if in.Reference == "" {
		v.Add("reference", model.CodeRequired)
	}
	switch n := utf8.RuneCountInString(in.Reason); {
	case n == 0:
		v.Add("reason", model.CodeRequired)
	case n < model.EmergencyReasonMin:
		v.Add("reason", model.CodeTooShort, model.Params{"min": model.EmergencyReasonMin})
	case n > model.EmergencyReasonMax:
		v.Add("reason", model.CodeTooLong, model.Params{"max": model.EmergencyReasonMax})
	}
	if err := v.Err(); err != nil {
		return nil, uuid.Nil, err
	}
	d := s.duration
	if d <= 0 {
		d = model.DefaultEmergencyDuration
	}
	var out *model.EmergencyAccess
	var caseID uuid.UUID
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		id, err := tx.Retention().CaseByReference(ctx, in.Reference)
		if errors.Is(err, model.ErrNotFound) {
			v.Add("reference", model.CodeUnknown, model.Params{"values": in.Reference})
			return v.Err()
		}
		if err != nil {
			return err
		}
		caseID = id
		if e, err := tx.Emergency().Active(ctx, a.UserID, a.OrgID, id); err == nil {
			out = e
			return nil
		} else if !errors.Is(err, model.ErrNotFound) {
			return err
		}
		if _, err := tx.Cases().Get(ctx, readScope, id); err == nil {
			return nil // visible anyway: nothing to grant
		} else if !errors.Is(err, model.ErrNotFound) {
			return err
		}
		c, err := tx.Cases().ByID(ctx, id)
		if err != nil {
			return err
		}
		e := &model.EmergencyAccess{UserID: a.UserID, OrgID: a.OrgID, CaseID: id, Reason: in.Reason, Reference: c.Reference}
		if err := tx.Emergency().Create(ctx, e, d); err != nil {
			return err
		}
		out = e
		told, err := s.notifyMembers(ctx, tx, a, c.LeadOrgID, c.ResponsibleUserID, model.NotifyEmergencyAccess, model.ObjectCase, c.ID, e.ID.String())
		if err != nil {
			return err
		}
		if err := s.auditNotifications(ctx, tx, a, told); err != nil {
			return err
		}
		ev := caseEvent(a, "emergency_access.grant", objEmergency, e.ID, c.ID, notified(model.JSONMap{
			"emergency_access_id": e.ID.String(), "expires_at": e.ExpiresAt.UTC().Format(time.RFC3339), "lead_org_id": c.LeadOrgID.String(),
		}, told))
		ev.Purpose = model.PurposeEmergencyAccess
		return tx.Audit().Record(ctx, ev)
	})
	if err != nil {
		return nil, uuid.Nil, err
	}
	return out, caseID, nil
}

// Active returns the actor's access to the case that lasts now, or nil: the banner of the
// case's pages.
func (s *Emergency) Active(ctx context.Context, a model.Actor, caseID uuid.UUID) (*model.EmergencyAccess, error) {
	var out *model.EmergencyAccess
	// One statement: no transaction (Store.One), one round trip instead of three.
	err := s.store.One(ctx, a, func(tx *store.Tx) error {
		e, err := tx.Emergency().Active(ctx, a.UserID, a.OrgID, caseID)
		if errors.Is(err, model.ErrNotFound) {
			return nil
		}
		out = e
		return err
	})
	return out, err
}

// Review lists the newest emergency accesses for the data protection officer, each with its
// reason and what was read during it (the audit events of its case by its member in its
// window). It names the case by reference only, no case content, and writes one
// "emergency_access.review" audit event.
func (s *Emergency) Review(ctx context.Context, a model.Actor) ([]model.EmergencyAccessReview, error) {
	if _, err := s.require(a, objEmergency, actReview, false); err != nil {
		return nil, err
	}
	var out []model.EmergencyAccessReview
	err := s.store.Tx(ctx, a, func(tx *store.Tx) error {
		list, err := tx.Emergency().List(ctx, emergencyReviewLimit)
		if err != nil {
			return err
		}
		reads, err := tx.Emergency().Reads(ctx, list)
		if err != nil {
			return err
		}
		out = make([]model.EmergencyAccessReview, len(list))
		for i, e := range list {
			out[i] = model.EmergencyAccessReview{EmergencyAccess: e, Reads: reads[e.ID]}
		}
		ev := event(a, "emergency_access.review", objEmergency, uuid.Nil, model.JSONMap{"accesses": len(out)})
		ev.Purpose = model.PurposeDataProtectionReview
		return tx.Audit().Record(ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// emergencyRead marks ev, the audit event of a read of the case caseID seen with acc, as a
// read through an emergency access when the access came from one: the purpose
// model.PurposeEmergencyAccess and the access's id in the details. It returns the access
// (nil when acc did not come from one).
func (b base) emergencyRead(ctx context.Context, tx *store.Tx, a model.Actor, acc model.CaseAccess, caseID uuid.UUID, ev *model.AuditEvent) (*model.EmergencyAccess, error) {
	if !acc.Emergency {
		return nil, nil
	}
	e, err := tx.Emergency().Active(ctx, a.UserID, a.OrgID, caseID)
	if err != nil {
		return nil, fmt.Errorf("service: emergency read: %w", err)
	}
	ev.Purpose = model.PurposeEmergencyAccess
	if ev.Details == nil {
		ev.Details = model.JSONMap{}
	}
	ev.Details["emergency_access_id"] = e.ID.String()
	return e, nil
}
