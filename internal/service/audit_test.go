package service_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

// TestAuditLogReview: the data protection officer filters the log by case, user,
// organisation, action and time, pages through it newest first, and exports it; each read
// is itself recorded, with the kinds of filters but not their values; nobody else reads it.
func TestAuditLogReview(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	dpo := w.roleActor("datenschutz", w.city, model.RoleDPO)

	// Case work that leaves events: two cases read by the housing caseworker, one by the
	// Housing lead.
	c1, c2 := w.newCase(w.housing), w.newCase(w.housing)
	var ref1 string
	if err := w.db.SQL.QueryRow(`SELECT reference FROM cases WHERE id = $1`, c1).Scan(&ref1); err != nil {
		t.Fatal(err)
	}
	for _, read := range []struct {
		a model.Actor
		c uuid.UUID
	}{{w.housingWorker, c1}, {w.housingWorker, c2}, {w.housingLead, c1}} {
		if _, err := w.svc.Cases.Get(w.ctx, read.a, read.c); err != nil {
			t.Fatal(err)
		}
	}
	// An old event, a year ago.
	if err := w.db.Gorm.Exec(`INSERT INTO audit_events (at, actor_name, action, object_type, object_id) VALUES (now() - interval '1 year', 'Alt', 'case.read', 'case', ?)`, c2.String()).Error; err != nil {
		t.Fatal(err)
	}

	actions := func(p *model.AuditLog) []string {
		var out []string
		for _, r := range p.Items {
			out = append(out, r.Action)
		}
		return out
	}
	list := func(f model.AuditFilter) *model.AuditLog {
		t.Helper()
		p, err := w.svc.Audit.List(w.ctx, dpo, f)
		if err != nil {
			t.Fatalf("list %+v: %v", f, err)
		}
		return p
	}

	t.Run("by case reference", func(t *testing.T) {
		p := list(model.AuditFilter{Case: strings.ToLower(ref1)})
		if len(p.Items) != 2 {
			t.Fatalf("%d events of %s: %v", len(p.Items), ref1, actions(p))
		}
		for _, r := range p.Items {
			if r.CaseReference != ref1 || r.CaseID == nil || *r.CaseID != c1 || r.Action != "case.read" {
				t.Errorf("row %+v", r)
			}
		}
		if p.Items[0].ID < p.Items[1].ID {
			t.Error("not newest first")
		}
		if p.Items[0].ActorName != "Lea Leitung" || p.Items[0].OrgName != "Fachbereich Wohnen" || p.Items[0].Role != "lead" {
			t.Errorf("newest row %+v", p.Items[0])
		}
		if len(p.Organisations) == 0 {
			t.Error("no organisations to filter by")
		}
	})
	t.Run("by case id", func(t *testing.T) {
		if p := list(model.AuditFilter{Case: c2.String()}); len(p.Items) != 1 {
			t.Errorf("%d events of case %s", len(p.Items), c2)
		}
	})
	t.Run("by user e-mail and by name", func(t *testing.T) {
		byMail := list(model.AuditFilter{User: "WORLD-05@stadt.test", Action: "case.read"})
		byName := list(model.AuditFilter{User: "wiebke", Action: "case.read"})
		byPart := list(model.AuditFilter{User: "world-05@STADT", Action: "case.read"}) // part of the e-mail address
		if len(byMail.Items) != 2 || len(byName.Items) != 2 || len(byPart.Items) != 2 {
			t.Fatalf("by mail %d, by name %d, by part of the mail %d", len(byMail.Items), len(byName.Items), len(byPart.Items))
		}
		for _, r := range append(append(byMail.Items, byName.Items...), byPart.Items...) {
			if r.ActorName != "Wiebke Wohnen" {
				t.Errorf("row of %s", r.ActorName)
			}
		}
		if p := list(model.AuditFilter{User: "%"}); len(p.Items) != 0 {
			t.Errorf("a wildcard finds %d events", len(p.Items))
		}
	})
	t.Run("by organisation and action", func(t *testing.T) {
		p := list(model.AuditFilter{OrgID: &w.housing, Action: "case"})
		if len(p.Items) != 3 {
			t.Errorf("%d case events in Housing: %v", len(p.Items), actions(p))
		}
		for _, r := range p.Items {
			if !strings.HasPrefix(r.Action, "case.") {
				t.Errorf("action %s", r.Action)
			}
		}
	})
	t.Run("by time", func(t *testing.T) {
		old := time.Now().AddDate(-1, 0, -1)
		end := time.Now().AddDate(0, -6, 0)
		p := list(model.AuditFilter{From: &old, To: &end})
		if len(p.Items) != 1 || p.Items[0].ActorName != "Alt" {
			t.Errorf("events of a year ago: %v", actions(p))
		}
		// The filter takes calendar days in Berlin: today is Berlin's, which between 23:00
		// and 01:00 UTC is not the machine's.
		today := model.CalendarDay(time.Now())
		p = list(model.AuditFilter{From: &today, To: &today, Action: "case.read"})
		if len(p.Items) != 3 {
			t.Errorf("%d case reads today", len(p.Items))
		}
		_, err := w.svc.Audit.List(w.ctx, dpo, model.AuditFilter{From: &today, To: &old})
		var ve *model.ValidationError
		if !errors.As(err, &ve) || ve.Fields[0].Field != "to" {
			t.Errorf("to before from: %v", err)
		}
	})
	t.Run("keyset pages", func(t *testing.T) {
		f := model.AuditFilter{Action: "case.read", Limit: 2}
		p1 := list(f)
		if len(p1.Items) != 2 || p1.NextCursor == "" {
			t.Fatalf("first page %v next %q", actions(p1), p1.NextCursor)
		}
		f.Cursor = p1.NextCursor
		p2 := list(f)
		if len(p2.Items) != 2 || p2.NextCursor != "" {
			t.Fatalf("second page %d rows, next %q", len(p2.Items), p2.NextCursor)
		}
		if p2.Items[0].ID >= p1.Items[1].ID {
			t.Error("the second page does not continue the first")
		}
		if p1.Total != 4 || p2.Total != 4 {
			t.Errorf("totals %d and %d, want the 4 case reads on every page", p1.Total, p2.Total)
		}
	})
	t.Run("reading is recorded without the filter values", func(t *testing.T) {
		before := w.auditCount("audit.read")
		list(model.AuditFilter{Case: ref1, User: "wiebke"})
		if w.auditCount("audit.read") != before+1 {
			t.Fatal("reading the log left no event")
		}
		var details, actor string
		if err := w.db.SQL.QueryRow(`SELECT details::text, actor_name FROM audit_events WHERE action = 'audit.read' ORDER BY id DESC LIMIT 1`).Scan(&details, &actor); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(details, `"case"`) || !strings.Contains(details, `"user"`) || strings.Contains(details, ref1) || strings.Contains(strings.ToLower(details), "wiebke") {
			t.Errorf("details %s", details)
		}
		if actor != dpo.Name {
			t.Errorf("recorded for %q", actor)
		}
	})
	t.Run("export streams everything and is recorded", func(t *testing.T) {
		var got []model.AuditRow
		err := w.svc.Audit.Export(w.ctx, dpo, model.AuditFilter{Action: "case.read", Limit: 1, Cursor: "a position"}, func(r model.AuditRow) error {
			got = append(got, r)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 4 {
			t.Errorf("exported %d case reads, want 4 (limit and position are ignored)", len(got))
		}
		if w.auditCount("audit.export") != 1 {
			t.Error("the export left no event")
		}
		stop := errors.New("stop")
		n := 0
		err = w.svc.Audit.Export(w.ctx, dpo, model.AuditFilter{}, func(model.AuditRow) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Errorf("an error of the writer does not stop the export: %v after %d rows", err, n)
		}
	})
	t.Run("nobody else", func(t *testing.T) {
		for _, who := range []model.Actor{w.housingWorker, w.housingLead, w.sysadmin} {
			if _, err := w.svc.Audit.List(w.ctx, who, model.AuditFilter{}); !errors.Is(err, model.ErrForbidden) {
				t.Errorf("%s reads the log: %v", who.Name, err)
			}
			err := w.svc.Audit.Export(w.ctx, who, model.AuditFilter{}, func(model.AuditRow) error { return nil })
			if !errors.Is(err, model.ErrForbidden) {
				t.Errorf("%s exports the log: %v", who.Name, err)
			}
		}
		if _, err := w.svc.Cases.Get(w.ctx, dpo, c1); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("the data protection officer reads a case: %v", err)
		}
		if slices.Contains(dpo.Roles, model.RoleCaseworker) {
			t.Error("test setup")
		}
	})
}
