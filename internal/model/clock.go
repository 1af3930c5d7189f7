package model

import (
	"time"
	_ "time/tzdata" // the city's zone must load on any machine, container images included
)

// Berlin is the city's time zone: deadlines, calendar days and every time people read are
// Europe/Berlin, while the database stores UTC. It is the one definition in the code base.
var Berlin = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err) // time/tzdata is embedded above, so this cannot happen
	}
	return loc
}()

// CalendarDay returns the calendar day of t in Berlin as midnight UTC, the form in which
// Postgres dates are scanned, so that days compare with stored dates directly.
func CalendarDay(t time.Time) time.Time {
	y, m, d := t.In(Berlin).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
