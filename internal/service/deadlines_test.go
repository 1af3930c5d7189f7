package service_test

import (
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/service"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestAddWorkingDays: deadlines count Monday to Friday without the public holidays of Lower
// Saxony; the start day itself does not count.
func TestAddWorkingDays(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		from time.Time
		n    int
		want string
	}{
		{"weekday to next weekday", day("2026-11-24"), 1, "2026-11-25"},
		{"friday skips the weekend", day("2026-11-27"), 1, "2026-11-30"},
		{"saturday starts counting on monday", day("2026-11-28"), 1, "2026-11-30"},
		{"sunday starts counting on monday", day("2026-11-29"), 1, "2026-11-30"},
		{"ten working days over two weekends", day("2026-11-27"), 10, "2026-12-11"},
		{"zero days is the day itself", day("2026-11-28"), 0, "2026-11-28"},
		{"christmas eve is a working day", day("2026-12-23"), 1, "2026-12-24"},
		{"christmas 2026: 25 Dec (Fri) and the weekend", day("2026-12-23"), 2, "2026-12-28"},
		{"christmas and new year 2026/27", day("2026-12-23"), 10, "2027-01-08"},
		{"easter 2027: good friday and easter monday", day("2027-03-25"), 1, "2027-03-30"},
		{"easter 2027 from wednesday", day("2027-03-24"), 2, "2027-03-30"},
		{"easter 2027, ten days", day("2027-03-25"), 10, "2027-04-12"},
		{"ascension day 2027", day("2027-05-05"), 1, "2027-05-07"},
		{"whit monday 2027", day("2027-05-14"), 1, "2027-05-18"},
		{"labour day 2028 (monday)", day("2028-04-28"), 1, "2028-05-02"},
		{"31 Oct 2027 is a sunday anyway", day("2027-10-29"), 1, "2027-11-01"},
		{"reformation day 31 Oct 2028 (tuesday)", day("2028-10-30"), 1, "2028-11-01"},
		{"all saints is no holiday in lower saxony", day("2028-10-31"), 1, "2028-11-01"},
		{"german unity day 2025 (friday)", day("2025-10-02"), 1, "2025-10-06"},
		{"german unity day 2028 (tuesday)", day("2028-10-02"), 1, "2028-10-04"},
		{"a late evening in Berlin counts as its own day", time.Date(2026, 12, 23, 23, 30, 0, 0, berlin), 1, "2026-12-24"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := service.AddWorkingDays(tc.from, tc.n)
			if got.Format(time.DateOnly) != tc.want {
				t.Errorf("AddWorkingDays(%s, %d) = %s, want %s", tc.from.Format(time.DateOnly), tc.n, got.Format(time.DateOnly), tc.want)
			}
			if got.Location() != time.UTC || got.Hour() != 0 {
				t.Errorf("result %v is not midnight UTC", got)
			}
		})
	}
}

func TestIsWorkingDay(t *testing.T) {
	for _, tc := range []struct {
		day  string
		want bool
	}{
		{"2026-11-27", true},  // Friday
		{"2026-11-28", false}, // Saturday
		{"2026-11-29", false}, // Sunday
		{"2027-01-01", false}, // New Year
		{"2027-01-06", true},  // Epiphany: not in Lower Saxony
		{"2027-03-26", false}, // Good Friday
		{"2027-03-29", false}, // Easter Monday
		{"2027-05-06", false}, // Ascension
		{"2027-05-17", false}, // Whit Monday
		{"2027-05-27", true},  // Corpus Christi: not in Lower Saxony
		{"2028-05-01", false}, // Labour Day
		{"2028-10-03", false}, // German Unity Day
		{"2027-10-31", false}, // Reformation Day, a Sunday
		{"2028-10-31", false}, // Reformation Day, a Tuesday
		{"2017-10-31", false}, // Reformation Day 2017, nationwide once
		{"2016-10-31", true},  // before Lower Saxony made it a holiday
		{"2026-12-24", true},  // Christmas Eve
		{"2026-12-25", false}, // Christmas
		{"2028-12-26", false}, // Boxing Day, a Tuesday
		{"2026-12-31", true},  // New Year's Eve
	} {
		t.Run(tc.day, func(t *testing.T) {
			if got := service.IsWorkingDay(day(tc.day)); got != tc.want {
				t.Errorf("IsWorkingDay(%s) = %v, want %v", tc.day, got, tc.want)
			}
		})
	}
}
