package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Referrals manages referrals between organisations and their life cycle.
type Referrals struct{ base }

const (
	// defaultReplyDays is the reply deadline of a referral in working days.
	defaultReplyDays = 10
	maxReplyDays     = 60
	maxFreeText      = 4000
)

// checkText checks an optional free text's length in characters.
func checkText(v *model.ValidationError, field, s string, required bool) {
	checkLength(v, field, s, required, maxFreeText)
}

// Create sends a referral of a case the actor's organisation leads, from the actor's
// organisation to another active organisation, for some active areas, with a reply deadline
// of N working days (Lower Saxony). Every referral needs cover: a consent of the case that
// covers recipient, areas and today, or a configured legal basis. That holds for
// partners and, deliberately, for municipal recipients too: a referral shares the person's
// data with another agency, and a department of the same city is another controller's
// purpose (data is not free to flow between offices just because they share an employer).
func (s *Referrals) Create(ctx context.Context, a model.Actor, caseID uuid.UUID, in model.ReferralCreate) (*model.Referral, error) {
	if err := refuseBadText(in); err != nil {
		return nil, err
	}
	sc, err := s.require(a, objReferral, "create", true)
	if err != nil {
		return nil, err
	}
	today := s.today()
	in.Areas = distinct(in.Areas)
	in.Message = strings.TrimSpace(in.Message)
	in.LegalBasis = strings.TrimSpace(in.LegalBasis)
	v := &model.ValidationError{}
	if in.ToOrgID == uuid.Nil {
		v.Add("to_org_id", model.CodeRequired)
	} else if in.ToOrgID == a.OrgID {
		v.Add("to_org_id", model.CodeReferSelf)
	}
	if len(in.Areas) == 0 {
		v.Add("areas", model.CodeRequired)
	}
	checkText(v, "message", in.Message, false)
	days := defaultReplyDays
	if in.ReplyDays != nil {
		days = *in.ReplyDays
		if days < 1 || days > maxReplyDays {
			v.Add("reply_days", model.CodeOutOfRange, model.Params{"min": 1, "max": maxReplyDays})
		}
	}
	basis, known := s.legalBasis(in.LegalBasis)
	if in.LegalBasis != "" && !known {
		v.Add("legal_basis", model.CodeNotOneOf, model.Params{"allowed": strings.Join(model.LegalBasisNames(s.legalBases), "; ")})
	}
	if in.ConsentID == nil && in.LegalBasis == "" {
		v.Add("consent_id", model.CodeCoverRequired)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	ref := &model.Referral{
		CaseID: caseID, FromOrgID: a.OrgID, ToOrgID: in.ToOrgID, Areas: in.Areas, Message: in.Message,
		ReplyDue: AddWorkingDays(today, days), Status: model.ReferralSent, ConsentID: in.ConsentID,
		LegalBasis: in.LegalBasis, LegalBasisCategories: model.StringList{}, SentBy: actorRef(a),
	}
	for _, c := range basis.Categories {
		ref.LegalBasisCategories = append(ref.LegalBasisCategories, string(c))
	}
	replayed, err := s.keyed(ctx, a, created, objReferral, &ref.ID, func(tx *store.Tx) error {
		c, err := tx.Cases().Get(ctx, onCases(sc), caseID)
		if err != nil {
			return err
		}
		if c.Status == model.CaseClosed {
			return model.Invalid("case_id", model.CodeCaseClosed)
		}
		v := &model.ValidationError{}
		if _, err := tx.ActiveOrganisation(ctx, in.ToOrgID); err != nil {
			if !errors.Is(err, model.ErrNotFound) {
				return err
			}
			v.Add("to_org_id", model.CodeOrgInactive)
		}
		unknown, err := tx.UnknownAreas(ctx, in.Areas)
		if err != nil {
			return err
		}
		if len(unknown) > 0 {
			v.Add("areas", model.CodeUnknown, model.Params{"values": strings.Join(unknown, ", ")})
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := s.checkCover(ctx, tx, ref, today); err != nil {
			return err
		}
		if ref.Reference, err = tx.NextReference(ctx, "V", today.Year()); err != nil {
			return err
		}
		ref.CreatedAt, ref.UpdatedAt = s.now().UTC(), s.now().UTC() // the services' clock, so that backdated demo data is consistent
		if err := tx.Referrals().Create(ctx, ref); err != nil {
			return err
		}
		// The recipient organisation's answerers hear of it in the same transaction.
		told, err := s.notifyMembers(ctx, tx, a, ref.ToOrgID, ref.AssigneeID, model.NotifyReferralNew, model.ObjectReferral, ref.ID, "sent")
		if err != nil {
			return err
		}
		return tx.Audit().Record(ctx, caseEvent(a, "referral.create", objReferral, ref.ID, caseID, notified(referralDetails(ref), told)))
	})
	if err != nil {
		return nil, err
	}
	if replayed {
		return s.Get(ctx, a, ref.ID)
	}
	return ref, nil
}

// checkCover verifies that ref is covered on day: its consent (of the same case) covers the
// recipient, every area and the day, or its legal basis is a configured one. The consent is
// share-locked until the transaction ends, so a concurrent revocation cannot slip between
// this check and the commit.
func (s *Referrals) checkCover(ctx context.Context, tx *store.Tx, ref *model.Referral, day time.Time) error {
	if ref.ConsentID != nil {
		c, err := tx.Consents().ForCover(ctx, *ref.ConsentID)
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			return err
		}
		if err != nil || c.CaseID != ref.CaseID {
			return model.Invalid("consent_id", model.CodeNotUsable)
		}
		if !c.Covers(ref.ToOrgID, ref.Areas, day) {
			return model.Invalid("consent_id", model.CodeConsentNotCovering)
		}
		return nil
	}
	if _, ok := s.legalBasis(ref.LegalBasis); ok {
		return nil
	}
	return model.Invalid("consent_id", model.CodeCoverRequired)
}

// referralDetails are the audit details of a referral change: ids and codes, never text.
func referralDetails(ref *model.Referral) model.JSONMap {
	d := model.JSONMap{"status": ref.Status, "to_org_id": ref.ToOrgID.String(), "from_org_id": ref.FromOrgID.String(), "version": ref.Version}
	if ref.ConsentID != nil {
		d["consent_id"] = ref.ConsentID.String()
	}
	if ref.LegalBasis != "" {
		d["legal_basis"] = ref.LegalBasis
	}
	return d
}

// Get returns one referral the actor may see: the sender and the case's lead organisation
// at every step, with reply and outcome; the recipient while it is active and covered.
func (s *Referrals) Get(ctx context.Context, a model.Actor, id uuid.UUID) (*model.Referral, error) {
	sc, err := s.require(a, objReferral, "read", true)
	if err != nil {
		return nil, err
	}
	var out *model.Referral
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		if out, err = tx.Referrals().Get(ctx, sc, id); err != nil {
			return err
		}
		if out.Contacts, err = s.referralContacts(ctx, tx, a, out); err != nil {
			return err
		}
		return tx.Audit().Record(ctx, caseEvent(a, "referral.read", objReferral, out.ID, out.CaseID, nil))
	})
	return out, err
}

