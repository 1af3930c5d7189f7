package web

// The pages of the coordination staff (statistics), the administration (organisations,
// members, roles), the data protection officer (audit log), and the organisation switch of
// the frame. Each handler binds its form, calls one service method and renders a component;
// a failed form is shown again with its messages next to the fields and the values kept.

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/authn"
	"github.com/lotse-project/lotse/internal/locale"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/ui/components"
)

// -- Organisation switch ----------------------------------------------------------------

// switchOrganisation keeps the organisation chosen in the frame's switch in the session, so
// that the user acts in it from the next request on, and goes back to the page they came
// from. An organisation the user holds no role in is refused (403), and nothing is kept.
func (s *Server) switchOrganisation(c echo.Context) error {
	org, err := uuid.Parse(strings.TrimSpace(c.FormValue("org")))
	if err != nil {
		return fmt.Errorf("web: switch organisation: %w", model.Invalid("org", model.CodeFormat))
	}
	a := actor(c)
	_, ms, err := s.svc.Access.Actor(c.Request().Context(), service.ActorRequest{UserID: a.UserID, OrgID: &org, RequestID: requestID(c), RemoteAddr: c.RealIP()})
	if err != nil {
		return fmt.Errorf("web: switch organisation: %w", err)
	}
	if s.auth.Sessions == nil {
		return fmt.Errorf("web: switch organisation: no sessions: %w", model.ErrInvalid)
	}
	s.auth.Sessions.Put(c.Request().Context(), sessionOrgKey, org.String())
	name := ""
	for _, m := range ms {
		if m.Org.ID == org {
			name = m.Org.Name
		}
	}
	s.flash(c, s.localizer(c).T("admin.flash.org_switched", map[string]any{"Org": name}))
	return c.Redirect(http.StatusSeeOther, returnPath(c))
}

// returnPath is the local page to go back to after the switch: the form's "return"
// field, else the page the form was on (the Referer, same origin only), else the start page.
func returnPath(c echo.Context) string {
	if r := c.FormValue("return"); r != "" {
		return authn.SafeReturn(r)
	}
	ref, err := url.Parse(c.Request().Referer())
	if err != nil || ref.Path == "" || (ref.Host != "" && ref.Host != c.Request().Host) {
		return "/"
	}
	p := ref.EscapedPath()
	if ref.RawQuery != "" {
		p += "?" + ref.RawQuery
	}
	return authn.SafeReturn(p)
}

// -- CSV for German Excel -----------------------------------------------------------------

// directoryCSV writes CSV (encoding/csv) the way German Excel opens it without an import
// dialogue: UTF-8 with a byte order mark, ';' between fields, CRLF at line ends. A cell that
// starts with =, +, -, @, a tab or a carriage return gets a leading ' so that a spreadsheet
// takes it as text, not as a formula (CSV injection: a name "=HYPERLINK(…)" typed into a
// form must not become a live formula on the DPO's computer).
type directoryCSV struct {
	w   *csv.Writer
	err error
}

func newAdminCSV(w io.Writer) *directoryCSV {
	x := &directoryCSV{w: csv.NewWriter(w)}
	x.w.Comma, x.w.UseCRLF = ';', true
	_, x.err = io.WriteString(w, "\ufeff")
	return x
}

// csvGuard defuses a cell that a spreadsheet would take for a formula: one starting with
// = + - @, a tab or a carriage return, or the full-width forms of = + - @ (which some
// spreadsheets fold to the ASCII ones).
func csvGuard(s string) string {
	if r, _ := utf8.DecodeRuneInString(s); s != "" && strings.ContainsRune("=+-@\t\r＝＋－＠", r) {
		return "'" + s
	}
	return s
}

// Row writes one line and passes it on (a streamed export is written row by row); the first
// error sticks.
func (x *directoryCSV) Row(fields ...string) {
	if x.err != nil {
		return
	}
	cells := make([]string, len(fields))
	for i, f := range fields {
		cells[i] = csvGuard(f)
	}
	if x.err = x.w.Write(cells); x.err == nil {
		x.w.Flush()
		x.err = x.w.Error()
	}
}

// csvHeaders prepares a CSV download.
func csvHeaders(c echo.Context, name string) {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
}

// -- Statistics ---------------------------------------------------------------------------

func (s *Server) statisticsPage(c echo.Context) error {
	st, err := s.svc.Statistics.Overview(c.Request().Context(), actor(c))
	if err != nil {
		return fmt.Errorf("web: statistics: %w", err)
	}
	l := s.localizer(c)
	return s.render(c, http.StatusOK, components.Statistics(statsView(l, st, func(code string) string { return statsMonth(l, code) })))
}

