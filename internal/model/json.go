package model

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
)

// JSONMap is a jsonb column of free-form details (never personal data).
type JSONMap map[string]any

// Value implements driver.Valuer.
func (m JSONMap) Value() (driver.Value, error) {
	if m == nil {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	return string(b), err
}

// Scan implements sql.Scanner.
func (m *JSONMap) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*m = JSONMap{}
		return nil
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("model: cannot scan %T into JSONMap", src)
	}
	return json.Unmarshal(b, m)
}
