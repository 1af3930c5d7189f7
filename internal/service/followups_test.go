package service_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

// berlinAt is 10:00 in Berlin on the day d (YYYY-MM-DD).
func berlinAt(t *testing.T, d string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	day, err := time.ParseInLocation(time.DateOnly, d, loc)
	if err != nil {
		t.Fatal(err)
	}
	return day.Add(10 * time.Hour)
}

func civil(t *testing.T, d string) time.Time {
	t.Helper()
	day, err := time.Parse(time.DateOnly, d)
	if err != nil {
		t.Fatal(err)
	}
	return day
}

func (w *cwWorld) setFollowUp(a model.Actor, in model.FollowUpInput) *model.FollowUpSet {
	w.t.Helper()
	out, err := w.svc.Notifications.SetFollowUp(w.ctx, a, in)
	if err != nil {
		w.t.Fatalf("set follow-up %+v: %v", in, err)
	}
	return out
}

// openFollowUps counts the member's open follow-ups on the record.
func (w *cwWorld) openFollowUps(user, record uuid.UUID) int {
	return w.count(`SELECT count(*) FROM follow_ups WHERE user_id = $1 AND (case_id = $2 OR task_id = $2) AND done_at IS NULL`, user, record)
}

// TestFollowUpDays: the day of a follow-up around Easter 2027 (Good Friday 26 March and
// Easter Monday 29 March are holidays in Lower Saxony), set on Wednesday 24 March: by date
// as given on a working day, today included; moved to the next working day and said so on
// a holiday or a weekend; "in N working days" skips weekends and holidays; a date in the
// past, a malformed date, both or neither, a number out of range are refused and change
// nothing.
func TestFollowUpDays(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	w.setClock(berlinAt(t, "2027-03-24"))
	caseID := w.newCase(w.housing)
	me := w.housingWorker
	date := func(d string) *time.Time { x := civil(t, d); return &x }

	for _, tc := range []struct {
		name      string
		in        model.FollowUpInput
		want      string
		movedFrom string
	}{
		{"a working day", model.FollowUpInput{DueOn: date("2027-03-25")}, "2027-03-25", ""},
		{"today", model.FollowUpInput{DueOn: date("2027-03-24")}, "2027-03-24", ""},
		{"Good Friday", model.FollowUpInput{DueOn: date("2027-03-26")}, "2027-03-30", "2027-03-26"},
		{"Easter Sunday", model.FollowUpInput{DueOn: date("2027-03-28")}, "2027-03-30", "2027-03-28"},
		{"Easter Monday", model.FollowUpInput{DueOn: date("2027-03-29")}, "2027-03-30", "2027-03-29"},
		{"a Saturday", model.FollowUpInput{DueOn: date("2027-04-03")}, "2027-04-05", "2027-04-03"},
		{"in 1 working day", model.FollowUpInput{WorkingDays: 1}, "2027-03-25", ""},
		{"in 2 working days, over Easter", model.FollowUpInput{WorkingDays: 2}, "2027-03-30", ""},
		{"in 5 working days", model.FollowUpInput{WorkingDays: 5}, "2027-04-02", ""},
		{"in 250 working days", model.FollowUpInput{WorkingDays: 250}, service250(), ""},
	} {
		in := tc.in
		in.Object, in.ID = model.ObjectCase, caseID
		got := w.setFollowUp(me, in)
		if d := got.FollowUp.DueOn.Format(time.DateOnly); d != tc.want {
			t.Errorf("%s: due on %s, want %s", tc.name, d, tc.want)
		}
		if got.Moved != (tc.movedFrom != "") {
			t.Errorf("%s: moved = %v, want %v", tc.name, got.Moved, tc.movedFrom != "")
		}
		if tc.movedFrom != "" && got.Requested.Format(time.DateOnly) != tc.movedFrom {
			t.Errorf("%s: requested %s, want %s", tc.name, got.Requested.Format(time.DateOnly), tc.movedFrom)
		}
		var stored time.Time
		if err := w.db.SQL.QueryRow(`SELECT due_on FROM follow_ups WHERE user_id = $1 AND case_id = $2 AND done_at IS NULL`, me.UserID, caseID).Scan(&stored); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if stored.Format(time.DateOnly) != tc.want {
			t.Errorf("%s: stored %s, want %s", tc.name, stored.Format(time.DateOnly), tc.want)
		}
	}
	if n := w.count(`SELECT count(*) FROM follow_ups WHERE user_id = $1`, me.UserID); n != 1 {
		t.Errorf("%d follow-ups of the member on the case, want one (set again moves it)", n)
	}

	zero := time.Time{}
	for _, tc := range []struct {
		name, field, code string
		in                model.FollowUpInput
	}{
		{"yesterday", "due_on", model.CodePast, model.FollowUpInput{DueOn: date("2027-03-23")}},
		{"not a date", "due_on", model.CodeFormat, model.FollowUpInput{DueOn: &zero}},
		{"too far ahead", "due_on", model.CodeTooFarAhead, model.FollowUpInput{DueOn: date("2029-03-25")}},
		{"nothing", "due_on", model.CodeRequired, model.FollowUpInput{}},
		{"both", "due_on", model.CodeExclusive, model.FollowUpInput{DueOn: date("2027-03-25"), WorkingDays: 2}},
		{"0 working days", "", "", model.FollowUpInput{WorkingDays: -1}},
		{"251 working days", "working_days", model.CodeOutOfRange, model.FollowUpInput{WorkingDays: 251}},
	} {
		in := tc.in
		in.Object, in.ID = model.ObjectCase, caseID
		w.unchanged(tc.name, func() {
			before := w.count(`SELECT count(*) FROM follow_ups WHERE due_on = '2027-03-24'`)
			_, err := w.svc.Notifications.SetFollowUp(w.ctx, me, in)
			if tc.code == "" {
				cwErr(t, err, model.ErrInvalid, "working_days")
			} else {
				var ve *model.ValidationError
				if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != tc.field || ve.Fields[0].Code != tc.code {
					t.Errorf("%s: error %v, want %s %s", tc.name, err, tc.field, tc.code)
				}
			}
			if after := w.count(`SELECT count(*) FROM follow_ups WHERE due_on = '2027-03-24'`); after != before {
				t.Errorf("%s changed the follow-up", tc.name)
			}
		})
	}
}

