package web

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"

	"github.com/lotse-project/lotse/internal/locale"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/ui/components"
)

// The caseworker's pages (routes.go, "Caseworkers"): my tasks with the quick status change,
// the case list and search, a new case, the case page (household, plan, consents, timeline,
// notes, case status), recording and revoking consents, and referring a case. Each form
// posts to its page (POST-redirect-GET with a flash message); a failed one is shown again
// with the messages beside the fields and the values kept. The services decide what the
// user sees and may do; these handlers bind forms, call the services and render.
// Names beginning with cw ("caseworker") keep this part apart from the other parts of web.

// languageCodes are the languages offered as checkboxes (the frequent ones in the city);
// others can be entered as ISO 639 codes.
var languageCodes = []string{"ar", "uk", "ru", "fa", "ps", "ku", "tr", "ti", "so", "ro", "en", "fr", "de"}

// osnabrueckDistricts are the districts (Stadtteile) of Osnabrück, offered as suggestions.
var osnabrueckDistricts = []string{
	"Atter", "Darum-Gretesch-Lüstringen", "Dodesheide", "Eversburg", "Fledder", "Gartlage", "Hafen", "Haste",
	"Hellern", "Innenstadt", "Kalkhügel", "Nahne", "Pye", "Schinkel", "Schinkel-Ost", "Schölerberg",
	"Sonnenhügel", "Sutthausen", "Voxtrup", "Westerberg", "Weststadt", "Widukindland", "Wüste",
}

// residenceStatuses are suggestions for the residence status (terms of German law, the
// same in every language of the UI).
var residenceStatuses = []string{
	"Aufenthaltsgestattung", "Aufenthaltserlaubnis", "Niederlassungserlaubnis", "Duldung",
	"Fiktionsbescheinigung", "Freizügigkeit (EU)",
}

// areas returns the areas in use and their names in the user's language.
func (s *Server) areas(c echo.Context) ([]model.Area, map[string]string, error) {
	areas, err := s.svc.Cases.Areas(c.Request().Context(), actor(c))
	if err != nil {
		return nil, nil, err
	}
	return areas, areaNamesOf(areas, s.localizer(c).Lang == language.English), nil
}

// areaNamesOf names the areas in German, or in English where they have an English name.
func areaNamesOf(areas []model.Area, en bool) map[string]string {
	names := make(map[string]string, len(areas))
	for _, a := range areas {
		names[a.Code] = a.NameDE
		if en && a.NameEN != "" {
			names[a.Code] = a.NameEN
		}
	}
	return names
}

func areaOptions(areas []model.Area, names map[string]string, only []string) []components.Option {
	var out []components.Option
	for _, a := range areas {
		if only != nil && !slices.Contains(only, a.Code) {
			continue
		}
		out = append(out, components.Option{Value: a.Code, Label: names[a.Code]})
	}
	return out
}

func areaNameList(codes []string, names map[string]string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = names[c]
		if out[i] == "" {
			out[i] = c
		}
	}
	return out
}

