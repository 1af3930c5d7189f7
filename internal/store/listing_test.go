package store

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil"
)

// TestPageWithTotal: a page and the number of all rows of its filter come from one statement;
// past the last row, where no row carries the total, the count runs alone.
func TestPageWithTotal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := New(testutil.NewDB(t).Gorm, nil)
	sys := model.Actor{System: true, Name: "test"}
	if err := st.Tx(ctx, sys, func(tx *Tx) error {
		for _, n := range []string{"A", "B", "C", "D", "E"} {
			if err := tx.Organisations().Create(ctx, &model.Organisation{Kind: model.OrgWelfare, Name: "Org " + n, ShortName: "PT" + n, Active: true}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		filter      string
		offset      int
		names       []string
		total       int64
		countsApart bool
	}{
		{"PT%", 0, []string{"Org A", "Org B"}, 5, false},
		{"PT%", 4, []string{"Org E"}, 5, false},
		{"PT%", 6, nil, 5, true},
		{"NONE%", 0, nil, 0, false},
	} {
		counted := false
		err := st.Read(ctx, sys, func(tx *Tx) error {
			base := func() *gorm.DB {
				return tx.db.WithContext(ctx).Model(&model.Organisation{}).Where("short_name LIKE ?", tc.filter)
			}
			count := func() (int64, error) {
				counted = true
				var n int64
				return n, base().Count(&n).Error
			}
			out, total, err := withTotal[model.Organisation](base().Order("name").Offset(tc.offset).Limit(2), "organisations", tc.offset, count)
			if err != nil {
				return err
			}
			var names []string
			for _, o := range out {
				names = append(names, o.Name)
			}
			if total != tc.total || len(names) != len(tc.names) || (len(names) > 0 && names[0] != tc.names[0]) || out == nil && len(tc.names) > 0 {
				t.Errorf("%s from %d: %v of %d, want %v of %d", tc.filter, tc.offset, names, total, tc.names, tc.total)
			}
			if len(out) > 0 && (out[0].ID == uuid.Nil || out[0].Version != 1) {
				t.Errorf("rows not scanned whole: %+v", out[0])
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if counted != tc.countsApart {
			t.Errorf("%s from %d: counted apart %v, want %v", tc.filter, tc.offset, counted, tc.countsApart)
		}
	}
}