// service250 is the working day 250 working days after Wednesday 24 March 2027, counted by
// hand: the oracle of the longest "in N working days".
func service250() string {
	d := time.Date(2027, 3, 24, 0, 0, 0, 0, time.UTC)
	holidays := map[string]bool{
		"2027-03-26": true, "2027-03-29": true, "2027-05-01": true, "2027-05-06": true, "2027-05-17": true,
		"2027-10-03": true, "2027-10-31": true, "2027-12-25": true, "2027-12-26": true, "2028-01-01": true,
		"2028-04-14": true, "2028-04-17": true, "2028-05-01": true, "2028-05-25": true, "2028-06-05": true,
	}
	for n := 0; n < 250; {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday && !holidays[d.Format(time.DateOnly)] {
			n++
		}
	}
	return d.Format(time.DateOnly)
}

// TestFollowUpAccess: a follow-up is set, shown and cleared on a case or a task the member
// may read, through the pages' read scopes; another organisation's case or task is not found
// (and nothing is written); a colleague's follow-up on the same case is the colleague's,
// neither shown to nor cleared by the member; each change is audited with the record and
// the day, never content.
func TestFollowUpAccess(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	w.setClock(berlinAt(t, "2027-03-24"))
	me, colleague := w.housingWorker, w.housingWorker2
	mine := w.newCase(w.housing)
	theirs := w.newCase(w.migration)
	myUserID := me.UserID
	task := w.homeTask(me, w.housing, &mine, "Wohnung suchen", nil, &myUserID, "")
	otherTask := w.homeTask(w.migrationWorker, w.migration, &theirs, "Sprachkurs", nil, nil, "")
	day := func(d string) *time.Time { x := civil(t, d); return &x }

	for _, tc := range []struct {
		name   string
		object string
		id     uuid.UUID
	}{{"another organisation's case", model.ObjectCase, theirs}, {"another organisation's task", model.ObjectTask, otherTask}, {"a missing case", model.ObjectCase, uuid.New()}} {
		w.unchanged(tc.name, func() {
			_, err := w.svc.Notifications.SetFollowUp(w.ctx, me, model.FollowUpInput{Object: tc.object, ID: tc.id, DueOn: day("2027-03-25")})
			cwErr(t, err, model.ErrNotFound, "")
			_, err = w.svc.Notifications.ClearFollowUp(w.ctx, me, tc.object, tc.id)
			cwErr(t, err, model.ErrNotFound, "")
		})
		if n := w.count(`SELECT count(*) FROM follow_ups`); n != 0 {
			t.Fatalf("%s: %d follow-ups written", tc.name, n)
		}
	}

	w.setFollowUp(me, model.FollowUpInput{Object: model.ObjectCase, ID: mine, DueOn: day("2027-03-25")})
	w.setFollowUp(colleague, model.FollowUpInput{Object: model.ObjectCase, ID: mine, WorkingDays: 5})
	w.setFollowUp(me, model.FollowUpInput{Object: model.ObjectTask, ID: task, WorkingDays: 2})

	o, err := w.svc.Cases.Overview(w.ctx, me, mine)
	if err != nil {
		t.Fatal(err)
	}
	if o.FollowUp == nil || o.FollowUp.DueOn.Format(time.DateOnly) != "2027-03-25" || o.FollowUp.UserID != me.UserID {
		t.Fatalf("case page's follow-up = %+v, want mine on 2027-03-25", o.FollowUp)
	}
	o2, err := w.svc.Cases.Overview(w.ctx, colleague, mine)
	if err != nil {
		t.Fatal(err)
	}
	if o2.FollowUp == nil || o2.FollowUp.DueOn.Format(time.DateOnly) != "2027-04-02" {
		t.Fatalf("colleague's case page shows %+v, want the colleague's own on 2027-04-02", o2.FollowUp)
	}
	p, err := w.svc.Tasks.Page(w.ctx, me, task)
	if err != nil {
		t.Fatal(err)
	}
	if p.FollowUp == nil || p.FollowUp.DueOn.Format(time.DateOnly) != "2027-03-30" || p.FollowUp.TaskID == nil || *p.FollowUp.TaskID != task {
		t.Fatalf("task page's follow-up = %+v, want mine on 2027-03-30", p.FollowUp)
	}

	var action, objType, objID string
	var caseID *uuid.UUID
	var details string
	if err := w.db.SQL.QueryRow(`SELECT action, object_type, object_id, case_id, details::text FROM audit_events WHERE action = 'followup.set' AND object_type = 'task' AND actor_id = $1`, me.UserID).
		Scan(&action, &objType, &objID, &caseID, &details); err != nil {
		t.Fatalf("audit of setting the task's follow-up: %v", err)
	}
	if objID != task.String() || caseID == nil || *caseID != mine || details != `{"due_on": "2027-03-30", "working_days": 2}` {
		t.Errorf("audit event: %s %s case %v details %s", objType, objID, caseID, details)
	}
	if n := w.auditCount("followup.set"); n != 3 {
		t.Errorf("%d followup.set events, want 3", n)
	}

	cleared, err := w.svc.Notifications.ClearFollowUp(w.ctx, me, model.ObjectCase, mine)
	if err != nil || !cleared {
		t.Fatalf("clear: %v %v", cleared, err)
	}
	if w.openFollowUps(me.UserID, mine) != 0 || w.openFollowUps(colleague.UserID, mine) != 1 {
		t.Errorf("clearing mine: mine open %d, colleague's open %d; want 0 and 1", w.openFollowUps(me.UserID, mine), w.openFollowUps(colleague.UserID, mine))
	}
	if o, err = w.svc.Cases.Overview(w.ctx, me, mine); err != nil || o.FollowUp != nil {
		t.Errorf("case page after clearing: %+v %v", o.FollowUp, err)
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE action = 'followup.clear' AND object_id = $1 AND case_id = $2`, mine.String(), mine); n != 1 {
		t.Errorf("%d followup.clear events, want 1", n)
	}
	w.unchanged("clearing again", func() {
		if cleared, err := w.svc.Notifications.ClearFollowUp(w.ctx, me, model.ObjectCase, mine); err != nil || cleared {
			t.Errorf("clearing again: %v %v, want nothing to clear", cleared, err)
		}
	})
	w.setFollowUp(me, model.FollowUpInput{Object: model.ObjectCase, ID: mine, DueOn: day("2027-04-01")})
	if w.openFollowUps(me.UserID, mine) != 1 {
		t.Error("setting a cleared follow-up again does not open it again")
	}
}

// TestFollowUpsOnTheStartPage: with the clock on Wednesday 24 March 2027, the start page
// lists the member's own open follow-ups as overdue, due today and due this week (to
// Tuesday 30 March), each case named through the mask and each task with its title; not
// those later, cleared, a colleague's, or on a record the member no longer reaches.
func TestFollowUpsOnTheStartPage(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	me, colleague := w.housingWorker, w.housingWorker2
	day := func(d string) *time.Time { x := civil(t, d); return &x }

	w.setClock(berlinAt(t, "2027-03-22"))
	overdue := w.newCase(w.housing)
	w.setFollowUp(me, model.FollowUpInput{Object: model.ObjectCase, ID: overdue, DueOn: day("2027-03-23")})

	w.setClock(berlinAt(t, "2027-03-24"))
	today := w.newCase(w.housing)
	w.setFollowUp(me, model.FollowUpInput{Object: model.ObjectCase, ID: today, DueOn: day("2027-03-24")})
	myUserID := me.UserID
	task := w.homeTask(me, w.housing, &today, "Antrag prüfen", nil, &myUserID, "")
	w.setFollowUp(me, model.FollowUpInput{Object: model.ObjectTask, ID: task, WorkingDays: 2}) // Tuesday 30 March, over Easter
	later := w.newCase(w.housing)
	w.setFollowUp(me, model.FollowUpInput{Object: model.ObjectCase, ID: later, WorkingDays: 3}) // Wednesday 31 March
	cleared := w.newCase(w.housing)
	w.setFollowUp(me, model.FollowUpInput{Object: model.ObjectCase, ID: cleared, DueOn: day("2027-03-24")})
	if _, err := w.svc.Notifications.ClearFollowUp(w.ctx, me, model.ObjectCase, cleared); err != nil {
		t.Fatal(err)
	}
	colleagues := w.newCase(w.housing)
	w.setFollowUp(colleague, model.FollowUpInput{Object: model.ObjectCase, ID: colleagues, DueOn: day("2027-03-24")})
	// A case the member reached when setting the follow-up and no longer does: handed to
	// another organisation behind the service's back.
	gone := w.newCase(w.housing)
	w.setFollowUp(me, model.FollowUpInput{Object: model.ObjectCase, ID: gone, DueOn: day("2027-03-25")})
	if err := w.db.Gorm.Exec(`UPDATE cases SET lead_org_id = ? WHERE id = ?`, w.migration, gone).Error; err != nil {
		t.Fatal(err)
	}

	before := w.auditCount("followup.list")
	wl, err := w.svc.Home.Worklist(w.ctx, me)
	if err != nil {
		t.Fatal(err)
	}
	if wl.FollowUps == nil {
		t.Fatal("no follow-up section")
	}
	records := func(s model.Section[model.FollowUpItem]) []uuid.UUID {
		out := []uuid.UUID{}
		for _, f := range s.Items {
			out = append(out, f.RecordID())
		}
		return homeIDs(out...)
	}
	for _, tc := range []struct {
		name string
		got  model.Section[model.FollowUpItem]
		want []uuid.UUID
	}{
		{"overdue", wl.FollowUps.Overdue, homeIDs(overdue)},
		{"today", wl.FollowUps.Today, homeIDs(today)},
		{"this week", wl.FollowUps.ThisWeek, homeIDs(task)},
	} {
		if got := records(tc.got); !equalIDs(got, tc.want) || tc.got.Total != len(tc.want) {
			t.Errorf("%s: %v (total %d), want %v", tc.name, got, tc.got.Total, tc.want)
		}
	}
	if it := wl.FollowUps.ThisWeek.Items; len(it) == 1 {
		if it[0].TaskTitle != "Antrag prüfen" || it[0].Case == nil || it[0].Case.Reference == "" || it[0].Case.Name == "" {
			t.Errorf("the task's follow-up: title %q, case %+v; want the title and the case named", it[0].TaskTitle, it[0].Case)
		}
	}
	if it := wl.FollowUps.Today.Items; len(it) == 1 && (it[0].Case == nil || it[0].Case.Name == "") {
		t.Errorf("the case's follow-up: case %+v, want it named", it[0].Case)
	}
	if n := w.auditCount("followup.list"); n != before+1 {
		t.Errorf("%d followup.list events, want one more than %d", n, before)
	}

	// The colleague's start page shows the colleague's only.
	wl2, err := w.svc.Home.Worklist(w.ctx, colleague)
	if err != nil {
		t.Fatal(err)
	}
	if got := records(wl2.FollowUps.Today); !equalIDs(got, homeIDs(colleagues)) || len(wl2.FollowUps.Overdue.Items)+len(wl2.FollowUps.ThisWeek.Items) != 0 {
		t.Errorf("colleague's follow-ups: today %v, overdue %d, this week %d", got, len(wl2.FollowUps.Overdue.Items), len(wl2.FollowUps.ThisWeek.Items))
	}
}

func equalIDs(a, b []uuid.UUID) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
