package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/privacy"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// sarWorld is a person in two cases (led by Housing and by its unit Housing North, so that
// two organisations confirm), with a household member named in a note, and a stranger's
// case that must not leak into the person's export.
type sarWorld struct {
	c                 *world.World
	ctx               context.Context
	dpo, lead, worker model.Actor
	person            model.Person // the person in the first case
	second            model.Person // the same person in the second case
	member            model.Person // a household member in the first case
	stranger          model.Person
	cases             []uuid.UUID
	flagged           uuid.UUID // the note that names the member
}

func newSARWorld(t *testing.T) *sarWorld {
	t.Helper()
	c := world.NewCity(t)
	svc := c.Services(t)
	ctx := context.Background()
	w := &sarWorld{c: c, ctx: ctx, dpo: c.Actor(t, c.DPO), lead: c.Actor(t, c.HousingLead), worker: c.Actor(t, c.HousingWorker)}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	cw := c.CaseWorkFor(t, world.CaseSetup{Lead: c.HousingWorker, Partner: c.JobcenterWorker, Status: model.ReferralAccepted})
	w.person = cw.Person
	in := c.NewPerson()
	in.FamilyName, in.GivenNames = "Yilmaz", "Zeynep"
	m, err := svc.Cases.AddPerson(ctx, w.worker, cw.Case.ID, in)
	must(err)
	w.member = *m
	note, err := svc.Notes.Create(ctx, w.worker, cw.Case.ID, model.NoteCreate{Body: "Termin mit Zeynep und der Schwester vereinbart"})
	must(err)
	w.flagged = note.ID
	_, err = svc.Tasks.AddComment(ctx, w.worker, cw.Task.ID, "Unterlagen liegen vor")
	must(err)
	plan, err := svc.Cases.Plan(ctx, w.worker, cw.Case.ID)
	must(err)
	st, text := model.AreaInProgress, "Wohnungssuche läuft"
	_, err = svc.Cases.UpdateArea(ctx, w.worker, cw.Case.ID, plan[0].Area, model.AreaStatusPatch{Status: &st, Note: &text}, plan[0].Version)
	must(err)
	// The same human being in a second case, led by the unit Housing North, written the
	// other way (umlaut-free, other case): found by the normalised match.
	p := c.NewPerson()
	p.FamilyName, p.GivenNames, p.BirthDate = strings.ToUpper(w.person.FamilyName), " "+w.person.GivenNames+" ", w.person.BirthDate
	second, err := svc.Cases.Create(ctx, c.Actor(t, c.NorthWorker), model.CaseCreate{Primary: p})
	must(err)
	w.second = second.Persons[0]
	stranger := c.Case(t, c.HousingWorker)
	w.stranger = stranger.Persons[0]
	w.cases = []uuid.UUID{cw.Case.ID, second.ID}
	return w
}