// orgs returns the organisations the user may see (configuration, not case content) and
// their names; a user who may see none gets none.
func (s *Server) orgs(c echo.Context) ([]model.Organisation, map[uuid.UUID]string, error) {
	orgs, err := s.svc.Directory.ListOrganisations(c.Request().Context(), actor(c))
	if hidden(err) {
		return nil, map[uuid.UUID]string{}, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return orgs, orgNameMap(orgs), nil
}

// orgNameMap maps the organisations' ids to their names.
func orgNameMap(orgs []model.Organisation) map[uuid.UUID]string {
	names := make(map[uuid.UUID]string, len(orgs))
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	return names
}

// orgOptionList lists the active organisations, without the actor's own when except is set.
func orgOptionList(orgs []model.Organisation, except uuid.UUID) []components.Option {
	var out []components.Option
	for _, o := range orgs {
		if !o.Active || o.ID == except {
			continue
		}
		out = append(out, components.Option{Value: o.ID.String(), Label: o.Name})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out
}

func whoView(a model.Actor, id *uuid.UUID, names map[uuid.UUID]string) components.Who {
	if id == nil {
		return components.Who{}
	}
	if *id == a.UserID {
		return components.Who{Me: true}
	}
	return components.Who{Name: names[*id]}
}

// caseFormErrors turns a service's validation error (or a lost race, or a refused change of state)
// into the messages of a form (fieldMessage words them). rename maps the service's field
// names to the form's inputs ("" for the whole form); order lists the inputs in the order of
// the form. ok is false for any other error.
func caseFormErrors(l *locale.Localizer, err error, rename func(model.FieldError) string, order []string) (components.FormErrors, bool) {
	var te *model.TransitionError
	if errors.As(err, &te) {
		return components.FormErrors{{Msg: components.FormMsg{Text: transitionText(l, te)}}}, true
	}
	if errors.Is(err, model.ErrConflict) {
		return components.FormErrors{{Msg: components.FormMsg{Key: "cases.err.conflict"}}}, true
	}
	var ve *model.ValidationError
	if !errors.As(err, &ve) {
		return nil, false
	}
	var out components.FormErrors
	for _, f := range ve.Fields {
		name := f.Field
		if rename != nil {
			name = rename(f)
		}
		if name != "" && out.For(name) != nil {
			continue // one message per input is enough
		}
		key, data := fieldMessage(l, scopeCases, f)
		out = append(out, components.FieldErr{Field: name, Msg: components.FormMsg{Key: key, Data: data}})
	}
	pos := func(f string) int {
		if i := slices.Index(order, f); i >= 0 {
			return i
		}
		return len(order)
	}
	sort.SliceStable(out, func(i, j int) bool { return pos(out[i].Field) < pos(out[j].Field) })
	return out, true
}

func fieldErr(field, key string) components.FieldErr {
	return components.FieldErr{Field: field, Msg: components.FormMsg{Key: key}}
}

// ---------------------------------------------------------------------------------------
// Meine Aufgaben

// myTasks shows the open tasks assigned to the user and the unassigned ones of the
// organisation, grouped by due date.
func (s *Server) myTasks(c echo.Context) error {
	v, err := s.myTasksView(c, uuid.Nil, nil)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, components.MyTasks(v))
}

func (s *Server) myTasksView(c echo.Context, failed uuid.UUID, msg *components.FormMsg) (components.MyTasksView, error) {
	ctx, a := c.Request().Context(), actor(c)
	f, lv := taskListFilter(c)
	page, err := s.svc.Tasks.List(ctx, a, f)
	if err != nil {
		return components.MyTasksView{}, err
	}
	_, areaNames, err := s.areas(c)
	if err != nil {
		return components.MyTasksView{}, err
	}
	v := components.MyTasksView{Status: lv.Filters.Get("status"), Whose: lv.Filters.Get("wer"), List: listingDone(lv, page.Total, s.localizer(c).T("lists.tasks.label")), CanCreate: s.svc.Tasks.MayCreateWithoutCase(actor(c))}
	if v.Status == "" {
		v.Status = "open"
	}
	if v.Whose == "" {
		v.Whose = "queue"
	}
	today := s.svc.Today()
	shown := false
	for _, t := range page.Items {
		row := taskRow(t, areaNames)
		row.Overdue = t.DueDate != nil && t.DueDate.Before(today) && slices.Contains(openTaskStatuses, t.Status)
		if t.ID == failed {
			row.Err, shown = msg, true
		}
		v.Rows = append(v.Rows, row)
	}
	if msg != nil && !shown {
		v.Err = msg
	}
	return v, nil
}

// caseLabel is a case's name in a list (model.CaseLabel), linked to the case page; nil where
// the reader does not reach the case.
func caseLabel(id uuid.UUID, l *model.CaseLabel) *components.CaseLabelView {
	if l == nil {
		return nil
	}
	return &components.CaseLabelView{Href: "/faelle/" + id.String(), Reference: l.Reference, Name: l.Name, NameHidden: l.NameHidden, Household: l.HouseholdSize}
}

func taskRow(t model.Task, areaNames map[string]string) components.MyTaskRowView {
	r := components.MyTaskRowView{
		ID: t.ID.String(), Title: t.Title, Priority: string(t.Priority), Due: t.DueDate, Status: string(t.Status),
		Version: t.Version, Next: model.AllowedTransitions("task", string(t.Status)), Unassigned: t.AssigneeID == nil,
		Changed: t.UpdatedAt,
	}
	if t.CaseID != nil {
		r.Case = caseLabel(*t.CaseID, t.Case)
	}
	if t.Area != nil {
		r.AreaName = areaNames[*t.Area]
	}
	return r
}

// taskStatus is the quick status change of "Meine Aufgaben". Without JavaScript it
// redirects back to the list; for htmx it answers the task's row, which replaces the old one.
func (s *Server) taskStatus(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	st := model.TaskStatus(c.FormValue("status"))
	t, err := s.svc.Tasks.Update(ctx, a, id, formVersion(c), model.TaskPatch{Status: &st})
	if err == nil {
		l := s.localizer(c)
		if isHTMX(c) {
			_, areaNames, err := s.areas(c)
			if err != nil {
				return err
			}
			row := taskRow(*t, areaNames)
			row.Saved = true
			return s.render(c, http.StatusOK, components.MyTaskRow(row))
		}
		s.flash(c, l.T("cases.flash.task_status", map[string]any{"Title": t.Title, "Status": l.T("cases.task_status." + string(t.Status))}))
		return c.Redirect(http.StatusSeeOther, "/aufgaben")
	}
	errs, ok := caseFormErrors(s.localizer(c), err, nil, nil)
	if !ok {
		return err
	}
	msg := errs[0].Msg
	if isHTMX(c) {
		cur, gerr := s.svc.Tasks.Get(ctx, a, id)
		if gerr != nil {
			return gerr
		}
		_, areaNames, aerr := s.areas(c)
		if aerr != nil {
			return aerr
		}
		row := taskRow(*cur, areaNames)
		row.Err = &msg
		return s.render(c, http.StatusOK, components.MyTaskRow(row))
	}
	v, verr := s.myTasksView(c, id, &msg)
	if verr != nil {
		return verr
	}
	return s.render(c, http.StatusUnprocessableEntity, components.MyTasks(v))
}

// ---------------------------------------------------------------------------------------
// Fälle

// referencePattern tells a reference number ("F-2026-00123", or its beginning) from a name.
var referencePattern = regexp.MustCompile(`(?i)^[a-z]-\d`)

// caseList is the case list: search by name (fuzzy) or reference, filters, one page at a
// time, the total count. It shows only what the service returns for the user.
func (s *Server) caseList(c echo.Context) error {
	ctx, a := c.Request().Context(), actor(c)
	q := strings.TrimSpace(c.QueryParam("q"))
	v := components.CaseListView{
		Q: q, Status: c.QueryParam("status"), Area: c.QueryParam("area"), AreaStatus: c.QueryParam("area_status"),
		CanCreate: s.allowed(c, "case", "create"), CanEmergency: s.allowed(c, "emergency_access", "create"),
	}
	v.Searched = q != "" || v.Status != "" || v.Area != "" || v.AreaStatus != ""
	f, lv := caseListFilter(c)
	areas, areaNames, err := s.areas(c)
	if err != nil {
		return err
	}
	v.Areas = areaOptions(areas, areaNames, nil)
	_, orgNames, err := s.orgs(c)
	if err != nil {
		return err
	}
	page, err := s.svc.Cases.List(ctx, a, f)
	if err != nil {
		errs, ok := caseFormErrors(s.localizer(c), err, func(fe model.FieldError) string {
			switch fe.Field {
			case "q", "reference":
				return "q"
			case "status", "area", "area_status":
				return fe.Field
			}
			return ""
		}, []string{"q", "status", "area", "area_status"})
		if !ok {
			return err
		}
		v.Errs = errs
		v.List = listingDone(lv, 0, s.localizer(c).T("lists.cases.label"))
		return s.render(c, http.StatusBadRequest, components.CaseList(v))
	}
	v.Total = page.Total
	v.List = listingDone(lv, page.Total, s.localizer(c).T("lists.cases.label"))
	for _, cv := range page.Items {
		row := components.CaseListRow{
			ID: cv.ID.String(), Reference: cv.Reference, Status: string(cv.Status), LeadOrg: orgNames[cv.LeadOrgID], Updated: cv.UpdatedAt,
		}
		row.Name = cv.Label().Name
		v.Rows = append(v.Rows, row)
	}
	return s.render(c, http.StatusOK, components.CaseList(v))
}

// caseFields are the inputs of the new-case form, in order.
var caseFields = []string{
	"family_name", "given_names", "name_variants", "birth_date", "arrival_date", "languages", "languages_other",
	"residence_status", "district", "phone", "email", "address", "case_district", "responsible",
}

// caseNew shows the form of a new case.
func (s *Server) caseNew(c echo.Context) error {
	return s.render(c, http.StatusOK, components.CaseNew(s.caseForm(c, map[string]string{}, nil, nil)))
}

func (s *Server) caseForm(c echo.Context, vals map[string]string, langs []string, errs components.FormErrors) components.CaseFormView {
	a := actor(c)
	v := components.CaseFormView{
		V: vals, Langs: langs, LangOptions: languageCodes, Districts: osnabrueckDistricts, ResidenceStatuses: residenceStatuses, Errs: errs,
	}
	// Whom the case may be given to: the members of the organisation, for those who may
	// see them; the others are responsible themselves.
	if s.allowed(c, "member", "read") {
		org := a.OrgID
		if ms, err := s.svc.Directory.ListMembers(c.Request().Context(), a, &org); err == nil {
			for _, m := range ms {
				if m.User.Active && !m.User.Service {
					v.Members = append(v.Members, components.Option{Value: m.User.ID.String(), Label: m.User.DisplayName})
				}
			}
			if v.V["responsible"] == "" {
				v.V["responsible"] = a.UserID.String()
			}
		}
	}
	return v
}

// splitList splits a list typed by people: one per line, or separated by commas.
func splitList(s string, commas bool) []string {
	f := func(r rune) bool { return r == '\n' || r == '\r' || (commas && (r == ',' || r == ';' || r == ' ')) }
	var out []string
	for _, p := range strings.FieldsFunc(s, f) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// caseCreate opens a case from the form; on success it goes to the new case's page.
func (s *Server) caseCreate(c echo.Context) error {
	ctx, a := c.Request().Context(), actor(c)
	form, err := c.FormParams()
	if err != nil {
		return model.Invalid("form", model.CodeUnreadable)
	}
	vals := map[string]string{}
	for _, k := range caseFields {
		vals[k] = form.Get(k)
	}
	langs := form["languages"]
	var errs components.FormErrors
	birth, ok := parseDate(vals["birth_date"])
	if !ok {
		errs = append(errs, fieldErr("birth_date", "cases.err.date_format"))
	}
	arrival, ok := parseDate(vals["arrival_date"])
	if !ok {
		errs = append(errs, fieldErr("arrival_date", "cases.err.date_format"))
	}
	var responsible *uuid.UUID
	if r := vals["responsible"]; r != "" && r != a.UserID.String() {
		id, err := uuid.Parse(r)
		if err != nil {
			errs = append(errs, fieldErr("responsible", "cases.err.responsible"))
		}
		responsible = &id
	}
	if len(errs) > 0 {
		return s.render(c, http.StatusUnprocessableEntity, components.CaseNew(s.caseForm(c, vals, langs, errs)))
	}
	languages := slices.Clone(langs)
	for _, l := range splitList(vals["languages_other"], true) {
		languages = append(languages, strings.ToLower(l))
	}
	in := model.CaseCreate{
		ResponsibleUserID: responsible, District: vals["case_district"],
		Primary: model.PersonInput{
			FamilyName: vals["family_name"], GivenNames: vals["given_names"], NameVariants: splitList(vals["name_variants"], false),
			BirthDate: birth, Languages: languages, ArrivalDate: arrival, ResidenceStatus: vals["residence_status"],
			District: vals["district"], Phone: vals["phone"], Email: vals["email"], Address: vals["address"],
		},
	}
	cv, err := s.svc.Cases.Create(ctx, a, in)
	if err != nil {
		errs, ok := caseFormErrors(s.localizer(c), err, func(fe model.FieldError) string {
			f := strings.TrimPrefix(fe.Field, "primary.")
			switch {
			case f == "languages" && fe.Code == model.CodeLanguageCode:
				return "languages_other"
			case f == "district" && fe.Field == "district":
				return "case_district"
			case f == "responsible_user_id":
				return "responsible"
			case slices.Contains(caseFields, f):
				return f
			}
			return ""
		}, caseFields)
		if !ok {
			return err
		}
		return s.render(c, http.StatusUnprocessableEntity, components.CaseNew(s.caseForm(c, vals, langs, errs)))
	}
	s.flash(c, s.localizer(c).T("cases.flash.case_created", map[string]any{"Reference": cv.Reference}))
	return c.Redirect(http.StatusSeeOther, "/faelle/"+cv.ID.String())
}

// ---------------------------------------------------------------------------------------
// Die Fallseite

// caseForms are the small forms of the case page after a failed post.
type caseForms struct {
	note, status, followUp components.FormState
	plan                   map[string]*components.FormState
	// editPlan is the area whose plan row shows its edit form (?plan=<area>).
	editPlan string
}

// casePage shows a case to everyone who may read it, as far as they may: the lead
// organisation all of it, a referral's recipient the referred areas and released data, the
// holder of a task a summary.
func (s *Server) casePage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.renderCase(c, id, http.StatusOK, caseForms{editPlan: c.QueryParam("plan")})
}

func (s *Server) renderCase(c echo.Context, id uuid.UUID, status int, forms caseForms) error {
	a := actor(c)
	o, err := s.svc.Cases.Overview(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	cv, may := o.Case, o.May
	areaNames, orgNames := areaNamesOf(o.Areas, s.localizer(c).Lang == language.English), orgNameMap(o.Organisations)
	v := components.CasePageView{
		ID: cv.ID.String(), Reference: cv.Reference, Status: string(cv.Status), StatusReason: cv.StatusReason,
		LeadOrg: orgNames[cv.LeadOrgID], District: cv.District, Responsible: whoView(a, cv.ResponsibleUserID, o.People),
		HasResponsible: cv.ResponsibleUserID != nil, Opened: cv.OpenedAt, Updated: cv.UpdatedAt, Closed: cv.ClosedAt,
		Version: cv.Version, Full: cv.Access.Full, SummaryOnly: cv.Access.SummaryOnly,
		Note: forms.note, StatusForm: forms.status,
		CanEditPlan: may.EditPlan, CanAddNote: may.AddNote, CanChangeStatus: may.Update, ShowConsents: may.ReadConsents,
		CanRecordConsent: may.RecordConsent, CanRefer: may.Refer, StatusNext: may.StatusNext,
		CanAddTask:     may.AddTask,
		CanEditPersons: may.EditPersons, CanHandOverResponsible: may.HandOverResponsible, CanHandOverLead: may.HandOverLead,
		NoteAreas: areaOptions(o.Areas, areaNames, may.NoteAreas), NoteAreaRequired: may.NoteAreaRequired,
		Orgs:             orgOptionList(o.Organisations, uuid.Nil),
		NoteVisibilities: []string{string(model.NoteOrg), string(model.NoteShared)},
	}
	for _, st := range model.AreaStatusValues {
		v.AreaStatuses = append(v.AreaStatuses, string(st))
	}
	persons := map[uuid.UUID]string{}
	for _, p := range cv.Persons {
		persons[p.ID] = strings.TrimSpace(p.FamilyName + ", " + p.GivenNames)
		v.Persons = append(v.Persons, components.Person{
			ID: p.ID.String(), Primary: p.IsPrimary, FamilyName: p.FamilyName, GivenNames: p.GivenNames, Variants: p.NameVariants,
			Birth: p.BirthDate, Arrival: p.ArrivalDate, Languages: p.Languages, Residence: p.ResidenceStatus,
			District: p.District, Phone: p.Phone, Email: p.Email, Address: p.Address,
		})
	}
	plan := map[string]model.AreaStatus{}
	for _, r := range cv.Plan {
		plan[r.Area] = r
		row := components.PlanRow{
			Area: r.Area, AreaName: areaNames[r.Area], Status: string(r.Status), Note: r.Note,
			ChangedAt: r.ChangedAt, ChangedBy: whoView(a, r.ChangedBy, o.People), Version: r.Version, Form: forms.plan[r.Area], Editing: forms.editPlan == r.Area,
		}
		if r.ResponsibleOrgID != nil {
			row.RespOrgID, row.RespOrg = r.ResponsibleOrgID.String(), orgNames[*r.ResponsibleOrgID]
		}
		v.Plan = append(v.Plan, row)
	}
	for _, co := range o.Consents {
		row := components.Consent{
			ID: co.ID.String(), Areas: areaNameList(co.Areas, areaNames), Categories: co.DataCategories, Purpose: co.Purpose,
			From: co.ValidFrom, Until: co.ValidUntil, Evidence: co.Evidence, Language: co.Language,
			RecordedBy: whoView(a, co.RecordedBy, o.People), RecordedAt: co.RecordedAt, RevokedAt: co.RevokedAt,
			Expired: co.RevokedAt == nil && !co.Valid, MayRevoke: co.MayRevoke,
		}
		for _, r := range co.Recipients {
			row.Recipients = append(row.Recipients, orgNames[r])
		}
		if co.PersonID != nil {
			row.Person = persons[*co.PersonID]
		}
		v.Consents = append(v.Consents, row)
	}
	if o.Emergency != nil {
		v.Emergency = &components.EmergencyBannerView{Until: o.Emergency.ExpiresAt, Reason: o.Emergency.Reason}
	}
	v.Timeline = timelineView(a, o, plan, orgNames, areaNames)
	v.FollowUp = followUpView("/faelle/"+v.ID, o.FollowUp, forms.followUp)
	return s.render(c, status, components.CasePage(v))
}

// timelineView shows the overview's timeline: each entry with the details of its record.
func timelineView(a model.Actor, o *model.CaseOverview, plan map[string]model.AreaStatus, orgNames map[uuid.UUID]string, areaNames map[string]string) []components.TimelineEvent {
	notes, referrals, tasks := map[uuid.UUID]model.Note{}, map[uuid.UUID]model.ReferralItem{}, map[uuid.UUID]model.Task{}
	for _, n := range o.Notes {
		notes[n.ID] = n
	}
	for _, r := range o.Referrals {
		referrals[r.ID] = r
	}
	for _, t := range o.Tasks {
		tasks[t.ID] = t
	}
	area := func(code *string) string {
		if code == nil {
			return ""
		}
		return areaNames[*code]
	}
	out := make([]components.TimelineEvent, 0, len(o.Timeline))
	for _, e := range o.Timeline {
		ev := components.TimelineEvent{Kind: string(e.Kind), At: e.At}
		switch e.Kind {
		case model.TimelineOpened:
			ev.Org = orgNames[o.Case.LeadOrgID]
		case model.TimelineClosed:
			ev.Text = o.Case.StatusReason
		case model.TimelinePlan:
			r := plan[e.Area]
			ev.Area, ev.Status, ev.Who = areaNames[r.Area], string(r.Status), whoView(a, r.ChangedBy, o.People)
		case model.TimelineNote:
			n := notes[*e.ID]
			ev.Org, ev.Who, ev.Visibility, ev.Text, ev.Area = orgNames[n.OrgID], whoView(a, n.AuthorID, o.People), string(n.Visibility), n.Body, area(n.Area)
		case model.TimelineReferral, model.TimelineAnswered:
			r := referrals[*e.ID]
			due := r.ReplyDue
			ev.Org, ev.ToOrg, ev.Reference, ev.Areas, ev.Status = orgNames[r.FromOrgID], orgNames[r.ToOrgID], r.Reference, areaNameList(r.Areas, areaNames), string(r.Status)
			if e.Kind == model.TimelineReferral {
				ev.Text, ev.Due, ev.Reply, ev.Outcome = r.Message, &due, r.Reply, r.Outcome
			} else {
				ev.Who = whoView(a, r.AnsweredBy, o.People)
			}
		case model.TimelineTask:
			t := tasks[*e.ID]
			ev.Org, ev.Text, ev.Status, ev.Reason, ev.Due, ev.Area = orgNames[t.OrgID], t.Title, string(t.Status), string(t.StatusReason), t.DueDate, area(t.Area)
			ev.Href = "/aufgaben/" + t.ID.String()
		}
		out = append(out, ev)
	}
	return out
}

// caseStatus pauses, closes (with a reason) or reopens a case.
func (s *Server) caseStatus(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	vals := map[string]string{"status": c.FormValue("status"), "reason": c.FormValue("reason")}
	to := model.CaseStatus(vals["status"])
	fail := func(errs components.FormErrors) error {
		return s.renderCase(c, id, http.StatusUnprocessableEntity, caseForms{status: components.FormState{V: vals, Errs: errs}})
	}
	if to == "" {
		return fail(components.FormErrors{fieldErr("status", "cases.err.choose_status")})
	}
	p := model.CasePatch{Status: &to}
	if reason := strings.TrimSpace(vals["reason"]); to == model.CaseClosed || (to == model.CasePaused && reason != "") {
		p.StatusReason = &reason
	}
	if _, err := s.svc.Cases.Update(ctx, a, id, p, formVersion(c)); err != nil {
		errs, ok := caseFormErrors(s.localizer(c), err, func(fe model.FieldError) string {
			switch fe.Field {
			case "status":
				return "status"
			case "status_reason":
				return "reason"
			}
			return ""
		}, []string{"status", "reason"})
		if !ok {
			return err
		}
		return fail(errs)
	}
	l := s.localizer(c)
	s.flash(c, l.T("cases.flash.case_status", map[string]any{"Status": l.T("cases.case_status." + string(to))}))
	return c.Redirect(http.StatusSeeOther, "/faelle/"+id.String())
}

// planUpdate changes one area of the integration plan.
func (s *Server) planUpdate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	area := c.Param("area")
	vals := map[string]string{"status": c.FormValue("status"), "resp_org": c.FormValue("resp_org"), "note": c.FormValue("note")}
	fail := func(errs components.FormErrors) error {
		return s.renderCase(c, id, http.StatusUnprocessableEntity, caseForms{plan: map[string]*components.FormState{area: {V: vals, Errs: errs}}})
	}
	org := uuid.Nil
	if vals["resp_org"] != "" {
		if org, err = uuid.Parse(vals["resp_org"]); err != nil {
			return fail(components.FormErrors{fieldErr("resp_org", "cases.err.org_inactive")})
		}
	}
	st, note := model.AreaStatusValue(vals["status"]), vals["note"]
	row, err := s.svc.Cases.UpdateArea(ctx, a, id, area, model.AreaStatusPatch{Status: &st, ResponsibleOrgID: &org, Note: &note}, formVersion(c))
	if err != nil {
		errs, ok := caseFormErrors(s.localizer(c), err, func(fe model.FieldError) string {
			switch fe.Field {
			case "status", "note":
				return fe.Field
			case "responsible_org_id":
				return "resp_org"
			}
			return ""
		}, []string{"status", "resp_org", "note"})
		if !ok {
			return err
		}
		return fail(errs)
	}
	_, areaNames, err := s.areas(c)
	if err != nil {
		return err
	}
	s.flash(c, s.localizer(c).T("cases.flash.plan_saved", map[string]any{"Area": areaNames[row.Area]}))
	return c.Redirect(http.StatusSeeOther, "/faelle/"+id.String()+"#plan-"+url.PathEscape(row.Area))
}

// noteCreate adds a note to the case's timeline.
func (s *Server) noteCreate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	vals := map[string]string{"note_area": c.FormValue("note_area"), "visibility": c.FormValue("visibility"), "body": c.FormValue("body")}
	_, err = s.svc.Notes.Create(ctx, a, id, model.NoteCreate{
		Area: vals["note_area"], Visibility: model.NoteVisibility(vals["visibility"]), Body: vals["body"],
	})
	if err != nil {
		errs, ok := caseFormErrors(s.localizer(c), err, func(fe model.FieldError) string {
			switch fe.Field {
			case "area":
				return "note_area"
			case "visibility", "body":
				return fe.Field
			}
			return ""
		}, []string{"note_area", "visibility", "body"})
		if !ok {
			return err
		}
		return s.renderCase(c, id, http.StatusUnprocessableEntity, caseForms{note: components.FormState{V: vals, Errs: errs}})
	}
	s.flash(c, s.localizer(c).T("cases.flash.note_added"))
	return c.Redirect(http.StatusSeeOther, "/faelle/"+id.String()+"#verlauf")
}

