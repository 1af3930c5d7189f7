package model

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Domain error categories. Wrap them with the operation (`store: get case: %w`); the web and
// API error handler maps each category to one HTTP status and a stable code, and never shows
// the wrapped text.
var (
	// ErrNotFound: the record does not exist, or the actor may not see it. The two are
	// deliberately indistinguishable.
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the actor may not perform this action at all (not about a record).
	ErrForbidden = errors.New("forbidden")
	// ErrConflict: a stale version or a duplicate.
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the input is wrong; wrap a *ValidationError to say which field and why.
	ErrInvalid = errors.New("invalid")
	// ErrTransition: the record's state does not allow the change asked for (a declined
	// referral cannot be completed); a *TransitionError says from where to where.
	ErrTransition = errors.New("transition refused")
	// ErrUnauthenticated: no valid login or token.
	ErrUnauthenticated = errors.New("unauthenticated")

	// ErrDuplicate: the record would duplicate another (a unique key); an ErrConflict that is
	// not a stale version.
	ErrDuplicate = fmt.Errorf("duplicate: %w", ErrConflict)
	// ErrOwnAccount: nobody changes their own account's state or roles; an ErrForbidden.
	ErrOwnAccount = fmt.Errorf("your own account: %w", ErrForbidden)
)

// Params are the values of a field error's code that a message names ({max: 4000}).
type Params = map[string]any

// FieldError is one problem with one input field: a stable code (CodeTooLong) and its
// parameters. The services never write prose for people: the presentation layer turns the
// code into a message in the user's language (locale keys validation.<code>).
type FieldError struct {
	Field  string `json:"field"`
	Code   string `json:"code"`
	Params Params `json:"params,omitempty"`
}

func (f FieldError) String() string {
	if len(f.Params) == 0 {
		return f.Field + ": " + f.Code
	}
	keys := make([]string, 0, len(f.Params))
	for k := range f.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%v", k, f.Params[k])
	}
	return f.Field + ": " + f.Code + " (" + strings.Join(parts, ", ") + ")"
}

// ValidationError collects every problem with an input, so that a form shows all of them at
// once. It unwraps to ErrInvalid.
type ValidationError struct {
	Fields []FieldError
}

// Add records a problem with field: a code (one of Codes) and, optionally, its parameters.
func (v *ValidationError) Add(field, code string, params ...Params) {
	fe := FieldError{Field: field, Code: code}
	if len(params) > 0 && len(params[0]) > 0 {
		fe.Params = params[0]
	}
	v.Fields = append(v.Fields, fe)
}

// Err returns v when it holds problems, else nil.
func (v *ValidationError) Err() error {
	if v == nil || len(v.Fields) == 0 {
		return nil
	}
	sort.SliceStable(v.Fields, func(i, j int) bool { return v.Fields[i].Field < v.Fields[j].Field })
	return v
}

// Error names every field and its code, for logs.
func (v *ValidationError) Error() string {
	parts := make([]string, len(v.Fields))
	for i, f := range v.Fields {
		parts[i] = f.String()
	}
	return "invalid: " + strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (v *ValidationError) Unwrap() error { return ErrInvalid }

// Invalid is a shortcut for a ValidationError with one field.
func Invalid(field, code string, params ...Params) error {
	v := &ValidationError{}
	v.Add(field, code, params...)
	return v
}

// TransitionError refuses a change of state: Object (case, referral, task, consent) cannot
// go From one state To another; Allowed lists the states it may go to (none: From is
// final). It unwraps to ErrTransition: a conflict with the record's state, not a wrong input.
type TransitionError struct {
	Object, From, To string
	Allowed          []string
}

func (e *TransitionError) Error() string {
	if len(e.Allowed) == 0 {
		return fmt.Sprintf("%s cannot change from %s to %s: %s is final", e.Object, e.From, e.To, e.From)
	}
	return fmt.Sprintf("%s cannot change from %s to %s; allowed: %s", e.Object, e.From, e.To, strings.Join(e.Allowed, ", "))
}

// Unwrap makes errors.Is(err, ErrTransition) true.
func (e *TransitionError) Unwrap() error { return ErrTransition }
