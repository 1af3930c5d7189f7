package web

// Subject access (GDPR Art. 15, docs/subject-access.md): the data protection officer finds a
// person and starts a request (/auskunft), a department head confirms it
// (/auskunft/bestaetigen), the officer exports the document (German, for printing to PDF) or
// JSON once every lead organisation has confirmed.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/locale"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/ui/components"
)

// sarErrors turns the service's complaints into messages at the page's fields.
func sarErrors(l *locale.Localizer, ve *model.ValidationError) components.FormErrors {
	var out components.FormErrors
	for _, fe := range ve.Fields {
		key, data := fieldMessage(l, "", fe)
		out = append(out, components.FieldErr{Field: fe.Field, ID: "sar-" + fe.Field, Msg: components.FormMsg{Key: key, Data: data}})
	}
	return out
}

// subjectAccessPage shows the search, its matches (with the form that starts a request) and
// the requests.
func (s *Server) subjectAccessPage(c echo.Context) error {
	v := components.SARView{Find: components.SARFindForm{
		FamilyName: c.QueryParam("family_name"), GivenNames: c.QueryParam("given_names"), BirthDate: c.QueryParam("birth_date")}}
	status := http.StatusOK
	if c.QueryParams().Has("family_name") {
		day, ok := parseDate(v.Find.BirthDate)
		if !ok {
			v.Errors = components.FormErrors{{Field: "birth_date", ID: "sar-birth_date", Msg: components.FormMsg{Key: "validation." + model.CodeFormat}}}
			status = http.StatusUnprocessableEntity
		} else {
			matches, err := s.svc.SubjectAccess.Find(c.Request().Context(), actor(c), model.SubjectAccessFind{
				FamilyName: v.Find.FamilyName, GivenNames: v.Find.GivenNames, BirthDate: day})
			var ve *model.ValidationError
			switch {
			case errors.As(err, &ve):
				v.Errors, status = sarErrors(s.localizer(c), ve), http.StatusUnprocessableEntity
			case err != nil:
				return fmt.Errorf("web: subject access find: %w", err)
			default:
				v.Searched = true
				for _, m := range matches {
					v.Matches = append(v.Matches, components.SARMatch{PersonID: m.PersonID.String(), CaseReference: m.CaseReference, LeadOrg: m.LeadOrgName})
				}
			}
		}
	}
	return s.renderSubjectAccess(c, status, v)
}

// renderSubjectAccess adds the requests to v and renders the officer's page.
func (s *Server) renderSubjectAccess(c echo.Context, status int, v components.SARView) error {
	reqs, err := s.svc.SubjectAccess.List(c.Request().Context(), actor(c))
	if err != nil {
		return fmt.Errorf("web: subject access requests: %w", err)
	}
	for _, r := range reqs {
		row := components.SARRequestRow{ID: r.ID.String(), Reference: r.Reference, RequestedAt: exportMoment(r.RequestedAt),
			Status: r.Status(), Exportable: r.Confirmed()}
		for _, k := range r.Confirmations {
			conf := components.SARConfirmation{Org: k.OrgName, Done: k.ConfirmedAt != nil}
			if k.ConfirmedAt != nil {
				conf.At = exportMoment(*k.ConfirmedAt)
			}
			row.Confirmations = append(row.Confirmations, conf)
		}
		v.Requests = append(v.Requests, row)
	}
	return s.render(c, status, components.SubjectAccess(v))
}

// startSubjectAccess starts a request for the marked person records.
func (s *Server) startSubjectAccess(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return fmt.Errorf("web: subject access form: %w", model.Invalid("form", model.CodeUnreadable))
	}
	in := model.SubjectAccessStart{Reference: form.Get("reference")}
	for _, p := range form["person"] {
		id, err := uuid.Parse(p)
		if err != nil {
			return fmt.Errorf("web: subject access person: %w", model.ErrNotFound)
		}
		in.PersonIDs = append(in.PersonIDs, id)
	}
	_, err = s.svc.SubjectAccess.Start(c.Request().Context(), actor(c), in)
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		v := components.SARView{Find: components.SARFindForm{Reference: in.Reference}, Errors: sarErrors(s.localizer(c), ve)}
		return s.renderSubjectAccess(c, http.StatusUnprocessableEntity, v)
	}
	if err != nil {
		return fmt.Errorf("web: subject access start: %w", err)
	}
	s.flash(c, s.localizer(c).T("subjectaccess.started"))
	return c.Redirect(http.StatusSeeOther, "/auskunft")
}

// subjectAccessConfirmPage lists the requests that wait for the department head.
func (s *Server) subjectAccessConfirmPage(c echo.Context) error {
	pending, err := s.svc.SubjectAccess.Pending(c.Request().Context(), actor(c))
	if err != nil {
		return fmt.Errorf("web: subject access pending: %w", err)
	}
	var v components.SARConfirmView
	for _, p := range pending {
		v.Pending = append(v.Pending, components.SARPendingRow{ID: p.Request.ID.String(), Reference: p.Request.Reference,
			RequestedAt: exportMoment(p.Request.RequestedAt), Cases: p.CaseReferences})
	}
	return s.render(c, http.StatusOK, components.SubjectAccessConfirm(v))
}