// ---------------------------------------------------------------------------------------
// Einwilligungen

var consentFields = []string{"person", "recipients", "areas", "categories", "purpose", "valid_from", "valid_until", "evidence", "language"}

// leadCase is the case of a form that only the lead organisation uses (consents,
// referrals): for anyone else it does not exist.
func (s *Server) leadCase(c echo.Context, id uuid.UUID) (*model.CaseView, error) {
	cv, err := s.svc.Cases.Get(c.Request().Context(), actor(c), id)
	if err != nil {
		return nil, err
	}
	if !cv.Access.Full {
		return nil, model.ErrNotFound
	}
	return cv, nil
}

// consentNew shows the form that records a consent.
func (s *Server) consentNew(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	cv, err := s.leadCase(c, id)
	if err != nil {
		return err
	}
	today := s.svc.Today()
	vals := map[string]string{"valid_from": today.Format("2006-01-02"), "valid_until": today.AddDate(1, 0, 0).Format("2006-01-02")}
	multi := map[string][]string{"categories": {string(model.CategoryIdentity)}}
	v, err := s.consentForm(c, cv, vals, multi, nil)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, components.ConsentNew(v))
}

func (s *Server) consentForm(c echo.Context, cv *model.CaseView, vals map[string]string, multi map[string][]string, errs components.FormErrors) (components.ConsentFormView, error) {
	areas, areaNames, err := s.areas(c)
	if err != nil {
		return components.ConsentFormView{}, err
	}
	orgs, _, err := s.orgs(c)
	if err != nil {
		return components.ConsentFormView{}, err
	}
	v := components.ConsentFormView{
		CaseID: cv.ID.String(), Reference: cv.Reference, Orgs: orgOptionList(orgs, actor(c).OrgID),
		Areas: areaOptions(areas, areaNames, nil), LangOptions: languageCodes, V: vals, Multi: multi, Errs: errs,
	}
	for _, dc := range model.DataCategories {
		v.Categories = append(v.Categories, string(dc))
	}
	for _, p := range cv.Persons {
		v.Persons = append(v.Persons, components.Option{Value: p.ID.String(), Label: strings.TrimSpace(p.FamilyName + ", " + p.GivenNames)})
	}
	return v, nil
}

