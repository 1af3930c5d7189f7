package model

import (
	"time"

	"github.com/google/uuid"
)

// EmergencyAccess is a caseworker's emergency access (Notfallzugriff, "break the glass";
// docs/emergency-access.md): a member of a municipal department (UserID acting in OrgID)
// opened the case CaseID outside their scope, for the reason given, until ExpiresAt. While it
// lasts, the case read paths admit the case for that member (read only); every read is an
// ordinary audited read with the purpose PurposeEmergencyAccess and the access's id. Rows
// are never changed.
type EmergencyAccess struct {
	ID        uuid.UUID `gorm:"type:uuid;primaryKey"`
	UserID    uuid.UUID `gorm:"type:uuid"`
	OrgID     uuid.UUID `gorm:"type:uuid"`
	CaseID    uuid.UUID `gorm:"type:uuid"`
	Reason    string
	GrantedAt time.Time
	ExpiresAt time.Time
	// Read with the access for the pages: the case's reference, the member's name and the
	// organisation's name.
	Reference string `gorm:"->;-:migration"`
	UserName  string `gorm:"->;-:migration"`
	OrgName   string `gorm:"->;-:migration"`
}

// TableName is the table of emergency accesses.
func (EmergencyAccess) TableName() string { return "emergency_accesses" }

// Active reports whether the access still admits its case at now.
func (e EmergencyAccess) Active(now time.Time) bool { return now.Before(e.ExpiresAt) }

// EmergencyAccessInput asks for an emergency access to the case with Reference, for Reason.
type EmergencyAccessInput struct {
	Reference string
	Reason    string
}

// The limits of an emergency access: the reason must say why, in at least
// EmergencyReasonMin characters (a word like "dringend" is no reason); the duration
// (LOTSE_EMERGENCY_ACCESS_DURATION) lies between EmergencyDurationMin and
// EmergencyDurationMax, DefaultEmergencyDuration when not configured.
const (
	EmergencyReasonMin       = 20
	EmergencyReasonMax       = 1000
	DefaultEmergencyDuration = 4 * time.Hour
	EmergencyDurationMin     = 15 * time.Minute
	EmergencyDurationMax     = 24 * time.Hour
)

// EmergencyAccessReview is one emergency access as the data protection officer reviews it:
// who, which case (by reference), when, why, and what was read during it: the audit events
// of that case by that member in the window (no case content).
type EmergencyAccessReview struct {
	EmergencyAccess
	Reads []AuditEvent
}
