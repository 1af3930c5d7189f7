package service_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

// TestCaseCreate: a new case is led by the acting organisation whatever the input, gets the
// next reference of the year, its household and a plan row per area, not started.
func TestCaseCreate(t *testing.T) {
	t.Parallel()
	f := newCaseFixture(t)
	a := f.worker()
	v, err := f.svc.Cases.Create(f.ctx, a, model.CaseCreate{
		Primary: cfPerson("Müller", "Anna"), Members: []model.PersonInput{cfPerson("Müller", "Ben")},
	})
	if err != nil {
		t.Fatal(err)
	}
	year := time.Now().Year()
	if v.LeadOrgID != f.housing || v.Status != model.CaseOpen || v.Version != 1 || v.Reference != fmt.Sprintf("F-%d-00001", year) {
		t.Errorf("case %+v", v)
	}
	if v.ResponsibleUserID == nil || *v.ResponsibleUserID != f.housingWorker {
		t.Errorf("responsible %v, want the creator", v.ResponsibleUserID)
	}
	if v.District != "Schinkel" {
		t.Errorf("district %q, want the primary person's", v.District)
	}
	if len(v.Persons) != 2 || !v.Persons[0].IsPrimary || v.Persons[0].GivenNames != "Anna" || v.Persons[1].IsPrimary {
		t.Errorf("persons %+v", v.Persons)
	}
	if len(v.Plan) != 6 {
		t.Fatalf("plan %+v", v.Plan)
	}
	for i, row := range v.Plan {
		if row.Area != cfAllAreas[i] || row.Status != model.AreaNotStarted || row.Version != 1 {
			t.Errorf("plan row %+v", row)
		}
	}
	if got := f.count(`SELECT count(*) FROM persons WHERE search_text LIKE '%mueller%' AND search_text LIKE '%muller%'`); got != 2 {
		t.Errorf("%d persons with both folded spellings, want 2", got)
	}

	t.Run("the next case gets the next number", func(t *testing.T) {
		v2 := f.newCase(f.as(f.northWorker, f.north), cfPerson("Nord", "Nina"))
		if v2.Reference != fmt.Sprintf("F-%d-00002", year) || v2.LeadOrgID != f.north {
			t.Errorf("second case %s led by %s", v2.Reference, v2.LeadOrgID)
		}
	})

	t.Run("responsible caseworker from the lead organisation", func(t *testing.T) {
		v, err := f.svc.Cases.Create(f.ctx, a, model.CaseCreate{ResponsibleUserID: &f.housingWorker2, Primary: cfPerson("Yilmaz", "Ece")})
		if err != nil || *v.ResponsibleUserID != f.housingWorker2 {
			t.Fatalf("%v %v", v, err)
		}
	})

	for _, tc := range []struct {
		name      string
		user, org uuid.UUID
		in        model.CaseCreate
		wantErr   error
		field     string
	}{
		{"responsible caseworker of another organisation", f.housingWorker, f.housing,
			model.CaseCreate{ResponsibleUserID: &f.jobcenterWorker, Primary: cfPerson("A", "B")}, model.ErrInvalid, "responsible_user_id"},
		{"unknown responsible caseworker", f.housingWorker, f.housing,
			model.CaseCreate{ResponsibleUserID: cfPtr(uuid.New()), Primary: cfPerson("A", "B")}, model.ErrInvalid, "responsible_user_id"},
		{"partner cannot open cases", f.jobcenterWorker, f.jobcenter, model.CaseCreate{Primary: cfPerson("A", "B")}, model.ErrForbidden, ""},
		{"department head role does not open cases", f.housingLead, f.housing, model.CaseCreate{Primary: cfPerson("A", "B")}, model.ErrForbidden, ""},
		{"administrator cannot open cases", f.sysadmin, f.city, model.CaseCreate{Primary: cfPerson("A", "B")}, model.ErrForbidden, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.fingerprint()
			_, err := f.svc.Cases.Create(f.ctx, f.as(tc.user, tc.org), tc.in)
			cfWantErr(t, "create", err, tc.wantErr)
			if tc.field != "" {
				cfInvalidField(t, err, tc.field)
			}
			if after := f.fingerprint(); after != before {
				t.Errorf("a refused create changed something:\n%s\n%s", before, after)
			}
		})
	}
}