// statsView is the statistics page's view of st, its rows and columns named in the user's
// language; month names a month ("2026-03").
func statsView(l *locale.Localizer, st *model.CityStatistics, month func(code string) string) components.StatsView {
	area := func(lb model.StatLabel) string {
		if l.Lang.String() == "en" && lb.NameEN != "" {
			return lb.NameEN
		}
		if lb.NameDE != "" {
			return lb.NameDE
		}
		return lb.Code
	}
	district := func(lb model.StatLabel) string {
		if lb.Code == "" {
			return l.T("stats.district_unknown")
		}
		return lb.Code
	}
	areaStatus := func(lb model.StatLabel) string { return l.T("stats.area_status." + lb.Code) }
	refStatus := func(lb model.StatLabel) string { return l.T("stats.referral_status." + lb.Code) }
	kind := func(lb model.StatLabel) string { return l.T("admin.kind." + lb.Code) }
	cases := func(model.StatLabel) string { return l.T("stats.col_cases") }
	return components.StatsView{
		At:         st.At,
		AreaStatus: statTable(st.AreaStatus, area, areaStatus),
		NewCases:   statTable(st.NewCases, func(lb model.StatLabel) string { return month(lb.Code) }, cases),
		Districts:  statTable(st.Districts, district, cases),
		Referrals:  statTable(st.Referrals, kind, refStatus),
	}
}

// statsMonth writes a month "2026-03" as 03/2026 in German.
func statsMonth(l *locale.Localizer, code string) string {
	if y, m, ok := strings.Cut(code, "-"); ok && l.Lang.String() != "en" {
		return m + "/" + y
	}
	return code
}

// statTable is a table of the statistics with its rows and columns named.
func statTable(t model.StatTable, rowName, colName func(model.StatLabel) string) components.StatTable {
	out := components.StatTable{Total: statCell(t.Total)}
	for _, c := range t.Cols {
		out.Cols = append(out.Cols, colName(c))
	}
	for i, r := range t.Rows {
		row := components.StatRow{Label: rowName(r)}
		if i < len(t.RowTotals) {
			row.Total = statCell(t.RowTotals[i])
		}
		if i < len(t.Cells) {
			for _, c := range t.Cells[i] {
				row.Cells = append(row.Cells, statCell(c))
			}
		}
		out.Rows = append(out.Rows, row)
	}
	for _, c := range t.ColTotals {
		out.ColTotals = append(out.ColTotals, statCell(c))
	}
	return out
}

func statCell(c model.Count) components.StatCell {
	return components.StatCell{Text: c.String(), N: c.N, Suppressed: c.Suppressed}
}

// statisticsCSV is the statistics page's tables in one CSV file, one block per table.
func (s *Server) statisticsCSV(c echo.Context) error {
	st, err := s.svc.Statistics.Overview(c.Request().Context(), actor(c))
	if err != nil {
		return fmt.Errorf("web: statistics: %w", err)
	}
	l := s.localizer(c)
	var b strings.Builder
	x := newAdminCSV(&b)
	when := st.At.In(model.Berlin).Format("2006-01-02 15:04")
	x.Row(l.T("stats.title"), when)
	x.Row(l.T("stats.csv.note"))
	// The CSV writes months as they sort ("2026-03").
	v := statsView(l, st, func(code string) string { return code })
	table := func(caption, rowHead string, t components.StatTable) {
		x.Row()
		x.Row(caption)
		head := append([]string{rowHead}, t.Cols...)
		if len(t.Cols) > 1 {
			head = append(head, l.T("stats.total"))
		}
		x.Row(head...)
		for _, r := range t.Rows {
			line := []string{r.Label}
			for _, cell := range r.Cells {
				line = append(line, cell.Text)
			}
			if len(t.Cols) > 1 {
				line = append(line, r.Total.Text)
			}
			x.Row(line...)
		}
		foot := []string{l.T("stats.total")}
		for _, cell := range t.ColTotals {
			foot = append(foot, cell.Text)
		}
		if len(t.Cols) > 1 {
			foot = append(foot, t.Total.Text)
		}
		x.Row(foot...)
	}
	table(l.T("stats.areas_caption"), l.T("stats.col_area"), v.AreaStatus)
	table(l.T("stats.new_caption"), l.T("stats.col_month"), v.NewCases)
	table(l.T("stats.districts_caption"), l.T("stats.col_district"), v.Districts)
	table(l.T("stats.referrals_caption"), l.T("stats.col_kind"), v.Referrals)
	if x.err != nil {
		return fmt.Errorf("web: statistics csv: %w", x.err)
	}
	csvHeaders(c, "lotse-statistik-"+st.At.In(model.Berlin).Format("2006-01-02")+".csv")
	return c.String(http.StatusOK, b.String())
}

// -- Audit log ----------------------------------------------------------------------------