// transition moves a referral the actor reaches for act (policy action) to `to`, if version
// is current and the state machine allows it; change adjusts the record (and may refuse)
// before it is written. One audit event named action records it.
func (s *Referrals) transition(ctx context.Context, a model.Actor, id uuid.UUID, version int, act, action string,
	to model.ReferralStatus, change func(tx *store.Tx, ref *model.Referral) error,
) (*model.Referral, error) {
	sc, err := s.require(a, objReferral, act, true)
	if err != nil {
		return nil, err
	}
	var out *model.Referral
	replayed, err := s.keyed(ctx, a, changed, objReferral, &id, func(tx *store.Tx) error {
		ref, err := tx.Referrals().Get(ctx, sc, id)
		if errors.Is(err, model.ErrNotFound) && act == "answer" {
			return s.lateAnswer(ctx, tx, sc, id, to, err)
		}
		if err != nil {
			return err
		}
		if ref.Version != version {
			return fmt.Errorf("service: %s: %w", action, model.ErrConflict)
		}
		if err := ref.Transition(to); err != nil {
			return err
		}
		now := s.now().UTC()
		if change != nil {
			if err := change(tx, ref); err != nil {
				return err
			}
		}
		if !to.Active() {
			ref.ClosedAt = &now
		}
		if err := tx.Referrals().Update(ctx, ref, version); err != nil {
			return err
		}
		out = ref
		// An answer or a change of status by the recipient is told to the sender (the member
		// who sent it, else the sending organisation's team), once per status.
		var told []model.Notification
		if act == "answer" {
			if told, err = s.notifyMembers(ctx, tx, a, ref.FromOrgID, ref.SentBy, model.NotifyReferralAnswered, model.ObjectReferral, ref.ID, string(to)); err != nil {
				return err
			}
		}
		if err := tx.Audit().Record(ctx, caseEvent(a, action, objReferral, ref.ID, ref.CaseID, notified(referralDetails(ref), told))); err != nil {
			return err
		}
		if !to.Active() {
			return s.endAccess(ctx, tx, a, []model.Referral{*ref})
		}
		return nil
	})
	if err != nil || !replayed {
		return out, err
	}
	return s.Get(ctx, a, id)
}

