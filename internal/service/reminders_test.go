package service_test

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	_ "github.com/jackc/pgx/v5/stdlib" // the owner's connection of the rollback test

	"github.com/lotse-project/lotse/internal/model"
)

// remindWorld is the case-work world with names for the members and records the reminder
// tests look at, and a department head (lead) in the Jobcenter, who answers its referrals
// and hears of their escalation.
type remindWorld struct {
	*cwWorld
	names         map[uuid.UUID]string
	jobcenterLead uuid.UUID
}

func newRemindWorld(t *testing.T) *remindWorld {
	t.Helper()
	w := &remindWorld{cwWorld: newCW(t), names: map[uuid.UUID]string{}}
	for name, a := range map[string]model.Actor{
		"housingWorker": w.housingWorker, "housingWorker2": w.housingWorker2, "northWorker": w.northWorker,
		"housingLead": w.housingLead, "migrationWorker": w.migrationWorker, "jobcenterWorker": w.jobcenterWorker,
		"caritasWorker": w.caritasWorker, "sysadmin": w.sysadmin,
	} {
		w.names[a.UserID] = name
	}
	w.jobcenterLead = w.addMember(w.jobcenter, "lead", "jobcenterLead")
	return w
}

// addMember adds an active user with one grant, by SQL (the services' enforcer does not
// need to know them: reminders find their recipients in the database).
func (w *remindWorld) addMember(org uuid.UUID, role, name string) uuid.UUID {
	w.t.Helper()
	id := model.NewID()
	if err := w.db.Gorm.Exec(`INSERT INTO users (id, email, display_name) VALUES (?, ?, ?)`, id, name+"@example.org", name).Error; err != nil {
		w.t.Fatal(err)
	}
	if err := w.db.Gorm.Exec(`INSERT INTO role_grants (id, user_id, org_id, role) VALUES (?, ?, ?, ?)`, model.NewID(), id, org, role).Error; err != nil {
		w.t.Fatal(err)
	}
	w.names[id] = name
	return id
}

var berlin = func() *time.Location {
	l, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return l
}()

// on sets the services' clock to day (YYYY-MM-DD) at hour o'clock in Berlin.
func (w *remindWorld) on(day string, hour int) {
	w.t.Helper()
	d, err := time.ParseInLocation(time.DateOnly, day, berlin)
	if err != nil {
		w.t.Fatal(err)
	}
	w.setClock(d.Add(time.Duration(hour) * time.Hour))
}

