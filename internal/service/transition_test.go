package service_test

import (
	"errors"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
)

// refused checks that err refuses the change of object from one state to another: a
// *model.TransitionError (HTTP 409 transition_refused), not a validation error on a field.
func refused(t *testing.T, err error, object, from, to string) {
	t.Helper()
	var te *model.TransitionError
	if !errors.As(err, &te) || !errors.Is(err, model.ErrTransition) || errors.Is(err, model.ErrInvalid) {
		t.Fatalf("error = %v, want a refused transition of the %s from %s to %s", err, object, from, to)
	}
	if te.Object != object || te.From != from || te.To != to {
		t.Fatalf("refused %s %s -> %s, want %s %s -> %s", te.Object, te.From, te.To, object, from, to)
	}
}
