package service

import (
	"math/rand/v2"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
)

// TestSumCountIsNeverFalse: for random tables, every total is either exact, "<5" for a true
// sum of 1 to 4, or a range that holds the true sum and that the shown cells already imply
// (so it gives no suppressed cell away).
func TestSumCountIsNeverFalse(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	labels := func(n int) []model.StatLabel {
		out := make([]model.StatLabel, n)
		for i := range out {
			out[i] = model.StatLabel{Code: string(rune('a' + i))}
		}
		return out
	}
	for range 2000 {
		nr, nc := 1+r.IntN(5), 1+r.IntN(5)
		raw := make([][]int, nr)
		for i := range raw {
			raw[i] = make([]int, nc)
			for k := range raw[i] {
				switch r.IntN(3) {
				case 0:
					raw[i][k] = r.IntN(model.SuppressBelow) // 0 to 4
				case 1:
					raw[i][k] = r.IntN(3)
				default:
					raw[i][k] = r.IntN(60)
				}
			}
		}
		tb := suppress(labels(nr), labels(nc), raw)
		check := func(what string, got model.Count, cells []model.Count, truth int) {
			t.Helper()
			shown, hidden := 0, 0
			for _, c := range cells {
				if c.Suppressed {
					hidden++
				} else {
					shown += c.N
				}
			}
			switch {
			case got.Suppressed:
				if truth < 1 || truth >= model.SuppressBelow {
					t.Fatalf("%s: %d shown as <5 (%v)", what, truth, raw)
				}
			case got.IsRange():
				if truth < got.N || truth > got.Upto {
					t.Fatalf("%s: %d shown as %s (%v)", what, truth, got, raw)
				}
				if got.N != shown+hidden || got.Upto != shown+hidden*(model.SuppressBelow-1) {
					t.Fatalf("%s: range %s is narrower than the cells imply (%v)", what, got, raw)
				}
			default:
				if got.N != truth || hidden > 0 {
					t.Fatalf("%s: %s, truth %d, %d hidden cells (%v)", what, got, truth, hidden, raw)
				}
			}
		}
		all, allCells := 0, []model.Count{}
		for i := range raw {
			sum := 0
			for _, n := range raw[i] {
				sum += n
			}
			all += sum
			allCells = append(allCells, tb.Cells[i]...)
			check("row total", tb.RowTotals[i], tb.Cells[i], sum)
		}
		for k := range nc {
			sum, cells := 0, []model.Count{}
			for i := range raw {
				sum += raw[i][k]
				cells = append(cells, tb.Cells[i][k])
			}
			check("column total", tb.ColTotals[k], cells, sum)
		}
		check("grand total", tb.Total, allCells, all)
	}
}

func TestSumCountExamples(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		shown, hidden int
		want          string
	}{{0, 0, "0"}, {3, 0, "<5"}, {50, 0, "50"}, {0, 1, "<5"}, {48, 1, "49–52"}, {0, 2, "2–8"}, {10, 3, "13–22"}} {
		if got := model.SumCount(tc.shown, tc.hidden).String(); got != tc.want {
			t.Errorf("SumCount(%d, %d) = %q, want %q", tc.shown, tc.hidden, got, tc.want)
		}
	}
}
