package model

import (
	"time"

	"github.com/google/uuid"
)

// AuditEvent records who read or changed which record, when, in which role and organisation,
// and for what purpose. Rows are append-only in the database.
type AuditEvent struct {
	ID         int64 `gorm:"primaryKey;->"`
	At         time.Time
	ActorID    *uuid.UUID `gorm:"type:uuid"`
	ActorName  string
	OrgID      *uuid.UUID `gorm:"type:uuid"`
	Role       string
	Action     string
	ObjectType string
	ObjectID   string
	CaseID     *uuid.UUID `gorm:"type:uuid"`
	Purpose    string
	RequestID  string
	RemoteAddr string
	Details    JSONMap `gorm:"type:jsonb"`
}