// endAccess closes what hung on referrals that have just ended (withdrawn, declined,
// completed, expired, revoked): the recipient's open tasks linked to them are cancelled with
// the reason "access ended", which the lead organisation sees, and each gets an audit event.
// With the referral and its tasks gone, the recipient's access to the case ends in the same
// transaction, unless another active referral still grants it.
func (b base) endAccess(ctx context.Context, tx *store.Tx, a model.Actor, ended []model.Referral) error {
	ids := make([]uuid.UUID, len(ended))
	for i, r := range ended {
		ids[i] = r.ID
	}
	tasks, err := tx.Tasks().CancelHangingOn(ctx, ids, b.now().UTC())
	if err != nil {
		return err
	}
	for i := range tasks {
		t := &tasks[i]
		d := taskDetails(t)
		d["reason"] = string(t.StatusReason)
		if err := tx.Audit().Record(ctx, caseEvent(a, "task.cancel", objTask, t.ID, idOrNil(t.CaseID), d)); err != nil {
			return err
		}
	}
	return nil
}

// lateAnswer explains why a recipient cannot answer a referral it no longer sees: when the
// referral was addressed to the actor's organisation and has left the active states
// (withdrawn, declined, completed, expired, revoked), the answer fails like any forbidden
// transition, naming the state ("accepting a withdrawn referral"); otherwise it stays
// ErrNotFound. Only the status is revealed, and only to the addressee.
func (s *Referrals) lateAnswer(ctx context.Context, tx *store.Tx, sc model.Scope, id uuid.UUID, to model.ReferralStatus, notFound error) error {
	orgs := []uuid.UUID{sc.OrgID}
	if sc.Has(model.ScopeOrgTree) && len(sc.OrgTree) > 0 {
		orgs = sc.OrgTree
	}
	st, err := tx.Referrals().StatusAddressedTo(ctx, id, orgs)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return err
	}
	if err != nil || st.Active() {
		return notFound
	}
	gone := &model.Referral{Status: st}
	if err := gone.Transition(to); err != nil {
		return err
	}
	return notFound
}

// answered records who answered the referral, and when.
func (s *Referrals) answered(a model.Actor, ref *model.Referral) {
	now := s.now().UTC()
	ref.AnsweredBy, ref.AnsweredAt = actorRef(a), &now
}

// Accept marks a referral accepted by the receiving organisation. The referral must still be
// covered at this moment (consent or legal basis), like when it was sent.
func (s *Referrals) Accept(ctx context.Context, a model.Actor, id uuid.UUID, version int) (*model.Referral, error) {
	return s.transition(ctx, a, id, version, "answer", "referral.accept", model.ReferralAccepted, func(tx *store.Tx, ref *model.Referral) error {
		if err := s.checkCover(ctx, tx, ref, s.today()); err != nil {
			return err
		}
		s.answered(a, ref)
		ref.AssigneeID = actorRef(a)
		return nil
	})
}