// confirmSubjectAccess records the department head's confirmation.
func (s *Server) confirmSubjectAccess(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.svc.SubjectAccess.Confirm(c.Request().Context(), actor(c), id); err != nil {
		return fmt.Errorf("web: subject access confirm: %w", err)
	}
	s.flash(c, s.localizer(c).T("subjectaccess.confirm.done"))
	return c.Redirect(http.StatusSeeOther, "/auskunft/bestaetigen")
}

// subjectAccessExport exports a request; before every confirmation the officer's page shows
// why not (422), and nothing is exported.
func (s *Server) subjectAccessExport(c echo.Context, asJSON bool) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	exp, err := s.svc.SubjectAccess.Export(c.Request().Context(), actor(c), id)
	var ve *model.ValidationError
	if errors.As(err, &ve) {
		return s.renderSubjectAccess(c, http.StatusUnprocessableEntity, components.SARView{Errors: sarErrors(s.localizer(c), ve)})
	}
	if err != nil {
		return fmt.Errorf("web: subject access export: %w", err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	if asJSON {
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="auskunft-`+exp.ExportedAt.In(model.Berlin).Format("2006-01-02")+`.json"`)
		return c.JSON(http.StatusOK, exp)
	}
	return s.render(c, http.StatusOK, components.SubjectAccessDocument(sarDocument(s.localizer(c), exp)))
}

func (s *Server) subjectAccessDocument(c echo.Context) error { return s.subjectAccessExport(c, false) }
func (s *Server) subjectAccessJSON(c echo.Context) error     { return s.subjectAccessExport(c, true) }

// sarDocument is the export as the German document shows it: labels from the locale
// (subjectaccess.field.<table>.<column>), values in German forms, the names to review marked.
func sarDocument(l *locale.Localizer, exp *model.SubjectAccessExport) components.SARDocView {
	v := components.SARDocView{Reference: exp.Reference, RequestedAt: exportMoment(exp.RequestedAt), ExportedAt: exportMoment(exp.ExportedAt)}
	for _, k := range exp.Confirmed {
		v.Confirmed = append(v.Confirmed, k.Organisation+" ("+exportMoment(k.At)+")")
	}
	for _, sec := range exp.Sections {
		ds := components.SARDocSection{Title: namedOr(l, "subjectaccess.section."+sec.Table, sec.Table)}
		for _, row := range sec.Rows {
			var rec components.SARDocRecord
			for _, col := range sec.Columns {
				f := components.SARDocField{Label: namedOr(l, "subjectaccess.field."+sec.Table+"."+col, col)}
				text := sarValue(l, row.Fields[col])
				f.Parts = sarMark(text, row.Review[col])
				if names := row.Review[col]; len(names) > 0 {
					f.Review, rec.Review = strings.Join(names, ", "), true
				}
				rec.Fields = append(rec.Fields, f)
			}
			ds.Records = append(ds.Records, rec)
		}
		v.Sections = append(v.Sections, ds)
	}
	for _, h := range exp.History {
		var roles []string
		for _, r := range strings.Split(h.Role, ",") {
			if r = strings.TrimSpace(r); r != "" {
				roles = append(roles, namedOr(l, "role."+r, r))
			}
		}
		v.History = append(v.History, components.SARDocHistory{At: exportMoment(h.At), Org: h.Organisation, Role: strings.Join(roles, ", "),
			Action: auditActionName(l, h.Action), Purpose: auditPurposeName(l, h.Purpose)})
	}
	return v
}

// sarValue writes a value as the database held it (to_jsonb) in German forms: dates and
// moments as 31.12.2026 (14:05), lists joined, yes/no, nothing as –.
func sarValue(l *locale.Localizer, x any) string {
	switch x := x.(type) {
	case nil:
		return "–"
	case bool:
		if x {
			return l.T("subjectaccess.doc.yes")
		}
		return l.T("subjectaccess.doc.no")
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return exportMoment(t)
		}
		if t, err := time.Parse("2006-01-02", x); err == nil {
			return exportDay(&t)
		}
		if x == "" {
			return "–"
		}
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = sarValue(l, e)
		}
		if len(parts) == 0 {
			return "–"
		}
		return strings.Join(parts, ", ")
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// sarMark splits text into parts, marking each occurrence of one of names (any case).
func sarMark(text string, names []string) []components.SARTextPart {
	if len(names) == 0 {
		return []components.SARTextPart{{Text: text}}
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = regexp.QuoteMeta(n)
	}
	re := regexp.MustCompile(`(?i)` + strings.Join(quoted, "|"))
	var out []components.SARTextPart
	last := 0
	for _, m := range re.FindAllStringIndex(text, -1) {
		if m[0] > last {
			out = append(out, components.SARTextPart{Text: text[last:m[0]]})
		}
		out = append(out, components.SARTextPart{Text: text[m[0]:m[1]], Mark: true})
		last = m[1]
	}
	if last < len(text) {
		out = append(out, components.SARTextPart{Text: text[last:]})
	}
	return out
}
