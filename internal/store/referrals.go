package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// Referrals is the referral repository of one transaction.
type Referrals struct{ db *gorm.DB }

// Referrals returns the referral repository.
func (tx *Tx) Referrals() Referrals { return Referrals{tx.db} }

// activeReferralStatuses renders model.ActiveReferralStatuses for `status = ANY(?::text[])`.
func activeReferralStatuses() model.StringList {
	out := make(model.StringList, len(model.ActiveReferralStatuses))
	for i, s := range model.ActiveReferralStatuses {
		out[i] = string(s)
	}
	return out
}

// Create inserts ref with a new id and version 1. The caller sets reference and status.
func (r Referrals) Create(ctx context.Context, ref *model.Referral) error {
	return create(ctx, r.db, "create referral", ref, stamp{&ref.ID, &ref.Version, &ref.CreatedAt, &ref.UpdatedAt})
}

// Get returns one referral if sc reaches it, else ErrNotFound (hidden and missing alike).
func (r Referrals) Get(ctx context.Context, sc model.Scope, id uuid.UUID) (*model.Referral, error) {
	var ref model.Referral
	err := visible(r.db.WithContext(ctx).Model(&model.Referral{}), sc).Where("referrals.id = ?", id).Take(&ref).Error
	if err != nil {
		return nil, translate("get referral", err)
	}
	return &ref, nil
}

// Update writes the life-cycle fields of ref (status, reply, outcome, answer, close, assignee) if its
// stored version is still version, and bumps the version; a lost race is ErrConflict.
func (r Referrals) Update(ctx context.Context, ref *model.Referral, version int) error {
	return update[model.Referral](ctx, r.db, "update referral", stamp{version: &ref.Version, updatedAt: &ref.UpdatedAt}, version, map[string]any{
		"status": ref.Status, "reply": ref.Reply, "outcome": ref.Outcome,
		"answered_by": ref.AnsweredBy, "answered_at": ref.AnsweredAt, "closed_at": ref.ClosedAt,
		"assignee_id": ref.AssigneeID,
	}, "id = ?", ref.ID)
}

// RevokeForConsent moves every active referral covered by consent to revoked, at `at`, and
// returns them. It runs in the consent's revocation transaction, so the partners' access
// ends with its commit.
func (r Referrals) RevokeForConsent(ctx context.Context, consent uuid.UUID, at time.Time) ([]model.Referral, error) {
	var out []model.Referral
	err := r.db.WithContext(ctx).Raw(`
		UPDATE referrals SET status = 'revoked', closed_at = ?, version = version + 1, updated_at = ?
		WHERE consent_id = ? AND status = ANY(?::text[])
		RETURNING *`, at, at, consent, activeReferralStatuses()).Scan(&out).Error
	return out, translate("revoke referrals of consent", err)
}

// ExpireDue moves up to limit sent referrals whose reply deadline lies before today to
// expired and returns them. Rows another transaction holds are skipped (they are answered
// right now, or another instance expires them).
func (r Referrals) ExpireDue(ctx context.Context, today time.Time, at time.Time, limit int) ([]model.Referral, error) {
	var out []model.Referral
	err := r.db.WithContext(ctx).Raw(`
		UPDATE referrals SET status = 'expired', closed_at = ?, version = version + 1, updated_at = ?
		WHERE id IN (SELECT id FROM referrals WHERE status = 'sent' AND reply_due < ?::date
			ORDER BY reply_due, id LIMIT ? FOR UPDATE SKIP LOCKED)
		AND status = 'sent'
		RETURNING *`, at, at, today.Format(time.DateOnly), limit).Scan(&out).Error
	return out, translate("expire referrals", err)
}

// StatusAddressedTo returns the status of a referral addressed to one of orgs, whatever its
// state and cover; ErrNotFound if there is none. It lets a recipient's late answer to a
// referral that is no longer active (withdrawn, expired, revoked, already answered) fail
// with the state-machine error instead of "not found". It reveals the status only, never
// content, and only to the organisation the referral was addressed to.
func (r Referrals) StatusAddressedTo(ctx context.Context, id uuid.UUID, orgs []uuid.UUID) (model.ReferralStatus, error) {
	var st []model.ReferralStatus
	err := r.db.WithContext(ctx).Model(&model.Referral{}).Where("id = ? AND to_org_id = ANY(?::uuid[])", id, uuids(orgs)).Pluck("status", &st).Error
	if err != nil {
		return "", translate("get referral status", err)
	}
	if len(st) == 0 {
		return "", translate("get referral status", gorm.ErrRecordNotFound)
	}
	return st[0], nil
}

// ActiveRecipients returns the organisations that hold an active referral for the case.
func (r Referrals) ActiveRecipients(ctx context.Context, caseID uuid.UUID) ([]uuid.UUID, error) {
	var out []uuid.UUID
	err := r.db.WithContext(ctx).Raw(`SELECT DISTINCT to_org_id FROM referrals WHERE case_id = ? AND status = ANY(?::text[])`,
		caseID, activeReferralStatuses()).Scan(&out).Error
	return out, translate("list referral recipients", err)
}