// consentCreate records a consent from the form.
func (s *Server) consentCreate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	form, err := c.FormParams()
	if err != nil {
		return model.Invalid("form", model.CodeUnreadable)
	}
	vals := map[string]string{}
	for _, k := range []string{"person", "purpose", "valid_from", "valid_until", "evidence", "language"} {
		vals[k] = form.Get(k)
	}
	multi := map[string][]string{"recipients": form["recipients"], "areas": form["areas"], "categories": form["categories"]}
	var errs components.FormErrors
	in := model.ConsentCreate{Areas: form["areas"], Purpose: vals["purpose"], Evidence: vals["evidence"], Language: vals["language"]}
	for _, r := range form["recipients"] {
		org, err := uuid.Parse(r)
		if err != nil {
			errs = append(errs, fieldErr("recipients", "cases.err.org_inactive"))
			break
		}
		in.Recipients = append(in.Recipients, org)
	}
	for _, dc := range form["categories"] {
		in.DataCategories = append(in.DataCategories, model.DataCategory(dc))
	}
	if p := vals["person"]; p != "" {
		pid, err := uuid.Parse(p)
		if err != nil {
			errs = append(errs, fieldErr("person", "cases.err.invalid"))
		}
		in.PersonID = &pid
	}
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"valid_from", &in.ValidFrom}, {"valid_until", &in.ValidUntil}} {
		d, ok := parseDate(vals[f.name])
		switch {
		case !ok:
			errs = append(errs, fieldErr(f.name, "cases.err.date_format"))
		case d != nil:
			*f.dst = *d
		}
	}
	if len(errs) == 0 {
		_, err = s.svc.Consents.Create(ctx, a, id, in)
		if err == nil {
			s.flash(c, s.localizer(c).T("cases.flash.consent_recorded"))
			return c.Redirect(http.StatusSeeOther, "/faelle/"+id.String()+"#einwilligungen")
		}
		var ok bool
		errs, ok = caseFormErrors(s.localizer(c), err, func(fe model.FieldError) string {
			switch fe.Field {
			case "data_categories":
				return "categories"
			case "person_id":
				return "person"
			}
			if slices.Contains(consentFields, fe.Field) {
				return fe.Field
			}
			return ""
		}, consentFields)
		if !ok {
			return err
		}
	}
	cv, err := s.leadCase(c, id)
	if err != nil {
		return err
	}
	v, err := s.consentForm(c, cv, vals, multi, errs)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusUnprocessableEntity, components.ConsentNew(v))
}