// notes returns every notification as "kind recipient record occasion", with names.
func (w *remindWorld) notes() []string {
	w.t.Helper()
	rows, err := w.db.SQL.Query(`SELECT kind, user_id, org_id, object_id, occasion FROM notifications ORDER BY kind, occasion`)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var kind, occasion string
		var user, org, object uuid.UUID
		if err := rows.Scan(&kind, &user, &org, &object, &occasion); err != nil {
			w.t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %s %s %s", kind, w.name(user), w.name(object), occasion))
	}
	if err := rows.Err(); err != nil {
		w.t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func (w *remindWorld) name(id uuid.UUID) string {
	if n, ok := w.names[id]; ok {
		return n
	}
	return id.String()
}

// sweep runs the day's sweep steps that matter here (expiry, then the reminders) at 7 and
// again at 15 o'clock on day, and returns the notifications that day added (without the
// occasion), sorted.
func (w *remindWorld) sweep(day string) []string {
	w.t.Helper()
	before := w.notes()
	for _, hour := range []int{7, 15} {
		w.on(day, hour)
		if _, err := w.svc.Referrals.ExpireOverdue(w.ctx); err != nil {
			w.t.Fatal(err)
		}
		if _, err := w.svc.Reminders.Run(w.ctx); err != nil {
			w.t.Fatal(err)
		}
	}
	var added []string
	for _, n := range w.notes() {
		if !slices.Contains(before, n) {
			f := strings.Fields(n)
			added = append(added, strings.Join(f[:3], " "))
		}
	}
	slices.Sort(added)
	return added
}

// expectDays sweeps every calendar day from first to last and compares what each day added
// with want (a day missing from want adds nothing).
func (w *remindWorld) expectDays(first, last string, want map[string][]string) {
	w.t.Helper()
	from, _ := time.Parse(time.DateOnly, first)
	to, _ := time.Parse(time.DateOnly, last)
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		day := d.Format(time.DateOnly)
		got := w.sweep(day)
		exp := slices.Clone(want[day])
		slices.Sort(exp)
		if !slices.Equal(got, exp) {
			w.t.Errorf("%s (%s): notified\n  %q\nwant\n  %q", day, d.Weekday(), got, exp)
		}
	}
}

// sendReferral sends a referral of a new case from Housing (the Housing caseworker) to the
// Jobcenter with a reply deadline of days working days, named name.
func (w *remindWorld) sendReferral(name string, days int) *model.Referral {
	w.t.Helper()
	caseID := w.newCase(w.housing)
	c := w.consent(caseID, []uuid.UUID{w.jobcenter}, "work")
	ref, err := w.svc.Referrals.Create(w.ctx, w.housingWorker, caseID, model.ReferralCreate{
		ToOrgID: w.jobcenter, Areas: []string{"work"}, ConsentID: &c.ID, ReplyDays: &days,
	})
	if err != nil {
		w.t.Fatalf("send referral: %v", err)
	}
	w.names[ref.ID] = name
	return ref
}

// task creates a Housing task (by the Housing caseworker) due on due, for assignee (nil:
// the organisation's queue), named name.
func (w *remindWorld) task(name, due string, assignee *uuid.UUID) *model.Task {
	w.t.Helper()
	d, err := time.Parse(time.DateOnly, due)
	if err != nil {
		w.t.Fatal(err)
	}
	caseID := w.newCase(w.housing)
	t, err := w.svc.Tasks.Create(w.ctx, w.housingWorker, model.TaskCreate{OrgID: w.housing, CaseID: &caseID, Title: "Rückruf", DueDate: &d, AssigneeID: assignee})
	if err != nil {
		w.t.Fatalf("create task: %v", err)
	}
	w.names[t.ID] = name
	return t
}

// TestRemindersAroundEaster: a referral sent on the Thursday before Easter 2027 (Good Friday
// 26 March and Easter Monday 29 March are holidays) with a reply deadline of 3 working days
// (Thursday 1 April) reminds the Jobcenter's answerers 2 working days before (Tuesday 30
// March) and on the deadline, escalates to the Jobcenter's head after 3 working days
// unanswered (1 April), and tells the sender of its expiry the next working day. A task due
// on the Tuesday after Easter is reminded on the last working day before it (the Thursday),
// overdue the day after, and escalated to Housing's head after 3 working days. Nothing
// fires on the holidays or the weekend.
func TestRemindersAroundEaster(t *testing.T) {
	t.Parallel()
	w := newRemindWorld(t)
	w.on("2027-03-25", 10)
	w.sendReferral("R", 3)
	w.sendReferral("R5", 5) // due Monday 5 April: 2 working days before is Thursday 1 April
	w.task("T", "2027-03-30", &w.housingWorker2.UserID)
	w.task("mine", "2027-04-20", &w.housingWorker.UserID) // assigned to the creator: no event
	if got, want := w.notes(), []string{
		"referral_new jobcenterLead R sent", "referral_new jobcenterLead R5 sent",
		"referral_new jobcenterWorker R sent", "referral_new jobcenterWorker R5 sent",
		"task_assigned housingWorker2 T v1",
	}; !slices.Equal(got, want) {
		t.Errorf("events on sending:\n  %q\nwant\n  %q", got, want)
	}
	w.expectDays("2027-03-25", "2027-04-07", map[string][]string{
		"2027-03-25": {"task_due housingWorker2 T"},
		"2027-03-30": {"referral_reply_due jobcenterLead R", "referral_reply_due jobcenterWorker R"},
		"2027-03-31": {"task_overdue housingWorker2 T"},
		"2027-04-01": {
			"referral_reply_due jobcenterLead R", "referral_reply_due jobcenterWorker R", "escalation jobcenterLead R",
			"referral_reply_due jobcenterLead R5", "referral_reply_due jobcenterWorker R5", "escalation jobcenterLead R5",
		},
		"2027-04-02": {"referral_expired housingWorker R", "escalation housingLead T"},
		"2027-04-05": {"referral_reply_due jobcenterLead R5", "referral_reply_due jobcenterWorker R5"},
		"2027-04-06": {"referral_expired housingWorker R5"},
	})
	if got := w.notes(); !slices.Contains(got, "referral_reply_due jobcenterWorker R before:2027-04-01") || !slices.Contains(got, "referral_reply_due jobcenterWorker R due:2027-04-01") {
		t.Errorf("occasions: %q", got)
	}
}

// TestRemindersAroundReformationDayAndChristmas: Reformation Day (31 October, a holiday in
// Lower Saxony; a Tuesday in 2028) and Christmas 2028 (Monday 25 and Tuesday 26 December):
// a task due on 1 November is reminded on Monday 30 October, a task due on the Friday
// before Christmas is overdue on Wednesday 27 December and escalated on Friday 29
// December; an unassigned task goes to the organisation's team, and a task of an
// organisation without a head of its own is escalated to the head of its parent.
func TestRemindersAroundReformationDayAndChristmas(t *testing.T) {
	t.Parallel()
	w := newRemindWorld(t)
	w.on("2028-10-20", 10)
	w.task("Nov", "2028-11-01", &w.housingWorker2.UserID)
	// A task of HousingNorth, which has no head of its own: Housing's head is the nearest;
	// the City's head above it hears of neither.
	w.addMember(w.city, "lead", "cityLead")
	northCase := w.newCase(w.north)
	due := time.Date(2028, 11, 1, 0, 0, 0, 0, time.UTC)
	north, err := w.svc.Tasks.Create(w.ctx, w.northWorker, model.TaskCreate{OrgID: w.north, CaseID: &northCase, Title: "Rückruf", DueDate: &due})
	if err != nil {
		t.Fatal(err)
	}
	w.names[north.ID] = "North"
	w.expectDays("2028-10-27", "2028-11-07", map[string][]string{
		"2028-10-30": {"task_due housingWorker2 Nov", "task_due northWorker North"},
		"2028-11-02": {"task_overdue housingWorker2 Nov", "task_overdue northWorker North"},
		"2028-11-06": {"escalation housingLead Nov", "escalation housingLead North"},
	})
	w.on("2028-12-15", 10)
	w.task("Xmas", "2028-12-22", nil)
	team := []string{"housingLead", "housingWorker", "housingWorker2"} // Housing's caseworkers and its head
	var dueXmas, overdue []string
	for _, m := range team {
		dueXmas = append(dueXmas, "task_due "+m+" Xmas")
		overdue = append(overdue, "task_overdue "+m+" Xmas")
	}
	w.expectDays("2028-12-20", "2029-01-03", map[string][]string{
		"2028-12-21": dueXmas,
		"2028-12-27": overdue,
		"2028-12-29": {"escalation housingLead Xmas"},
	})
}

// TestRemindersFollowUpsAndConsents: a follow-up date is told to its member on the day (a
// Saturday's on the Monday), and a consent ending in 14 days to the case's responsible
// caseworker, else the lead organisation's team (a day that falls on a weekend on the next
// working day).
func TestRemindersFollowUpsAndConsents(t *testing.T) {
	t.Parallel()
	w := newRemindWorld(t)
	w.on("2027-06-01", 10)
	caseID := w.newCase(w.housing)
	w.names[caseID] = "C"
	if err := w.db.Gorm.Exec(`INSERT INTO follow_ups (id, user_id, org_id, case_id, due_on) VALUES (?, ?, ?, ?, '2027-06-12')`,
		model.NewID(), w.housingWorker2.UserID, w.housing, caseID).Error; err != nil {
		t.Fatal(err)
	}
	in := w.consentInput([]uuid.UUID{w.jobcenter}, "work")
	in.ValidUntil = time.Date(2027, 6, 29, 0, 0, 0, 0, time.UTC) // a Tuesday: 14 days before is Tuesday 15 June
	c, err := w.svc.Consents.Create(w.ctx, w.housingWorker, caseID, in)
	if err != nil {
		t.Fatal(err)
	}
	w.names[c.ID] = "K"
	caseID2 := w.newCase(w.housing)
	if err := w.db.Gorm.Exec(`UPDATE cases SET responsible_user_id = ? WHERE id = ?`, w.housingWorker2.UserID, caseID2).Error; err != nil {
		t.Fatal(err)
	}
	in.ValidUntil = time.Date(2027, 6, 27, 0, 0, 0, 0, time.UTC) // 14 days before is Sunday 13 June: reminded on Monday 14 June
	c2, err := w.svc.Consents.Create(w.ctx, w.housingWorker, caseID2, in)
	if err != nil {
		t.Fatal(err)
	}
	w.names[c2.ID] = "K2"
	w.expectDays("2027-06-10", "2027-06-16", map[string][]string{
		"2027-06-14": {"consent_expiring housingWorker2 K2", "follow_up housingWorker2 C"},
		"2027-06-15": {"consent_expiring housingLead K", "consent_expiring housingWorker K", "consent_expiring housingWorker2 K"},
	})
}

// TestRemindersExactlyOnce: a second run on the same day, and a run on the next day, write
// nothing again; each notification written has one audit event (who, kind, record, channel
// "bell", no content), and the run's notifications are e-mailed through one job.
func TestRemindersExactlyOnce(t *testing.T) {
	t.Parallel()
	w := newRemindWorld(t)
	w.on("2027-03-25", 10)
	w.sendReferral("R", 3)
	// A service account holding a worker role in the Jobcenter is not one of its answerers.
	robot := w.addMember(w.jobcenter, "caseworker", "robot")
	if err := w.db.Gorm.Exec(`UPDATE users SET service = true WHERE id = ?`, robot).Error; err != nil {
		t.Fatal(err)
	}
	w.on("2027-04-01", 9)
	jobs := w.count(`SELECT count(*) FROM river_job WHERE kind = 'deliver_notifications'`)
	n, err := w.svc.Reminders.Run(w.ctx)
	if err != nil || n != 3 {
		t.Fatalf("first run wrote %d (%v), want 3 (two answerers, one head)", n, err)
	}
	if got := w.count(`SELECT count(*) FROM river_job WHERE kind = 'deliver_notifications'`); got != jobs+1 {
		t.Errorf("deliver jobs %d -> %d, want one more", jobs, got)
	}
	w.on("2027-04-01", 16)
	if n, err := w.svc.Reminders.Run(w.ctx); err != nil || n != 0 {
		t.Errorf("second run wrote %d (%v), want 0", n, err)
	}
	if got := w.count(`SELECT count(*) FROM river_job WHERE kind = 'deliver_notifications'`); got != jobs+1 {
		t.Errorf("a run that wrote nothing enqueued a job: %d -> %d", jobs, got)
	}
	total := w.count(`SELECT count(*) FROM notifications WHERE kind <> 'referral_new'`) // the sending's own is in referral.create's event
	audited := w.count(`SELECT count(*) FROM audit_events a JOIN notifications n
		ON a.details->>'notification_id' = n.id::text AND a.details->>'recipient_id' = n.user_id::text
		AND a.details->>'kind' = n.kind AND a.details->>'channel' = 'bell'
		AND a.object_type = n.object_type AND a.object_id = n.object_id::text
		WHERE a.action = 'notification.create'`)
	if events := w.auditCount("notification.create"); total != audited || events != total {
		t.Errorf("%d notifications, %d audit events, %d matching one each", total, events, audited)
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE action = 'notification.create' AND details::text ~* '(message|reference|name|bitte)'`); n != 0 {
		t.Errorf("%d audit events of notifications carry content", n)
	}
}

// TestRemindersAuditABigSweepInBatches: a sweep that writes more notifications than one
// batch of audit events (notificationAuditBatch, 500) still records one event for each; the
// reminder of an unanswered referral goes to every answerer of a team of 510 more.
func TestRemindersAuditABigSweepInBatches(t *testing.T) {
	t.Parallel()
	w := newRemindWorld(t)
	if err := w.db.Gorm.Exec(`WITH u AS (
			INSERT INTO users (id, email, display_name)
			SELECT gen_random_uuid(), 'worker' || i || '@example.org', 'Worker ' || i FROM generate_series(1, 510) i
			RETURNING id)
		INSERT INTO role_grants (id, user_id, org_id, role) SELECT gen_random_uuid(), id, ?, 'caseworker' FROM u`, w.jobcenter).Error; err != nil {
		t.Fatal(err)
	}
	w.on("2027-03-25", 10)
	w.sendReferral("R", 3)
	w.on("2027-04-01", 9)
	n, err := w.svc.Reminders.Run(w.ctx)
	if err != nil || n != 513 {
		t.Fatalf("run wrote %d (%v), want 513 (512 answerers, one head)", n, err)
	}
	total := w.count(`SELECT count(*) FROM notifications WHERE kind <> 'referral_new'`)
	audited := w.count(`SELECT count(DISTINCT n.id) FROM audit_events a JOIN notifications n
		ON a.details->>'notification_id' = n.id::text WHERE a.action = 'notification.create'`)
	if events := w.auditCount("notification.create"); total != 513 || audited != total || events != total {
		t.Errorf("%d notifications, %d audit events, %d notifications with one", total, events, audited)
	}
}

// TestRemindersNotOnDaysOff: on a weekend or holiday a run does nothing, even with
// everything due.
func TestRemindersNotOnDaysOff(t *testing.T) {
	t.Parallel()
	w := newRemindWorld(t)
	w.on("2027-03-24", 10)
	w.task("T", "2027-03-25", &w.housingWorker2.UserID)
	w.task("U", "2027-03-30", &w.housingWorker2.UserID)
	for _, day := range []string{"2027-03-26", "2027-03-27", "2027-03-28", "2027-03-29"} {
		w.on(day, 10)
		if n, err := w.svc.Reminders.Run(w.ctx); err != nil || n != 0 {
			t.Errorf("%s: wrote %d (%v), want nothing", day, n, err)
		}
	}
}

// TestEventNotifications: sending a referral tells the recipient's answerers, each answer
// and status change tells the sender once per status, a task given to another member tells
// that member (again when reassigned), and nobody is told of their own change. Each change's
// one audit event lists the notifications it wrote.
func TestEventNotifications(t *testing.T) {
	t.Parallel()
	w := newRemindWorld(t)
	ref := w.sendReferral("R", 10)
	ref, err := w.svc.Referrals.Accept(w.ctx, w.jobcenterWorker, ref.ID, ref.Version)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Referrals.Start(w.ctx, w.jobcenterWorker, ref.ID, ref.Version); err != nil {
		t.Fatal(err)
	}
	tk := w.task("T", w.today().AddDate(0, 1, 0).Format(time.DateOnly), nil)
	tk, err = w.svc.Tasks.Reassign(w.ctx, w.housingLead, tk.ID, tk.Version, model.TaskReassign{OrgID: w.housing, AssigneeID: &w.housingWorker.UserID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Tasks.Reassign(w.ctx, w.housingLead, tk.ID, tk.Version, model.TaskReassign{OrgID: w.housing, AssigneeID: &w.housingLead.UserID}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"referral_answered housingWorker R accepted", "referral_answered housingWorker R in_progress",
		"referral_new jobcenterLead R sent", "referral_new jobcenterWorker R sent",
		"task_assigned housingWorker T v2",
	}
	if got := w.notes(); !slices.Equal(got, want) {
		t.Errorf("notifications\n  %q\nwant\n  %q", got, want)
	}
	// Each change records what it told in its own (one) audit event, one entry each.
	if got := w.auditCount("notification.create"); got != 0 {
		t.Errorf("%d events of their own for the notifications of changes, want them in the change's event", got)
	}
	recorded := w.count(`SELECT count(*) FROM audit_events a, jsonb_array_elements(a.details->'notified') r
		JOIN notifications n ON r->>'notification_id' = n.id::text AND r->>'recipient_id' = n.user_id::text AND r->>'kind' = n.kind AND r->>'channel' = 'bell'
		WHERE a.object_id = n.object_id::text AND a.action IN ('referral.create', 'referral.accept', 'referral.start', 'task.create', 'task.reassign')`)
	if recorded != len(want) {
		t.Errorf("%d notifications recorded in their changes' audit events, want %d", recorded, len(want))
	}
	var org uuid.UUID
	if err := w.db.SQL.QueryRow(`SELECT org_id FROM notifications WHERE kind = 'referral_answered' LIMIT 1`).Scan(&org); err != nil || org != w.housing {
		t.Errorf("the sender's notification is in membership %s (%v), want Housing's", org, err)
	}
}

// TestEventNotificationsRollBack: a change that fails after its notifications were written
// leaves no notification and no e-mail job.
func TestEventNotificationsRollBack(t *testing.T) {
	t.Parallel()
	w := newRemindWorld(t)
	owner, err := sql.Open("pgx", w.ownerURL)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	// The task's own audit event, written after its notification, fails.
	if _, err := owner.Exec(`
		CREATE FUNCTION refuse_task_create() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NEW.action = 'task.create' THEN RAISE EXCEPTION 'refused by the test'; END IF;
			RETURN NEW;
		END $$;
		CREATE TRIGGER refuse_task_create BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION refuse_task_create();`); err != nil {
		t.Fatal(err)
	}
	jobs := w.count(`SELECT count(*) FROM river_job`)
	caseID := w.newCase(w.housing)
	_, err = w.svc.Tasks.Create(w.ctx, w.housingWorker, model.TaskCreate{OrgID: w.housing, CaseID: &caseID, Title: "Rückruf", AssigneeID: &w.housingWorker2.UserID})
	if err == nil || errors.Is(err, model.ErrInvalid) {
		t.Fatalf("create task with a failing audit: %v", err)
	}
	if n := w.count(`SELECT count(*) FROM notifications`); n != 0 {
		t.Errorf("%d notifications of a rolled-back change", n)
	}
	if n := w.count(`SELECT count(*) FROM river_job`); n != jobs {
		t.Errorf("river jobs %d -> %d after a rolled-back change", jobs, n)
	}
}
