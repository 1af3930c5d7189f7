package components

import (
	"context"
	"time"
)

// dateLayouts is how the pages write a calendar day and a moment in each language: the one
// date format of each locale (31.12.2026 and 31.12.2026, 14:05 in German; 2026-12-31 and
// 2026-12-31 14:05 in English). A test wants a line for every supported language.
var dateLayouts = map[string]struct{ day, moment string }{
	"de": {"02.01.2006", "02.01.2006, 15:04"},
	"en": {time.DateOnly, "2006-01-02 15:04"},
}

func layouts(ctx context.Context) struct{ day, moment string } {
	if l, ok := dateLayouts[Lang(ctx)]; ok {
		return l
	}
	return dateLayouts["de"]
}

// localDate writes a calendar day in the page's language; the zero time is empty. Days are
// midnight UTC (as read from Postgres dates), so the date is taken as it is.
func localDate(ctx context.Context, d time.Time) string {
	if d.IsZero() {
		return ""
	}
	return d.Format(layouts(ctx).day)
}

// localDateTime writes a moment in the city's time zone (Env.Zone, Europe/Berlin) in the
// page's language; the zero time is empty.
func localDateTime(ctx context.Context, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(zone(ctx)).Format(layouts(ctx).moment)
}

// zone is the time zone moments are shown in: the Env's, UTC when it names none.
func zone(ctx context.Context) *time.Location {
	if z := envOf(ctx).Zone; z != nil {
		return z
	}
	return time.UTC
}