// consentRevokeConfirm asks to confirm a revocation and names what ends with it: the
// partners' access and the referrals that rely on the consent.
func (s *Server) consentRevokeConfirm(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.renderRevoke(c, id, http.StatusOK, nil)
}

func (s *Server) renderRevoke(c echo.Context, id uuid.UUID, status int, errs components.FormErrors) error {
	ctx, a := c.Request().Context(), actor(c)
	co, err := s.svc.Consents.Get(ctx, a, id)
	if err != nil {
		return err
	}
	cv, err := s.svc.Cases.Get(ctx, a, co.CaseID)
	if err != nil {
		return err
	}
	_, areaNames, err := s.areas(c)
	if err != nil {
		return err
	}
	_, orgNames, err := s.orgs(c)
	if err != nil {
		return err
	}
	v := components.ConsentRevokeView{
		ConsentID: co.ID.String(), CaseID: co.CaseID.String(), Reference: cv.Reference, Version: co.Version,
		Areas: areaNameList(co.Areas, areaNames), From: co.ValidFrom, Until: co.ValidUntil, Evidence: co.Evidence, Errs: errs,
	}
	for _, r := range co.Recipients {
		v.Recipients = append(v.Recipients, orgNames[r])
	}
	if co.RevokedAt == nil {
		page, err := s.svc.Referrals.List(ctx, a, model.ReferralFilter{CaseID: &co.CaseID, Status: model.ActiveReferralStatuses, Limit: 100})
		if err != nil && !hidden(err) {
			return err
		}
		if page != nil {
			for _, r := range page.Items {
				if r.ConsentID != nil && *r.ConsentID == co.ID {
					v.Referrals = append(v.Referrals, components.EndingReferral{
						Reference: r.Reference, ToOrg: orgNames[r.ToOrgID], Status: string(r.Status), Areas: areaNameList(r.Areas, areaNames),
					})
				}
			}
		}
	} else if len(errs) == 0 {
		v.Errs = components.FormErrors{fieldErr("", "cases.err.already_revoked")}
	}
	return s.render(c, status, components.ConsentRevoke(v))
}

