package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"github.com/lotse-project/lotse/internal/model"
)

// The lists that scale (issue 11, item 7), played through the browser:
//
//   - the housing caseworker sorts her task list by due date through the column header
//     (aria-sort follows), pages to the second page with the order kept, in German and in
//     English;
//   - she downloads the list as CSV and as Excel through the links on the page: the CSV has
//     the byte order mark, ';' and the German header, the task titled "=1+1" and the person
//     named "=HYPERLINK(…)" come out with a guarding ', and in the workbook both are string
//     cells, no formula;
//   - the job center's caseworker, whose referral releases no identity, downloads his task
//     list and the case list: the name says "Name nicht freigegeben" and the person's name is
//     nowhere in the files.

const (
	listsEvilName  = `=HYPERLINK("http://evil.example";"klick")`
	listsEvilTitle = "=1+1"
)

func listsAndDownloads(t *testing.T, srv *server, s, partner *session) {
	ctx := context.Background()
	lead := srv.actor(t, housing)
	y, m, d := time.Now().Date()
	day := func(n int) *time.Time { v := time.Date(y, m, d+n, 0, 0, 0, 0, time.UTC); return &v }

	// Arranged through the services: the formula-named case with its formula-titled task,
	// enough tasks for a second page, and a case referred to the job center without identity.
	evil := srv.arrangeCase(t, housing, listsEvilName, "@Amina")
	if _, err := srv.Svc.Tasks.Create(ctx, lead, model.TaskCreate{OrgID: lead.OrgID, AssigneeID: &lead.UserID, CaseID: &evil.ID,
		Title: listsEvilTitle, DueDate: day(2), Priority: model.PriorityHigh}); err != nil {
		t.Fatal(err)
	}
	for i := range 26 {
		if _, err := srv.Svc.Tasks.Create(ctx, lead, model.TaskCreate{OrgID: lead.OrgID, AssigneeID: &lead.UserID,
			Title: "Listenaufgabe " + string(rune('A'+i)), DueDate: day(30 + i)}); err != nil {
			t.Fatal(err)
		}
	}
	hidden := srv.arrangeCase(t, housing, "Zielinska", "Oksana")
	jc := srv.actor(t, jobcenter)
	consent, err := srv.Svc.Consents.Create(ctx, lead, hidden.ID, model.ConsentCreate{
		Recipients: []uuid.UUID{jc.OrgID}, Areas: []string{"work"}, DataCategories: []model.DataCategory{model.CategoryLanguages},
		Purpose: "Vermittlung", ValidFrom: time.Now().AddDate(0, 0, -1), ValidUntil: time.Now().AddDate(1, 0, 0),
		Evidence: "Formular 7/" + hidden.Reference, Language: "uk",
	})
	if err != nil {
		t.Fatal(err)
	}
	ref, err := srv.Svc.Referrals.Create(ctx, lead, hidden.ID, model.ReferralCreate{ToOrgID: jc.OrgID, Areas: []string{"work"},
		Message: "Bitte um Unterstützung", ConsentID: &consent.ID})
	if err != nil {
		t.Fatal(err)
	}
	if ref, err = srv.Svc.Referrals.Accept(ctx, jc, ref.ID, ref.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Svc.Tasks.Create(ctx, jc, model.TaskCreate{OrgID: jc.OrgID, AssigneeID: &jc.UserID, CaseID: &hidden.ID, ReferralID: &ref.ID,
		Title: "Sprachkurs anmelden", DueDate: day(4)}); err != nil {
		t.Fatal(err)
	}

	// Sort by due date through the header: the default is ascending, a click turns it.
	s.visit(t, "aufgaben-liste", "/aufgaben", http.StatusOK)
	dueHeader := `th[data-sort="due"] a`
	if !s.present(t, `th[data-sort="due"][aria-sort="ascending"]`) {
		t.Fatalf("the due-date header is not the sorted one: %s", s.text(t))
	}
	if got := s.submit(t, "sort by due date, descending", chromedp.Click(chromedp.CSS(dueHeader))); got != http.StatusOK {
		t.Fatalf("sorting gave %d", got)
	}
	if !strings.Contains(s.path(), "sort=due") || !s.present(t, `th[data-sort="due"][aria-sort="descending"]`) {
		t.Errorf("after the click: %s, header not descending", s.path())
	}
	s.check(t, "aufgaben-frist-absteigend")
	if first := s.firstTaskTitle(t); first != "Listenaufgabe Z" {
		t.Errorf("descending by due date, the first task is %q, want the latest", first)
	}
	// The next page keeps the order.
	if got := s.submit(t, "go to page 2", chromedp.Click(chromedp.CSS(`nav.lotse-pager__nav a[rel="next"]`))); got != http.StatusOK {
		t.Fatalf("page 2 gave %d", got)
	}
	if p := s.path(); !strings.Contains(p, "seite=2") || !strings.Contains(p, "sort=due") || !strings.Contains(p, "dir=desc") {
		t.Errorf("page 2 lost the order: %s", p)
	}
	if txt := s.text(t); !strings.Contains(txt, "Seite 2 von") {
		t.Errorf("no \"Seite 2 von\" on page 2: %.300s", txt)
	}
	if !s.present(t, `th[data-sort="due"][aria-sort="descending"]`) {
		t.Errorf("page 2 is not sorted by due date, descending")
	}
	s.check(t, "aufgaben-seite-2")
	s.visit(t, "aufgaben-seite-2-en", s.path()+"&lang=en", http.StatusOK)
	if txt := s.text(t); !strings.Contains(txt, "Page 2 of") || !strings.Contains(txt, "Download:") {
		t.Errorf("the English list: %.300s", txt)
	}
	s.open(t, "/faelle?lang=de")
	s.check(t, "faelle-liste")

	// Back to ascending through the header: the list's default, on page 1.
	s.open(t, "/aufgaben?sort=due&dir=desc&seite=2")
	if got := s.submit(t, "sort by due date, ascending", chromedp.Click(chromedp.CSS(dueHeader))); got != http.StatusOK {
		t.Fatalf("sorting gave %d", got)
	}
	dues := run(t, s, "read the due dates", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('main tbody tr td:nth-child(5) time')).map(e => e.getAttribute('datetime'))`))
	if len(dues) < 2 || !slices.IsSorted(dues) || !s.present(t, `th[data-sort="due"][aria-sort="ascending"]`) {
		t.Errorf("ascending by due date: %v", dues)
	}

	// Download both files through the page's links.
	s.open(t, "/aufgaben")
	rows := readListCSV(t, s.download(t, `a[href^="/aufgaben.csv"]`, ".csv"))
	if want := []string{"Aufgabe", "Aktenzeichen", "Name", "Bereich", "Priorität", "Fällig am", "Status", "Zuletzt geändert"}; !slices.Equal(rows[0], want) {
		t.Errorf("CSV header %q, want %q", rows[0], want)
	}
	evilRow := listRowWith(rows, "'"+listsEvilTitle)
	if evilRow == nil || evilRow[1] != evil.Reference || evilRow[2] != "'"+model.PersonName(listsEvilName, "@Amina") || evilRow[5] != day(2).Format("02.01.2006") {
		t.Errorf("the formula row is not inert: %q", evilRow)
	}
	guarded(t, rows)
	x := openXLSX(t, s.download(t, `a[href^="/aufgaben.xlsx"]`, ".xlsx"))
	sheet := x.GetSheetName(0)
	xrows, _ := x.GetRows(sheet)
	if len(xrows) != len(rows) || xrows[0][0] != "Aufgabe" {
		t.Errorf("the workbook has %d rows (CSV %d), header %q", len(xrows), len(rows), xrows[0])
	}
	stringCells(t, x, sheet, xrows, listsEvilTitle, model.PersonName(listsEvilName, "@Amina"))

	// The partner's files show the mask, never the hidden name.
	partner.open(t, "/aufgaben")
	b := partner.download(t, `a[href^="/aufgaben.csv"]`, ".csv")
	prow := listRowWith(readListCSV(t, b), "Sprachkurs anmelden")
	if prow == nil || prow[1] != hidden.Reference || prow[2] != "Name nicht freigegeben" {
		t.Errorf("the partner's task row: %q", prow)
	}
	partner.visit(t, "faelle-liste", "/faelle", http.StatusOK)
	xb := partner.download(t, `a[href^="/faelle.xlsx"]`, ".xlsx")
	for _, file := range [][]byte{b, xb} {
		if bytes.Contains(file, []byte("Zielinska")) || bytes.Contains(file, []byte("Oksana")) {
			t.Errorf("a partner's file holds the hidden name")
		}
	}
	px := openXLSX(t, xb)
	prows, _ := px.GetRows(px.GetSheetName(0))
	if r := listRowWith(prows, hidden.Reference); r == nil || r[1] != "Name nicht freigegeben" {
		t.Errorf("the partner's case row: %q", r)
	}
}

// firstTaskTitle is the title of the first task in the table.
func (s *session) firstTaskTitle(t *testing.T) string {
	t.Helper()
	return strings.TrimSpace(run(t, s, "read the first task", chromedp.Evaluate[string](
		`(document.querySelector('main tbody tr th') || {}).firstChild?.textContent || ''`)))
}

// download clicks the link (a CSS selector) and returns the file the browser saved, from a
// download folder of this test.
func (s *session) download(t *testing.T, link, ext string) []byte {
	t.Helper()
	dir := t.TempDir()
	id := chromedp.FromContext(s.ctx).BrowserContextID
	if _, err := chromedp.CallBrowser(s.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, BrowserContextID: id, DownloadPath: dir,
	}); err != nil {
		t.Fatalf("%s: allow downloads: %v", s.role, err)
	}
	s.do(t, "click "+link, chromedp.Click(chromedp.CSS(link)))
	deadline := time.Now().Add(stepTimeout)
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(dir, "*"+ext))
		if len(files) == 1 {
			b, err := os.ReadFile(files[0])
			if err == nil && len(b) > 0 {
				return b
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: no %s file arrived from %s", s.role, ext, link)
	return nil
}

// readListCSV checks the form German Excel opens (byte order mark, ';') and parses it.
func readListCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	body, ok := bytes.CutPrefix(b, []byte("\ufeff"))
	if !ok {
		t.Fatalf("the CSV has no byte order mark: %.60q", b)
	}
	if !bytes.Contains(body, []byte("\r\n")) {
		t.Errorf("the CSV's lines do not end in CRLF")
	}
	r := csv.NewReader(bytes.NewReader(body))
	r.Comma = ';'
	rows, err := r.ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("the CSV does not parse with ';': %v", err)
	}
	return rows
}

func listRowWith(rows [][]string, cell string) []string {
	for _, r := range rows {
		if slices.Contains(r, cell) {
			return r
		}
	}
	return nil
}

// guarded fails on any CSV cell a spreadsheet would compute.
func guarded(t *testing.T, rows [][]string) {
	t.Helper()
	for _, r := range rows {
		for _, c := range r {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Errorf("a CSV cell a spreadsheet computes: %q", c)
			}
		}
	}
}

func openXLSX(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	t.Cleanup(func() { x.Close() })
	return x
}

// stringCells checks that the cells holding values are string cells, not formulas.
func stringCells(t *testing.T, x *excelize.File, sheet string, rows [][]string, values ...string) {
	t.Helper()
	for _, v := range values {
		found := false
		for ri, r := range rows {
			for ci, c := range r {
				if c != v {
					continue
				}
				found = true
				cell, _ := excelize.CoordinatesToCellName(ci+1, ri+1)
				typ, _ := x.GetCellType(sheet, cell)
				f, _ := x.GetCellFormula(sheet, cell)
				if f != "" || (typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString) {
					t.Errorf("workbook cell %s %q: type %v, formula %q", cell, v, typ, f)
				}
			}
		}
		if !found {
			t.Errorf("the workbook lacks %q", v)
		}
	}
}
