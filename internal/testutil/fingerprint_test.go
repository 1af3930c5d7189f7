package testutil

import "testing"

func TestDataOnly(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"cases=ab notes=cd audit_events=3": "cases=ab notes=cd",
		"audit_events=0":                   "",
		"cases=ab":                         "cases=ab",
	} {
		if got := DataOnly(in); got != want {
			t.Errorf("DataOnly(%q) = %q, want %q", in, got, want)
		}
	}
}
