package store

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// Grants is the role grant repository of one transaction.
type Grants struct{ db *gorm.DB }

// Grants returns the role grant repository.
func (tx *Tx) Grants() Grants { return Grants{tx.db} }

// ForUser returns the grants of one user, in every organisation.
func (r Grants) ForUser(ctx context.Context, user uuid.UUID) ([]model.Grant, error) {
	var out []model.Grant
	err := r.db.WithContext(ctx).Where("user_id = ?", user).Order("org_id, role").Find(&out).Error
	return out, translate("list grants", err)
}

// ForUsers returns the grants of several users.
func (r Grants) ForUsers(ctx context.Context, users []uuid.UUID) ([]model.Grant, error) {
	var out []model.Grant
	err := r.db.WithContext(ctx).Where("user_id = ANY(?::uuid[])", uuids(users)).Order("user_id, org_id, role").Find(&out).Error
	return out, translate("list grants", err)
}

// Get returns one grant.
func (r Grants) Get(ctx context.Context, id uuid.UUID) (*model.Grant, error) {
	var g model.Grant
	if err := r.db.WithContext(ctx).Where("id = ?", id).Take(&g).Error; err != nil {
		return nil, translate("get grant", err)
	}
	return &g, nil
}

// Create inserts g; the same (user, organisation, role) twice is ErrConflict.
func (r Grants) Create(ctx context.Context, g *model.Grant) error {
	return create(ctx, r.db, "create grant", g, stamp{id: &g.ID, createdAt: &g.CreatedAt})
}

// Delete removes a grant; a grant that is already gone is ErrNotFound.
func (r Grants) Delete(ctx context.Context, id uuid.UUID) error {
	res := r.db.WithContext(ctx).Where("id = ?", id).Delete(&model.Grant{})
	if err := translate("delete grant", res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return translate("delete grant", gorm.ErrRecordNotFound)
	}
	return nil
}

// PolicySnapshot reads what the enforcer needs: the active organisations and the grants of
// active users in active organisations.
func (s *Store) PolicySnapshot(ctx context.Context) (orgs []model.Organisation, grants []model.Grant, err error) {
	err = s.Read(ctx, model.Actor{System: true, Name: "policy snapshot"}, func(tx *Tx) error {
		if err := tx.db.WithContext(ctx).Where("active").Find(&orgs).Error; err != nil {
			return translate("policy snapshot: organisations", err)
		}
		return translate("policy snapshot: grants", tx.db.WithContext(ctx).Raw(`
			SELECT g.* FROM role_grants g
			JOIN users u ON u.id = g.user_id AND u.active
			JOIN organisations o ON o.id = g.org_id AND o.active`).Scan(&grants).Error)
	})
	return orgs, grants, err
}

// Catalogue reads the areas and organisations every instance keeps in memory with its policy
// (model.Catalogue): the active areas as Areas.Active orders them, every organisation as
// Organisations.All does; one read-only transaction, so the two agree.
func (s *Store) Catalogue(ctx context.Context) (*model.Catalogue, error) {
	out := &model.Catalogue{}
	err := s.Read(ctx, model.Actor{System: true, Name: "catalogue"}, func(tx *Tx) error {
		var err error
		if out.Areas, err = tx.Areas().Active(ctx); err != nil {
			return err
		}
		out.Organisations, err = tx.Organisations().All(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// All returns every stored grant, whether its account and organisation are active or not:
// for the separation-of-duties report.
func (r Grants) All(ctx context.Context) ([]model.Grant, error) {
	var out []model.Grant
	err := r.db.WithContext(ctx).Order("user_id, org_id, role").Find(&out).Error
	return out, translate("list all grants", err)
}

// InOrg returns every grant in one organisation.
func (r Grants) InOrg(ctx context.Context, org uuid.UUID) ([]model.Grant, error) {
	var out []model.Grant
	err := r.db.WithContext(ctx).Where("org_id = ?", org).Order("user_id, role").Find(&out).Error
	return out, translate("list grants of organisation", err)
}
