package store

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// Plan is the repository of the integration plans (area statuses) of one transaction.
type Plan struct{ db *gorm.DB }

// Plan returns the plan repository.
func (tx *Tx) Plan() Plan { return Plan{tx.db} }

// CreateRows adds a not-started row for every area to the plan of a new case.
func (r Plan) CreateRows(ctx context.Context, caseID uuid.UUID, areas []string, by uuid.UUID) error {
	if len(areas) == 0 {
		return nil
	}
	now := dbNow(r.db)
	rows := make([]model.AreaStatus, len(areas))
	for i, a := range areas {
		rows[i] = model.AreaStatus{CaseID: caseID, Area: a, Status: model.AreaNotStarted, ChangedAt: now, Version: 1}
		if by != uuid.Nil {
			id := by
			rows[i].ChangedBy = &id
		}
	}
	return translate("create plan", r.db.WithContext(ctx).Create(&rows).Error)
}

// Get returns one plan row if sc reaches it, else ErrNotFound.
func (r Plan) Get(ctx context.Context, sc model.Scope, caseID uuid.UUID, area string) (*model.AreaStatus, error) {
	var s model.AreaStatus
	err := visible(r.db.WithContext(ctx).Model(&model.AreaStatus{}), sc).
		Where("area_statuses.case_id = ? AND area_statuses.area = ?", caseID, area).Take(&s).Error
	if err != nil {
		return nil, translate("get plan row", err)
	}
	return &s, nil
}

// Update writes s if its stored version is still version, and bumps the version; a lost race
// is ErrConflict.
func (r Plan) Update(ctx context.Context, s *model.AreaStatus, version int) error {
	return update[model.AreaStatus](ctx, r.db, "update plan row", stamp{version: &s.Version}, version, map[string]any{
		"status": s.Status, "responsible_org_id": s.ResponsibleOrgID, "note": s.Note,
		"changed_by": s.ChangedBy, "changed_at": s.ChangedAt,
	}, "case_id = ? AND area = ?", s.CaseID, s.Area)
}