// auditFilter binds the audit log's filter from the query string. Problems of the input
// itself (a date that is no date, an organisation id that is none) become messages at the
// fields; the service checks the rest.
func auditFilter(c echo.Context) (model.AuditFilter, components.AuditFilterForm, components.FormErrors) {
	q := c.QueryParams()
	form := components.AuditFilterForm{
		Case: strings.TrimSpace(q.Get("case")), User: strings.TrimSpace(q.Get("user")), Org: strings.TrimSpace(q.Get("org")),
		From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to")), Action: strings.TrimSpace(q.Get("action")),
	}
	f := model.AuditFilter{Case: form.Case, User: form.User, Action: form.Action}
	var errs components.FormErrors
	if form.Org != "" {
		if id, err := uuid.Parse(form.Org); err == nil {
			f.OrgID = &id
		} else {
			errs = append(errs, components.FieldErr{Field: "org", ID: "audit-org", Msg: components.FormMsg{Key: "auditlog.err.org"}})
		}
	}
	for _, d := range []struct {
		field, value string
		dst          **time.Time
	}{{"from", form.From, &f.From}, {"to", form.To, &f.To}} {
		if d.value == "" {
			continue
		}
		t, ok := parseDate(d.value)
		if !ok || t == nil {
			errs = append(errs, components.FieldErr{Field: d.field, ID: "audit-" + d.field, Msg: components.FormMsg{Key: "auditlog.err.date"}})
			continue
		}
		*d.dst = t
	}
	f.Cursor = q.Get("before")
	return f, form, errs
}

// auditQuery is the query string of a filter, for the links to more pages and the export.
func auditQuery(form components.AuditFilterForm, before string) string {
	v := url.Values{}
	for k, val := range map[string]string{"case": form.Case, "user": form.User, "org": form.Org, "from": form.From, "to": form.To, "action": form.Action} {
		if val != "" {
			v.Set(k, val)
		}
	}
	if before != "" {
		v.Set("before", before)
	}
	return v.Encode()
}

// auditErrors turns the service's complaints about a filter into messages at its fields.
func auditErrors(l *locale.Localizer, ve *model.ValidationError) components.FormErrors {
	var out components.FormErrors
	for _, fe := range ve.Fields {
		id := "audit-" + fe.Field
		if fe.Field == "cursor" || fe.Field == "limit" {
			id = "" // a position in the log, no input
		}
		key, data := fieldMessage(l, scopeAudit, fe)
		out = append(out, components.FieldErr{Field: fe.Field, ID: id, Msg: components.FormMsg{Key: key, Data: data}})
	}
	return out
}

// auditActionGroups are the actions the log can be filtered by, grouped by object.
func auditActionGroups(l *locale.Localizer) []components.AuditActionGroup {
	var out []components.AuditActionGroup
	for _, a := range model.AuditActions {
		obj, _, _ := strings.Cut(a, ".")
		if len(out) == 0 || out[len(out)-1].Object != obj {
			out = append(out, components.AuditActionGroup{Object: obj, Name: namedOr(l, "auditlog.object."+obj, obj)})
		}
		out[len(out)-1].Actions = append(out[len(out)-1].Actions, components.Option{Value: a, Label: auditActionName(l, a)})
	}
	return out
}

// auditActionName is the readable name of an audit action ("Fall angesehen" for case.read);
// an action of an older version without a name stays its code.
func auditActionName(l *locale.Localizer, action string) string {
	return namedOr(l, "auditlog.action."+action, action)
}

// auditPurposeName names a purpose Lotse records itself ("Fallarbeit" for case work); a
// purpose a caller gave stays as given.
func auditPurposeName(l *locale.Localizer, purpose string) string {
	if slices.Contains(model.AuditPurposes, purpose) {
		return namedOr(l, "auditlog.purpose."+strings.ReplaceAll(purpose, " ", "_"), purpose)
	}
	return purpose
}

// namedOr is the message key in the user's language, or fallback when there is none.
func namedOr(l *locale.Localizer, key, fallback string) string {
	if s := l.T(key); s != key {
		return s
	}
	return fallback
}

// auditRow is an event as the audit log shows it: its action, object type and purpose named
// ("Fall" for the object type case).
func auditRow(l *locale.Localizer, r model.AuditRow) components.AuditRow {
	out := components.AuditRow{
		At: r.At, Actor: r.ActorName, Org: r.OrgName, Roles: r.Role, Action: auditActionName(l, r.Action),
		ObjectType: namedOr(l, "auditlog.objtype."+r.ObjectType, r.ObjectType), ObjectID: r.ObjectID,
		CaseReference: r.CaseReference, Purpose: auditPurposeName(l, r.Purpose), RequestID: r.RequestID,
	}
	if r.CaseID != nil {
		out.CaseID = r.CaseID.String()
	}
	return out
}

