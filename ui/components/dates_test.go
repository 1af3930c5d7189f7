package components

import (
	"context"
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/locale"
)

// TestDatesOneFormatPerLocale: every supported language has its date formats, and a day and
// a moment are written the same way on every page of that language, moments in Berlin time.
func TestDatesOneFormatPerLocale(t *testing.T) {
	for _, tag := range locale.Supported {
		if _, ok := dateLayouts[tag.String()]; !ok {
			t.Errorf("no date formats for %s in dateLayouts", tag)
		}
	}
	berlin, err := time.LoadLocation("Europe/Berlin") // the web layer passes model.Berlin
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)      // a Postgres date
	moment := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC) // 00:30 on New Year's Day in Berlin
	for _, c := range []struct{ lang, day, moment string }{
		{"de", "31.12.2026", "01.01.2027, 00:30"},
		{"en", "2026-12-31", "2027-01-01 00:30"},
		{"", "31.12.2026", "01.01.2027, 00:30"}, // no language: German
	} {
		ctx := WithEnv(context.Background(), &Env{Lang: c.lang, Zone: berlin})
		if got := localDate(ctx, day); got != c.day {
			t.Errorf("%q: localDate = %q, want %q", c.lang, got, c.day)
		}
		if got := localDateTime(ctx, moment); got != c.moment {
			t.Errorf("%q: localDateTime = %q, want %q", c.lang, got, c.moment)
		}
		if localDate(ctx, time.Time{}) != "" || localDateTime(ctx, time.Time{}) != "" {
			t.Errorf("%q: the zero time is not empty", c.lang)
		}
	}
}