// consentRevoke revokes a consent, after the confirmation page.
func (s *Server) consentRevoke(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	co, err := s.svc.Consents.Revoke(c.Request().Context(), actor(c), id, formVersion(c))
	if err != nil {
		errs, ok := caseFormErrors(s.localizer(c), err, func(model.FieldError) string { return "" }, nil)
		if !ok {
			return err
		}
		return s.renderRevoke(c, id, http.StatusUnprocessableEntity, errs)
	}
	s.flash(c, s.localizer(c).T("cases.flash.consent_revoked"))
	return c.Redirect(http.StatusSeeOther, "/faelle/"+co.CaseID.String()+"#einwilligungen")
}

// ---------------------------------------------------------------------------------------
// Vermitteln

var referFields = []string{"org", "areas", "consent_id", "legal_basis", "message", "reply_days"}

// referNew shows the form "Vermitteln".
func (s *Server) referNew(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	v, err := s.referForm(c, id, map[string]string{"reply_days": "10"}, nil, nil)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, components.ReferNew(v))
}

// referForm builds the referral form from its read model (Consents.Covering, one service
// call): the organisations and areas to choose from, the legal bases, and the consents that
// cover the referral chosen so far.
func (s *Server) referForm(c echo.Context, id uuid.UUID, vals map[string]string, chosen []string, errs components.FormErrors) (components.ReferFormView, error) {
	cov, areaNames, err := s.covering(c, id, vals["org"], chosen)
	if err != nil {
		return components.ReferFormView{}, err
	}
	return components.ReferFormView{
		CaseID: cov.CaseID.String(), Reference: cov.Reference, Orgs: orgOptionList(cov.Organisations, actor(c).OrgID),
		Areas: areaOptions(cov.Areas, areaNames, nil), Chosen: chosen, LegalBases: cov.LegalBases,
		V: vals, Cover: coverView(cov, vals["consent_id"], areaNames), Errs: errs,
	}, nil
}

