package store

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// Cases is the case repository of one transaction.
type Cases struct{ db *gorm.DB }

// Cases returns the case repository.
func (tx *Tx) Cases() Cases { return Cases{tx.db} }

// Get returns one case if sc reaches it, else ErrNotFound (hidden and missing alike).
func (r Cases) Get(ctx context.Context, sc model.Scope, id uuid.UUID) (*model.Case, error) {
	var c model.Case
	err := visible(r.db.WithContext(ctx).Model(&model.Case{}), sc).Where("cases.id = ?", id).Take(&c).Error
	if err != nil {
		return nil, translate("get case", err)
	}
	return &c, nil
}

// ByID returns a case regardless of scope, for rules that run after access was checked
// (e.g. the lead organisation of a referral's case). Never for showing content.
func (r Cases) ByID(ctx context.Context, id uuid.UUID) (*model.Case, error) {
	var c model.Case
	if err := r.db.WithContext(ctx).Where("id = ?", id).Take(&c).Error; err != nil {
		return nil, translate("get case", err)
	}
	return &c, nil
}

// NextReference returns the next readable reference number for prefix and year, e.g.
// F-2026-00123. The counter row is locked by the update, so concurrent creators never get
// the same number; numbers of rolled-back transactions are reused.
func (tx *Tx) NextReference(ctx context.Context, prefix string, year int) (string, error) {
	var n int
	err := tx.db.WithContext(ctx).Raw(`
		INSERT INTO reference_counters (prefix, year, last) VALUES (?, ?, 1)
		ON CONFLICT (prefix, year) DO UPDATE SET last = reference_counters.last + 1
		RETURNING last`, prefix, year).Scan(&n).Error
	if err != nil {
		return "", translate("next reference", err)
	}
	return fmt.Sprintf("%s-%d-%05d", prefix, year, n), nil
}

// Create inserts c with a new id and version 1. The caller sets the reference.
func (r Cases) Create(ctx context.Context, c *model.Case) error {
	return create(ctx, r.db, "create case", c, stamp{&c.ID, &c.Version, &c.CreatedAt, &c.UpdatedAt})
}

// Update writes the changeable fields of c (status, reason, closing time, responsible user,
// district) if its stored version is still version, and bumps the version. The lead
// organisation and the reference are never written. A lost race is ErrConflict.
func (r Cases) Update(ctx context.Context, c *model.Case, version int) error {
	return update[model.Case](ctx, r.db, "update case", stamp{version: &c.Version, updatedAt: &c.UpdatedAt}, version, map[string]any{
		"status": c.Status, "status_reason": c.StatusReason, "closed_at": c.ClosedAt,
		"responsible_user_id": c.ResponsibleUserID, "district": c.District,
	}, "id = ?", c.ID)
}

// IsOrgMember reports whether user is an active account holding a grant in org: who may be
// the responsible caseworker of a case the organisation leads.
func (r Cases) IsOrgMember(ctx context.Context, user, org uuid.UUID) (bool, error) {
	var ok bool
	err := r.db.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM role_grants g JOIN users u ON u.id = g.user_id
		WHERE g.user_id = ? AND g.org_id = ? AND u.active)`, user, org).Scan(&ok).Error
	return ok, translate("check membership", err)
}
