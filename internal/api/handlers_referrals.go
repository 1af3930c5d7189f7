package api

import (
	"context"

	"github.com/lotse-project/lotse/internal/model"
)

// The handlers of consents and referrals.

// ListConsents implements GET /cases/{id}/consents.
func (h *Handlers) ListConsents(ctx context.Context, r ListConsentsRequestObject) (ListConsentsResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := h.consents.List(ctx, a, r.Id)
	if err != nil {
		return nil, err
	}
	return ListConsents200JSONResponse{Items: mapAll(cs, toConsent)}, nil
}

// CreateConsent implements POST /cases/{id}/consents.
func (h *Handlers) CreateConsent(ctx context.Context, r CreateConsentRequestObject) (CreateConsentResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	b := r.Body
	in := model.ConsentCreate{
		PersonID: b.PersonId, Recipients: b.Recipients, Areas: b.Areas, Purpose: b.Purpose,
		ValidFrom: *fromDate(&b.ValidFrom), ValidUntil: *fromDate(&b.ValidUntil), Evidence: b.Evidence, Language: b.Language,
	}
	if b.DataCategories != nil {
		for _, dc := range *b.DataCategories {
			in.DataCategories = append(in.DataCategories, model.DataCategory(dc))
		}
	}
	c, err := h.consents.Create(ctx, a, r.Id, in)
	if err != nil {
		return nil, err
	}
	return CreateConsent201JSONResponse{consentResponse(c)}, nil
}

// GetConsent implements GET /consents/{id}.
func (h *Handlers) GetConsent(ctx context.Context, r GetConsentRequestObject) (GetConsentResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	c, err := h.consents.Get(ctx, a, r.Id)
	if err != nil {
		return nil, err
	}
	return GetConsent200JSONResponse{consentResponse(c)}, nil
}

// RevokeConsent implements POST /consents/{id}/revoke.
func (h *Handlers) RevokeConsent(ctx context.Context, r RevokeConsentRequestObject) (RevokeConsentResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(r.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	c, err := h.consents.Revoke(ctx, a, r.Id, version)
	if err != nil {
		return nil, err
	}
	return RevokeConsent200JSONResponse{consentResponse(c)}, nil
}

// CreateReferral implements POST /cases/{id}/referrals.
func (h *Handlers) CreateReferral(ctx context.Context, r CreateReferralRequestObject) (CreateReferralResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	b := r.Body
	ref, err := h.referrals.Create(ctx, a, r.Id, model.ReferralCreate{
		ToOrgID: b.ToOrgId, Areas: b.Areas, Message: deref(b.Message), ReplyDays: b.ReplyDays,
		ConsentID: b.ConsentId, LegalBasis: deref(b.LegalBasis),
	})
	if err != nil {
		return nil, err
	}
	return CreateReferral201JSONResponse{referralResponse(ref)}, nil
}

// ListReferrals implements GET /referrals.
func (h *Handlers) ListReferrals(ctx context.Context, r ListReferralsRequestObject) (ListReferralsResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	p := r.Params
	f := model.ReferralFilter{CaseID: p.CaseId, Cursor: deref(p.Cursor)}
	if p.Direction != nil {
		f.Box = model.ReferralBox(*p.Direction)
	}
	if p.Status != nil {
		for _, st := range *p.Status {
			f.Status = append(f.Status, model.ReferralStatus(st))
		}
	}
	if p.Limit != nil {
		f.Limit = *p.Limit
	}
	page, err := h.referrals.List(ctx, a, f)
	if err != nil {
		return nil, err
	}
	items, total, next := listOf(page, toReferral)
	return ListReferrals200JSONResponse{Items: items, Total: total, NextCursor: next}, nil
}

// GetReferral implements GET /referrals/{id}.
func (h *Handlers) GetReferral(ctx context.Context, r GetReferralRequestObject) (GetReferralResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	ref, err := h.referrals.Get(ctx, a, r.Id)
	if err != nil {
		return nil, err
	}
	return GetReferral200JSONResponse{referralResponse(ref)}, nil
}

// AcceptReferral implements POST /referrals/{id}/accept.
func (h *Handlers) AcceptReferral(ctx context.Context, r AcceptReferralRequestObject) (AcceptReferralResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(r.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	ref, err := h.referrals.Accept(ctx, a, r.Id, version)
	if err != nil {
		return nil, err
	}
	return AcceptReferral200JSONResponse{referralResponse(ref)}, nil
}

// DeclineReferral implements POST /referrals/{id}/decline.
func (h *Handlers) DeclineReferral(ctx context.Context, r DeclineReferralRequestObject) (DeclineReferralResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(r.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	ref, err := h.referrals.Decline(ctx, a, r.Id, version, r.Body.Reason)
	if err != nil {
		return nil, err
	}
	return DeclineReferral200JSONResponse{referralResponse(ref)}, nil
}

// StartReferral implements POST /referrals/{id}/start.
func (h *Handlers) StartReferral(ctx context.Context, r StartReferralRequestObject) (StartReferralResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(r.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	ref, err := h.referrals.Start(ctx, a, r.Id, version)
	if err != nil {
		return nil, err
	}
	return StartReferral200JSONResponse{referralResponse(ref)}, nil
}

// CompleteReferral implements POST /referrals/{id}/complete.
func (h *Handlers) CompleteReferral(ctx context.Context, r CompleteReferralRequestObject) (CompleteReferralResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(r.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	ref, err := h.referrals.Complete(ctx, a, r.Id, version, r.Body.Outcome)
	if err != nil {
		return nil, err
	}
	return CompleteReferral200JSONResponse{referralResponse(ref)}, nil
}

// WithdrawReferral implements POST /referrals/{id}/withdraw.
func (h *Handlers) WithdrawReferral(ctx context.Context, r WithdrawReferralRequestObject) (WithdrawReferralResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(r.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	ref, err := h.referrals.Withdraw(ctx, a, r.Id, version)
	if err != nil {
		return nil, err
	}
	return WithdrawReferral200JSONResponse{referralResponse(ref)}, nil
}
