package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/xuri/excelize/v2"

	"github.com/lotse-project/lotse/internal/locale"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/ui/components"
)

// Lists that scale (docs/lists.md): every list page keeps its filters, its order and its page
// in the URL (GET forms and links), sorts by the column headers (the service's whitelist of
// sort keys, sorted in SQL) and offers the whole list, with the same filters and order, as a
// download: CSV for German Excel and XLSX. A download is the same service read as the page,
// masked the same way, in one transaction with one "<object>.export" audit event.

// listSizes are the page sizes offered; the first is the default.
var listSizes = []int{25, 50, 100}

// openTaskStatuses are the states of a task still to be worked on.
var openTaskStatuses = []model.TaskStatus{model.TaskOpen, model.TaskInProgress, model.TaskWaiting}

// listOrder reads the order and page of a list from the query: a sort key the list offers
// (anything else is the default), the direction, the page number and size. Unknown values
// fall back to the defaults: a list link never fails on its order.
func listOrder(c echo.Context, keys []string, defaultSort string, defaultDesc bool) (model.ListOrder, int) {
	return listOrderFrom(c.QueryParam, keys, defaultSort, defaultDesc)
}

// listOrderFrom is listOrder from any source of values (a query, or a form that keeps the
// list's state).
func listOrderFrom(get func(string) string, keys []string, defaultSort string, defaultDesc bool) (model.ListOrder, int) {
	return listOrderSized(get, keys, defaultSort, defaultDesc, listSizes)
}

// listOrderSized is listOrderFrom with the list's own page sizes (the first is the default).
func listOrderSized(get func(string) string, keys []string, defaultSort string, defaultDesc bool, sizes []int) (model.ListOrder, int) {
	o := model.ListOrder{Sort: defaultSort, Desc: defaultDesc}
	if k := get(components.ListParamSort); slices.Contains(keys, k) {
		o.Sort, o.Desc = k, false
	}
	switch get(components.ListParamDir) {
	case "desc":
		o.Desc = true
	case "asc":
		o.Desc = false
	}
	if n, err := strconv.Atoi(get(components.ListParamPage)); err == nil && n >= 1 && n <= 1000 {
		o.Page = n
	} else {
		o.Page = 1
	}
	size := sizes[0]
	if n, err := strconv.Atoi(get(components.ListParamSize)); err == nil && slices.Contains(sizes, n) {
		size = n
	}
	return o, size
}

// listing is the URL state of a list before its total is known.
func listing(path, defaultSort string, defaultDesc bool, filters url.Values, o model.ListOrder, size int) components.ListingView {
	return components.ListingView{
		Path: path, Filters: filters, Sort: o.Sort, DefaultSort: defaultSort, Desc: o.Desc, DefaultDesc: defaultDesc,
		Page: o.Page, Size: size, Sizes: listSizes, ExportMax: model.ExportMax,
	}
}

// listingDone completes lv with the list's total and its name.
func listingDone(lv components.ListingView, total int64, label string) components.ListingView {
	lv.Total, lv.Label = total, label
	if lv.Size < 1 {
		lv.Size = listSizes[0]
	}
	lv.Pages = int((total + int64(lv.Size) - 1) / int64(lv.Size))
	if lv.Pages < 1 {
		lv.Pages = 1
	}
	return lv
}

// keep copies the non-empty query parameters names of c into a filter set.
func keep(c echo.Context, names ...string) url.Values {
	out := url.Values{}
	for _, n := range names {
		if v := strings.TrimSpace(c.QueryParam(n)); v != "" {
			out.Set(n, v)
		}
	}
	return out
}

// -- The lists' filters -------------------------------------------------------------------

var (
	taskSortKeys     = []string{model.SortDue, model.SortPriority, model.SortChanged, model.SortName}
	caseSortKeys     = []string{model.SortChanged, model.SortName, model.SortReference}
	referralSortKeys = []string{model.SortCreated, model.SortDue, model.SortName}
)

// inboxSizes are the inbox's page sizes: a whole working day's referrals on one page by
// default, since its groups (overdue, due soon, new, in progress) count the page.
var inboxSizes = []int{100, 50, 25}

// inboxSortKeys are the inbox's sort keys: its own order (the reply deadline) and the name.
var inboxSortKeys = []string{model.SortDue, model.SortName}

