package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// exportFixture is a housing office with a case whose main person is named like a formula,
// a task titled like one, and a case referred to the job center without the identity
// category (its name is masked for the job center).
type exportFixture struct {
	w       *world.World
	evil    *model.CaseView
	masked  *world.CaseWork
	task    *model.Task
	evilRef string
}

const (
	evilName  = `=HYPERLINK("http://evil.example";"klick")`
	evilTitle = "=1+1"
)

func newExportFixture(t *testing.T) *exportFixture {
	t.Helper()
	w := world.New(t)
	ctx := context.Background()
	svc := w.Services(t)
	lead := w.Actor(t, w.HousingWorker)
	p := w.NewPerson()
	p.FamilyName, p.GivenNames, p.NameVariants = evilName, "@Amina", nil
	evil, err := svc.Cases.Create(ctx, lead, model.CaseCreate{Primary: p})
	if err != nil {
		t.Fatal(err)
	}
	me := w.HousingWorker.ID
	due := berlinDay(3)
	task, err := svc.Tasks.Create(ctx, lead, model.TaskCreate{OrgID: w.Housing.ID, AssigneeID: &me, CaseID: &evil.ID, Title: evilTitle,
		DueDate: &due, Priority: model.PriorityHigh})
	if err != nil {
		t.Fatal(err)
	}
	masked := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.JobcenterWorker, Status: model.ReferralAccepted,
		Categories: []model.DataCategory{model.CategoryLanguages}})
	return &exportFixture{w: w, evil: evil, masked: masked, task: task, evilRef: evil.Reference}
}

// download fetches a list's file and checks the status and the content type.
func (f *exportFixture) download(t *testing.T, u *world.User, path string, hdr ...string) []byte {
	t.Helper()
	h := map[string]string{}
	for i := 0; i+1 < len(hdr); i += 2 {
		h[hdr[i]] = hdr[i+1]
	}
	r := f.w.Do(t, world.Request{As: u, Method: http.MethodGet, URL: path, Headers: h})
	if r.Status != http.StatusOK {
		t.Fatalf("GET %s: status %d: %.500s", path, r.Status, r.Body)
	}
	ct, cd := r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition")
	switch {
	case strings.HasSuffix(strings.Split(path, "?")[0], ".csv") && !strings.HasPrefix(ct, "text/csv"),
		strings.HasSuffix(strings.Split(path, "?")[0], ".xlsx") && ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		t.Errorf("GET %s: content type %q", path, ct)
	}
	if !strings.HasPrefix(cd, "attachment; filename=\"lotse-") || r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("GET %s: disposition %q, cache %q", path, cd, r.Header.Get("Cache-Control"))
	}
	return r.Body
}

// readCSV checks the German Excel form (byte order mark, ';', CRLF) and parses the file.
func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	body, ok := bytes.CutPrefix(b, []byte("\ufeff"))
	if !ok {
		t.Fatalf("no byte order mark: %.80q", b)
	}
	if !bytes.Contains(body, []byte("\r\n")) || bytes.Contains(bytes.ReplaceAll(body, []byte("\r\n"), nil), []byte("\n")) && !bytes.Contains(body, []byte("\"")) {
		t.Errorf("lines do not end in CRLF: %.200q", body)
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("does not parse with ';': %v\n%s", err, body)
	}
	return rows
}

func rowWith(rows [][]string, cell string) []string {
	for _, r := range rows {
		if slices.Contains(r, cell) {
			return r
		}
	}
	return nil
}

