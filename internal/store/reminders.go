package store

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

// ReminderTarget is one recipient of one reminder: the member (in the membership OrgID in
// which they see the record), the record, and the day the rule looked at (a deadline, a due
// date, the day a referral was sent), from which the service makes the occasion.
type ReminderTarget struct {
	UserID     uuid.UUID
	OrgID      uuid.UUID
	ObjectType string
	ObjectID   uuid.UUID
	Day        time.Time
}

// Window is a half-open range of calendar days (After, Until]: the records whose day falls
// in it are due today. The service computes the windows in working days; the store only
// compares dates.
type Window struct{ After, Until time.Time }

func (w Window) args() []any {
	return []any{w.After.Format(time.DateOnly), w.Until.Format(time.DateOnly)}
}

// workerRoles are the roles of an organisation's team that answers referrals and takes
// tasks: its caseworkers and its department heads.
const workerRoles = `('caseworker', 'lead')`

// personElseTeam turns due, a query of (object_id, org_id, person_id, day) rows, into
// recipients: the person when they are an active member with a worker role in org_id (the
// assignee, the sender, the responsible caseworker), else every such member of org_id (the
// team). Service accounts never get notifications. One statement for every due record.
//
// Whether the person is a worker of the organisation is a join (me), not a NOT EXISTS under
// an OR: Postgres cannot turn that into an anti-join, and ran it as a scan of every record's
// whole team for each row of it, quadratic in a department's size (the overdue tasks of a
// Monday on the whole generated city, 8,500 tasks in teams of hundreds, ran for minutes on
// both cores; now 0.1 s; docs/performance.md, "Fourth round").
func (r Notifications) personElseTeam(ctx context.Context, objectType, due string, args ...any) ([]ReminderTarget, error) {
	var out []ReminderTarget
	err := r.db.WithContext(ctx).Raw(`
		WITH due AS (`+due+`),
		workers AS (
			SELECT DISTINCT g.org_id, g.user_id
			FROM role_grants g
			JOIN users u ON u.id = g.user_id AND u.active AND NOT u.service
			WHERE g.role IN `+workerRoles+` AND g.org_id IN (SELECT org_id FROM due)
		)
		SELECT w.user_id, d.org_id, ? AS object_type, d.object_id, d.day
		FROM due d
		JOIN workers w ON w.org_id = d.org_id
		LEFT JOIN workers me ON me.org_id = d.org_id AND me.user_id = d.person_id
		WHERE me.user_id IS NULL OR w.user_id = me.user_id`,
		append(args, objectType)...).Scan(&out).Error
	return out, translate("reminder recipients", err)
}

// heads turns due, a query of (object_id, org_id, day) rows, into the department heads of
// each record's organisation: the active members with the lead role in it, or, where it has
// none, in its nearest ancestor that has one (a lead's scope is the subtree of its
// organisation). OrgID is the organisation of the head's lead grant.
func (r Notifications) heads(ctx context.Context, objectType, due string, args ...any) ([]ReminderTarget, error) {
	var out []ReminderTarget
	err := r.db.WithContext(ctx).Raw(`
		WITH RECURSIVE due AS (`+due+`),
		up AS (
			SELECT due.object_id, due.day, due.org_id, 0 AS depth FROM due
			UNION ALL
			SELECT up.object_id, up.day, o.parent_id, up.depth + 1
			FROM up JOIN organisations o ON o.id = up.org_id
			WHERE o.parent_id IS NOT NULL AND up.depth < 20
		),
		found AS (
			SELECT up.object_id, up.day, g.user_id, g.org_id, up.depth,
			       min(up.depth) OVER (PARTITION BY up.object_id) AS nearest
			FROM up
			JOIN role_grants g ON g.org_id = up.org_id AND g.role = 'lead'
			JOIN users u ON u.id = g.user_id AND u.active AND NOT u.service
		)
		SELECT DISTINCT user_id, org_id, ? AS object_type, object_id, day FROM found WHERE depth = nearest`,
		append(args, objectType)...).Scan(&out).Error
	return out, translate("reminder heads", err)
}

// ReferralsReplyDue: the referrals still sent (unanswered) whose reply deadline is in w, to
// the recipient organisation's answerers (the referral's assignee, else its team).
func (r Notifications) ReferralsReplyDue(ctx context.Context, w Window) ([]ReminderTarget, error) {
	return r.personElseTeam(ctx, model.ObjectReferral, `
		SELECT id AS object_id, to_org_id AS org_id, assignee_id AS person_id, reply_due AS day
		FROM referrals WHERE status = 'sent' AND reply_due > ?::date AND reply_due <= ?::date`, w.args()...)
}