// inboxFilter is the inbox as the query describes it: every active incoming referral, in
// the order (reply deadline by default) and on the page asked for.
func inboxFilter(c echo.Context) (model.ReferralFilter, components.ListingView) {
	o, size := listOrderSized(c.QueryParam, inboxSortKeys, model.SortDue, false, inboxSizes)
	f := model.ReferralFilter{Box: model.ReferralsIncoming, Status: model.ActiveReferralStatuses, Limit: size, ListOrder: o}
	lv := listing("/eingang", model.SortDue, false, url.Values{}, o, size)
	lv.Sizes = inboxSizes
	return f, lv
}

// outboxFilter is the outbox as the query describes it: the status, the order (newest first
// by default) and the page.
func outboxFilter(c echo.Context) (model.ReferralFilter, components.ListingView) {
	filters := keep(c, "status")
	o, size := listOrder(c, referralSortKeys, model.SortCreated, true)
	f := model.ReferralFilter{Box: model.ReferralsOutgoing, Limit: size, ListOrder: o}
	if st := filters.Get("status"); st != "" && slices.Contains(outboxStatuses, model.ReferralStatus(st)) {
		f.Status = []model.ReferralStatus{model.ReferralStatus(st)}
	} else {
		filters.Del("status")
	}
	return f, listing("/vermittlungen", model.SortCreated, true, filters, o, size)
}

// taskListFilter is the worklist of "Meine Aufgaben" as the query describes it: status
// (open, done, all), whose (queue: mine and the organisation's unassigned ones; mine), the
// order (due date by default) and the page.
func taskListFilter(c echo.Context) (model.TaskFilter, components.ListingView) {
	filters := keep(c, "status", "wer")
	o, size := listOrder(c, taskSortKeys, model.SortDue, false)
	f := model.TaskFilter{Limit: size, ListOrder: o}
	switch filters.Get("status") {
	case "done":
		f.Status = []model.TaskStatus{model.TaskDone}
	case "all":
	default:
		filters.Del("status")
		f.Status = openTaskStatuses
	}
	if filters.Get("wer") == "mine" {
		f.Mine = true
	} else {
		filters.Del("wer")
		f.Queue = true
	}
	return f, listing("/aufgaben", model.SortDue, false, filters, o, size)
}

// caseListFilter is the case list as the query describes it: the search (a name, or a
// reference number), status, area and area status, the order (last change by default).
func caseListFilter(c echo.Context) (model.CaseFilter, components.ListingView) {
	filters := keep(c, "q", "status", "area", "area_status")
	o, size := listOrder(c, caseSortKeys, model.SortChanged, true) // newest change first
	f := model.CaseFilter{
		Status: model.CaseStatus(filters.Get("status")), Area: filters.Get("area"),
		AreaStatus: model.AreaStatusValue(filters.Get("area_status")), Limit: size, ListOrder: o,
	}
	if q := filters.Get("q"); referencePattern.MatchString(q) {
		f.Reference = q
	} else {
		f.Q = q
	}
	return f, listing("/faelle", model.SortChanged, true, filters, o, size)
}

// -- Downloads ----------------------------------------------------------------------------

// exportTable is a list as a download: its header line in the user's language and its rows
// as the page shows them (masked by the service).
type exportTable struct {
	// File is the file name without date and extension ("lotse-aufgaben").
	File  string
	Sheet string
	Head  []string
	// Widths are the XLSX column widths, in characters.
	Widths []float64
	Rows   [][]string
}

// exportDay writes a calendar day as German Excel reads it: 31.12.2026; empty for none.
func exportDay(d *time.Time) string {
	if d == nil || d.IsZero() {
		return ""
	}
	return d.Format("02.01.2006")
}

// exportMoment writes a moment in the city's time zone: 31.12.2026 14:05.
func exportMoment(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(model.Berlin).Format("02.01.2006 15:04")
}

// exportName is the main person's name as the mask lets the user see it.
func exportName(l *locale.Localizer, lb *model.CaseLabel) string {
	switch {
	case lb == nil:
		return ""
	case lb.NameHidden:
		return l.T("lists.name_hidden")
	}
	return lb.Name
}

// sendExport writes t as format ("csv" or "xlsx").
func (s *Server) sendExport(c echo.Context, format string, t exportTable) error {
	name := t.File + "-" + s.svc.Now().In(model.Berlin).Format("2006-01-02")
	switch format {
	case "csv":
		csvHeaders(c, name+".csv")
		c.Response().WriteHeader(http.StatusOK)
		x := newAdminCSV(c.Response())
		x.Row(t.Head...)
		for _, r := range t.Rows {
			x.Row(r...)
		}
		return x.err
	case "xlsx":
		f, err := xlsxOf(t)
		if err != nil {
			return fmt.Errorf("web: xlsx: %w", err)
		}
		defer f.Close()
		h := c.Response().Header()
		h.Set(echo.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`.xlsx"`)
		h.Set("Cache-Control", "no-store")
		c.Response().WriteHeader(http.StatusOK)
		return f.Write(c.Response())
	}
	return echo.ErrNotFound
}

