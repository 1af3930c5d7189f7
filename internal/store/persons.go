package store

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// Persons is the repository of the persons of case households, of one transaction. It holds
// no access check of its own: callers reach persons only through a case they may see.
type Persons struct{ db *gorm.DB }

// Persons returns the person repository.
func (tx *Tx) Persons() Persons { return Persons{tx.db} }

// ForCases returns the persons of the cases, by case: the primary person first, then by
// creation.
func (r Persons) ForCases(ctx context.Context, caseIDs []uuid.UUID) (map[uuid.UUID][]model.Person, error) {
	out := map[uuid.UUID][]model.Person{}
	if len(caseIDs) == 0 {
		return out, nil
	}
	var rows []model.Person
	err := r.db.WithContext(ctx).Where("case_id = ANY(?::uuid[])", uuids(caseIDs)).
		Order("case_id, is_primary DESC, created_at, id").Find(&rows).Error
	if err != nil {
		return nil, translate("list persons", err)
	}
	for _, p := range rows {
		out[p.CaseID] = append(out[p.CaseID], p)
	}
	return out, nil
}

// Get returns a person of the case, else ErrNotFound.
func (r Persons) Get(ctx context.Context, caseID, id uuid.UUID) (*model.Person, error) {
	var p model.Person
	if err := r.db.WithContext(ctx).Where("id = ? AND case_id = ?", id, caseID).Take(&p).Error; err != nil {
		return nil, translate("get person", err)
	}
	return &p, nil
}

// Create inserts p with a new id and version 1.
func (r Persons) Create(ctx context.Context, p *model.Person) error {
	fixLists(p)
	return create(ctx, r.db, "create person", p, stamp{&p.ID, &p.Version, &p.CreatedAt, &p.UpdatedAt})
}

// Update writes p if its stored version is still version, and bumps the version; a lost race
// is ErrConflict.
func (r Persons) Update(ctx context.Context, p *model.Person, version int) error {
	fixLists(p)
	return update[model.Person](ctx, r.db, "update person", stamp{version: &p.Version, updatedAt: &p.UpdatedAt}, version, map[string]any{
		"family_name": p.FamilyName, "given_names": p.GivenNames, "name_variants": p.NameVariants,
		"birth_date": p.BirthDate, "languages": p.Languages, "arrival_date": p.ArrivalDate,
		"residence_status": p.ResidenceStatus, "district": p.District, "phone": p.Phone,
		"email": p.Email, "address": p.Address, "search_text": p.SearchText,
	}, "id = ? AND case_id = ?", p.ID, p.CaseID)
}

// fixLists stores empty lists as '{}', never NULL (the columns are NOT NULL).
func fixLists(p *model.Person) {
	if p.NameVariants == nil {
		p.NameVariants = model.StringList{}
	}
	if p.Languages == nil {
		p.Languages = model.StringList{}
	}
}