func TestListExports(t *testing.T) {
	t.Parallel()
	f := newExportFixture(t)
	w := f.w

	t.Run("the task list as CSV: header, formula guard, German dates", func(t *testing.T) {
		rows := readCSV(t, f.download(t, w.HousingWorker, "/aufgaben.csv"))
		want := []string{"Aufgabe", "Aktenzeichen", "Name", "Bereich", "Priorität", "Fällig am", "Status", "Zuletzt geändert"}
		if !slices.Equal(rows[0], want) {
			t.Fatalf("header %q, want %q", rows[0], want)
		}
		r := rowWith(rows, "'"+evilTitle)
		if r == nil {
			t.Fatalf("no task %q with a guard: %q", evilTitle, rows)
		}
		if r[1] != f.evilRef || r[2] != "'"+model.PersonName(evilName, "@Amina") || r[4] != "Hoch" || r[5] != berlinDay(3).Format("02.01.2006") || r[6] != "Offen" {
			t.Errorf("task row %q", r)
		}
		for _, row := range rows {
			for _, c := range row {
				if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
					t.Errorf("a cell that a spreadsheet computes: %q", c)
				}
			}
		}
	})
	t.Run("in English", func(t *testing.T) {
		rows := readCSV(t, f.download(t, w.HousingWorker, "/aufgaben.csv", "Cookie", "lang=en"))
		if rows[0][0] != "Task" || rows[0][5] != "Due" {
			t.Errorf("header %q", rows[0])
		}
	})
	t.Run("the filters of the page narrow the file", func(t *testing.T) {
		rows := readCSV(t, f.download(t, w.HousingWorker, "/aufgaben.csv?status=done"))
		if len(rows) != 1 {
			t.Errorf("done tasks: %d rows, want the header only: %q", len(rows), rows)
		}
		rows = readCSV(t, f.download(t, w.HousingWorker, "/faelle.csv?sort=reference&dir=asc"))
		var refs []string
		for _, r := range rows[1:] {
			refs = append(refs, r[0])
		}
		if len(refs) != 2 || !slices.IsSorted(refs) {
			t.Errorf("cases by reference: %q", refs)
		}
		rows = readCSV(t, f.download(t, w.HousingWorker, "/faelle.csv?sort=reference&dir=desc"))
		if rows[1][0] < rows[2][0] {
			t.Errorf("cases by reference, descending: %q", rows[1:])
		}
	})
	t.Run("the case list as CSV through the partner's mask", func(t *testing.T) {
		b := f.download(t, w.JobcenterWorker, "/faelle.csv")
		rows := readCSV(t, b)
		if want := []string{"Aktenzeichen", "Name", "Haushalt", "Status", "Federführung", "Zuletzt geändert"}; !slices.Equal(rows[0], want) {
			t.Fatalf("header %q, want %q", rows[0], want)
		}
		r := rowWith(rows, f.masked.Case.Reference)
		if r == nil || r[1] != "Name nicht freigegeben" || r[2] != "" {
			t.Errorf("masked row %q", r)
		}
		for _, hidden := range []string{f.masked.Person.FamilyName, f.masked.Person.GivenNames, f.evilRef} {
			if bytes.Contains(b, []byte(hidden)) {
				t.Errorf("the partner's file holds %q", hidden)
			}
		}
	})
	t.Run("the case list as XLSX: string cells, bold frozen header", func(t *testing.T) {
		x, err := excelize.OpenReader(bytes.NewReader(f.download(t, w.HousingWorker, "/faelle.xlsx")))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		sheet := x.GetSheetName(0)
		if sheet != "Fälle" {
			t.Errorf("sheet %q", sheet)
		}
		rows, err := x.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if rows[0][0] != "Aktenzeichen" || rows[0][1] != "Name" {
			t.Errorf("header %q", rows[0])
		}
		found := false
		for i, r := range rows {
			if r[0] != f.evilRef {
				continue
			}
			found = true
			cell, _ := excelize.CoordinatesToCellName(2, i+1)
			if r[1] != model.PersonName(evilName, "@Amina") {
				t.Errorf("name %q", r[1])
			}
			typ, err := x.GetCellType(sheet, cell)
			if err != nil || (typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString) {
				t.Errorf("cell %s is of type %v (%v), want a string", cell, typ, err)
			}
			if fm, _ := x.GetCellFormula(sheet, cell); fm != "" {
				t.Errorf("cell %s is a formula: %q", cell, fm)
			}
		}
		if !found {
			t.Errorf("no row of %s: %q", f.evilRef, rows)
		}
		panes, err := x.GetPanes(sheet)
		if err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("panes %+v, %v", panes, err)
		}
		st, _ := x.GetCellStyle(sheet, "A1")
		if s, err := x.GetStyle(st); err != nil || s.Font == nil || !s.Font.Bold {
			t.Errorf("header not bold: %+v %v", s, err)
		}
	})
	t.Run("the task list as XLSX: the formula title is text", func(t *testing.T) {
		x, err := excelize.OpenReader(bytes.NewReader(f.download(t, w.HousingWorker, "/aufgaben.xlsx")))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		sheet := x.GetSheetName(0)
		rows, _ := x.GetRows(sheet)
		for i, r := range rows {
			if r[0] == evilTitle {
				if typ, _ := x.GetCellType(sheet, "A"+itoa(i+1)); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
					t.Errorf("title cell type %v", typ)
				}
				return
			}
		}
		t.Errorf("no task %q: %q", evilTitle, rows)
	})
	t.Run("each download is audited with its row count, without personal data", func(t *testing.T) {
		before := countRows(t, w, `SELECT count(*) FROM audit_events WHERE actor_id = $1 AND action = 'task.export'`, w.HousingWorker.ID)
		rows := readCSV(t, f.download(t, w.HousingWorker, "/aufgaben.csv?wer=mine"))
		var details string
		if err := w.DB.SQL.QueryRow(`SELECT details::text FROM audit_events WHERE actor_id = $1 AND action = 'task.export' ORDER BY id DESC LIMIT 1`,
			w.HousingWorker.ID).Scan(&details); err != nil {
			t.Fatal(err)
		}
		after := countRows(t, w, `SELECT count(*) FROM audit_events WHERE actor_id = $1 AND action = 'task.export'`, w.HousingWorker.ID)
		if after != before+1 {
			t.Errorf("%d export events after one download, want %d", after, before+1)
		}
		if !strings.Contains(details, `"total": `+itoa(len(rows)-1)) || !strings.Contains(details, `"mine"`) {
			t.Errorf("details %s, want the total %d and the filter kinds", details, len(rows)-1)
		}
		for _, personal := range []string{"HYPERLINK", evilTitle, f.masked.Person.FamilyName} {
			if strings.Contains(details, personal) {
				t.Errorf("the audit details hold %q: %s", personal, details)
			}
		}
		q := `SELECT count(*) FROM audit_events WHERE actor_id = $1 AND action = 'case.export' AND details->>'total' = '1'`
		before = countRows(t, w, q, w.JobcenterWorker.ID)
		readCSV(t, f.download(t, w.JobcenterWorker, "/faelle.csv"))
		if n := countRows(t, w, q, w.JobcenterWorker.ID); n != before+1 {
			t.Errorf("%d case.export events with total 1 for the job center, want %d", n, before+1)
		}
	})
	t.Run("the team's task list as CSV: the head's filter, order, assignee and guard", func(t *testing.T) {
		rows := readCSV(t, f.download(t, w.HousingLead, "/team/aufgaben.csv?sort=priority&dir=desc"))
		want := []string{"Aufgabe", "Aktenzeichen", "Name", "Zuständig", "Organisation", "Bereich", "Priorität", "Fällig am", "Tage überfällig", "Zuletzt geändert"}
		if !slices.Equal(rows[0], want) {
			t.Fatalf("header %q, want %q", rows[0], want)
		}
		r := rowWith(rows, "'"+evilTitle)
		if r == nil {
			t.Fatalf("no task %q with a guard: %q", evilTitle, rows)
		}
		if r[1] != f.evilRef || r[2] != "'"+model.PersonName(evilName, "@Amina") || r[3] != w.HousingWorker.Name || r[6] != "Hoch" || r[8] != "" {
			t.Errorf("team task row %q", r)
		}
		before := countRows(t, w, `SELECT count(*) FROM audit_events WHERE actor_id = $1 AND action = 'task.export' AND details->>'view' = 'team'`, w.HousingLead.ID)
		rows = readCSV(t, f.download(t, w.HousingLead, "/team/aufgaben.csv?person=none"))
		for _, r := range rows[1:] {
			if r[3] != "" || r[0] == "'"+evilTitle {
				t.Errorf("the team's unassigned tasks hold %q", r)
			}
		}
		if n := countRows(t, w, `SELECT count(*) FROM audit_events WHERE actor_id = $1 AND action = 'task.export' AND details->>'view' = 'team'`, w.HousingLead.ID); n != before+1 {
			t.Errorf("%d team export events after one more download, want %d", n, before+1)
		}
		for _, u := range []*world.User{w.HousingWorker, w.JobcenterWorker, w.DPO} {
			r := w.Do(t, world.Request{As: u, Method: http.MethodGet, URL: "/team/aufgaben.csv"})
			if r.Status != http.StatusForbidden || bytes.Contains(r.Body, []byte(f.evilRef)) {
				t.Errorf("GET /team/aufgaben.csv as %s: status %d", u.Name, r.Status)
			}
		}
	})
	t.Run("the inbox's download follows the page's order", func(t *testing.T) {
		rows := readCSV(t, f.download(t, w.JobcenterWorker, "/eingang.csv?sort=name&dir=desc"))
		if rowWith(rows, f.masked.Case.Reference) == nil {
			t.Errorf("the inbox file lacks the referred case: %q", rows)
		}
		var details string
		if err := w.DB.SQL.QueryRow(`SELECT details::text FROM audit_events WHERE actor_id = $1 AND action = 'referral.export' ORDER BY id DESC LIMIT 1`,
			w.JobcenterWorker.ID).Scan(&details); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(details, `"sort": "name"`) || !strings.Contains(details, `"desc": true`) || !strings.Contains(details, `"incoming"`) {
			t.Errorf("the inbox download did not ask for the page's order: %s", details)
		}
	})
	t.Run("roles without the list's read permission get no file", func(t *testing.T) {
		for _, u := range []*world.User{w.Coordinator, w.Sysadmin, w.DPO} {
			for _, p := range []string{"/aufgaben.csv", "/aufgaben.xlsx", "/faelle.csv", "/faelle.xlsx"} {
				r := w.Do(t, world.Request{As: u, Method: http.MethodGet, URL: p})
				if r.Status != http.StatusForbidden || bytes.Contains(r.Body, []byte(f.evilRef)) {
					t.Errorf("GET %s as %s: status %d", p, u.Name, r.Status)
				}
			}
		}
		r := w.Do(t, world.Request{Method: http.MethodGet, URL: "/faelle.csv"})
		if r.Status == http.StatusOK {
			t.Errorf("GET /faelle.csv signed out: status %d", r.Status)
		}
	})
}

func itoa(n int) string { return strconv.Itoa(n) }