// xlsxOf builds the workbook of t: one sheet, the header row bold and frozen, the columns as
// wide as t says. Every cell is written as a string cell (SetCellStr), never as a formula,
// so a name "=HYPERLINK(…)" stays text (a spreadsheet computes only formula cells).
func xlsxOf(t exportTable) (*excelize.File, error) {
	f := excelize.NewFile()
	sheet := t.Sheet
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		f.Close()
		return nil, err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		f.Close()
		return nil, err
	}
	write := func(row int, cells []string) error {
		for i, v := range cells {
			ref, err := excelize.CoordinatesToCellName(i+1, row)
			if err != nil {
				return err
			}
			if err := f.SetCellStr(sheet, ref, v); err != nil {
				return err
			}
		}
		return nil
	}
	if err := write(1, t.Head); err != nil {
		f.Close()
		return nil, err
	}
	last, _ := excelize.CoordinatesToCellName(len(t.Head), 1)
	if err := f.SetCellStyle(sheet, "A1", last, bold); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		f.Close()
		return nil, err
	}
	for i, w := range t.Widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, col, col, w); err != nil {
			f.Close()
			return nil, err
		}
	}
	for i, r := range t.Rows {
		if err := write(i+2, r); err != nil {
			f.Close()
			return nil, err
		}
	}
	return f, nil
}

// exportFormat is the route's format: the path ends in .csv or .xlsx.
func exportFormat(c echo.Context) string {
	p := c.Path()
	return p[strings.LastIndexByte(p, '.')+1:]
}

// taskExport downloads "Meine Aufgaben" with the page's filters and order (GET
// /aufgaben.csv, /aufgaben.xlsx): one Tasks.Export call, masked and audited there.
func (s *Server) taskExport(c echo.Context) error {
	ctx, a, l := c.Request().Context(), actor(c), s.localizer(c)
	f, _ := taskListFilter(c)
	tasks, err := s.svc.Tasks.Export(ctx, a, f)
	if err != nil {
		return fmt.Errorf("web: task export: %w", err)
	}
	_, areaNames, err := s.areas(c)
	if err != nil {
		return err
	}
	t := exportTable{
		File: "lotse-" + l.T("lists.tasks.file"), Sheet: l.T("lists.tasks.sheet"),
		Head: []string{l.T("lists.col.title"), l.T("lists.col.reference"), l.T("lists.col.name"), l.T("lists.col.area"),
			l.T("lists.col.priority"), l.T("lists.col.due"), l.T("lists.col.status"), l.T("lists.col.changed")},
		Widths: []float64{40, 16, 28, 20, 12, 12, 14, 18},
	}
	for _, x := range tasks {
		ref := ""
		if x.Case != nil {
			ref = x.Case.Reference
		}
		area := ""
		if x.Area != nil {
			area = areaNames[*x.Area]
		}
		t.Rows = append(t.Rows, []string{x.Title, ref, exportName(l, x.Case), area,
			l.T("cases.priority." + string(x.Priority)), exportDay(x.DueDate), l.T("cases.task_status." + string(x.Status)), exportMoment(x.UpdatedAt)})
	}
	return s.sendExport(c, exportFormat(c), t)
}

// teamExport downloads the team dashboard's task list with its filter and order (GET
// /team/aufgaben.csv, .xlsx): one Dashboard.TeamExport call, masked and audited there.
func (s *Server) teamExport(c echo.Context) error {
	ctx, a, l := c.Request().Context(), actor(c), s.localizer(c)
	f, _ := teamFilter(c.QueryParam)
	tasks, err := s.svc.Dashboard.TeamExport(ctx, a, f)
	if err != nil {
		return fmt.Errorf("web: team export: %w", err)
	}
	_, areaNames, err := s.areas(c)
	if err != nil {
		return err
	}
	_, orgNames, err := s.orgs(c)
	if err != nil {
		return err
	}
	t := exportTable{
		File: "lotse-" + l.T("lists.team.file"), Sheet: l.T("lists.team.sheet"),
		Head: []string{l.T("lists.col.title"), l.T("lists.col.reference"), l.T("lists.col.name"), l.T("lists.col.assignee"), l.T("lists.col.org"),
			l.T("lists.col.area"), l.T("lists.col.priority"), l.T("lists.col.due"), l.T("lists.col.overdue_days"), l.T("lists.col.changed")},
		Widths: []float64{40, 16, 28, 24, 30, 20, 12, 12, 10, 18},
	}
	for _, x := range tasks {
		ref, area, late := "", "", ""
		if x.Case != nil {
			ref = x.Case.Reference
		}
		if x.Area != nil {
			area = areaNames[*x.Area]
		}
		if x.Overdue {
			late = strconv.Itoa(x.DaysOverdue)
		}
		t.Rows = append(t.Rows, []string{x.Title, ref, exportName(l, x.Case), x.AssigneeName, orgNames[x.OrgID], area,
			l.T("cases.priority." + string(x.Priority)), exportDay(x.DueDate), late, exportMoment(x.UpdatedAt)})
	}
	return s.sendExport(c, exportFormat(c), t)
}