// TestSubjectAccessExport: the export of a confirmed request holds every client column of
// the data catalogue for each of its tables, the person's records in both cases, every audit
// event about their cases and records (compared with a direct SQL query), a note that names
// a household member marked for review; and nothing of the household member's own record or
// of another person's case.
func TestSubjectAccessExport(t *testing.T) {
	t.Parallel()
	w := newSARWorld(t)
	svc := w.c.Services(t)
	ctx := w.ctx
	day := *w.person.BirthDate
	matches, err := svc.SubjectAccess.Find(ctx, w.dpo, model.SubjectAccessFind{FamilyName: strings.ToLower(w.person.FamilyName), GivenNames: w.person.GivenNames, BirthDate: &day})
	if err != nil {
		t.Fatal(err)
	}
	if len(matches) != 2 {
		t.Fatalf("matches: %+v, want the two records of the person", matches)
	}
	var ids []uuid.UUID
	for _, m := range matches {
		ids = append(ids, m.PersonID)
	}
	req, err := svc.SubjectAccess.Start(ctx, w.dpo, model.SubjectAccessStart{PersonIDs: ids, Reference: "Schreiben vom 1.12."})
	if err != nil {
		t.Fatal(err)
	}
	if len(req.Confirmations) != 2 {
		t.Fatalf("confirmations: %+v, want one per lead organisation (Housing, Housing North)", req.Confirmations)
	}
	// The department head of Housing confirms for Housing and its unit Housing North.
	if err := svc.SubjectAccess.Confirm(ctx, w.lead, req.ID); err != nil {
		t.Fatal(err)
	}
	exp, err := svc.SubjectAccess.Export(ctx, w.dpo, req.ID)
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(exp)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(js)

	// Every client column of the catalogue, in every table the export covers.
	for _, table := range []string{"persons", "cases", "consents", "referrals", "tasks", "notes", "area_statuses", "task_comments", "case_handovers"} {
		i := slices.IndexFunc(exp.Sections, func(s model.SubjectAccessSection) bool { return s.Table == table })
		if i < 0 {
			t.Errorf("no section %s", table)
			continue
		}
		sec := exp.Sections[i]
		if table != "case_handovers" && len(sec.Rows) == 0 {
			t.Errorf("section %s has no records", table)
		}
		for _, col := range privacy.ClientColumns(table) {
			if !slices.Contains(sec.Columns, col) {
				t.Errorf("section %s lacks the catalogued column %s", table, col)
			}
			for _, row := range sec.Rows {
				if _, ok := row.Fields[col]; !ok {
					t.Errorf("a record of %s lacks the catalogued field %s", table, col)
				}
			}
		}
	}
	persons := exp.Sections[slices.IndexFunc(exp.Sections, func(s model.SubjectAccessSection) bool { return s.Table == "persons" })]
	if len(persons.Rows) != 2 {
		t.Fatalf("persons: %d records, want the person's two", len(persons.Rows))
	}
	for _, want := range []string{w.person.Phone, w.person.Email, w.person.Address, w.person.ResidenceStatus, w.second.Phone} {
		if !strings.Contains(doc, want) {
			t.Errorf("the export lacks the person's %q", want)
		}
	}
	// Nothing of the stranger, nor the household member's own record.
	for _, leak := range []string{w.stranger.FamilyName, w.stranger.GivenNames, w.stranger.Phone, w.stranger.Email, w.member.Phone, w.member.Email, w.member.Address, w.member.ID.String()} {
		if strings.Contains(doc, leak) {
			t.Errorf("the export holds %q of another person", leak)
		}
	}
	// The note naming the member is marked for review, naming the member; the others not.
	notes := exp.Sections[slices.IndexFunc(exp.Sections, func(s model.SubjectAccessSection) bool { return s.Table == "notes" })]
	flagged := 0
	for _, row := range notes.Rows {
		if len(row.Review) > 0 {
			flagged++
			if !slices.Equal(row.Review["body"], []string{"Zeynep"}) {
				t.Errorf("review marks %v, want [Zeynep]", row.Review)
			}
		}
	}
	if flagged != 1 {
		t.Errorf("%d notes marked for review, want 1", flagged)
	}

	// The access history is every audit event about the person's cases or records.
	rows, err := w.c.DB.SQL.Query(`SELECT e.action, coalesce(o.name, ''), e.role, e.purpose FROM audit_events e
		LEFT JOIN organisations o ON o.id = e.org_id
		WHERE e.case_id = ANY($1::uuid[]) OR e.object_id IN ($2, $3) ORDER BY e.at, e.id`,
		"{"+w.cases[0].String()+","+w.cases[1].String()+"}", w.person.ID.String(), w.second.ID.String())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var want []model.SubjectAccessHistoryEntry
	for rows.Next() {
		var e model.SubjectAccessHistoryEntry
		if err := rows.Scan(&e.Action, &e.Organisation, &e.Role, &e.Purpose); err != nil {
			t.Fatal(err)
		}
		want = append(want, e)
	}
	if len(want) < 10 {
		t.Fatalf("oracle found only %d events", len(want))
	}
	got := make([]model.SubjectAccessHistoryEntry, len(exp.History))
	for i, e := range exp.History {
		got[i] = model.SubjectAccessHistoryEntry{Action: e.Action, Organisation: e.Organisation, Role: e.Role, Purpose: e.Purpose}
	}
	if !slices.Equal(got, want) {
		t.Errorf("history: %d events, the audit log has %d about the person", len(got), len(want))
	}
	// Every step is audited, without content.
	for action, object := range map[string]uuid.UUID{"subject_access.find": uuid.Nil, "subject_access.start": req.ID,
		"subject_access.confirm": req.ID, "subject_access.export": req.ID} {
		evs := w.c.AuditEvents(t, action, object.String())
		if len(evs) == 0 {
			t.Errorf("no audit event %s", action)
		}
		for _, ev := range evs {
			if d, _ := json.Marshal(ev.Details); strings.Contains(string(d), w.person.FamilyName) {
				t.Errorf("%s names the person: %s", action, d)
			}
		}
	}
}

