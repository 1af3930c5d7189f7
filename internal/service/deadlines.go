package service

import (
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/de"
)

// lowerSaxony is the public holiday calendar of Lower Saxony (Niedersachsen), where the city
// works. Deadlines count its working days: Monday to Friday except these holidays. The
// calendar is built once and never changed, and holiday caching stays off, so it is safe for
// concurrent use and no mutable package state.
var lowerSaxony = func() *cal.BusinessCalendar {
	c := cal.NewBusinessCalendar()
	for _, h := range de.HolidaysNI {
		if h == de.Reformationstag {
			// Reformation Day is a Lower Saxony holiday only since 2018 (and was a one-off
			// nationwide holiday in 2017); the library's entry has no start year.
			h = h.Clone(&cal.Holiday{StartYear: 2017})
		}
		c.AddHoliday(h)
	}
	return c
}()

// civilDay returns the calendar day of t (in t's own location) as midnight UTC, the form in
// which Postgres dates are read and written.
func civilDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// IsWorkingDay reports whether day (its calendar date, in its own location) is a working day
// in Lower Saxony: Monday to Friday and not a public holiday.
func IsWorkingDay(day time.Time) bool {
	return lowerSaxony.IsWorkday(civilDay(day))
}

// AddWorkingDays returns the calendar day n working days after day: day itself is not
// counted, so the result is always a working day for n >= 1. For n <= 0 it returns day's
// calendar date. The result is midnight UTC of that date.
func AddWorkingDays(day time.Time, n int) time.Time {
	d := civilDay(day)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if IsWorkingDay(d) {
			n--
		}
	}
	return d
}