// TestCaseStatusTransitions walks every pair of case states: the allowed transitions
// succeed (closing with a reason), every other one is a refused transition and changes nothing.
func TestCaseStatusTransitions(t *testing.T) {
	t.Parallel()
	f := newCaseFixture(t)
	states := []model.CaseStatus{model.CaseOpen, model.CasePaused, model.CaseClosed}
	reach := func(a model.Actor, v *model.CaseView, to model.CaseStatus) *model.CaseView {
		t.Helper()
		if to == model.CaseOpen {
			return v
		}
		nv, err := f.svc.Cases.Update(f.ctx, a, v.ID, model.CasePatch{Status: &to, StatusReason: cfPtr("Umzug")}, v.Version)
		if err != nil {
			t.Fatalf("reach %s: %v", to, err)
		}
		return nv
	}
	for _, from := range states {
		for _, to := range states {
			allowed := false
			for _, s := range model.AllowedTransitions("case", string(from)) {
				allowed = allowed || s == string(to)
			}
			t.Run(fmt.Sprintf("%s to %s", from, to), func(t *testing.T) {
				a := f.worker()
				v := reach(a, f.newCase(a, cfPerson("Status", string(from)+string(to))), from)
				before := f.fingerprint()
				got, err := f.svc.Cases.Update(f.ctx, a, v.ID, model.CasePatch{Status: &to, StatusReason: cfPtr("Fall erledigt")}, v.Version)
				if !allowed {
					refused(t, err, "case", string(from), string(to))
					if after := f.fingerprint(); after != before {
						t.Errorf("a forbidden transition changed something")
					}
					return
				}
				if err != nil {
					t.Fatalf("allowed transition refused: %v", err)
				}
				if got.Status != to || got.Version != v.Version+1 || (got.ClosedAt != nil) != (to == model.CaseClosed) {
					t.Errorf("after the transition: %+v", got)
				}
				if to == model.CaseOpen && got.StatusReason != "" {
					t.Errorf("a reopened case keeps the reason %q", got.StatusReason)
				}
			})
		}
	}

	t.Run("closing needs a reason", func(t *testing.T) {
		a := f.worker()
		v := f.newCase(a, cfPerson("Ohne", "Grund"))
		before := f.fingerprint()
		_, err := f.svc.Cases.Update(f.ctx, a, v.ID, model.CasePatch{Status: cfPtr(model.CaseClosed)}, v.Version)
		cfInvalidField(t, err, "status_reason")
		if f.fingerprint() != before {
			t.Error("a refused close changed something")
		}
	})
}

// TestCaseConcurrentPatches: two patches with the same version race; one wins, the other
// gets ErrConflict, and the winner's change is what is stored.
func TestCaseConcurrentPatches(t *testing.T) {
	t.Parallel()
	f := newCaseFixture(t)
	for round := range 5 {
		a := f.worker()
		v := f.newCase(a, cfPerson("Parallel", fmt.Sprint(round)))
		districts := []string{"Schinkel", "Wüste"}
		errs := make([]error, 2)
		var start, done sync.WaitGroup
		start.Add(1)
		for i := range 2 {
			done.Add(1)
			go func() {
				defer done.Done()
				start.Wait()
				_, errs[i] = f.svc.Cases.Update(f.ctx, a, v.ID, model.CasePatch{District: &districts[i]}, v.Version)
			}()
		}
		start.Done()
		done.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil:
				if winner >= 0 {
					t.Fatalf("round %d: both patches won", round)
				}
				winner = i
			case !errors.Is(err, model.ErrConflict):
				t.Fatalf("round %d: the loser got %v, want ErrConflict", round, err)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: no patch won: %v", round, errs)
		}
		got, err := f.svc.Cases.Get(f.ctx, a, v.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.District != districts[winner] || got.Version != v.Version+1 {
			t.Errorf("round %d: stored %q version %d, want the winner's %q at version %d", round, got.District, got.Version, districts[winner], v.Version+1)
		}
	}

	t.Run("a stale version is a conflict and changes nothing", func(t *testing.T) {
		a := f.worker()
		v := f.newCase(a, cfPerson("Alt", "Version"))
		if _, err := f.svc.Cases.Update(f.ctx, a, v.ID, model.CasePatch{District: cfPtr("Eversburg")}, v.Version); err != nil {
			t.Fatal(err)
		}
		before := f.fingerprint()
		_, err := f.svc.Cases.Update(f.ctx, a, v.ID, model.CasePatch{District: cfPtr("Haste")}, v.Version)
		cfWantErr(t, "stale update", err, model.ErrConflict)
		if f.fingerprint() != before {
			t.Error("a stale case update changed something")
		}
		p := v.Persons[0]
		if _, err := f.svc.Cases.UpdatePerson(f.ctx, a, v.ID, p.ID, model.PersonPatch{Phone: cfPtr("1")}, p.Version); err != nil {
			t.Fatal(err)
		}
		before = f.fingerprint()
		_, err = f.svc.Cases.UpdatePerson(f.ctx, a, v.ID, p.ID, model.PersonPatch{Phone: cfPtr("2")}, p.Version)
		cfWantErr(t, "stale person update", err, model.ErrConflict)
		if f.fingerprint() != before {
			t.Error("a stale update changed something")
		}
	})
}

