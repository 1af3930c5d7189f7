package service

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Statistics gives the coordination staff the city-wide figures: counts only, anonymised.
//
// The small-number rule is applied here, in the service, so that every consumer (the page,
// its CSV download, any later API or report) gets the same suppressed figures and none can
// forget the rule: a count of 1 to 4 is shown as "<5" and carries no number (model.Count); 0
// and counts from 5 up are exact. A total over a suppressed cell is shown as the range that the
// cells allow ("12–18", model.SumCount), since the exact total minus the cells shown would give
// the suppressed one back; it is never shown as "<5" when it is more, which would be false.
//
// Limits of the rule, for the permission concept: it protects each table on its own. Figures
// of different tables describe the same cases, and figures taken on two days can be compared,
// so a determined reader who combines tables or compares over time may narrow down a small
// group. The figures are for steering and for reports to the council, not for publication of
// fine-grained tables; those need a proper disclosure check.
type Statistics struct{ base }

const objStatistics = "statistics"

// Overview returns the city-wide figures. The permission statistics.read reaches every case
// by design (scope "all"); anything narrower is refused, because partial figures labelled as
// city-wide would mislead.
func (s *Statistics) Overview(ctx context.Context, a model.Actor) (*model.CityStatistics, error) {
	sc, err := s.require(a, objStatistics, actRead, false)
	if err != nil {
		return nil, err
	}
	if !sc.Has(model.ScopeAll) {
		return nil, fmt.Errorf("service: statistics need the scope all: %w", model.ErrForbidden)
	}
	now := s.now()
	out := &model.CityStatistics{At: now}
	months := lastMonths(now, 12)
	err = s.store.Heavy(ctx, a, func(tx *store.Tx) error {
		areas, err := s.areas(ctx, tx)
		if err != nil {
			return err
		}
		st := tx.Statistics()

		byArea, err := st.CasesByAreaStatus(ctx)
		if err != nil {
			return err
		}
		var areaRows []model.StatLabel
		for _, ar := range areas {
			areaRows = append(areaRows, model.StatLabel{Code: ar.Code, NameDE: ar.NameDE, NameEN: ar.NameEN})
		}
		var statusCols []model.StatLabel
		for _, v := range model.AreaStatusValues {
			statusCols = append(statusCols, model.StatLabel{Code: string(v)})
		}
		out.AreaStatus = statTable(areaRows, statusCols, byArea)

		byDistrict, err := st.RunningCasesByDistrict(ctx)
		if err != nil {
			return err
		}
		var districts []model.StatLabel
		unknown := false
		for _, c := range byDistrict {
			if c.A == "" {
				unknown = true
				continue
			}
			districts = append(districts, model.StatLabel{Code: c.A})
		}
		sort.Slice(districts, func(i, j int) bool { return districts[i].Code < districts[j].Code })
		if unknown {
			districts = append(districts, model.StatLabel{Code: ""})
		}
		out.Districts = statTable(districts, []model.StatLabel{{Code: "cases"}}, withB(byDistrict, "cases"))

		byKind, err := st.ReferralsByKindStatus(ctx)
		if err != nil {
			return err
		}
		var kinds []model.StatLabel
		for _, k := range model.OrgKinds {
			kinds = append(kinds, model.StatLabel{Code: string(k)})
		}
		var refCols []model.StatLabel
		for _, v := range model.ReferralStatuses {
			refCols = append(refCols, model.StatLabel{Code: string(v)})
		}
		out.Referrals = statTable(kinds, refCols, byKind)

		byMonth, err := st.NewCasesByMonth(ctx, months[0].start)
		if err != nil {
			return err
		}
		var monthRows []model.StatLabel
		for _, m := range months {
			monthRows = append(monthRows, model.StatLabel{Code: m.code})
		}
		out.NewCases = statTable(monthRows, []model.StatLabel{{Code: "cases"}}, withB(byMonth, "cases"))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// withB puts every count into the one column b.
func withB(cs []store.StatCount, b string) []store.StatCount {
	out := make([]store.StatCount, len(cs))
	for i, c := range cs {
		out[i] = store.StatCount{A: c.A, B: b, N: c.N}
	}
	return out
}

// statTable lays raw counts out as rows by columns and applies the small-number rule with
// complementary suppression of totals. Counts of rows or columns not listed (an area
// retired meanwhile) are left out of the table and its totals.
func statTable(rows, cols []model.StatLabel, counts []store.StatCount) model.StatTable {
	ri, ci := map[string]int{}, map[string]int{}
	for i, r := range rows {
		ri[r.Code] = i
	}
	for i, c := range cols {
		ci[c.Code] = i
	}
	raw := make([][]int, len(rows))
	for i := range raw {
		raw[i] = make([]int, len(cols))
	}
	for _, c := range counts {
		r, ok1 := ri[c.A]
		k, ok2 := ci[c.B]
		if ok1 && ok2 {
			raw[r][k] += c.N
		}
	}
	return suppress(rows, cols, raw)
}

// suppress turns raw counts into the shown table: each cell by the small-number rule, each
// total as model.SumCount of its shown cells and its number of suppressed ones.
func suppress(rows, cols []model.StatLabel, raw [][]int) model.StatTable {
	t := model.StatTable{Rows: rows, Cols: cols, Cells: make([][]model.Count, len(rows)),
		RowTotals: make([]model.Count, len(rows)), ColTotals: make([]model.Count, len(cols))}
	type sum struct{ shown, hidden int }
	add := func(s *sum, c model.Count) {
		if c.Suppressed {
			s.hidden++
		} else {
			s.shown += c.N
		}
	}
	cols2 := make([]sum, len(cols))
	var all sum
	for i := range rows {
		t.Cells[i] = make([]model.Count, len(cols))
		var row sum
		for k := range cols {
			c := model.NewCount(raw[i][k])
			t.Cells[i][k] = c
			add(&row, c)
			add(&cols2[k], c)
			add(&all, c)
		}
		t.RowTotals[i] = model.SumCount(row.shown, row.hidden)
	}
	for k := range cols {
		t.ColTotals[k] = model.SumCount(cols2[k].shown, cols2[k].hidden)
	}
	t.Total = model.SumCount(all.shown, all.hidden)
	return t
}

type month struct {
	code  string
	start time.Time
}

// lastMonths returns the n calendar months up to and including the one of now, in
// Europe/Berlin, oldest first.
func lastMonths(now time.Time, n int) []month {
	y, m, _ := now.In(model.Berlin).Date()
	first := time.Date(y, m, 1, 0, 0, 0, 0, model.Berlin)
	out := make([]month, n)
	for i := range n {
		s := first.AddDate(0, -(n - 1 - i), 0)
		out[i] = month{code: s.Format("2006-01"), start: s}
	}
	return out
}
