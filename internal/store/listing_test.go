package store

import (
	"context"
	"testing"
	"time"

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

// TestWorkSectionsAsWork: the start page's task sections in one statement are exactly what
// Work returns for each section alone (the same tasks in the same order, the same totals),
// with more tasks than fit in a section and an empty section.
func TestWorkSectionsAsWork(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := New(testutil.NewDB(t).Gorm, nil)
	sys := model.Actor{System: true, Name: "test"}
	user := model.NewID()
	org := model.Organisation{Kind: model.OrgWelfare, Name: "Träger", ShortName: "WS", Active: true}
	today := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	day := func(d int) *model.Date { x := model.Date(today.AddDate(0, 0, d)); return &x }
	if err := st.Tx(ctx, sys, func(tx *Tx) error {
		if err := tx.Organisations().Create(ctx, &org); err != nil {
			return err
		}
		prios := []model.TaskPriority{model.PriorityLow, model.PriorityUrgent, model.PriorityHigh}
		for i := range 9 { // due from 5 days ago to 3 days ahead, mixed priorities
			if err := tx.Tasks().Create(ctx, &model.Task{OrgID: org.ID, Title: "T", DueDate: day(i - 5), Priority: prios[i%3], Status: model.TaskOpen}); err != nil {
				return err
			}
			if err := tx.Tasks().Create(ctx, &model.Task{OrgID: org.ID, Title: "U", DueDate: day(-1), Priority: prios[i%3], Status: model.TaskOpen}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sc := model.Scope{Object: "task", Action: "read", Kinds: []model.ScopeKind{model.ScopeOrg}, OrgID: org.ID, UserID: user}
	yesterday, tomorrow, far := today.AddDate(0, 0, -1), today.AddDate(0, 0, 1), today.AddDate(0, 0, 30)
	qs := []WorkTaskQuery{
		{User: user, Org: org.ID, To: &yesterday, Limit: 5},
		{User: user, Org: org.ID, From: &today, To: &today, Limit: 5},
		{User: user, Org: org.ID, From: &far, Limit: 5}, // none
		{User: user, Org: org.ID, From: &tomorrow, To: &far, Limit: 5},
	}
	if err := st.Read(ctx, sys, func(tx *Tx) error {
		items, totals, err := tx.Tasks().WorkSections(ctx, sc, qs)
		if err != nil {
			return err
		}
		for i, q := range qs {
			want, total, err := tx.Tasks().Work(ctx, sc, q)
			if err != nil {
				return err
			}
			if totals[i] != total || len(items[i]) != len(want) {
				t.Errorf("section %d: %d tasks of %d, Work gives %d of %d", i, len(items[i]), totals[i], len(want), total)
				continue
			}
			for j := range want {
				if items[i][j].ID != want[j].ID {
					t.Errorf("section %d, row %d: %s, Work gives %s", i, j, items[i][j].ID, want[j].ID)
				}
			}
		}
		if totals[0] != 14 || len(items[0]) != 5 || items[2] == nil {
			t.Errorf("overdue %d of %d, empty section %v", len(items[0]), totals[0], items[2])
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
