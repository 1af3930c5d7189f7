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
	// ErrUnauthenticated: no valid login or token.
	ErrUnauthenticated = errors.New("unauthenticated")
)

// FieldError is one problem with one input field. Message is a message key or plain English
// reason that the presentation layer may localise.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError collects every problem with an input, so that a form shows all of them at
// once. It unwraps to ErrInvalid.
type ValidationError struct {
	Fields []FieldError
}

// Add records a problem with field.
func (v *ValidationError) Add(field, format string, args ...any) {
	v.Fields = append(v.Fields, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err returns v when it holds problems, else nil.
func (v *ValidationError) Err() error {
	if v == nil || len(v.Fields) == 0 {
		return nil
	}
	sort.SliceStable(v.Fields, func(i, j int) bool { return v.Fields[i].Field < v.Fields[j].Field })
	return v
}

func (v *ValidationError) Error() string {
	parts := make([]string, len(v.Fields))
	for i, f := range v.Fields {
		parts[i] = f.Field + ": " + f.Message
	}
	return "invalid: " + strings.Join(parts, "; ")
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (v *ValidationError) Unwrap() error { return ErrInvalid }

// Invalid is a shortcut for a ValidationError with one field.
func Invalid(field, format string, args ...any) error {
	v := &ValidationError{}
	v.Add(field, format, args...)
	return v
}
