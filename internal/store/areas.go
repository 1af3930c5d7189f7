package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// Areas is the repository of the configurable areas (Handlungsfelder) of one transaction.
type Areas struct{ db *gorm.DB }

// Areas returns the area repository.
func (tx *Tx) Areas() Areas { return Areas{tx.db} }

// Active returns the areas in use, in display order.
func (r Areas) Active(ctx context.Context) ([]model.Area, error) {
	var out []model.Area
	err := r.db.WithContext(ctx).Where("active").Order("position, code").Find(&out).Error
	return out, translate("list areas", err)
}