// ActiveTo returns the newest active referral of the case to org; ErrNotFound if there is
// none. A task the lead organisation gives to a recipient hangs on it.
func (r Referrals) ActiveTo(ctx context.Context, caseID, org uuid.UUID) (uuid.UUID, error) {
	var ids []uuid.UUID
	err := r.db.WithContext(ctx).Model(&model.Referral{}).
		Where("case_id = ? AND to_org_id = ? AND status = ANY(?::text[])", caseID, org, activeReferralStatuses()).
		Order("created_at DESC, id DESC").Limit(1).Pluck("id", &ids).Error
	if err != nil {
		return uuid.Nil, translate("get active referral", err)
	}
	if len(ids) == 0 {
		return uuid.Nil, translate("get active referral", gorm.ErrRecordNotFound)
	}
	return ids[0], nil
}

// ReferralOrder is the stable order of a referral list.
type ReferralOrder int

// The referral orders.
const (
	// ReferralsNewest: created_at DESC, id DESC (outgoing, all).
	ReferralsNewest ReferralOrder = iota
	// ReferralsByReplyDue: reply_due, id (incoming: the most urgent first).
	ReferralsByReplyDue
)

// ReferralKey is the position after which the next page starts: the order fields of the
// last row of the previous page.
type ReferralKey struct {
	ReplyDue  time.Time `json:"d,omitempty"`
	CreatedAt time.Time `json:"c,omitempty"`
	ID        uuid.UUID `json:"i"`
}

// KeyOf returns the keyset position of ref.
func (o ReferralOrder) KeyOf(ref *model.Referral) ReferralKey {
	if o == ReferralsByReplyDue {
		return ReferralKey{ReplyDue: ref.ReplyDue, ID: ref.ID}
	}
	return ReferralKey{CreatedAt: ref.CreatedAt, ID: ref.ID}
}

// ReferralQuery narrows a referral list beyond visibility.
type ReferralQuery struct {
	// ToOrgs, FromOrgs: when not empty, only referrals to / from these organisations.
	ToOrgs   []uuid.UUID
	FromOrgs []uuid.UUID
	Statuses []model.ReferralStatus
	CaseID   *uuid.UUID
	Order    ReferralOrder
	After    *ReferralKey
	Limit    int
	// Numbered pages sort by Sort and skip Sort.Offset rows instead of the keyset.
	Numbered bool
	Sort     ListSort
}

// List returns one page of the referrals sc reaches that match q, in q's stable order, and
// the number of all of them (every page) with the same predicate.
func (r Referrals) List(ctx context.Context, sc model.Scope, q ReferralQuery) ([]model.Referral, int64, error) {
	base := func() *gorm.DB {
		db := visible(r.db.WithContext(ctx).Model(&model.Referral{}), sc)
		if len(q.ToOrgs) > 0 {
			// The inbox of one organisation: with the recipient's own visibility condition
			// (active states), Postgres reads referrals_to_org_active_due_idx in reply order
			// and checks the consent cover of one page only.
			db = db.Where(inOrgs("referrals.to_org_id", q.ToOrgs))
		}
		if len(q.FromOrgs) > 0 {
			db = db.Where(inOrgs("referrals.from_org_id", q.FromOrgs))
		}
		if len(q.Statuses) > 0 {
			st := make(model.StringList, len(q.Statuses))
			for i, s := range q.Statuses {
				st[i] = string(s)
			}
			db = db.Where("referrals.status = ANY(?::text[])", st)
		}
		if q.CaseID != nil {
			db = db.Where("referrals.case_id = ?", *q.CaseID)
		}
		return db
	}
	count := func() (int64, error) {
		var total int64
		return total, translate("count referrals", base().Count(&total).Error)
	}
	db := base()
	if q.Numbered {
		out, total, err := withTotal[model.Referral](orderReferrals(db, q.Sort, q.Order).Offset(q.Sort.Offset).Limit(q.Limit), "referrals", q.Sort.Offset, count)
		return out, total, translate("list referrals", err)
	}
	var total int64
	if q.After != nil {
		var err error
		if total, err = count(); err != nil {
			return nil, 0, err
		}
	}
	switch q.Order {
	case ReferralsByReplyDue:
		if q.After != nil {
			db = db.Where("(referrals.reply_due, referrals.id) > (?::date, ?::uuid)", q.After.ReplyDue.Format(time.DateOnly), q.After.ID)
		}
		db = db.Order("referrals.reply_due, referrals.id")
	default:
		if q.After != nil {
			db = db.Where("(referrals.created_at, referrals.id) < (?::timestamptz, ?::uuid)", q.After.CreatedAt, q.After.ID)
		}
		db = db.Order("referrals.created_at DESC, referrals.id DESC")
	}
	if q.After == nil {
		out, total, err := withTotal[model.Referral](db.Limit(q.Limit), "referrals", 0, count)
		return out, total, translate("list referrals", err)
	}
	var out []model.Referral
	if err := db.Limit(q.Limit).Find(&out).Error; err != nil {
		return nil, 0, translate("list referrals", err)
	}
	return out, total, nil
}