// covering reads the referral form's read model for a referral to org (an id as the form
// sends it; anything else is no organisation) for areas, and the areas' names.
func (s *Server) covering(c echo.Context, caseID uuid.UUID, org string, areas []string) (*model.ConsentCovering, map[string]string, error) {
	var orgID *uuid.UUID
	if o, err := uuid.Parse(org); err == nil {
		orgID = &o
	}
	cov, err := s.svc.Consents.Covering(c.Request().Context(), actor(c), caseID, orgID, areas)
	if err != nil {
		return nil, nil, err
	}
	return cov, areaNamesOf(cov.Areas, s.localizer(c).Lang == language.English), nil
}

// coverView says whether a recorded consent covers the referral being prepared; chosen is
// the consent chosen before.
func coverView(cov *model.ConsentCovering, chosen string, areaNames map[string]string) components.ReferCoverView {
	v := components.ReferCoverView{CaseID: cov.CaseID.String(), Chosen: chosen}
	if !cov.Ready {
		return v
	}
	v.Ready, v.OrgName, v.AreaNames = true, orgNameMap(cov.Organisations)[*cov.Org], areaNameList(cov.ChosenAreas, areaNames)
	for _, co := range cov.Covering() {
		v.Consents = append(v.Consents, components.CoverConsent{ID: co.ID.String(), From: co.ValidFrom, Until: co.ValidUntil, Evidence: co.Evidence})
	}
	return v
}

