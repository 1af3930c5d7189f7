package service

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Consents manages the persons' releases to share data with partners.
type Consents struct{ base }

const (
	objConsent  = "consent"
	objReferral = "referral"
	objTask     = "task"
	// objCaseOfContent is the case object, as consents, referrals and tasks see it.
	objCaseOfContent = "case"
)

// consentLanguage is an ISO 639-1 or 639-2/3 code (de, en, ar, uk, fa, ru, tr, prs, ...).
var consentLanguage = regexp.MustCompile(`^[a-z]{2,3}$`)

// onCases applies the kinds of a permission on a case's content (consent, referral,
// task) to the case itself: "org" then means "cases the organisation leads", "referred"
// "cases actively referred to it". It answers "on which cases may the actor do this".
func onCases(sc model.Scope) model.Scope {
	return model.Scope{Object: objCaseOfContent, Action: sc.Action, Kinds: sc.Kinds, UserID: sc.UserID, OrgID: sc.OrgID, OrgTree: sc.OrgTree}
}

// unusable turns "not found" of a referenced record into a field error: the input
// names something the actor may not use (missing and hidden alike). Only the field error
// is wrapped: were ErrNotFound wrapped too, the error handler would answer 404 without the
// field, as if the collection itself were missing.
func unusable(err error, field string) error {
	if errors.Is(err, model.ErrNotFound) {
		return fmt.Errorf("%w (%v)", model.Invalid(field, model.CodeNotUsable), err)
	}
	return err
}

// validateConsent checks the input of a new consent that needs no database.
func (s *Consents) validateConsent(in *model.ConsentCreate) error {
	v := &model.ValidationError{}
	today := s.today()
	if len(in.Recipients) == 0 {
		v.Add("recipients", model.CodeRequired)
	}
	if len(in.Areas) == 0 {
		v.Add("areas", model.CodeRequired)
	}
	for _, c := range in.DataCategories {
		if !c.Valid() {
			v.Add("data_categories", model.CodeUnknown, model.Params{"values": c})
			break
		}
	}
	in.Purpose = strings.TrimSpace(in.Purpose)
	checkLength(v, "purpose", in.Purpose, true, 1000)
	in.Evidence = strings.TrimSpace(in.Evidence)
	checkLength(v, "evidence", in.Evidence, true, 500)
	in.Language = strings.ToLower(strings.TrimSpace(in.Language))
	if !consentLanguage.MatchString(in.Language) {
		v.Add("language", model.CodeLanguageCode, model.Params{"value": in.Language})
	}
	switch {
	case in.ValidFrom.IsZero():
		v.Add("valid_from", model.CodeRequired)
	case civilDay(in.ValidFrom).Before(today.AddDate(-1, 0, 0)):
		v.Add("valid_from", model.CodeTooFarPast, model.Params{"years": 1})
	case civilDay(in.ValidFrom).After(today.AddDate(1, 0, 0)):
		v.Add("valid_from", model.CodeTooFarAhead, model.Params{"years": 1})
	}
	switch {
	case in.ValidUntil.IsZero():
		v.Add("valid_until", model.CodeRequired)
	case !in.ValidFrom.IsZero() && civilDay(in.ValidUntil).Before(civilDay(in.ValidFrom)):
		v.Add("valid_until", model.CodeBefore, model.Params{"other": "valid_from"})
	case !in.ValidFrom.IsZero() && civilDay(in.ValidUntil).After(civilDay(in.ValidFrom).AddDate(5, 0, 0)):
		v.Add("valid_until", model.CodeTooFarAhead, model.Params{"years": 5, "other": "valid_from"})
	}
	return v.Err()
}

