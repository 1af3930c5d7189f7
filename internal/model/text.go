package model

import (
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MsgBadCharacters is the English reason for text that PostgreSQL would refuse or that has no
// place in a record: invalid UTF-8 or a control character other than tab and newline. The
// services report it as CodeBadCharacters; the line-numbered problems of `lotse directory
// apply` (a command-line tool, English) and the English locale use this wording.
const MsgBadCharacters = "contains characters that are not allowed (control characters or invalid UTF-8)"

// TextOK reports whether s may be stored as text: valid UTF-8 without control characters
// (Unicode category Cc: U+0000 to U+001F, U+007F to U+009F) other than tab and newline.
// A carriage return is a control character too: forms normalise CRLF to LF before their
// values reach a service, so that every stored text has one kind of line break.
func TextOK(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			return false
		}
		if r != '\t' && r != '\n' && unicode.IsControl(r) {
			return false
		}
		i += size
	}
	return true
}

// CheckText adds a field error for every string that fails TextOK in v (a string, a
// struct, a pointer, a slice or a map of them, at any depth). Struct fields are named in
// snake_case after prefix ("primary." + FamilyName is "primary.family_name"), records of a
// list by index ("members[1].family_name"), a list of texts by its own name ("languages"),
// as the services name their other problems and the forms' inputs are named. Every service runs it over its whole
// input before anything else, so that a new field is covered without anyone remembering.
func CheckText(v *ValidationError, prefix string, in any) {
	checkValue(v, strings.TrimSuffix(prefix, "."), reflect.ValueOf(in))
}

func checkValue(v *ValidationError, name string, rv reflect.Value) {
	switch rv.Kind() {
	case reflect.String:
		if !TextOK(rv.String()) {
			v.Add(orInput(name), CodeBadCharacters)
		}
	case reflect.Pointer, reflect.Interface:
		if !rv.IsNil() {
			checkValue(v, name, rv.Elem())
		}
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes (a uuid.UUID) are not text
		}
		elem := rv.Type().Elem()
		for elem.Kind() == reflect.Pointer {
			elem = elem.Elem()
		}
		for i := 0; i < rv.Len(); i++ {
			if elem.Kind() == reflect.Struct {
				checkValue(v, name+"["+strconv.Itoa(i)+"]", rv.Index(i))
				continue
			}
			before := len(v.Fields)
			checkValue(v, name, rv.Index(i))
			if len(v.Fields) > before {
				return // one message for a list of texts is enough
			}
		}
	case reflect.Map:
		iter := rv.MapRange()
		for iter.Next() {
			k := iter.Key()
			if k.Kind() == reflect.String && !TextOK(k.String()) {
				v.Add(orInput(name), CodeBadCharacters)
				continue
			}
			checkValue(v, joinField(name, k.String()), iter.Value())
		}
	case reflect.Struct:
		t := rv.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			if f.Anonymous {
				checkValue(v, name, rv.Field(i))
				continue
			}
			checkValue(v, joinField(name, SnakeCase(f.Name)), rv.Field(i))
		}
	}
}

func joinField(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

func orInput(name string) string {
	if name == "" {
		return "input"
	}
	return name
}

// SnakeCase turns a Go field name into the field name of the API and the services:
// FamilyName is family_name, ResponsibleUserID is responsible_user_id.
func SnakeCase(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if unicode.IsUpper(r) {
			prevLower := i > 0 && !unicode.IsUpper(rs[i-1])
			nextLower := i > 0 && i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1])
			if prevLower || nextLower {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