// TestCaseValidation: bad input is ErrInvalid naming the field, and nothing changes.
func TestCaseValidation(t *testing.T) {
	t.Parallel()
	f := newCaseFixture(t)
	a := f.worker()
	v := f.newCase(a, cfPerson("Valide", "Vera"))
	p := v.Persons[0]
	tomorrow := time.Now().AddDate(0, 0, 2)
	with := func(mod func(*model.PersonInput)) model.CaseCreate {
		in := cfPerson("Neu", "Nora")
		mod(&in)
		return model.CaseCreate{Primary: in}
	}
	create := func(in model.CaseCreate) func() error {
		return func() error { _, err := f.svc.Cases.Create(f.ctx, a, in); return err }
	}
	for _, tc := range []struct {
		name  string
		call  func() error
		field string
	}{
		{"family name missing", create(with(func(p *model.PersonInput) { p.FamilyName = " " })), "primary.family_name"},
		{"birth date in the future", create(with(func(p *model.PersonInput) { p.BirthDate = &tomorrow })), "primary.birth_date"},
		{"birth date before 1900", create(with(func(p *model.PersonInput) { p.BirthDate = cfDate(1899, 12, 31) })), "primary.birth_date"},
		{"arrival in the future", create(with(func(p *model.PersonInput) { p.ArrivalDate = &tomorrow })), "primary.arrival_date"},
		{"arrival before birth", create(with(func(p *model.PersonInput) { p.ArrivalDate = cfDate(1980, 1, 1) })), "primary.arrival_date"},
		{"invalid e-mail", create(with(func(p *model.PersonInput) { p.Email = "anna@" })), "primary.email"},
		{"e-mail with a display name", create(with(func(p *model.PersonInput) { p.Email = "Anna <anna@example.org>" })), "primary.email"},
		{"bad language code", create(with(func(p *model.PersonInput) { p.Languages = []string{"Arabic"} })), "primary.languages"},
		{"residence status too long", create(with(func(p *model.PersonInput) { p.ResidenceStatus = strings.Repeat("x", 101) })), "primary.residence_status"},
		{"bad member", create(model.CaseCreate{Primary: cfPerson("A", "B"), Members: []model.PersonInput{{GivenNames: "ohne Nachname"}}}), "members[0].family_name"},
		{"added person without a name", func() error { _, err := f.svc.Cases.AddPerson(f.ctx, a, v.ID, model.PersonInput{}); return err }, "family_name"},
		{"patched birth date in the future", func() error {
			_, err := f.svc.Cases.UpdatePerson(f.ctx, a, v.ID, p.ID, model.PersonPatch{BirthDate: &tomorrow}, p.Version)
			return err
		}, "birth_date"},
		{"patched bad language", func() error {
			_, err := f.svc.Cases.UpdatePerson(f.ctx, a, v.ID, p.ID, model.PersonPatch{Languages: &[]string{"xx1"}}, p.Version)
			return err
		}, "languages"},
		{"empty case patch", func() error { _, err := f.svc.Cases.Update(f.ctx, a, v.ID, model.CasePatch{}, v.Version); return err }, "body"},
		{"reason on an open case", func() error {
			_, err := f.svc.Cases.Update(f.ctx, a, v.ID, model.CasePatch{StatusReason: cfPtr("x")}, v.Version)
			return err
		}, "status_reason"},
		{"unknown status", func() error {
			_, err := f.svc.Cases.Update(f.ctx, a, v.ID, model.CasePatch{Status: cfPtr(model.CaseStatus("archived"))}, v.Version)
			return err
		}, "status"},
		{"unknown area", func() error {
			_, err := f.svc.Cases.UpdateArea(f.ctx, a, v.ID, "space", model.AreaStatusPatch{Status: cfPtr(model.AreaInProgress)}, 1)
			return err
		}, "area"},
		{"unknown area state", func() error {
			_, err := f.svc.Cases.UpdateArea(f.ctx, a, v.ID, "work", model.AreaStatusPatch{Status: cfPtr(model.AreaStatusValue("done"))}, 1)
			return err
		}, "status"},
		{"plan note too long", func() error {
			_, err := f.svc.Cases.UpdateArea(f.ctx, a, v.ID, "work", model.AreaStatusPatch{Note: cfPtr(strings.Repeat("ü", 501))}, 1)
			return err
		}, "note"},
		{"unknown responsible organisation", func() error {
			_, err := f.svc.Cases.UpdateArea(f.ctx, a, v.ID, "work", model.AreaStatusPatch{ResponsibleOrgID: cfPtr(uuid.New())}, 1)
			return err
		}, "responsible_org_id"},
		{"note too long", func() error {
			_, err := f.svc.Notes.Create(f.ctx, a, v.ID, model.NoteCreate{Body: strings.Repeat("a", 8001)})
			return err
		}, "body"},
		{"empty note", func() error { _, err := f.svc.Notes.Create(f.ctx, a, v.ID, model.NoteCreate{Body: "  "}); return err }, "body"},
		{"note for an unknown area", func() error {
			_, err := f.svc.Notes.Create(f.ctx, a, v.ID, model.NoteCreate{Body: "x", Area: "space"})
			return err
		}, "area"},
		{"shared note without area", func() error {
			_, err := f.svc.Notes.Create(f.ctx, a, v.ID, model.NoteCreate{Body: "x", Visibility: model.NoteShared})
			return err
		}, "area"},
		{"unknown note visibility", func() error {
			_, err := f.svc.Notes.Create(f.ctx, a, v.ID, model.NoteCreate{Body: "x", Visibility: "public"})
			return err
		}, "visibility"},
		{"list: unknown area", func() error { _, err := f.svc.Cases.List(f.ctx, a, model.CaseFilter{Area: "space"}); return err }, "area"},
		{"list: area state without area", func() error {
			_, err := f.svc.Cases.List(f.ctx, a, model.CaseFilter{AreaStatus: model.AreaWaiting})
			return err
		}, "area_status"},
		{"list: limit too large", func() error { _, err := f.svc.Cases.List(f.ctx, a, model.CaseFilter{Limit: 101}); return err }, "limit"},
		{"list: forged cursor", func() error { _, err := f.svc.Cases.List(f.ctx, a, model.CaseFilter{Cursor: "bm9wZQ"}); return err }, "cursor"},
		{"list: unknown status", func() error { _, err := f.svc.Cases.List(f.ctx, a, model.CaseFilter{Status: "gone"}); return err }, "status"},
		{"list: query of punctuation only", func() error { _, err := f.svc.Cases.List(f.ctx, a, model.CaseFilter{Q: "--"}); return err }, "q"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := f.fingerprint()
			cfInvalidField(t, tc.call(), tc.field)
			if after := f.fingerprint(); after != before {
				t.Errorf("refused input changed something:\n%s\n%s", before, after)
			}
		})
	}
}

