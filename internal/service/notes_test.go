package service_test

import (
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

// TestCaseNotes: who writes notes on a case, and who reads which: the own organisation's
// notes, and notes shared for an area with the organisations involved in it.
func TestCaseNotes(t *testing.T) {
	t.Parallel()
	f := newCaseFixture(t)
	lead := f.worker()
	c := f.newCase(lead, cfPerson("Notiz", "Nora"))
	f.refer(c.ID, cfReferral{from: f.housing, to: f.jobcenter, areas: []string{"work"}, categories: []string{"identity"}})
	f.refer(c.ID, cfReferral{from: f.housing, to: f.caritas, areas: []string{"housing"}, categories: []string{"identity"}})
	f.task(c.ID, f.diakonie, model.TaskOpen)
	jc := f.as(f.jobcenterWorker, f.jobcenter)
	caritas := f.as(f.caritasWorker, f.caritas)

	write := func(a model.Actor, in model.NoteCreate) string {
		t.Helper()
		n, err := f.svc.Notes.Create(f.ctx, a, c.ID, in)
		if err != nil {
			t.Fatalf("note %q: %v", in.Body, err)
		}
		if n.OrgID != a.OrgID || n.AuthorID == nil || *n.AuthorID != a.UserID {
			t.Errorf("note %+v", n)
		}
		return in.Body
	}
	leadInternal := write(lead, model.NoteCreate{Body: "intern, ohne Bereich"})
	leadWork := write(lead, model.NoteCreate{Body: "geteilt: Arbeit", Area: "work", Visibility: model.NoteShared})
	leadHousing := write(lead, model.NoteCreate{Body: "geteilt: Wohnen", Area: "housing", Visibility: model.NoteShared})
	leadWorkInternal := write(lead, model.NoteCreate{Body: "intern: Arbeit", Area: "work"})
	jcShared := write(jc, model.NoteCreate{Body: "Jobcenter geteilt", Area: "work", Visibility: model.NoteShared})
	jcOwn := write(jc, model.NoteCreate{Body: "Jobcenter intern", Area: "work"})

	for _, tc := range []struct {
		name      string
		user, org uuid.UUID
		want      []string // newest first
		wantErr   error
	}{
		{"lead", f.housingWorker, f.housing, []string{jcShared, leadWorkInternal, leadHousing, leadWork, leadInternal}, nil},
		{"department head", f.housingLead, f.housing, []string{jcShared, leadWorkInternal, leadHousing, leadWork, leadInternal}, nil},
		{"work recipient", f.jobcenterWorker, f.jobcenter, []string{jcOwn, jcShared, leadWork}, nil},
		{"housing recipient", f.caritasWorker, f.caritas, []string{leadHousing}, nil},
		{"task holder reads no notes", f.diakonieWorker, f.diakonie, nil, nil},
		{"unit below reads nothing", f.northWorker, f.north, nil, model.ErrNotFound},
		{"administrator", f.sysadmin, f.city, nil, model.ErrNotFound},
	} {
		t.Run("list: "+tc.name, func(t *testing.T) {
			notes, err := f.svc.Notes.List(f.ctx, f.as(tc.user, tc.org), c.ID)
			cfWantErr(t, "list", err, tc.wantErr)
			var got []string
			for _, n := range notes {
				got = append(got, n.Body)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("reads %q, want %q", got, tc.want)
			}
		})
	}

	for _, tc := range []struct {
		name    string
		a       model.Actor
		in      model.NoteCreate
		wantErr error
		field   string
	}{
		{"recipient without area", jc, model.NoteCreate{Body: "x"}, model.ErrInvalid, "area"},
		{"recipient for an area not referred", jc, model.NoteCreate{Body: "x", Area: "housing", Visibility: model.NoteShared}, model.ErrInvalid, "area"},
		{"task holder", f.as(f.diakonieWorker, f.diakonie), model.NoteCreate{Body: "x", Area: "work"}, model.ErrNotFound, ""},
		{"unrelated organisation", f.as(f.northWorker, f.north), model.NoteCreate{Body: "x"}, model.ErrNotFound, ""},
		{"administrator", f.as(f.sysadmin, f.city), model.NoteCreate{Body: "x"}, model.ErrNotFound, ""},
	} {
		t.Run("refused: "+tc.name, func(t *testing.T) {
			before := f.fingerprint()
			_, err := f.svc.Notes.Create(f.ctx, tc.a, c.ID, tc.in)
			cfWantErr(t, "create", err, tc.wantErr)
			if tc.field != "" {
				cfInvalidField(t, err, tc.field)
			}
			if f.fingerprint() != before {
				t.Error("a refused note changed something")
			}
		})
	}

	t.Run("a recipient's notes disappear with its referral", func(t *testing.T) {
		f.exec(`UPDATE referrals SET status = 'completed' WHERE to_org_id = $1`, f.caritas)
		_, err := f.svc.Notes.List(f.ctx, caritas, c.ID)
		cfWantErr(t, "list", err, model.ErrNotFound)
	})
}