// orgOptions are organisations to choose from, except one (uuid.Nil: none).
func orgOptions(orgs []model.Organisation, except uuid.UUID) []components.Option {
	var out []components.Option
	for _, o := range orgs {
		if o.ID != except {
			out = append(out, components.Option{Value: o.ID.String(), Label: o.Name})
		}
	}
	return out
}

func (s *Server) auditPage(c echo.Context) error {
	ctx, a, l := c.Request().Context(), actor(c), s.localizer(c)
	f, form, errs := auditFilter(c)
	v := components.AuditView{Filter: form, Errors: errs, ActionGroups: auditActionGroups(l)}
	if ok, err := s.svc.Access.Allowed(a, "audit", "verify"); err == nil && ok {
		v.ChainURL = "/protokoll/kette"
	}
	if len(errs) == 0 {
		page, err := s.svc.Audit.List(ctx, a, f)
		var ve *model.ValidationError
		switch {
		case errors.As(err, &ve):
			v.Errors = auditErrors(l, ve)
		case err != nil:
			return fmt.Errorf("web: audit log: %w", err)
		default:
			for _, r := range page.Items {
				v.Rows = append(v.Rows, auditRow(l, r))
			}
			v.Orgs = orgOptions(page.Organisations, uuid.Nil)
			if page.NextCursor != "" {
				v.NextURL = "/protokoll?" + auditQuery(form, page.NextCursor)
			}
			if f.Cursor != "" {
				v.FirstURL = "/protokoll?" + auditQuery(form, "")
			}
			if ok, err := s.svc.Access.Allowed(a, "audit", "export"); err == nil && ok {
				v.ExportURL = "/protokoll.csv"
				if q := auditQuery(form, ""); q != "" {
					v.ExportURL += "?" + q
				}
			}
			return s.render(c, http.StatusOK, components.AuditLog(v))
		}
	}
	// The filter has problems: show it again with its messages and the organisations to
	// choose from, but no events.
	if orgs, err := s.svc.Directory.ListOrganisations(ctx, a); err == nil {
		v.Orgs = orgOptions(orgs, uuid.Nil)
	}
	return s.render(c, http.StatusBadRequest, components.AuditLog(v))
}

// auditCSV streams the filtered audit log as CSV. The export is recorded before the first
// row; a failure in the middle of the stream aborts the response, so that a cut file cannot
// pass for a complete one.
func (s *Server) auditCSV(c echo.Context) error {
	ctx, a, l := c.Request().Context(), actor(c), s.localizer(c)
	f, _, errs := auditFilter(c)
	if len(errs) > 0 {
		return fmt.Errorf("web: audit export: %w", model.Invalid(errs[0].Field, model.CodeInvalid))
	}
	var x *directoryCSV
	start := func() {
		if x != nil {
			return
		}
		csvHeaders(c, "lotse-protokoll-"+s.svc.Now().In(model.Berlin).Format("2006-01-02")+".csv")
		c.Response().WriteHeader(http.StatusOK)
		x = newAdminCSV(c.Response())
		x.Row(l.T("auditlog.col.time"), l.T("auditlog.col.actor"), l.T("auditlog.col.org"), l.T("auditlog.col.role"),
			l.T("auditlog.col.action"), l.T("auditlog.col.object"), l.T("auditlog.col.object_id"), l.T("auditlog.col.case"),
			l.T("auditlog.col.purpose"), l.T("auditlog.col.request"), l.T("auditlog.col.action_code"))
	}
	err := s.svc.Audit.Export(ctx, a, f, func(r model.AuditRow) error {
		start()
		v := auditRow(l, r)
		caseRef := v.CaseReference
		if caseRef == "" {
			caseRef = v.CaseID
		}
		x.Row(r.At.In(model.Berlin).Format("2006-01-02 15:04:05"), v.Actor, v.Org, v.Roles, v.Action,
			v.ObjectType, v.ObjectID, caseRef, v.Purpose, v.RequestID, r.Action)
		return x.err
	})
	if err != nil && x == nil {
		return fmt.Errorf("web: audit export: %w", err)
	}
	if err != nil {
		s.log.Error("audit export broke off", slog.String("request_id", requestID(c)), slog.Any("error", err))
		panic(http.ErrAbortHandler)
	}
	start() // an empty export still has its header line
	return x.err
}

// -- Administration -----------------------------------------------------------------------

// orgPath is the administration page of an organisation.
func orgPath(id uuid.UUID) string { return "/verwaltung/organisationen/" + id.String() }

