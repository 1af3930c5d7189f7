package service_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

func TestCaseAreas(t *testing.T) {
	t.Parallel()
	f := newCaseFixture(t)
	areas, err := f.svc.Cases.Areas(f.ctx, f.worker())
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, a := range areas {
		codes = append(codes, a.Code)
	}
	if !slices.Equal(codes, cfAllAreas) {
		t.Errorf("areas %v", codes)
	}
	f.exec(`UPDATE areas SET active = false WHERE code = 'health'`)
	v := f.newCase(f.worker(), cfPerson("Ohne", "Gesundheit"))
	if len(v.Plan) != 5 || slices.ContainsFunc(v.Plan, func(s model.AreaStatus) bool { return s.Area == "health" }) {
		t.Errorf("a retired area is in a new plan: %+v", v.Plan)
	}
	_, err = f.svc.Cases.UpdateArea(f.ctx, f.worker(), v.ID, "health", model.AreaStatusPatch{Status: cfPtr(model.AreaWaiting)}, 1)
	cfInvalidField(t, err, "area")
}

// TestCasePlan: the lead organisation reads and changes every area, a recipient only the
// referred ones; the server records who changed a row and when; a stale version conflicts.
func TestCasePlan(t *testing.T) {
	t.Parallel()
	f := newCaseFixture(t)
	lead := f.worker()
	c := f.newCase(lead, cfPerson("Plan", "Paula"))
	f.refer(c.ID, cfReferral{from: f.housing, to: f.jobcenter, areas: []string{"work", "language"}, categories: []string{"identity"}})
	f.task(c.ID, f.diakonie, model.TaskOpen)
	jc := f.as(f.jobcenterWorker, f.jobcenter)

	areasOf := func(rows []model.AreaStatus) []string {
		var out []string
		for _, r := range rows {
			out = append(out, r.Area)
		}
		return out
	}
	for _, tc := range []struct {
		name      string
		user, org uuid.UUID
		want      []string
		wantErr   error
	}{
		{"lead", f.housingWorker, f.housing, cfAllAreas, nil},
		{"department head", f.housingLead, f.housing, cfAllAreas, nil},
		{"recipient", f.jobcenterWorker, f.jobcenter, []string{"work", "language"}, nil},
		{"task holder", f.diakonieWorker, f.diakonie, nil, model.ErrNotFound},
		{"unrelated", f.caritasWorker, f.caritas, nil, model.ErrNotFound},
		{"administrator", f.sysadmin, f.city, nil, model.ErrNotFound},
	} {
		t.Run("read: "+tc.name, func(t *testing.T) {
			rows, err := f.svc.Cases.Plan(f.ctx, f.as(tc.user, tc.org), c.ID)
			cfWantErr(t, "plan", err, tc.wantErr)
			if got := areasOf(rows); !slices.Equal(got, tc.want) {
				t.Errorf("areas %v, want %v", got, tc.want)
			}
		})
	}

	t.Run("lead changes an area", func(t *testing.T) {
		row, err := f.svc.Cases.UpdateArea(f.ctx, lead, c.ID, "housing", model.AreaStatusPatch{
			Status: cfPtr(model.AreaInProgress), ResponsibleOrgID: &f.caritas, Note: cfPtr(" Wohnungssuche läuft "),
		}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if row.Status != model.AreaInProgress || row.ResponsibleOrgID == nil || *row.ResponsibleOrgID != f.caritas ||
			row.Note != "Wohnungssuche läuft" || row.Version != 2 || row.ChangedBy == nil || *row.ChangedBy != f.housingWorker {
			t.Errorf("row %+v", row)
		}
		row, err = f.svc.Cases.UpdateArea(f.ctx, lead, c.ID, "housing", model.AreaStatusPatch{ResponsibleOrgID: &uuid.Nil}, 2)
		if err != nil || row.ResponsibleOrgID != nil || row.Status != model.AreaInProgress {
			t.Errorf("clearing the organisation: %+v %v", row, err)
		}
	})

	t.Run("recipient changes its referred area", func(t *testing.T) {
		row, err := f.svc.Cases.UpdateArea(f.ctx, jc, c.ID, "work", model.AreaStatusPatch{Status: cfPtr(model.AreaWaiting)}, 1)
		if err != nil || row.Status != model.AreaWaiting || *row.ChangedBy != f.jobcenterWorker {
			t.Fatalf("%+v %v", row, err)
		}
	})

	for _, tc := range []struct {
		name      string
		user, org uuid.UUID
		area      string
		version   int
		wantErr   error
	}{
		{"recipient cannot change an area not referred", f.jobcenterWorker, f.jobcenter, "housing", 3, model.ErrNotFound},
		{"task holder cannot change the plan", f.diakonieWorker, f.diakonie, "work", 2, model.ErrNotFound},
		{"department head role cannot change the plan", f.housingLead, f.housing, "work", 2, model.ErrNotFound},
		{"stale version", f.housingWorker, f.housing, "work", 1, model.ErrConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.fingerprint()
			_, err := f.svc.Cases.UpdateArea(f.ctx, f.as(tc.user, tc.org), c.ID, tc.area, model.AreaStatusPatch{Status: cfPtr(model.AreaAchieved)}, tc.version)
			cfWantErr(t, "update", err, tc.wantErr)
			if f.fingerprint() != before {
				t.Error("a refused change changed something")
			}
		})
	}

	t.Run("the plan of the case view agrees", func(t *testing.T) {
		v, err := f.svc.Cases.Get(f.ctx, jc, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := f.svc.Cases.Plan(f.ctx, jc, c.ID)
		if err != nil || !reflect.DeepEqual(v.Plan, rows) {
			t.Errorf("view %+v, plan %+v (%v)", v.Plan, rows, err)
		}
	})
}
