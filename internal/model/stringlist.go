package model

import (
	"database/sql/driver"
	"fmt"
	"strings"
)

// StringList is a Postgres text[] column.
type StringList []string

// arrayQuote escapes an element of an array literal. Built once: a Replacer builds its
// tables on first use, and one per element made a sweep writing 76,000 notifications
// allocate 17 GB (docs/performance.md, "Fourth round").
var arrayQuote = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// Value renders the list as a Postgres array literal.
func (l StringList) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range l {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(arrayQuote.Replace(s))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}

// Scan reads a Postgres array literal ({a,"b c"}).
func (l *StringList) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		*l = nil
		return nil
	case []byte:
		s = string(v)
	case string:
		s = v
	default:
		return fmt.Errorf("model: cannot scan %T into StringList", src)
	}
	if len(s) < 2 || s[0] != '{' || s[len(s)-1] != '}' {
		return fmt.Errorf("model: not an array literal")
	}
	s = s[1 : len(s)-1]
	out := StringList{}
	for i := 0; i < len(s); {
		var b strings.Builder
		if s[i] == '"' {
			i++
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				b.WriteByte(s[i])
				i++
			}
			i++ // closing quote
		} else {
			for i < len(s) && s[i] != ',' {
				b.WriteByte(s[i])
				i++
			}
		}
		out = append(out, b.String())
		if i < len(s) && s[i] == ',' {
			i++
		}
	}
	*l = out
	return nil
}
