package model

// ReminderRules are the tunable numbers of the reminder rules (service/reminders.go), read
// from LOTSE_REMINDERS_FILE (config.LoadReminderRules) or DefaultReminderRules. Working days
// are Monday to Friday except the public holidays of Lower Saxony.
type ReminderRules struct {
	// ReplyDueDays: a referral still unanswered is reminded this many working days before
	// its reply deadline, and again on the deadline (0: on the deadline only).
	ReplyDueDays int
	// EscalateAfterDays: a task overdue, or a referral unanswered since it was sent, for this
	// many working days is escalated to the department heads.
	EscalateAfterDays int
	// ConsentExpiringDays: a consent ending within this many calendar days is reminded to
	// the case's responsible caseworker.
	ConsentExpiringDays int
}

// DefaultReminderRules are the rules without a file: 2 working days before the reply
// deadline, escalation after 3 working days, consents 14 days before they end.
func DefaultReminderRules() ReminderRules {
	return ReminderRules{ReplyDueDays: 2, EscalateAfterDays: 3, ConsentExpiringDays: 14}
}
