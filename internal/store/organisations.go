package store

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// Organisations is the organisation repository of one transaction.
type Organisations struct{ db *gorm.DB }

// Organisations returns the organisation repository.
func (tx *Tx) Organisations() Organisations { return Organisations{tx.db} }

// List returns the organisations sc reaches, by name.
func (r Organisations) List(ctx context.Context, sc model.Scope) ([]model.Organisation, error) {
	var out []model.Organisation
	err := visible(r.db.WithContext(ctx).Model(&model.Organisation{}), sc).Order("name, id").Find(&out).Error
	return out, translate("list organisations", err)
}

// Get returns one organisation if sc reaches it, else ErrNotFound.
func (r Organisations) Get(ctx context.Context, sc model.Scope, id uuid.UUID) (*model.Organisation, error) {
	var o model.Organisation
	err := visible(r.db.WithContext(ctx).Model(&model.Organisation{}), sc).Where("organisations.id = ?", id).Take(&o).Error
	if err != nil {
		return nil, translate("get organisation", err)
	}
	return &o, nil
}

// All returns every organisation, active or not: for the directory tool and the policy
// snapshot, which act for the system, not for a user.
func (r Organisations) All(ctx context.Context) ([]model.Organisation, error) {
	var out []model.Organisation
	err := r.db.WithContext(ctx).Order("name, id").Find(&out).Error
	return out, translate("list all organisations", err)
}

// Create inserts o with a new id and version 1.
func (r Organisations) Create(ctx context.Context, o *model.Organisation) error {
	return create(ctx, r.db, "create organisation", o, stamp{&o.ID, &o.Version, &o.CreatedAt, &o.UpdatedAt})
}

// Update writes o if its stored version is still version, and bumps the version. A lost race
// (another writer came first) is ErrConflict.
func (r Organisations) Update(ctx context.Context, o *model.Organisation, version int) error {
	return update[model.Organisation](ctx, r.db, "update organisation", stamp{version: &o.Version, updatedAt: &o.UpdatedAt}, version, map[string]any{
		"parent_id": o.ParentID, "kind": o.Kind, "name": o.Name, "short_name": o.ShortName,
		"contact_email": o.ContactEmail, "contact_phone": o.ContactPhone, "active": o.Active, "allow_admin_casework": o.AllowAdminCasework,
	}, "id = ?", o.ID)
}

// Lock takes the row lock of an organisation until the transaction ends, so that a change
// of its settings and a grant that relies on them are serialised; ErrNotFound when missing.
func (r Organisations) Lock(ctx context.Context, id uuid.UUID) (*model.Organisation, error) {
	var o model.Organisation
	if err := r.db.WithContext(ctx).Raw(`SELECT * FROM organisations WHERE id = ? FOR UPDATE`, id).Scan(&o).Error; err != nil {
		return nil, translate("lock organisation", err)
	}
	if o.ID == uuid.Nil {
		return nil, translate("lock organisation", gorm.ErrRecordNotFound)
	}
	return &o, nil
}

// LockAllowingAdminCasework takes the row locks of every organisation that allows its
// administrators case work, so that a switch-off waits for the transaction (and then sees its
// grants) while the transaction relies on the setting.
func (r Organisations) LockAllowingAdminCasework(ctx context.Context) error {
	var n int64
	err := r.db.WithContext(ctx).Raw(`SELECT count(*) FROM (SELECT 1 FROM organisations WHERE allow_admin_casework FOR UPDATE) l`).Scan(&n).Error
	return translate("lock organisations allowing admin casework", err)
}

// IsBelow reports whether org lies in the subtree of root (root included), following the
// stored parent links.
func (r Organisations) IsBelow(ctx context.Context, org, root uuid.UUID) (bool, error) {
	var below bool
	err := r.db.WithContext(ctx).Raw(`
		WITH RECURSIVE up(id, parent_id, depth) AS (
			SELECT id, parent_id, 0 FROM organisations WHERE id = ?
			UNION ALL
			SELECT o.id, o.parent_id, up.depth + 1 FROM organisations o JOIN up ON o.id = up.parent_id WHERE up.depth < 100
		)
		SELECT EXISTS (SELECT 1 FROM up WHERE id = ?)`, org, root).Scan(&below).Error
	return below, translate("check organisation tree", err)
}

// ActiveOrganisation returns an organisation if it exists and is active, else ErrNotFound.
// Organisations are no secret (everyone may read the directory); this is for rules such as
// "a referral goes to an active organisation".
func (tx *Tx) ActiveOrganisation(ctx context.Context, id uuid.UUID) (*model.Organisation, error) {
	var o model.Organisation
	if err := tx.db.WithContext(ctx).Where("id = ? AND active", id).Take(&o).Error; err != nil {
		return nil, translate("get organisation", err)
	}
	return &o, nil
}
