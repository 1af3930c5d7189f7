package store

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// A read model that needs several lists of rows takes them in one statement where it can:
// each list as a JSON array of its rows (json_agg of the row of a subquery, keyed by column
// name), decoded here into the model's fields by GORM's schema, as GORM would scan the
// columns. One statement instead of one per list is one round trip instead of several
// (docs/performance.md, "Round trips per request").

var timeType = reflect.TypeOf(time.Time{})

// decodeRows decodes s, a JSON array of rows of T's table (nil or "null": none), into T's
// fields by column. A column T does not map is passed to extra with its row's index, if
// extra is given; else it is an error, so that a column added to a query and forgotten in
// the model is noticed. Values decode as pgx scans them: a timestamptz in the local time
// zone, a date as midnight UTC of the day.
func decodeRows[T any](db *gorm.DB, s *string, extra func(i int, col string, raw json.RawMessage) error) ([]T, error) {
	if s == nil || *s == "null" {
		return nil, nil
	}
	var rows []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(*s), &rows); err != nil {
		return nil, fmt.Errorf("store: decode rows: %w", err)
	}
	stmt := &gorm.Statement{DB: db}
	if err := stmt.Parse(new(T)); err != nil {
		return nil, fmt.Errorf("store: decode rows: %w", err)
	}
	out := make([]T, len(rows))
	for i, row := range rows {
		rv := reflect.ValueOf(&out[i]).Elem()
		for col, raw := range row {
			f, ok := stmt.Schema.FieldsByDBName[col]
			if !ok {
				if extra == nil {
					return nil, fmt.Errorf("store: decode rows: %s has no column %q", stmt.Schema.Name, col)
				}
				if err := extra(i, col, raw); err != nil {
					return nil, err
				}
				continue
			}
			if err := decodeValue(fieldOf(rv, f), raw); err != nil {
				return nil, fmt.Errorf("store: decode rows: %s.%s: %w", stmt.Schema.Name, col, err)
			}
		}
	}
	return out, nil
}

// fieldOf is the field f of the struct value rv (through embedded structs).
func fieldOf(rv reflect.Value, f *schema.Field) reflect.Value {
	return rv.FieldByIndex(f.StructField.Index)
}

// decodeValue decodes one JSON value into v (addressable), times as pgx gives them.
func decodeValue(v reflect.Value, raw json.RawMessage) error {
	if string(raw) == "null" {
		v.SetZero()
		return nil
	}
	switch {
	case v.Type() == timeType:
		t, err := decodeTime(raw)
		if err == nil {
			v.Set(reflect.ValueOf(t))
		}
		return err
	case v.Kind() == reflect.Pointer && v.Type().Elem() == timeType:
		t, err := decodeTime(raw)
		if err == nil {
			v.Set(reflect.ValueOf(&t))
		}
		return err
	}
	return json.Unmarshal(raw, v.Addr().Interface())
}

// decodeTime reads a date ("2026-12-08": midnight UTC) or a timestamp with its offset (in the
// local time zone) as PostgreSQL writes them in JSON.
func decodeTime(raw json.RawMessage) (time.Time, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return time.Time{}, err
	}
	if len(s) == len(time.DateOnly) {
		return time.Parse(time.DateOnly, s)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t.Local(), err
}