// ReferralsExpired: the referrals that expired unanswered with a reply deadline in w, to
// the sender (sent_by, else the sending organisation's team).
func (r Notifications) ReferralsExpired(ctx context.Context, w Window) ([]ReminderTarget, error) {
	return r.personElseTeam(ctx, model.ObjectReferral, `
		SELECT id AS object_id, from_org_id AS org_id, sent_by AS person_id, reply_due AS day
		FROM referrals WHERE status = 'expired' AND reply_due > ?::date AND reply_due <= ?::date`, w.args()...)
}

// ReferralsUnanswered: the referrals still sent that were sent on a day (Europe/Berlin) in
// w, to the department heads of the recipient organisation.
func (r Notifications) ReferralsUnanswered(ctx context.Context, w Window) ([]ReminderTarget, error) {
	return r.heads(ctx, model.ObjectReferral, `
		SELECT id AS object_id, to_org_id AS org_id, (created_at AT TIME ZONE 'Europe/Berlin')::date AS day
		FROM referrals WHERE status = 'sent'
		  AND (created_at AT TIME ZONE 'Europe/Berlin')::date > ?::date
		  AND (created_at AT TIME ZONE 'Europe/Berlin')::date <= ?::date`, w.args()...)
}

// openTasks selects the open tasks (not done, not cancelled) due in a window.
const openTasks = `
		SELECT id AS object_id, org_id, assignee_id AS person_id, due_date AS day
		FROM tasks WHERE status IN ('open', 'in_progress', 'waiting') AND due_date > ?::date AND due_date <= ?::date`

// TasksDue: the open tasks due in w, to the assignee, else the task organisation's team.
func (r Notifications) TasksDue(ctx context.Context, w Window) ([]ReminderTarget, error) {
	return r.personElseTeam(ctx, model.ObjectTask, openTasks, w.args()...)
}

// TasksOverdueHeads: the open tasks due in w, to the department heads of the task's
// organisation.
func (r Notifications) TasksOverdueHeads(ctx context.Context, w Window) ([]ReminderTarget, error) {
	return r.heads(ctx, model.ObjectTask, `SELECT object_id, org_id, day FROM (`+openTasks+`) t`, w.args()...)
}

// FollowUpsDue: the follow-ups not done whose date is in w, to their member (while active).
func (r Notifications) FollowUpsDue(ctx context.Context, w Window) ([]ReminderTarget, error) {
	var out []ReminderTarget
	err := r.db.WithContext(ctx).Raw(`
		SELECT f.user_id, f.org_id,
		       CASE WHEN f.case_id IS NOT NULL THEN ? ELSE ? END AS object_type,
		       coalesce(f.case_id, f.task_id) AS object_id, f.due_on AS day
		FROM follow_ups f JOIN users u ON u.id = f.user_id AND u.active
		WHERE f.done_at IS NULL AND f.due_on > ?::date AND f.due_on <= ?::date`,
		append([]any{model.ObjectCase, model.ObjectTask}, w.args()...)...).Scan(&out).Error
	return out, translate("follow-ups due", err)
}

// ConsentsExpiring: the consents not revoked, on cases not closed, that end on a day in w,
// to the case's responsible caseworker, else the lead organisation's team.
func (r Notifications) ConsentsExpiring(ctx context.Context, w Window) ([]ReminderTarget, error) {
	return r.personElseTeam(ctx, model.ObjectConsent, `
		SELECT co.id AS object_id, c.lead_org_id AS org_id, c.responsible_user_id AS person_id, co.valid_until AS day
		FROM consents co JOIN cases c ON c.id = co.case_id AND c.status <> 'closed'
		WHERE co.revoked_at IS NULL AND co.valid_until > ?::date AND co.valid_until <= ?::date`, w.args()...)
}

// Answerers returns who answers for org: person when an active member with a worker role
// in org, else the organisation's team (for the event notifications of one record).
func (r Notifications) Answerers(ctx context.Context, org uuid.UUID, person *uuid.UUID) ([]uuid.UUID, error) {
	ts, err := r.personElseTeam(ctx, "", `SELECT ?::uuid AS object_id, ?::uuid AS org_id, ?::uuid AS person_id, NULL::date AS day`, uuid.Nil, org, person)
	out := make([]uuid.UUID, len(ts))
	for i, t := range ts {
		out[i] = t.UserID
	}
	return out, err
}

// RecordMany appends events in one statement (per 500), in the caller's transaction; for
// the per-notification audit of a batch of notifications.
func (r Audit) RecordMany(ctx context.Context, evs []*model.AuditEvent) error {
	if len(evs) == 0 {
		return nil
	}
	now := dbNow(r.db)
	for _, ev := range evs {
		if ev.At.IsZero() {
			ev.At = now
		}
	}
	return translate("record audit events", r.db.WithContext(ctx).Omit("id").CreateInBatches(evs, 500).Error)
}