// referCover answers the htmx request of the referral form on every change: whether a
// recorded consent covers the organisation and areas chosen.
func (s *Server) referCover(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	q := c.QueryParams()
	cov, areaNames, err := s.covering(c, id, q.Get("org"), q["areas"])
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, components.ReferCover(coverView(cov, q.Get("consent_id"), areaNames)))
}

// referCreate sends the referral; "Prüfen" (action=check) only shows the cover again,
// for browsers without JavaScript. Without cover the service refuses, and the form says so
// beside the consent.
func (s *Server) referCreate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	form, err := c.FormParams()
	if err != nil {
		return model.Invalid("form", model.CodeUnreadable)
	}
	vals := map[string]string{}
	for _, k := range []string{"org", "consent_id", "legal_basis", "message", "reply_days"} {
		vals[k] = form.Get(k)
	}
	chosen := form["areas"]
	var errs components.FormErrors
	if form.Get("action") != "check" {
		in := model.ReferralCreate{Areas: chosen, Message: vals["message"]}
		in.ToOrgID, _ = uuid.Parse(vals["org"])
		days, err := strconv.Atoi(strings.TrimSpace(vals["reply_days"]))
		if err != nil {
			errs = append(errs, fieldErr("reply_days", "cases.err.reply_days"))
		}
		in.ReplyDays = &days
		if cid, err := uuid.Parse(vals["consent_id"]); err == nil {
			in.ConsentID = &cid
		} else {
			in.LegalBasis = vals["legal_basis"]
		}
		if len(errs) == 0 {
			ref, err := s.svc.Referrals.Create(ctx, a, id, in)
			if err == nil {
				_, orgNames, err := s.orgs(c)
				if err != nil {
					return err
				}
				s.flash(c, s.localizer(c).T("cases.flash.referral_sent", map[string]any{"Reference": ref.Reference, "Org": orgNames[ref.ToOrgID]}))
				return c.Redirect(http.StatusSeeOther, "/faelle/"+id.String())
			}
			var ok bool
			errs, ok = caseFormErrors(s.localizer(c), err, func(fe model.FieldError) string {
				switch fe.Field {
				case "to_org_id":
					return "org"
				case "areas", "consent_id", "legal_basis", "message", "reply_days":
					return fe.Field
				}
				return ""
			}, referFields)
			if !ok {
				return err
			}
		}
	}
	v, err := s.referForm(c, id, vals, chosen, errs)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if len(errs) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.render(c, status, components.ReferNew(v))
}