// caseExport downloads the case list with the page's search, filters and order (GET
// /faelle.csv, /faelle.xlsx): one Cases.Export call, masked and audited there.
func (s *Server) caseExport(c echo.Context) error {
	ctx, a, l := c.Request().Context(), actor(c), s.localizer(c)
	f, _ := caseListFilter(c)
	cases, err := s.svc.Cases.Export(ctx, a, f)
	if err != nil {
		return fmt.Errorf("web: case export: %w", err)
	}
	_, orgNames, err := s.orgs(c)
	if err != nil {
		return err
	}
	t := exportTable{
		File: "lotse-" + l.T("lists.cases.file"), Sheet: l.T("lists.cases.sheet"),
		Head: []string{l.T("lists.col.reference"), l.T("lists.col.name"), l.T("lists.col.household"), l.T("lists.col.status"),
			l.T("lists.col.lead_org"), l.T("lists.col.changed")},
		Widths: []float64{16, 30, 10, 14, 30, 18},
	}
	for _, cv := range cases {
		lb := cv.Label()
		household := ""
		if lb.HouseholdSize > 0 {
			household = strconv.Itoa(lb.HouseholdSize)
		}
		t.Rows = append(t.Rows, []string{cv.Reference, exportName(l, &lb), household, l.T("cases.case_status." + string(cv.Status)),
			orgNames[cv.LeadOrgID], exportMoment(cv.UpdatedAt)})
	}
	return s.sendExport(c, exportFormat(c), t)
}

// referralExport downloads the outbox (GET /vermittlungen.csv, .xlsx: the page's status
// filter and order) or the inbox (GET /eingang.csv, .xlsx: every active incoming referral,
// in the page's order): one Referrals.Export call, masked and audited there.
func (s *Server) referralExport(c echo.Context) error {
	ctx, a, l := c.Request().Context(), actor(c), s.localizer(c)
	inbox := strings.HasPrefix(c.Path(), "/eingang")
	var f model.ReferralFilter
	if inbox {
		f, _ = inboxFilter(c)
	} else {
		f, _ = outboxFilter(c)
	}
	refs, err := s.svc.Referrals.Export(ctx, a, f)
	if err != nil {
		return fmt.Errorf("web: referral export: %w", err)
	}
	names, err := s.lookup(c)
	if err != nil {
		return err
	}
	t := exportTable{
		File: "lotse-" + l.T("lists.outbox.file"), Sheet: l.T("lists.outbox.label"),
		Head: []string{l.T("lists.col.referral"), l.T("lists.col.reference"), l.T("lists.col.name"), l.T("lists.col.to"), l.T("lists.col.areas"),
			l.T("lists.col.sent"), l.T("lists.col.reply_due"), l.T("lists.col.status"), l.T("lists.col.reply")},
		Widths: []float64{16, 16, 28, 30, 30, 12, 12, 14, 40},
	}
	if inbox {
		t.File, t.Sheet, t.Head[3] = "lotse-"+l.T("lists.inbox.file"), l.T("lists.inbox.label"), l.T("lists.col.from")
	}
	for _, r := range refs {
		other := r.ToOrgID
		if inbox {
			other = r.FromOrgID
		}
		ref := ""
		if r.Case != nil {
			ref = r.Case.Reference
		}
		it := referralItem(r, other, names, s.svc.Today())
		t.Rows = append(t.Rows, []string{r.Reference, ref, exportName(l, r.Case), it.Org, strings.Join(it.Areas, ", "),
			exportDay(&it.SentAt), exportDay(&it.ReplyDue), l.T("partner.status." + string(r.Status)), it.Reply})
	}
	return s.sendExport(c, exportFormat(c), t)
}