// TestCaseAudit: every read and write writes exactly one audit event with the actor, the
// organisation, the role, the case, the purpose and the request id; a refused call writes
// none.
func TestCaseAudit(t *testing.T) {
	t.Parallel()
	f := newCaseFixture(t)
	var c *model.CaseView
	for _, tc := range []struct {
		name   string
		action string
		call   func(a model.Actor) error
		noCase bool // lists name no single case
	}{
		{"create", "case.create", func(a model.Actor) error {
			var err error
			c, err = f.svc.Cases.Create(f.ctx, a, model.CaseCreate{Primary: cfPerson("Audit", "Anna")})
			return err
		}, false},
		{"read", "case.read", func(a model.Actor) error { _, err := f.svc.Cases.Get(f.ctx, a, c.ID); return err }, false},
		{"update", "case.update", func(a model.Actor) error {
			var err error
			c, err = f.svc.Cases.Update(f.ctx, a, c.ID, model.CasePatch{District: cfPtr("Dodesheide")}, c.Version)
			return err
		}, false},
		{"add person", "person.create", func(a model.Actor) error {
			_, err := f.svc.Cases.AddPerson(f.ctx, a, c.ID, cfPerson("Audit", "Ben"))
			return err
		}, false},
		{"update person", "person.update", func(a model.Actor) error {
			p := c.Persons[0]
			_, err := f.svc.Cases.UpdatePerson(f.ctx, a, c.ID, p.ID, model.PersonPatch{GivenNames: cfPtr("Anne")}, p.Version)
			return err
		}, false},
		{"list", "case.list", func(a model.Actor) error {
			_, err := f.svc.Cases.List(f.ctx, a, model.CaseFilter{Q: "Audit"})
			return err
		}, true},
		{"export", "case.export", func(a model.Actor) error { _, err := f.svc.Cases.Export(f.ctx, a, model.CaseFilter{}); return err }, true},
		{"plan read", "plan.read", func(a model.Actor) error { _, err := f.svc.Cases.Plan(f.ctx, a, c.ID); return err }, false},
		{"plan update", "plan.update", func(a model.Actor) error {
			_, err := f.svc.Cases.UpdateArea(f.ctx, a, c.ID, "housing", model.AreaStatusPatch{Status: cfPtr(model.AreaWaiting)}, 1)
			return err
		}, false},
		{"note create", "note.create", func(a model.Actor) error {
			_, err := f.svc.Notes.Create(f.ctx, a, c.ID, model.NoteCreate{Body: "Termin vereinbart"})
			return err
		}, false},
		{"note list", "note.list", func(a model.Actor) error { _, err := f.svc.Notes.List(f.ctx, a, c.ID); return err }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := f.worker()
			a.RequestID = "audit-" + strings.ReplaceAll(tc.name, " ", "-")
			a.Purpose = "Beratung"
			if err := tc.call(a); err != nil {
				t.Fatal(err)
			}
			var evs []model.AuditEvent
			if err := f.db.Gorm.Where("request_id = ?", a.RequestID).Find(&evs).Error; err != nil {
				t.Fatal(err)
			}
			if len(evs) != 1 {
				t.Fatalf("%d audit events, want 1: %+v", len(evs), evs)
			}
			ev := evs[0]
			if ev.Action != tc.action || ev.ActorID == nil || *ev.ActorID != f.housingWorker || ev.OrgID == nil || *ev.OrgID != f.housing ||
				ev.Role != "caseworker" || ev.Purpose != "Beratung" || ev.ActorName == "" || ev.At.IsZero() {
				t.Errorf("event %+v", ev)
			}
			if tc.noCase != (ev.CaseID == nil) || (ev.CaseID != nil && *ev.CaseID != c.ID) {
				t.Errorf("event case %v, want %v", ev.CaseID, c.ID)
			}
			for k, v := range ev.Details {
				if s, ok := v.(string); ok && (strings.Contains(s, "Audit") || strings.Contains(s, "Anna")) {
					t.Errorf("personal data in the audit details: %s=%v", k, v)
				}
			}
		})
	}

	t.Run("a refused read writes nothing", func(t *testing.T) {
		a := f.as(f.caritasWorker, f.caritas)
		_, err := f.svc.Cases.Get(f.ctx, a, c.ID)
		cfWantErr(t, "get", err, model.ErrNotFound)
		if n := f.count(`SELECT count(*) FROM audit_events WHERE request_id = $1`, a.RequestID); n != 0 {
			t.Errorf("%d events for a refused read", n)
		}
	})
}

// TestAuditTrailIsAppendOnly: the application's own connection cannot rewrite or remove
// audit events: its role lacks the privileges (the append-only triggers are the second wall,
// see internal/db/roles_test.go).
func TestAuditTrailIsAppendOnly(t *testing.T) {
	t.Parallel()
	f := newCaseFixture(t)
	f.newCase(f.worker(), cfPerson("Audit", "Anna"))
	before := f.fingerprint()
	for _, stmt := range []string{
		`UPDATE audit_events SET actor_name = 'someone else'`,
		`DELETE FROM audit_events`,
		`TRUNCATE audit_events`,
	} {
		t.Run(stmt, func(t *testing.T) {
			_, err := f.db.SQL.ExecContext(f.ctx, stmt)
			if err == nil || !regexp.MustCompile(`permission denied for table audit_events`).MatchString(err.Error()) {
				t.Errorf("%s: got %v, want the privilege system's refusal", stmt, err)
			}
			if err := f.db.Gorm.Exec(stmt).Error; err == nil {
				t.Errorf("%s through GORM succeeded", stmt)
			}
		})
	}
	if f.fingerprint() != before {
		t.Error("the audit trail changed")
	}
}
