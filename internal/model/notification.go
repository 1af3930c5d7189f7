package model

import (
	"time"

	"github.com/google/uuid"
)

// NotificationKind is what a notification tells: a reminder of a rule (reminders.go), an
// event on a record (a new referral, an answer), or a follow-up date reached. The text is
// the UI's ("notifications.kind.<kind>"), rendered when the notification is read.
type NotificationKind string

// The kinds of notification, with their recipient.
const (
	// NotifyReferralNew: a referral arrived (the recipient organisation's answerers).
	NotifyReferralNew NotificationKind = "referral_new"
	// NotifyReferralReplyDue: a referral is unanswered N working days before, and on, its reply
	// deadline (the recipient organisation's answerers, or the member who answers it).
	NotifyReferralReplyDue NotificationKind = "referral_reply_due"
	// NotifyReferralExpired: a referral expired unanswered at its deadline (the sender).
	NotifyReferralExpired NotificationKind = "referral_expired"
	// NotifyReferralAnswered: the recipient answered or changed the status (the sender).
	NotifyReferralAnswered NotificationKind = "referral_answered"
	// NotifyTaskAssigned: a task was given to a member (that member).
	NotifyTaskAssigned NotificationKind = "task_assigned"
	// NotifyTaskDue: a task is due tomorrow (the assignee, else the organisation's team).
	NotifyTaskDue NotificationKind = "task_due"
	// NotifyTaskOverdue: a task passed its due date (the assignee, else the team).
	NotifyTaskOverdue NotificationKind = "task_overdue"
	// NotifyEscalation: a task overdue or a referral unanswered for M working days (the
	// organisation's department heads).
	NotifyEscalation NotificationKind = "escalation"
	// NotifyFollowUp: a member's follow-up date (Wiedervorlage) is reached (that member).
	NotifyFollowUp NotificationKind = "follow_up"
	// NotifyConsentExpiring: a consent ends in N days (the case's responsible caseworker).
	NotifyConsentExpiring NotificationKind = "consent_expiring"
	// NotifyEmergencyAccess: a caseworker of another organisation opened a case by emergency
	// access (the lead organisation's answerers: the responsible caseworker, else the team).
	NotifyEmergencyAccess NotificationKind = "emergency_access"
)

// NotificationKinds lists every kind, in the order of the settings page.
var NotificationKinds = []NotificationKind{
	NotifyReferralNew, NotifyReferralReplyDue, NotifyReferralExpired, NotifyReferralAnswered,
	NotifyTaskAssigned, NotifyTaskDue, NotifyTaskOverdue, NotifyEscalation, NotifyFollowUp,
	NotifyConsentExpiring, NotifyEmergencyAccess,
}

// Channel is how a member wants to hear of a kind beyond the bell: an e-mail at once, in the
// daily digest, or not at all. The bell always shows every notification.
type Channel string

// The channels.
const (
	ChannelImmediate Channel = "immediate"
	ChannelDigest    Channel = "digest"
	ChannelOff       Channel = "off"
)

// Channels lists every channel.
var Channels = []Channel{ChannelImmediate, ChannelDigest, ChannelOff}

// DefaultChannel is the channel of a kind the member has not chosen: what needs an answer
// soon (a new referral, an escalation) at once, everything else in the daily digest.
func DefaultChannel(k NotificationKind) Channel {
	switch k {
	case NotifyReferralNew, NotifyEscalation, NotifyEmergencyAccess:
		return ChannelImmediate
	}
	return ChannelDigest
}

// Object types a notification or a follow-up points at.
const (
	ObjectCase     = "case"
	ObjectTask     = "task"
	ObjectReferral = "referral"
	ObjectConsent  = "consent"
)

// Notification tells one member (in one membership) of one record. It holds references,
// never content: the text is rendered when it is read, through the reader's scope. Occasion
// tells repeated reminders apart (the day, the status answered); the same (user, kind,
// object, occasion) is stored once, however often a job runs.
type Notification struct {
	ID         uuid.UUID `gorm:"type:uuid;primaryKey"`
	UserID     uuid.UUID `gorm:"type:uuid"`
	OrgID      uuid.UUID `gorm:"type:uuid"`
	Kind       NotificationKind
	ObjectType string
	ObjectID   uuid.UUID `gorm:"type:uuid"`
	Occasion   string
	CreatedAt  time.Time
	ReadAt     *time.Time
	EmailedAt  *time.Time
}

// NotificationSetting is a member's channel for a kind (missing: DefaultChannel).
type NotificationSetting struct {
	UserID  uuid.UUID        `gorm:"type:uuid;primaryKey"`
	Kind    NotificationKind `gorm:"primaryKey"`
	Channel Channel
}

// FollowUp is a member's follow-up date (Wiedervorlage) on a case or a task: on that day the
// record comes back to the member (start page, bell). One per member and record.
type FollowUp struct {
	ID        uuid.UUID  `gorm:"type:uuid;primaryKey"`
	UserID    uuid.UUID  `gorm:"type:uuid"`
	OrgID     uuid.UUID  `gorm:"type:uuid"`
	CaseID    *uuid.UUID `gorm:"type:uuid"`
	TaskID    *uuid.UUID `gorm:"type:uuid"`
	DueOn     time.Time  `gorm:"type:date"`
	DoneAt    *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}
