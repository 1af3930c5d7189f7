package model

import (
	"errors"
	"testing"
)

// TestValidationErrorCodes: a field error is a code with params, its Error() names field and
// code for logs, and the finer categories stay in their coarse ones.
func TestValidationErrorCodes(t *testing.T) {
	v := &ValidationError{}
	v.Add("title", CodeTooLong, Params{"max": 200})
	v.Add("area", CodeRequired)
	err := v.Err()
	if !errors.Is(err, ErrInvalid) || len(v.Fields) != 2 || v.Fields[0].Field != "area" || v.Fields[1].Params["max"] != 200 || v.Fields[0].Params != nil {
		t.Fatalf("validation error %#v", v)
	}
	if got, want := err.Error(), "invalid: area: required; title: too_long (max=200)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	for _, tc := range []struct{ err, in error }{{ErrDuplicate, ErrConflict}, {ErrOwnAccount, ErrForbidden}} {
		if !errors.Is(tc.err, tc.in) {
			t.Errorf("%v is no %v", tc.err, tc.in)
		}
	}
	if errors.Is(ErrTransition, ErrInvalid) || errors.Is(ErrTransition, ErrConflict) {
		t.Error("a refused transition must be its own category, not a stale version or a wrong input")
	}
}