// TestSubjectAccessFourEyes: an export before every lead organisation has confirmed is
// refused with not_confirmed and changes nothing; a member of another organisation cannot
// confirm (not found); a caseworker can neither start nor export; an organisation confirms
// only once.
func TestSubjectAccessFourEyes(t *testing.T) {
	t.Parallel()
	w := newSARWorld(t)
	svc := w.c.Services(t)
	ctx := w.ctx
	if _, err := svc.SubjectAccess.Start(ctx, w.worker, model.SubjectAccessStart{PersonIDs: []uuid.UUID{w.person.ID}, Reference: "x"}); !errors.Is(err, model.ErrForbidden) {
		t.Errorf("caseworker starts: %v, want forbidden", err)
	}
	req, err := svc.SubjectAccess.Start(ctx, w.dpo, model.SubjectAccessStart{PersonIDs: []uuid.UUID{w.person.ID, w.second.ID}, Reference: "Az. 15/1"})
	if err != nil {
		t.Fatal(err)
	}
	before := w.c.Fingerprint(t)
	var v *model.ValidationError
	if _, err := svc.SubjectAccess.Export(ctx, w.dpo, req.ID); !errors.As(err, &v) || v.Fields[0].Code != model.CodeNotConfirmed {
		t.Fatalf("export before confirmation: %v, want %s", err, model.CodeNotConfirmed)
	}
	if after := w.c.Fingerprint(t); after != before {
		t.Error("the refused export changed something")
	}
	got, err := svc.SubjectAccess.Get(ctx, w.dpo, req.ID)
	if err != nil || got.ExportedAt != nil || got.Status() != "started" {
		t.Errorf("after the refusal: %+v, %v", got, err)
	}
	// Other organisations: the jobcenter's worker (no permission) and Migration's.
	for _, a := range []model.Actor{w.c.Actor(t, w.c.JobcenterWorker), w.c.Actor(t, w.c.MigrationWorker), w.worker} {
		if err := svc.SubjectAccess.Confirm(ctx, a, req.ID); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("%s confirms: %v, want not found", a.Name, err)
		}
	}
	if _, err := svc.SubjectAccess.Export(ctx, w.worker, req.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("caseworker exports: %v, want not found", err)
	}
	pending, err := svc.SubjectAccess.Pending(ctx, w.lead)
	if err != nil || len(pending) != 1 || len(pending[0].CaseReferences) != 2 {
		t.Fatalf("lead's pending: %+v, %v", pending, err)
	}
	if err := svc.SubjectAccess.Confirm(ctx, w.lead, req.ID); err != nil {
		t.Fatal(err)
	}
	if err := svc.SubjectAccess.Confirm(ctx, w.lead, req.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("second confirmation by the same organisation: %v, want not found", err)
	}
	if _, err := svc.SubjectAccess.Export(ctx, w.dpo, req.ID); err != nil {
		t.Fatalf("export after confirmation: %v", err)
	}
	// A case that Migration leads: the head of Housing (another organisation tree) neither
	// sees the request nor confirms it.
	mig := w.c.Case(t, w.c.MigrationWorker)
	other, err := svc.SubjectAccess.Start(ctx, w.dpo, model.SubjectAccessStart{PersonIDs: []uuid.UUID{mig.Persons[0].ID}, Reference: "Az. 15/3"})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SubjectAccess.Confirm(ctx, w.lead, other.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("the head of another organisation confirms: %v, want not found", err)
	}
	if pending, err := svc.SubjectAccess.Pending(ctx, w.lead); err != nil || len(pending) != 0 {
		t.Errorf("the head of another organisation sees %+v, %v", pending, err)
	}
	if _, err := svc.SubjectAccess.Export(ctx, w.dpo, other.ID); !errors.Is(err, model.ErrInvalid) {
		t.Errorf("export of the unconfirmed request: %v, want refused", err)
	}
}

// TestSubjectAccessPartialConfirmation: with two lead organisations, the confirmation of one
// is not enough.
func TestSubjectAccessPartialConfirmation(t *testing.T) {
	t.Parallel()
	w := newSARWorld(t)
	svc := w.c.Services(t)
	req, err := svc.SubjectAccess.Start(w.ctx, w.dpo, model.SubjectAccessStart{PersonIDs: []uuid.UUID{w.person.ID, w.second.ID}, Reference: "Az. 15/2"})
	if err != nil {
		t.Fatal(err)
	}
	// Confirm Housing's row only, as its department head would without the unit.
	err = w.c.Store.Tx(w.ctx, w.lead, func(tx *store.Tx) error {
		_, err := tx.SubjectAccess().Confirm(w.ctx, req.ID, []uuid.UUID{w.c.Housing.ID}, w.lead.UserID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SubjectAccess.Export(w.ctx, w.dpo, req.ID); !errors.Is(err, model.ErrInvalid) {
		t.Fatalf("export with one of two confirmations: %v, want refused", err)
	}
}