// orgForm reads the form of an organisation.
func orgForm(c echo.Context) components.AdminOrgForm {
	v, _ := strconv.Atoi(c.FormValue("version"))
	return components.AdminOrgForm{
		Name: c.FormValue("name"), ShortName: strings.TrimSpace(c.FormValue("short_name")), Kind: c.FormValue("kind"),
		ParentID: c.FormValue("parent_id"), ContactEmail: c.FormValue("contact_email"), ContactPhone: c.FormValue("contact_phone"),
		Active: c.FormValue("active") == "1", AllowAdminCasework: c.FormValue("allow_admin_casework") == "1", Version: v,
	}
}

// orgValues are an organisation's stored values as a form.
func orgValues(o model.Organisation) components.AdminOrgForm {
	f := components.AdminOrgForm{Name: o.Name, ShortName: o.ShortName, Kind: string(o.Kind), ContactEmail: o.ContactEmail,
		ContactPhone: o.ContactPhone, Active: o.Active, AllowAdminCasework: o.AllowAdminCasework, Version: o.Version}
	if o.ParentID != nil {
		f.ParentID = o.ParentID.String()
	}
	return f
}

// orgFormFields maps the services' field names to the inputs of the forms ("org-new-name").
var orgFormFields = map[string]string{
	"name": "name", "short_name": "short", "kind": "kind", "parent_id": "parent", "contact_email": "email",
	"contact_phone": "phone", "display_name": "name", "email": "email", "subject": "email", "issuer": "email", "role": "role",
	"allow_admin_casework": "admin-casework",
}

// fieldOrder is the position of a field in the forms, so that the error summary lists
// the problems in the order of the fields (the services sort them by name).
func fieldOrder(field string) int {
	for i, f := range []string{"", "name", "short_name", "kind", "parent_id", "contact_email", "contact_phone", "display_name", "email", "role", "allow_admin_casework"} {
		if f == field {
			return i
		}
	}
	return 99
}

// directoryFormErrors turns a failed change into the messages of a form whose inputs have ids
// "<prefix>-<input>". ok is false for errors that are not about the input (not found, a
// database failure): those become an error page.
func directoryFormErrors(l *locale.Localizer, err error, prefix string) (errs components.FormErrors, ok bool) {
	var ve *model.ValidationError
	var rc *model.RoleConflictError
	switch {
	case errors.As(err, &rc):
		// Separation of duties: at the role asked for, or at the organisation's exception
		// that cannot be switched off while the combination is held.
		if prefix == "org-edit" {
			return components.FormErrors{{Field: "allow_admin_casework", ID: prefix + "-admin-casework", Msg: components.FormMsg{Text: roleConflictText(l, rc)}}}, true
		}
		return components.FormErrors{{Field: "role", ID: prefix + "-role", Msg: components.FormMsg{Text: roleConflictText(l, rc)}}}, true
	case errors.As(err, &ve):
		for _, fe := range ve.Fields {
			field, id := fe.Field, ""
			if in, known := orgFormFields[fe.Field]; known {
				id = prefix + "-" + in
				if fe.Field == "subject" || fe.Field == "issuer" {
					field = "email"
				}
			}
			if fe.Field == "org_id" {
				field = ""
			}
			key, data := fieldMessage(l, scopeAdmin, fe)
			errs = append(errs, components.FieldErr{Field: field, ID: id, Msg: components.FormMsg{Key: key, Data: data}})
		}
		sort.SliceStable(errs, func(i, j int) bool { return fieldOrder(errs[i].Field) < fieldOrder(errs[j].Field) })
		return errs, true
	case errors.Is(err, model.ErrNotFound):
		return nil, false
	case errors.Is(err, model.ErrForbidden):
		// A role the user may not grant (the form never offers one), or their own account.
		msg := l.T("admin.err.role_forbidden")
		if errors.Is(err, model.ErrOwnAccount) {
			msg = l.T("admin.err.self")
		}
		return components.FormErrors{{Field: "role", ID: prefix + "-role", Msg: components.FormMsg{Text: msg}}}, true
	case errors.Is(err, model.ErrConflict):
		return components.FormErrors{{Field: "role", ID: prefix + "-role", Msg: components.FormMsg{Key: "admin.err.grant_exists"}}}, true
	}
	return nil, false
}

func (s *Server) administrationPage(c echo.Context) error {
	ov, err := s.svc.Directory.AdminOverview(c.Request().Context(), actor(c))
	if err != nil {
		return fmt.Errorf("web: administration: %w", err)
	}
	return s.render(c, http.StatusOK, components.Administration(overviewView(ov)))
}

