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

// Count is one figure of the anonymised statistics. A suppressed count carries no number at
// all (N is 0), so that no consumer of the statistics (page, CSV, API) can leak it by accident.
type Count struct {
	N          int
	Suppressed bool
}

// NewCount applies the small-number rule to a raw count: 1 to SuppressBelow-1 is suppressed.
func NewCount(n int) Count {
	if n > 0 && n < SuppressBelow {
		return Count{Suppressed: true}
	}
	return Count{N: n}
}

// String is the count as people read it: the number, or "<5" when suppressed.
func (c Count) String() string {
	if c.Suppressed {
		return "<" + strconv.Itoa(SuppressBelow)
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
// Totals follow the complementary rule: a total is suppressed not only when it is itself
// below SuppressBelow but also whenever any cell it sums over is suppressed, because the
// total minus the cells shown would give the suppressed cell back. Hence the grand total is
// shown only when no cell is suppressed.
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
