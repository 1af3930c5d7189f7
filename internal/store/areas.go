package store

import (
	"context"
	"slices"

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

// UnknownAreas returns those of codes that are not active areas, in the order given: the
// check behind "unknown area" for consents, referrals and tasks.
func (tx *Tx) UnknownAreas(ctx context.Context, codes []string) ([]string, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	var active []string
	err := tx.db.WithContext(ctx).Raw(`SELECT code FROM areas WHERE active AND code = ANY(?::text[])`, model.StringList(codes)).Scan(&active).Error
	if err != nil {
		return nil, translate("check areas", err)
	}
	var unknown []string
	for _, c := range codes {
		if !slices.Contains(active, c) {
			unknown = append(unknown, c)
		}
	}
	return unknown, nil
}