// overviewView is the administration's start page for ov.
func overviewView(ov *model.AdminOverview) components.AdminOverviewView {
	v := components.AdminOverviewView{CanCreate: ov.CanCreate, Parents: orgOptions(ov.Parents, uuid.Nil), Kinds: orgKinds()}
	names := map[uuid.UUID]string{}
	for _, o := range ov.Organisations {
		names[o.ID] = o.Name
	}
	for _, o := range ov.Organisations {
		row := components.AdminOrgRow{ID: o.ID.String(), Name: o.Name, ShortName: o.ShortName, Kind: string(o.Kind), Depth: o.Depth, Active: o.Active}
		if o.ParentID != nil {
			row.ParentName = names[*o.ParentID]
		}
		v.Organisations = append(v.Organisations, row)
	}
	return v
}

// orgKinds are the organisation kinds to choose from.
func orgKinds() []string {
	out := make([]string, len(model.OrgKinds))
	for i, k := range model.OrgKinds {
		out[i] = string(k)
	}
	return out
}

func (s *Server) createOrganisation(c echo.Context) error {
	ctx, a, l := c.Request().Context(), actor(c), s.localizer(c)
	form := orgForm(c)
	in := model.OrganisationCreate{Kind: model.OrgKind(form.Kind), Name: form.Name, ShortName: form.ShortName,
		ContactEmail: form.ContactEmail, ContactPhone: form.ContactPhone}
	var err error
	if form.ParentID != "" {
		p, perr := uuid.Parse(form.ParentID)
		if perr != nil {
			err = model.Invalid("parent_id", model.CodeNotUsable)
		}
		in.ParentID = &p
	}
	var o *model.Organisation
	if err == nil {
		o, err = s.svc.Directory.CreateOrganisation(ctx, a, in)
	}
	if err == nil {
		s.flash(c, l.T("admin.flash.org_created", map[string]any{"Org": o.Name}))
		return c.Redirect(http.StatusSeeOther, orgPath(o.ID))
	}
	errs, ok := directoryFormErrors(l, err, "org-new")
	if !ok || errors.Is(err, model.ErrForbidden) {
		return fmt.Errorf("web: create organisation: %w", err)
	}
	ov, err := s.svc.Directory.AdminOverview(ctx, a)
	if err != nil {
		return fmt.Errorf("web: administration: %w", err)
	}
	v := overviewView(ov)
	v.New, v.Errors = form, errs
	return s.render(c, http.StatusUnprocessableEntity, components.Administration(v))
}

// orgView loads the page of an organisation with its forms as stored.
func (s *Server) orgView(c echo.Context, id uuid.UUID) (components.AdminOrgView, error) {
	pg, err := s.svc.Directory.AdminOrganisation(c.Request().Context(), actor(c), id)
	if err != nil {
		return components.AdminOrgView{}, fmt.Errorf("web: organisation page: %w", err)
	}
	return orgPageView(pg, actor(c).UserID), nil
}

// orgPageView is the administration page of pg, for the user self, with its forms as
// stored.
func orgPageView(pg *model.AdminOrganisation, self uuid.UUID) components.AdminOrgView {
	o := pg.Org
	v := components.AdminOrgView{
		Org: components.AdminOrgDetails{
			ID: o.ID.String(), Name: o.Name, ShortName: o.ShortName, Kind: string(o.Kind), ContactEmail: o.ContactEmail,
			ContactPhone: o.ContactPhone, Root: o.ParentID == nil, AdminCasework: o.AllowsAdminCasework(), Active: o.Active,
		},
		Parents: orgOptions(pg.Parents, o.ID), Kinds: orgKinds(),
		CanUpdate: pg.CanUpdate, CanCreateMember: pg.CanCreateMember, CanUpdateMembers: pg.CanUpdateMembers,
		CanAllowAdminCasework: pg.CanAllowAdminCasework,
		Edit:                  orgValues(o),
	}
	if pg.Parent != nil {
		v.Org.ParentName = pg.Parent.Name
	}
	for _, r := range pg.GrantableRoles {
		v.GrantableRoles = append(v.GrantableRoles, string(r))
	}
	for _, m := range pg.Members {
		v.Members = append(v.Members, memberView(pg, m, self))
	}
	return v
}

// memberView is a member of pg's organisation with their roles there and elsewhere, the
// roles the user self may take away and those they may still grant. Nobody changes their own
// roles.
func memberView(pg *model.AdminOrganisation, m model.Member, self uuid.UUID) components.AdminMember {
	u := m.User
	out := components.AdminMember{ID: u.ID.String(), Name: u.DisplayName, Email: u.Email, Active: u.Active,
		Version: u.Version, LastLogin: u.LastLoginAt, Self: u.ID == self}
	held := map[model.Role]bool{}
	for _, g := range m.Grants {
		if g.OrgID != pg.Org.ID {
			out.RolesElsewhere = append(out.RolesElsewhere, components.AdminRoleAt{Role: string(g.Role), Org: pg.OrgNames[g.OrgID]})
			continue
		}
		held[g.Role] = true
		out.Roles = append(out.Roles, components.AdminGrant{ID: g.ID.String(), Role: string(g.Role),
			Removable: g.UserID != self && slices.Contains(pg.GrantableRoles, g.Role)})
	}
	if !out.Self && u.Active {
		for _, r := range pg.GrantableRoles {
			if !held[r] {
				out.RolesToAdd = append(out.RolesToAdd, string(r))
			}
		}
	}
	return out
}

