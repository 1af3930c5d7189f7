package model

import (
	"strconv"
	"time"
)

// SuppressBelow is the smallest count the anonymised statistics show as a number: a count of
// 1 to SuppressBelow-1 could point to a person or family ("the one Tigrinya-speaking family in
// Eversburg waiting for a flat") and is shown as "<5". Zero is shown as 0: that nobody is
// counted reveals nobody.
const SuppressBelow = 5

// Count is one figure of the anonymised statistics: an exact number, a small number that is
// not shown ("<5"), or a range ("12–18"). A suppressed count carries no number at all (N is
// 0), so that no consumer of the statistics (page, CSV, API) can leak it by accident.
//
// A range is what a total over suppressed cells becomes: each such cell is known to be 1 to
// SuppressBelow-1, so the total lies between the sum of the shown cells plus one per hidden
// cell and that sum plus SuppressBelow-1 per hidden cell. The range says nothing the cells
// do not already say, and it is never false (the exact total would give a hidden cell back;
// "<5" for a total of 50 would be a lie).
type Count struct {
	N          int
	Suppressed bool
	// Upto, when above N, makes the count the range N to Upto.
	Upto int
}

// NewCount applies the small-number rule to a raw count: 1 to SuppressBelow-1 is suppressed.
func NewCount(n int) Count {
	if n > 0 && n < SuppressBelow {
		return Count{Suppressed: true}
	}
	return Count{N: n}
}

// SumCount is the total of cells of which shown sum to shown and hidden are suppressed: exact
// without hidden cells, else the range the cells allow, suppressed itself when even its upper
// end is a small number.
func SumCount(shown, hidden int) Count {
	if hidden == 0 {
		return NewCount(shown)
	}
	low, high := shown+hidden, shown+hidden*(SuppressBelow-1)
	if high < SuppressBelow {
		return Count{Suppressed: true}
	}
	return Count{N: low, Upto: high}
}

// IsRange reports whether the count is a range rather than one number.
func (c Count) IsRange() bool { return !c.Suppressed && c.Upto > c.N }

// String is the count as people read it: the number, "<5" when suppressed, "12–18" for a
// range (with an en dash, as German typography writes ranges).
func (c Count) String() string {
	switch {
	case c.Suppressed:
		return "<" + strconv.Itoa(SuppressBelow)
	case c.IsRange():
		return strconv.Itoa(c.N) + "–" + strconv.Itoa(c.Upto)
	}
	return strconv.Itoa(c.N)
}

// StatLabel names a row or a column of a statistics table: a code (an area, a status, an
// organisation kind, a month "2026-03", a district as written in the cases) and, for areas,
// its names.
type StatLabel struct {
	Code   string
	NameDE string
	NameEN string
}

// StatTable is a table of counts, rows by columns, with the totals of each row and column
// and of the whole table.
//
// A total over suppressed cells is not shown exactly, because the total minus the cells shown
// would give the suppressed cell back: it is the range the cells allow (SumCount), so a total
// is never a number it is not. Hence the grand total is exact only when no cell is
// suppressed.
type StatTable struct {
	Rows      []StatLabel
	Cols      []StatLabel
	Cells     [][]Count // [row][column]
	RowTotals []Count
	ColTotals []Count
	Total     Count
}

// CityStatistics is the coordination staff's city-wide overview: counts only, no names and
// no ids of cases or people.
type CityStatistics struct {
	// AreaStatus counts the running (not closed) cases by area (rows) and the area's status in
	// the plan (columns). A case counts once in every area its plan has a row for.
	AreaStatus StatTable
	// Districts counts the running cases by district (one column); the empty code is "no
	// district recorded".
	Districts StatTable
	// Referrals counts all referrals by the kind of the receiving organisation (rows) and
	// status (columns).
	Referrals StatTable
	// NewCases counts the cases opened per month (rows "2006-01", oldest first; one column),
	// the current month and the eleven before it, by the calendar of Europe/Berlin.
	NewCases StatTable
	// At is when the figures were taken.
	At time.Time
}