// Decline refuses a referral; the reason is required and shown to the sender.
func (s *Referrals) Decline(ctx context.Context, a model.Actor, id uuid.UUID, version int, reason string) (*model.Referral, error) {
	if err := refuseBadText(textInput{"reason": reason}); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	v := &model.ValidationError{}
	checkText(v, "reason", reason, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.transition(ctx, a, id, version, "answer", "referral.decline", model.ReferralDeclined, func(_ *store.Tx, ref *model.Referral) error {
		ref.Reply = reason
		s.answered(a, ref)
		return nil
	})
}

// Start marks an accepted referral in progress.
func (s *Referrals) Start(ctx context.Context, a model.Actor, id uuid.UUID, version int) (*model.Referral, error) {
	return s.transition(ctx, a, id, version, "answer", "referral.start", model.ReferralInProgress, nil)
}

// Complete closes an accepted or running referral with its outcome (required), which the
// sender sees.
func (s *Referrals) Complete(ctx context.Context, a model.Actor, id uuid.UUID, version int, outcome string) (*model.Referral, error) {
	if err := refuseBadText(textInput{"outcome": outcome}); err != nil {
		return nil, err
	}
	outcome = strings.TrimSpace(outcome)
	v := &model.ValidationError{}
	checkText(v, "outcome", outcome, true)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.transition(ctx, a, id, version, "answer", "referral.complete", model.ReferralCompleted, func(_ *store.Tx, ref *model.Referral) error {
		ref.Outcome = outcome
		return nil
	})
}

// Withdraw takes a referral back; only the sending side (sender or case lead) may.
func (s *Referrals) Withdraw(ctx context.Context, a model.Actor, id uuid.UUID, version int) (*model.Referral, error) {
	return s.transition(ctx, a, id, version, "withdraw", "referral.withdraw", model.ReferralWithdrawn, nil)
}

// expiryBatch is how many referrals one expiry transaction moves.
const expiryBatch = 500

// ExpireOverdue moves every sent referral whose reply deadline has passed (reply_due before
// today, Europe/Berlin) to expired, as the system, with one audit event each, and returns
// how many it moved. It is safe to run on several instances at once. The composition root
// schedules it (e.g. hourly and at start).
func (s *Referrals) ExpireOverdue(ctx context.Context) (int, error) {
	a := model.Actor{System: true, Name: "referral expiry", Purpose: "deadline expiry"}
	total := 0
	for {
		var n int
		err := s.store.Tx(ctx, a, func(tx *store.Tx) error {
			refs, err := tx.Referrals().ExpireDue(ctx, s.today(), s.now().UTC(), expiryBatch)
			if err != nil {
				return err
			}
			for i := range refs {
				ref := &refs[i]
				if err := tx.Audit().Record(ctx, caseEvent(a, "referral.expire", objReferral, ref.ID, ref.CaseID, referralDetails(ref))); err != nil {
					return err
				}
			}
			n = len(refs)
			return s.endAccess(ctx, tx, a, refs)
		})
		if err != nil {
			return total, err
		}
		total += n
		if n < expiryBatch {
			return total, nil
		}
	}
}

// List returns one page of the referrals the actor may see: incoming (to the actor's
// organisation, by reply deadline), outgoing (from it, newest first) or all (newest first),
// optionally by status and case, with the total count under the same predicate. One audit
// event records the read with the ids shown.
func (s *Referrals) List(ctx context.Context, a model.Actor, f model.ReferralFilter) (*model.Page[model.Referral], error) {
	sc, q, pages, limit, err := s.referralQuery(a, f)
	if err != nil {
		return nil, err
	}
	page := &model.Page[model.Referral]{}
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		items, total, err := tx.Referrals().List(ctx, sc, q)
		if err != nil {
			return err
		}
		items, page.NextCursor = cut(pages, items, limit, func(r *model.Referral) any { return q.Order.KeyOf(r) })
		if q.Numbered {
			page.NextCursor = ""
		}
		page.Items, page.Total = items, total
		if err := s.labelReferrals(ctx, tx, a, page.Items); err != nil {
			return err
		}
		ids, cases := make([]string, len(items)), []string{}
		for i, r := range items {
			ids[i] = r.ID.String()
			if c := r.CaseID.String(); !slices.Contains(cases, c) {
				cases = append(cases, c)
			}
		}
		ev := caseEvent(a, "referral.list", objReferral, uuid.Nil, idOrNil(f.CaseID), model.JSONMap{"box": string(f.Box), "ids": ids, "case_ids": cases})
		ev.ObjectID = ""
		return tx.Audit().Record(ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// Export returns every referral of the box f describes (f.Cursor, f.Limit and f.Page are
// ignored), in f's order, read and labelled exactly like List, for a download. More than
// model.ExportMax referrals is ErrInvalid (CodeTooManyResults). It writes one
// "referral.export" audit event with the box, the kinds of filter and the row count.
func (s *Referrals) Export(ctx context.Context, a model.Actor, f model.ReferralFilter) ([]model.Referral, error) {
	f.Cursor, f.Limit, f.Page = "", 0, 0
	sc, q, _, _, err := s.referralQuery(a, f)
	if err != nil {
		return nil, err
	}
	q.Numbered, q.Limit, q.Sort.Offset = true, maxExport+1, 0
	var out []model.Referral
	err = s.store.Heavy(ctx, a, func(tx *store.Tx) error {
		items, total, err := tx.Referrals().List(ctx, sc, q)
		if err != nil {
			return err
		}
		if total > maxExport {
			return model.Invalid("filter", model.CodeTooManyResults, model.Params{"total": total, "max": maxExport})
		}
		if err := s.labelReferrals(ctx, tx, a, items); err != nil {
			return err
		}
		out = items
		kinds := []string{}
		if len(f.Status) > 0 {
			kinds = append(kinds, "status")
		}
		if f.CaseID != nil {
			kinds = append(kinds, "case")
		}
		ev := caseEvent(a, "referral.export", objReferral, uuid.Nil, idOrNil(f.CaseID), model.JSONMap{"box": string(f.Box), "total": len(items),
			"filters": kinds, "sort": f.Sort, "desc": f.Desc})
		ev.ObjectID = ""
		return tx.Audit().Record(ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// labelReferrals names the cases of the referrals as the actor may see them.
func (s *Referrals) labelReferrals(ctx context.Context, tx *store.Tx, a model.Actor, items []model.Referral) error {
	return s.labelCases(ctx, tx, a, nil, items)
}

// referralQuery checks f and turns it into the store's query.
func (s *Referrals) referralQuery(a model.Actor, f model.ReferralFilter) (model.Scope, store.ReferralQuery, pager, int, error) {
	if err := refuseBadText(f); err != nil {
		return model.Scope{}, store.ReferralQuery{}, pager{}, 0, err
	}
	sc, err := s.require(a, objReferral, "read", false)
	if err != nil {
		return sc, store.ReferralQuery{}, pager{}, 0, err
	}
	pages := referralPages(f.Box)
	limit, err := pages.limit(f.Limit)
	if err != nil {
		return sc, store.ReferralQuery{}, pages, 0, err
	}
	q := store.ReferralQuery{Statuses: f.Status, CaseID: f.CaseID, Limit: limit + 1}
	switch f.Box {
	case model.ReferralsIncoming:
		q.ToOrgs, q.Order = []uuid.UUID{a.OrgID}, store.ReferralsByReplyDue
	case model.ReferralsOutgoing:
		q.FromOrgs, q.Order = []uuid.UUID{a.OrgID}, store.ReferralsNewest
	case model.ReferralsAll:
		q.Order = store.ReferralsNewest
	default:
		return sc, q, pages, 0, model.Invalid("box", model.CodeNotOneOf, model.Params{"allowed": "incoming, outgoing"})
	}
	for _, st := range f.Status {
		if !slices.Contains(model.ReferralStatuses, st) {
			return sc, q, pages, 0, model.Invalid("status", model.CodeUnknown, model.Params{"values": st})
		}
	}
	caseScope, err := s.scope(a, objCase, actRead)
	if err != nil {
		return sc, q, pages, 0, err
	}
	v := &model.ValidationError{}
	q.Sort, q.Numbered = listSort(v, f.ListOrder, referralSorts, limit, f.Cursor, caseScope), f.Numbered()
	if err := v.Err(); err != nil {
		return sc, q, pages, 0, err
	}
	var k store.ReferralKey
	if ok, err := pages.after(f.Cursor, &k); err != nil {
		return sc, q, pages, 0, err
	} else if ok {
		q.After = &k
	}
	return sc, q, pages, limit, nil
}

func idOrNil(id *uuid.UUID) uuid.UUID {
	if id == nil {
		return uuid.Nil
	}
	return *id
}