func (s *Server) organisationPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	v, err := s.orgView(c, id)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, components.AdminOrganisation(v))
}

func (s *Server) updateOrganisation(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, a, l := c.Request().Context(), actor(c), s.localizer(c)
	form := orgForm(c)
	kind := model.OrgKind(form.Kind)
	p := model.OrganisationPatch{Name: &form.Name, ShortName: &form.ShortName, Kind: &kind,
		ContactEmail: &form.ContactEmail, ContactPhone: &form.ContactPhone, Active: &form.Active}
	if c.FormValue("admin_casework_offered") == "1" {
		// Only the system administrator's form has the exception; sent by anyone else, the
		// service refuses it (403).
		p.AllowAdminCasework = &form.AllowAdminCasework
	}
	if form.ParentID != "" {
		parent, perr := uuid.Parse(form.ParentID)
		if perr != nil {
			err = model.Invalid("parent_id", model.CodeNotUsable)
		}
		p.ParentID = &parent
	}
	if err == nil {
		_, err = s.svc.Directory.UpdateOrganisation(ctx, a, id, p, form.Version)
	}
	if err == nil {
		s.flash(c, l.T("admin.flash.org_updated"))
		return c.Redirect(http.StatusSeeOther, orgPath(id))
	}
	var rc *model.RoleConflictError
	if errors.Is(err, model.ErrConflict) && !errors.Is(err, model.ErrInvalid) && !errors.As(err, &rc) {
		// Changed meanwhile: show the current state to check, with the new version.
		v, verr := s.orgView(c, id)
		if verr != nil {
			return verr
		}
		v.EditErrors = components.FormErrors{{Msg: components.FormMsg{Key: "admin.err.conflict"}}}
		return s.render(c, http.StatusConflict, components.AdminOrganisation(v))
	}
	errs, ok := directoryFormErrors(l, err, "org-edit")
	if !ok || errors.Is(err, model.ErrForbidden) {
		return fmt.Errorf("web: update organisation: %w", err)
	}
	v, err := s.orgView(c, id)
	if err != nil {
		return err
	}
	v.Edit, v.EditErrors = form, errs
	return s.render(c, http.StatusUnprocessableEntity, components.AdminOrganisation(v))
}

func (s *Server) createMember(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, a, l := c.Request().Context(), actor(c), s.localizer(c)
	form := components.AdminMemberForm{DisplayName: c.FormValue("display_name"), Email: strings.TrimSpace(c.FormValue("email")), Role: c.FormValue("role")}
	m, err := s.svc.Directory.CreateMember(ctx, a, model.MemberCreate{DisplayName: form.DisplayName, Email: form.Email, OrgID: id, Role: model.Role(form.Role)})
	if err == nil {
		s.flash(c, l.T("admin.flash.member_created", map[string]any{"Name": m.User.DisplayName}))
		return c.Redirect(http.StatusSeeOther, orgPath(id)+"#mitglied-"+m.User.ID.String())
	}
	errs, ok := directoryFormErrors(l, err, "member-new")
	if !ok {
		return fmt.Errorf("web: create member: %w", err)
	}
	v, err := s.orgView(c, id)
	if err != nil {
		return err
	}
	v.NewMember, v.MemberErrors = form, errs
	return s.render(c, http.StatusUnprocessableEntity, components.AdminOrganisation(v))
}

func (s *Server) createGrant(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, a, l := c.Request().Context(), actor(c), s.localizer(c)
	user, err := uuid.Parse(c.FormValue("user_id"))
	if err != nil {
		return fmt.Errorf("web: grant role: %w", model.ErrNotFound)
	}
	role := c.FormValue("role")
	_, err = s.svc.Directory.CreateGrant(ctx, a, model.GrantCreate{UserID: user, OrgID: id, Role: model.Role(role)})
	if err == nil {
		s.flash(c, l.T("admin.flash.grant_added"))
		return c.Redirect(http.StatusSeeOther, orgPath(id)+"#mitglied-"+user.String())
	}
	errs, ok := directoryFormErrors(l, err, "grant-role-"+user.String())
	if !ok {
		return fmt.Errorf("web: grant role: %w", err)
	}
	for i := range errs {
		// The role select of this member's form is the one field of the form.
		errs[i].Field, errs[i].ID = "role", "grant-role-"+user.String()
	}
	v, err := s.orgView(c, id)
	if err != nil {
		return err
	}
	v.GrantUser, v.GrantRole, v.GrantErrors = user.String(), role, errs
	return s.render(c, http.StatusUnprocessableEntity, components.AdminOrganisation(v))
}

