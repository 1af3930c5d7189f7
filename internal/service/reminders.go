package service

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Reminders writes the notifications that the reminder rules make due today (issue 12,
// docs/reminders.md): a referral unanswered before and on its reply deadline, a referral
// expired, a task due on the next working day and overdue, escalations to the department
// heads, follow-up dates reached and consents about to end. Days are counted in working
// days of Lower Saxony (deadlines.go); on a weekend or holiday nothing fires, and what fell on
// it fires on the next working day.
//
// Each rule looks at a window of days that is due today and reaches the records of each
// day with one statement, so a run costs what is due, not what the city holds. A reminder
// is written once: the notification's occasion names the rule's step and the day it looked
// at, and the store keeps one notification per (member, kind, record, occasion), so a rerun
// or a second instance writes nothing twice.
type Reminders struct {
	base
	rules model.ReminderRules
}

// catchUpDays is how many working days back the rules that fire after a day (overdue,
// expired, escalation, follow-up) still look, so that a day on which no sweep ran (an
// outage) is caught up later; the occasions keep what was written already from repeating.
const catchUpDays = 5

// reminderActor is the system actor that writes the reminders.
var reminderActor = model.Actor{System: true, Name: "reminders", Purpose: "reminders"}

// SetReminderRules replaces the reminder rules (the composition root passes
// LOTSE_REMINDERS_FILE's); call it before serving.
func (s *Services) SetReminderRules(r model.ReminderRules) { s.Reminders.rules = r }

// ReminderRules returns the rules in force.
func (s *Services) ReminderRules() model.ReminderRules { return s.Reminders.rules }

// prevWorkingDay returns the working day before day (midnight UTC).
func prevWorkingDay(day time.Time) time.Time {
	d := civilDay(day).AddDate(0, 0, -1)
	for !IsWorkingDay(d) {
		d = d.AddDate(0, 0, -1)
	}
	return d
}

// subWorkingDays returns the working day n working days before day.
func subWorkingDays(day time.Time, n int) time.Time {
	d := civilDay(day)
	for range n {
		d = prevWorkingDay(d)
	}
	return d
}

// latestStart returns the last calendar day from which n working days have passed by day:
// the largest s with AddWorkingDays(s, n) <= day.
func latestStart(day time.Time, n int) time.Time {
	s := civilDay(day)
	for AddWorkingDays(s, n).After(civilDay(day)) {
		s = s.AddDate(0, 0, -1)
	}
	return s
}

// window is the half-open range of days (after, until].
func window(after, until time.Time) store.Window { return store.Window{After: after, Until: until} }

// Run writes, as the system, the reminders due today and returns how many notifications it
// wrote. On a day that is not a working day it does nothing. One transaction: the
// notifications, their audit events and the e-mail jobs commit together.
func (s *Reminders) Run(ctx context.Context) (int, error) {
	today := s.today()
	if !IsWorkingDay(today) {
		return 0, nil
	}
	prev := prevWorkingDay(today)
	back := subWorkingDays(today, catchUpDays)
	day := 24 * time.Hour
	r := s.rules
	type rule struct {
		kind   model.NotificationKind
		step   string // the occasion's prefix
		w      store.Window
		lookup func(context.Context, store.Window) ([]store.ReminderTarget, error)
	}
	var written int
	err := s.store.Tx(ctx, reminderActor, func(tx *store.Tx) error {
		n := tx.Notifications()
		rules := []rule{
			// Unanswered, on the reply deadline (a deadline on a day off counts on the next
			// working day).
			{model.NotifyReferralReplyDue, "due", window(prev, today), n.ReferralsReplyDue},
			// Expired: a referral expires the day after its deadline; the sender hears of it
			// on the first working day from then.
			{model.NotifyReferralExpired, "expired", window(back.Add(-day), today.Add(-day)), n.ReferralsExpired},
			// Due on the next working day (or a day off before it).
			{model.NotifyTaskDue, "due", window(today, AddWorkingDays(today, 1)), n.TasksDue},
			// Overdue: from the day after the due date, on the first working day from then.
			{model.NotifyTaskOverdue, "overdue", window(back.Add(-day), today.Add(-day)), n.TasksDue},
			// Escalated when overdue for M working days (counted from the due date).
			{model.NotifyEscalation, "task", window(latestStart(back, r.EscalateAfterDays), latestStart(today, r.EscalateAfterDays)), n.TasksOverdueHeads},
			// Escalated when unanswered for M working days since it was sent.
			{model.NotifyEscalation, "unanswered", window(latestStart(back, r.EscalateAfterDays), latestStart(today, r.EscalateAfterDays)), n.ReferralsUnanswered},
			// The follow-up date is reached (a date on a day off on the next working day).
			{model.NotifyFollowUp, "", window(back, today), n.FollowUpsDue},
			// The consent ends in N calendar days (or the days off before today's turn).
			{model.NotifyConsentExpiring, "until", window(prev.AddDate(0, 0, r.ConsentExpiringDays), today.AddDate(0, 0, r.ConsentExpiringDays)), n.ConsentsExpiring},
		}
		if r.ReplyDueDays > 0 {
			// Unanswered, N working days before the reply deadline.
			rules = append(rules, rule{model.NotifyReferralReplyDue, "before", window(AddWorkingDays(prev, r.ReplyDueDays), AddWorkingDays(today, r.ReplyDueDays)), n.ReferralsReplyDue})
		}
		// One rule and one day of its window at a time: the day's notifications written and
		// audited before the next day's are looked up, so that the server holds one day of
		// one rule, not the whole sweep (a Monday's first sweep on the whole city writes
		// 229,000, 160,000 of them overdue tasks of five working days; docs/performance.md,
		// "Fifth round"). Every rule selects records by a day in its window, one target per
		// record and day, so the days of a window give what the whole window gives. Their
		// e-mails are enqueued at the end, each recipient's in one job.
		var ds []store.Delivery
		for _, ru := range rules {
			for after := ru.w.After; after.Before(ru.w.Until); after = after.AddDate(0, 0, 1) {
				targets, err := ru.lookup(ctx, window(after, after.AddDate(0, 0, 1)))
				if err != nil {
					return err
				}
				created, err := s.write(ctx, tx, ru.kind, ru.step, targets)
				if err != nil {
					return err
				}
				for _, c := range created {
					ds = append(ds, store.Delivery{UserID: c.UserID, ID: c.ID})
				}
			}
		}
		written = len(ds)
		return tx.EnqueueDelivery(ctx, ds)
	})
	if err != nil {
		return 0, fmt.Errorf("service: reminders: %w", err)
	}
	return written, nil
}

// write writes the notifications of kind to targets, their occasion the step and the
// target's day, with one audit event each, and returns those written (not written before).
func (s *Reminders) write(ctx context.Context, tx *store.Tx, kind model.NotificationKind, step string, targets []store.ReminderTarget) ([]model.Notification, error) {
	ns := make([]model.Notification, len(targets))
	for i, t := range targets {
		occasion := t.Day.Format(time.DateOnly)
		if step != "" {
			occasion = step + ":" + occasion
		}
		ns[i] = model.Notification{UserID: t.UserID, OrgID: t.OrgID, Kind: kind, ObjectType: t.ObjectType, ObjectID: t.ObjectID, Occasion: occasion}
	}
	created, err := tx.InsertNotifications(ctx, toWrite(reminderActor, ns))
	if err != nil {
		return nil, err
	}
	return created, s.auditNotifications(ctx, tx, reminderActor, created)
}

// notify writes ns in tx (each (member, kind, record, occasion) once, see
// store.CreateNotifications), enqueues the e-mail of those written and returns them. The
// caller records them in the audit trail: the sweep with one event each
// (auditNotifications), a change in its own audit event (notified), so that a call still
// writes one event.
func (b base) notify(ctx context.Context, tx *store.Tx, a model.Actor, ns []model.Notification) ([]model.Notification, error) {
	return tx.CreateNotifications(ctx, toWrite(a, ns))
}

// toWrite returns ns in the order and form in which they are written: notifications to the
// actor themself dropped (nobody is told of their own change), sorted and without repeats.
func toWrite(a model.Actor, ns []model.Notification) []model.Notification {
	ns = slices.DeleteFunc(ns, func(n model.Notification) bool { return !a.System && n.UserID == a.UserID })
	// A fixed order, so that two transactions writing overlapping reminders take their
	// row locks in the same order and wait for each other instead of deadlocking (the
	// sweep writes rule by rule and day by day, in the same order in every instance).
	slices.SortFunc(ns, func(x, y model.Notification) int {
		return cmp.Or(slices.Compare(x.UserID[:], y.UserID[:]), cmp.Compare(x.Kind, y.Kind),
			slices.Compare(x.ObjectID[:], y.ObjectID[:]), cmp.Compare(x.Occasion, y.Occasion))
	})
	return slices.CompactFunc(ns, func(x, y model.Notification) bool {
		return x.UserID == y.UserID && x.Kind == y.Kind && x.ObjectID == y.ObjectID && x.Occasion == y.Occasion
	})
}

// notificationRecord is the audit record of one notification: its id, the recipient (user
// and membership), the kind, the channel "bell" and the occasion; the record is the
// event's object. No content.
func notificationRecord(n model.Notification) model.JSONMap {
	return model.JSONMap{
		"notification_id": n.ID.String(), "kind": string(n.Kind), "channel": "bell",
		"recipient_id": n.UserID.String(), "recipient_org_id": n.OrgID.String(), "occasion": n.Occasion,
	}
}

// auditNotifications records one audit event "notification.create" per notification
// written, notificationAuditBatch to a statement. A batch's events are built just before
// it is written and dropped after it: a Monday's first sweep on the whole city writes
// 229,000 notifications, and their events built all at once (each with its map of details)
// were most of the server's peak memory (docs/performance.md, "Fifth round").
func (b base) auditNotifications(ctx context.Context, tx *store.Tx, a model.Actor, created []model.Notification) error {
	evs := make([]*model.AuditEvent, 0, min(len(created), notificationAuditBatch))
	for batch := range slices.Chunk(created, notificationAuditBatch) {
		evs = evs[:0]
		for _, n := range batch {
			evs = append(evs, event(a, "notification.create", n.ObjectType, n.ObjectID, notificationRecord(n)))
		}
		if err := tx.Audit().RecordMany(ctx, evs); err != nil {
			return err
		}
	}
	return nil
}

// notificationAuditBatch is how many audit events of notifications one statement writes
// (and the server holds at once).
const notificationAuditBatch = 500

// notified adds the notifications a change wrote to the details of the change's own audit
// event (key "notified"), one record each.
func notified(d model.JSONMap, created []model.Notification) model.JSONMap {
	if len(created) == 0 {
		return d
	}
	if d == nil {
		d = model.JSONMap{}
	}
	list := make([]model.JSONMap, len(created))
	for i, n := range created {
		list[i] = notificationRecord(n)
	}
	d["notified"] = list
	return d
}

// notifyMembers tells the answerers of org (person when an active member with a worker
// role there, else the organisation's team) of a record, in the transaction of the change,
// and returns the notifications written.
func (b base) notifyMembers(ctx context.Context, tx *store.Tx, a model.Actor, org uuid.UUID, person *uuid.UUID,
	kind model.NotificationKind, objectType string, object uuid.UUID, occasion string,
) ([]model.Notification, error) {
	users, err := tx.Notifications().Answerers(ctx, org, person)
	if err != nil {
		return nil, err
	}
	ns := make([]model.Notification, len(users))
	for i, u := range users {
		ns[i] = model.Notification{UserID: u, OrgID: org, Kind: kind, ObjectType: objectType, ObjectID: object, Occasion: occasion}
	}
	return b.notify(ctx, tx, a, ns)
}