// Create records a consent for a case that the actor's organisation leads. Recipients must
// be active organisations, areas active areas, and the person (if named) one of the case.
func (s *Consents) Create(ctx context.Context, a model.Actor, caseID uuid.UUID, in model.ConsentCreate) (*model.Consent, error) {
	if err := refuseBadText(in); err != nil {
		return nil, err
	}
	if _, err := s.require(a, objConsent, "create", true); err != nil {
		return nil, err
	}
	caseScope, err := s.require(a, objCaseOfContent, "update", true)
	if err != nil {
		return nil, err
	}
	in.Recipients = distinct(in.Recipients)
	in.Areas = distinct(in.Areas)
	in.DataCategories = distinct(in.DataCategories)
	if err := s.validateConsent(&in); err != nil {
		return nil, err
	}
	c := &model.Consent{
		CaseID: caseID, PersonID: in.PersonID, Areas: in.Areas, Purpose: in.Purpose,
		ValidFrom: civilDay(in.ValidFrom), ValidUntil: civilDay(in.ValidUntil), Evidence: in.Evidence,
		Language: in.Language, RecordedBy: actorRef(a), RecordedOrgID: a.OrgID, RecordedAt: s.now().UTC(),
		Recipients: in.Recipients, DataCategories: model.StringList{},
	}
	for _, dc := range in.DataCategories {
		c.DataCategories = append(c.DataCategories, string(dc))
	}
	replayed, err := s.keyed(ctx, a, created, objConsent, &c.ID, func(tx *store.Tx) error {
		if _, err := tx.Cases().Get(ctx, caseScope, caseID); err != nil {
			return err
		}
		v := &model.ValidationError{}
		for _, org := range in.Recipients {
			if _, err := tx.ActiveOrganisation(ctx, org); err != nil {
				if !errors.Is(err, model.ErrNotFound) {
					return err
				}
				v.Add("recipients", model.CodeOrgInactive, model.Params{"values": org.String()})
			}
		}
		unknown, err := tx.UnknownAreas(ctx, in.Areas)
		if err != nil {
			return err
		}
		if len(unknown) > 0 {
			v.Add("areas", model.CodeUnknown, model.Params{"values": strings.Join(unknown, ", ")})
		}
		if in.PersonID != nil {
			ok, err := tx.Consents().PersonInCase(ctx, *in.PersonID, caseID)
			if err != nil {
				return err
			}
			if !ok {
				v.Add("person_id", model.CodeNotUsable)
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := tx.Consents().Create(ctx, c); err != nil {
			return err
		}
		return tx.Audit().Record(ctx, caseEvent(a, "consent.create", objConsent, c.ID, caseID, model.JSONMap{
			"areas": []string(c.Areas), "recipients": len(c.Recipients), "valid_from": c.ValidFrom.Format("2006-01-02"),
			"valid_until": c.ValidUntil.Format("2006-01-02"),
		}))
	})
	if err != nil {
		return nil, err
	}
	if replayed {
		return s.Get(ctx, a, c.ID)
	}
	return c, nil
}

// Get returns one consent of a case the actor's organisation leads, or ErrNotFound.
func (s *Consents) Get(ctx context.Context, a model.Actor, id uuid.UUID) (*model.Consent, error) {
	sc, err := s.require(a, objConsent, "read", true)
	if err != nil {
		return nil, err
	}
	var out *model.Consent
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		if out, err = tx.Consents().Get(ctx, sc, id); err != nil {
			return err
		}
		return tx.Audit().Record(ctx, caseEvent(a, "consent.read", objConsent, out.ID, out.CaseID, nil))
	})
	return out, err
}

// List returns the consents of a case, newest first. A case the actor may not read consents
// of is ErrNotFound, like a missing one.
func (s *Consents) List(ctx context.Context, a model.Actor, caseID uuid.UUID) ([]model.Consent, error) {
	sc, err := s.require(a, objConsent, "read", true)
	if err != nil {
		return nil, err
	}
	var out []model.Consent
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		if _, err := tx.Cases().Get(ctx, onCases(sc), caseID); err != nil {
			return err
		}
		if out, err = tx.Consents().ForCase(ctx, sc, caseID); err != nil {
			return err
		}
		ev := caseEvent(a, "consent.list", objCaseOfContent, caseID, caseID, model.JSONMap{"count": len(out)})
		return tx.Audit().Record(ctx, ev)
	})
	return out, err
}

// Revoke ends a consent now. In the same transaction every active referral it covered is
// revoked, and the recipients' open tasks that hang on those referrals are cancelled, so the
// partners' access ends with the commit; each revoked referral and cancelled task gets its
// own audit event.
func (s *Consents) Revoke(ctx context.Context, a model.Actor, id uuid.UUID, version int) (*model.Consent, error) {
	sc, err := s.require(a, objConsent, "revoke", true)
	if err != nil {
		return nil, err
	}
	var out *model.Consent
	replayed, err := s.keyed(ctx, a, changed, objConsent, &id, func(tx *store.Tx) error {
		c, err := tx.Consents().Get(ctx, sc, id)
		if err != nil {
			return err
		}
		if c.Version != version {
			return fmt.Errorf("service: revoke consent: %w", model.ErrConflict)
		}
		if c.RevokedAt != nil {
			return &model.TransitionError{Object: "consent", From: "revoked", To: "revoked"}
		}
		at := s.now().UTC()
		if err := tx.Consents().Revoke(ctx, c, at, actorRef(a), version); err != nil {
			return err
		}
		revoked, err := tx.Referrals().RevokeForConsent(ctx, c.ID, at)
		if err != nil {
			return err
		}
		if err := tx.Audit().Record(ctx, caseEvent(a, "consent.revoke", objConsent, c.ID, c.CaseID, model.JSONMap{"referrals_revoked": len(revoked)})); err != nil {
			return err
		}
		for _, r := range revoked {
			ev := caseEvent(a, "referral.revoke", objReferral, r.ID, r.CaseID, model.JSONMap{"consent_id": c.ID.String(), "to_org_id": r.ToOrgID.String()})
			if err := tx.Audit().Record(ctx, ev); err != nil {
				return err
			}
		}
		out = c
		return s.endAccess(ctx, tx, a, revoked)
	})
	if err != nil || !replayed {
		return out, err
	}
	return s.Get(ctx, a, id)
}

// distinct returns xs without duplicates, in first-seen order.
func distinct[T comparable](xs []T) []T {
	out := make([]T, 0, len(xs))
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