// addAccount gives an existing account (found by its e-mail address) a role here.
func (s *Server) addAccount(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, a, l := c.Request().Context(), actor(c), s.localizer(c)
	form := components.AdminMemberForm{Email: strings.TrimSpace(c.FormValue("email")), Role: c.FormValue("role")}
	g, err := s.svc.Directory.GrantByEmail(ctx, a, id, form.Email, model.Role(form.Role))
	if err == nil {
		s.flash(c, l.T("admin.flash.grant_added"))
		return c.Redirect(http.StatusSeeOther, orgPath(id)+"#mitglied-"+g.UserID.String())
	}
	errs, ok := directoryFormErrors(l, err, "member-add")
	if !ok {
		return fmt.Errorf("web: add account: %w", err)
	}
	v, err := s.orgView(c, id)
	if err != nil {
		return err
	}
	v.AddMember, v.AddErrors = form, errs
	return s.render(c, http.StatusUnprocessableEntity, components.AdminOrganisation(v))
}

// returnOrg is the organisation page to go back to after a change of an account or
// grant: the form's or link's "org", else the administration's start page.
func returnOrg(c echo.Context) string {
	if id, err := uuid.Parse(c.FormValue("org")); err == nil {
		return orgPath(id)
	}
	return "/verwaltung"
}

// confirmed reports whether a destructive post came from its confirmation page.
func confirmed(c echo.Context) bool { return c.FormValue("confirm") == "yes" }

func (s *Server) confirmRemoveGrant(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	g, err := s.svc.Directory.AdminGrant(c.Request().Context(), actor(c), id)
	if err != nil {
		return fmt.Errorf("web: confirm removing a role: %w", err)
	}
	back := orgPath(g.Org.ID)
	return s.render(c, http.StatusOK, components.AdminConfirm(components.AdminConfirmView{
		Kind: "remove_grant", MemberName: g.Member.DisplayName, OrgName: g.Org.Name, Role: string(g.Grant.Role),
		Action: "/verwaltung/rollen/" + id.String() + "/entfernen", Back: back, ReturnOrg: g.Org.ID.String(),
	}))
}

func (s *Server) removeGrant(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if !confirmed(c) {
		return c.Redirect(http.StatusSeeOther, "/verwaltung/rollen/"+id.String()+"/entfernen")
	}
	if err := s.svc.Directory.DeleteGrant(c.Request().Context(), actor(c), id); err != nil {
		return fmt.Errorf("web: remove role: %w", err)
	}
	s.flash(c, s.localizer(c).T("admin.flash.grant_removed"))
	return c.Redirect(http.StatusSeeOther, returnOrg(c))
}

func (s *Server) confirmDeactivate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a := actor(c)
	if id == a.UserID {
		return fmt.Errorf("web: deactivate: your own account: %w", model.ErrForbidden)
	}
	m, err := s.svc.Directory.GetMember(c.Request().Context(), a, id)
	if err != nil {
		return fmt.Errorf("web: confirm deactivation: %w", err)
	}
	back := returnOrg(c)
	return s.render(c, http.StatusOK, components.AdminConfirm(components.AdminConfirmView{
		Kind: "deactivate", MemberName: m.User.DisplayName, Action: "/verwaltung/mitglieder/" + id.String() + "/deaktivieren",
		Back: back, Version: m.User.Version, ReturnOrg: c.FormValue("org"),
	}))
}

func (s *Server) deactivate(c echo.Context) error {
	return s.setActive(c, false)
}

func (s *Server) reactivate(c echo.Context) error {
	return s.setActive(c, true)
}

// setActive deactivates (after the confirmation) or reactivates an account.
func (s *Server) setActive(c echo.Context, active bool) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if !active && !confirmed(c) {
		target := "/verwaltung/mitglieder/" + id.String() + "/deaktivieren"
		if org, err := uuid.Parse(c.FormValue("org")); err == nil {
			target += "?org=" + org.String()
		}
		return c.Redirect(http.StatusSeeOther, target)
	}
	version, _ := strconv.Atoi(c.FormValue("version"))
	m, err := s.svc.Directory.UpdateMember(c.Request().Context(), actor(c), id, model.MemberPatch{Active: &active}, version)
	if err != nil {
		return fmt.Errorf("web: change account state: %w", err)
	}
	key := "admin.flash.member_reactivated"
	if !active {
		key = "admin.flash.member_deactivated"
	}
	s.flash(c, s.localizer(c).T(key, map[string]any{"Name": m.User.DisplayName}))
	return c.Redirect(http.StatusSeeOther, returnOrg(c))
}
