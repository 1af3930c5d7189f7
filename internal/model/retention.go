package model

import (
	"time"

	"github.com/google/uuid"
)

// RetentionRules are the periods after which Lotse deletes what it no longer needs (issue 14,
// docs/retention.md; LOTSE_RETENTION_FILE tunes them).
type RetentionRules struct {
	// ClosedCaseYears: a closed case (with its persons, plan, consents, referrals, tasks,
	// notes and follow-ups) is deleted this many years after it was closed, unless held.
	ClosedCaseYears int
	// EndedReferralMonths: a referral that ended without being worked (declined, expired,
	// withdrawn, ended by a revoked consent) is deleted this many months after it ended.
	EndedReferralMonths int
	// ConsentEvidenceMonths: the evidence text of a consent that ended (revoked or expired)
	// is cleared this many months after its end (0: at its end).
	ConsentEvidenceMonths int
	// ReadNotificationDays: a notification read this many days ago is deleted.
	ReadNotificationDays int
}

// DefaultRetentionRules are the documented defaults.
func DefaultRetentionRules() RetentionRules {
	return RetentionRules{ClosedCaseYears: 3, EndedReferralMonths: 12, ConsentEvidenceMonths: 0, ReadNotificationDays: 90}
}

// EndedReferralStatuses are the states of a referral that ended without being worked.
var EndedReferralStatuses = []ReferralStatus{ReferralDeclined, ReferralExpired, ReferralWithdrawn, ReferralRevoked}

// RetentionCutoffs are the instants before which each rule's records are due, for one day.
type RetentionCutoffs struct {
	Today                                                     time.Time // the calendar day, for holds that end
	ClosedBefore, EndedBefore, ConsentEndedBefore, ReadBefore time.Time
}

// Cutoffs returns the cutoffs of the rules at now (in Europe/Berlin).
func (r RetentionRules) Cutoffs(now time.Time) RetentionCutoffs {
	local := now.In(Berlin)
	return RetentionCutoffs{
		Today:              CalendarDay(now),
		ClosedBefore:       local.AddDate(-r.ClosedCaseYears, 0, 0),
		EndedBefore:        local.AddDate(0, -r.EndedReferralMonths, 0),
		ConsentEndedBefore: local.AddDate(0, -r.ConsentEvidenceMonths, 0),
		ReadBefore:         local.AddDate(0, 0, -r.ReadNotificationDays),
	}
}

// RetentionCounts are how many records of each rule are (or were) due.
type RetentionCounts struct {
	Cases, Referrals, ConsentEvidence, Notifications int
}

// CaseHold is a legal hold on a case: the retention run leaves the case (and everything of
// it) alone while the hold lasts (until the end of Until; without Until until released).
type CaseHold struct {
	CaseID    uuid.UUID `gorm:"type:uuid;primaryKey"`
	Reason    string
	HeldBy    uuid.UUID `gorm:"type:uuid"`
	HeldAt    time.Time
	Until     *Date  `gorm:"type:date"`
	Reference string `gorm:"->;-:migration"` // the case's reference, read with the hold
	// DueSince: the case would be due for deletion without the hold (read with the hold).
	Due bool `gorm:"->;-:migration"`
}

// TableName is the table of holds.
func (CaseHold) TableName() string { return "case_holds" }

// CaseHoldInput sets a hold on the case with Reference.
type CaseHoldInput struct {
	Reference string
	Reason    string
	Until     *time.Time
}

// RetentionPreview is what the next retention run would delete, and the holds that keep
// cases from it.
type RetentionPreview struct {
	Rules RetentionRules
	Due   RetentionCounts
	Holds []CaseHold
}
