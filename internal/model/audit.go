package model

import (
	"strings"
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

// The purposes Lotse records itself: PurposeCaseWork when a caller names none,
// PurposeDataProtectionReview for the data protection officer's reading of the log. The UI
// shows them by name ("auditlog.purpose.<purpose with _ for spaces>"); a purpose a caller gave
// is shown as given.
const (
	PurposeCaseWork             = "case work"
	PurposeDataProtectionReview = "data protection review"
	// PurposeEmergencyAccess: a case read through an emergency access (EmergencyAccess); the
	// event's details name it ("emergency_access_id").
	PurposeEmergencyAccess = "emergency access"
)

// AuditPurposes are the purposes Lotse records itself.
var AuditPurposes = []string{PurposeCaseWork, PurposeDataProtectionReview, PurposeEmergencyAccess}

// AuditActions lists every action an audit event can have, grouped by the object before the
// dot, in the order the data protection officer's filter offers them. Each has a readable
// name in the message catalogues ("auditlog.action.<action>"); a test fails when the services
// write an action that is not listed here.
var AuditActions = []string{
	"case.create", "case.read", "case.update", "case.list", "case.export",
	"case.handover", "case.handover_request", "case.handover_accept", "case.handover_decline", "case.handover_withdraw", "case.handover_list",
	"person.create", "person.update", "person.delete", "person.primary",
	"plan.read", "plan.update",
	"consent.create", "consent.read", "consent.list", "consent.revoke",
	"referral.create", "referral.read", "referral.list", "referral.export", "referral.accept", "referral.decline",
	"referral.start", "referral.complete", "referral.withdraw", "referral.expire", "referral.revoke", "referral.reassign",
	"task.create", "task.read", "task.list", "task.export", "task.update", "task.reassign", "task.comment", "task.cancel",
	"note.create", "note.list",
	"followup.set", "followup.clear", "followup.list",
	"organisation.create", "organisation.update",
	"member.create", "member.update", "member.link",
	"grant.create", "grant.delete",
	"session.login",
	"notification.email",
	"notification.list",
	"notification.read",
	"notification.read_all",
	"notification.settings",
	"audit.read", "audit.export", "audit.verify",
	"notification.create",
	"retention.preview", "retention.hold", "retention.release", "retention.delete", "retention.clear_evidence",
	"subject_access.find", "subject_access.start", "subject_access.confirm", "subject_access.export",
	"emergency_access.grant", "emergency_access.review",
}

// AuditObjects are the objects of AuditActions (the part before the dot), each once, in order.
func AuditObjects() []string {
	var out []string
	for _, a := range AuditActions {
		obj, _, _ := strings.Cut(a, ".")
		if len(out) == 0 || out[len(out)-1] != obj {
			out = append(out, obj)
		}
	}
	return out
}
