package web

import "github.com/google/uuid"

// newUUID returns a UUIDv7 string; v7 ids sort by time, which keeps log searches simple.
func newUUID() string {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.NewString()
	}
	return id.String()
}
