package directory

import (
	"fmt"
	"sort"
	"strings"

	"github.com/lotse-project/lotse/internal/model"
)

// Problem is one thing wrong with a directory file, at a line (0 when no line applies).
type Problem struct {
	Line    int
	Message string
}

// Error lists every problem of a directory file, so that an operator fixes the file in one
// round. It unwraps to model.ErrInvalid.
type Error struct {
	File     string
	Problems []Problem
}

// NewError returns an empty problem list for the file name.
func NewError(file string) *Error { return &Error{File: file} }

// Add records a problem at line.
func (e *Error) Add(line int, format string, args ...any) {
	e.Problems = append(e.Problems, Problem{Line: line, Message: fmt.Sprintf(format, args...)})
}

// Err returns e, its problems sorted by line, when it holds any; else nil.
func (e *Error) Err() error {
	if e == nil || len(e.Problems) == 0 {
		return nil
	}
	sort.SliceStable(e.Problems, func(i, j int) bool { return e.Problems[i].Line < e.Problems[j].Line })
	return e
}

// at renders one problem as "file:line: message", the form editors and terminals link.
func (e *Error) at(p Problem) string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", e.File, p.Message)
}

// Error renders one problem on one line, several as a count and one indented line each.
func (e *Error) Error() string {
	if len(e.Problems) == 1 {
		return e.at(e.Problems[0])
	}
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = "  " + e.at(p)
	}
	return fmt.Sprintf("%s: %d problems:\n%s", e.File, len(e.Problems), strings.Join(lines, "\n"))
}

// Unwrap makes errors.Is(err, model.ErrInvalid) true.
func (e *Error) Unwrap() error { return model.ErrInvalid }
