package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/ui/components"
)

// Editing a case after it was opened (routes.go, "Editing a case"): a person of the
// household (edit, add, remove after a confirmation, mark as main person), the responsible
// caseworker (a colleague of the lead organisation), and the lead organisation's handover:
// asked on the case, answered by the receiving organisation on "Übergaben". The services
// decide who may do what (model.CaseCapabilities on the case page); the handlers bind forms,
// call one service method and render.

// personFields are the inputs of a person's form, in order.
var personFields = []string{
	"family_name", "given_names", "name_variants", "birth_date", "arrival_date", "languages", "languages_other",
	"residence_status", "district", "phone", "email", "address",
}

// personValues are the form values of a stored person.
func personValues(p *model.Person) (map[string]string, []string) {
	vals := map[string]string{
		"family_name": p.FamilyName, "given_names": p.GivenNames, "name_variants": strings.Join(p.NameVariants, "\n"),
		"residence_status": p.ResidenceStatus, "district": p.District, "phone": p.Phone, "email": p.Email, "address": p.Address,
	}
	if p.BirthDate != nil {
		vals["birth_date"] = p.BirthDate.Format(time.DateOnly)
	}
	if p.ArrivalDate != nil {
		vals["arrival_date"] = p.ArrivalDate.Format(time.DateOnly)
	}
	var langs, other []string
	for _, l := range p.Languages {
		if slices.Contains(languageCodes, l) {
			langs = append(langs, l)
		} else {
			other = append(other, l)
		}
	}
	vals["languages_other"] = strings.Join(other, ", ")
	return vals, langs
}

// personFormView is the person form of f with the values vals.
func personFormView(f *model.PersonForm, vals map[string]string, langs []string, errs components.FormErrors) components.PersonFormView {
	v := components.PersonFormView{
		CaseID: f.CaseID.String(), Reference: f.Reference, V: vals, Langs: langs, LangOptions: languageCodes,
		Districts: osnabrueckDistricts, ResidenceStatuses: residenceStatuses, Errs: errs,
		MayRemove: f.MayRemove, MayMakePrimary: f.MayMakePrimary, NamedByConsent: f.NamedByConsent,
	}
	if f.Person != nil {
		v.PersonID, v.Version, v.Primary = f.Person.ID.String(), f.Person.Version, f.Person.IsPrimary
	}
	return v
}

// personPage shows the form of a person (pid uuid.Nil: a new one) after a failed post with
// vals, or with the stored values when vals is nil.
func (s *Server) personPage(c echo.Context, id, pid uuid.UUID, status int, vals map[string]string, langs []string, errs components.FormErrors) error {
	f, err := s.svc.Cases.EditPerson(c.Request().Context(), actor(c), id, pid)
	if err != nil {
		return err
	}
	if vals == nil {
		vals = map[string]string{}
		if f.Person != nil {
			vals, langs = personValues(f.Person)
		}
	}
	v := personFormView(f, vals, langs, errs)
	if status != http.StatusOK && f.Person != nil {
		v.Version = formVersion(c) // keep the version the user edited, so a lost race stays one
	}
	return s.render(c, status, components.PersonForm(v))
}

// personNew shows the form of a new household member.
func (s *Server) personNew(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.personPage(c, id, uuid.Nil, http.StatusOK, nil, nil, nil)
}

// personEdit shows the form of a person of the household.
func (s *Server) personEdit(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pid, err := pathID(c, "pid")
	if err != nil {
		return err
	}
	return s.personPage(c, id, pid, http.StatusOK, nil, nil, nil)
}

// readPerson binds a person's form; errs are the inputs that are not even dates.
func readPerson(c echo.Context) (model.PersonInput, map[string]string, []string, components.FormErrors, error) {
	form, err := c.FormParams()
	if err != nil {
		return model.PersonInput{}, nil, nil, nil, model.Invalid("form", model.CodeUnreadable)
	}
	vals := map[string]string{}
	for _, k := range personFields {
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
	languages := slices.Clone(langs)
	for _, l := range splitList(vals["languages_other"], true) {
		languages = append(languages, strings.ToLower(l))
	}
	in := model.PersonInput{
		FamilyName: vals["family_name"], GivenNames: vals["given_names"], NameVariants: splitList(vals["name_variants"], false),
		BirthDate: birth, Languages: languages, ArrivalDate: arrival, ResidenceStatus: vals["residence_status"],
		District: vals["district"], Phone: vals["phone"], Email: vals["email"], Address: vals["address"],
	}
	return in, vals, langs, errs, nil
}

// personFormErrors words a service's answer to a person's form.
func (s *Server) personFormErrors(c echo.Context, err error) (components.FormErrors, bool) {
	return caseFormErrors(s.localizer(c), err, func(fe model.FieldError) string {
		switch {
		case fe.Field == "languages" && fe.Code == model.CodeLanguageCode:
			return "languages_other"
		case slices.Contains(personFields, fe.Field):
			return fe.Field
		}
		return ""
	}, personFields)
}

// personCreate adds a household member; on success back to the case page.
func (s *Server) personCreate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	in, vals, langs, errs, err := readPerson(c)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return s.personPage(c, id, uuid.Nil, http.StatusUnprocessableEntity, vals, langs, errs)
	}
	p, err := s.svc.Cases.AddPerson(c.Request().Context(), actor(c), id, in)
	if err != nil {
		errs, ok := s.personFormErrors(c, err)
		if !ok {
			return err
		}
		return s.personPage(c, id, uuid.Nil, http.StatusUnprocessableEntity, vals, langs, errs)
	}
	s.flash(c, s.localizer(c).T("caseedit.flash.person_added", map[string]any{"Name": personName(p)}))
	return c.Redirect(http.StatusSeeOther, "/faelle/"+id.String()+"#haushalt")
}

func personName(p *model.Person) string {
	return strings.TrimSpace(strings.TrimSuffix(p.FamilyName+", "+p.GivenNames, ", "))
}

// personUpdate saves a person's form: every field, as the form shows them all.
func (s *Server) personUpdate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pid, err := pathID(c, "pid")
	if err != nil {
		return err
	}
	in, vals, langs, errs, err := readPerson(c)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		return s.personPage(c, id, pid, http.StatusUnprocessableEntity, vals, langs, errs)
	}
	zero := model.Date{}
	birth, arrival := in.BirthDate, in.ArrivalDate
	if birth == nil {
		birth = &zero
	}
	if arrival == nil {
		arrival = &zero
	}
	variants, languages := []string(in.NameVariants), []string(in.Languages)
	patch := model.PersonPatch{
		FamilyName: &in.FamilyName, GivenNames: &in.GivenNames, NameVariants: &variants, BirthDate: birth,
		Languages: &languages, ArrivalDate: arrival, ResidenceStatus: &in.ResidenceStatus, District: &in.District,
		Phone: &in.Phone, Email: &in.Email, Address: &in.Address,
	}
	p, err := s.svc.Cases.UpdatePerson(c.Request().Context(), actor(c), id, pid, patch, formVersion(c))
	if err != nil {
		errs, ok := s.personFormErrors(c, err)
		if !ok {
			return err
		}
		return s.personPage(c, id, pid, http.StatusUnprocessableEntity, vals, langs, errs)
	}
	s.flash(c, s.localizer(c).T("caseedit.flash.person_saved", map[string]any{"Name": personName(p)}))
	return c.Redirect(http.StatusSeeOther, "/faelle/"+id.String()+"#haushalt")
}

// personPrimary marks a person as the household's main person.
func (s *Server) personPrimary(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pid, err := pathID(c, "pid")
	if err != nil {
		return err
	}
	if err := s.svc.Cases.MakePrimary(c.Request().Context(), actor(c), id, pid, formVersion(c)); err != nil {
		errs, ok := caseFormErrors(s.localizer(c), err, func(model.FieldError) string { return "" }, nil)
		if !ok {
			return err
		}
		return s.personPage(c, id, pid, http.StatusUnprocessableEntity, nil, nil, errs)
	}
	s.flash(c, s.localizer(c).T("caseedit.flash.primary"))
	return c.Redirect(http.StatusSeeOther, "/faelle/"+id.String()+"#haushalt")
}

// personRemoveConfirm asks to confirm removing a person.
func (s *Server) personRemoveConfirm(c echo.Context) error {
	return s.renderPersonRemove(c, http.StatusOK, nil)
}

func (s *Server) renderPersonRemove(c echo.Context, status int, errs components.FormErrors) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pid, err := pathID(c, "pid")
	if err != nil {
		return err
	}
	f, err := s.svc.Cases.EditPerson(c.Request().Context(), actor(c), id, pid)
	if err != nil {
		return err
	}
	if !f.MayRemove && len(errs) == 0 {
		code := model.CodeMainPerson
		if f.NamedByConsent {
			code = model.CodeNamedByConsent
		}
		errs, _ = caseFormErrors(s.localizer(c), model.Invalid("person", code), func(model.FieldError) string { return "" }, nil)
	}
	return s.render(c, status, components.PersonRemove(components.PersonRemoveView{
		CaseID: id.String(), PersonID: pid.String(), Reference: f.Reference, Name: personName(f.Person), Version: f.Person.Version, Errs: errs,
	}))
}

// personRemove removes a person from the household, after the confirmation.
func (s *Server) personRemove(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	pid, err := pathID(c, "pid")
	if err != nil {
		return err
	}
	if err := s.svc.Cases.RemovePerson(c.Request().Context(), actor(c), id, pid, formVersion(c)); err != nil {
		errs, ok := caseFormErrors(s.localizer(c), err, func(model.FieldError) string { return "" }, nil)
		if !ok {
			return err
		}
		return s.renderPersonRemove(c, http.StatusUnprocessableEntity, errs)
	}
	s.flash(c, s.localizer(c).T("caseedit.flash.person_removed"))
	return c.Redirect(http.StatusSeeOther, "/faelle/"+id.String()+"#haushalt")
}

// ---------------------------------------------------------------------------------------
// Zuständigkeit übergeben

func (s *Server) responsiblePage(c echo.Context) error {
	return s.renderResponsible(c, http.StatusOK, "", nil)
}

func (s *Server) renderResponsible(c echo.Context, status int, value string, errs components.FormErrors) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	a := actor(c)
	f, err := s.svc.Cases.ResponsibleForm(c.Request().Context(), a, id)
	if err != nil {
		return err
	}
	v := components.ResponsibleView{CaseID: id.String(), Reference: f.Reference, Version: f.Version, Value: value, Errs: errs}
	names := map[uuid.UUID]string{}
	for _, m := range f.Choices {
		names[m.ID] = m.Name
		if f.Responsible == nil || m.ID != *f.Responsible {
			v.Choices = append(v.Choices, components.Option{Value: m.ID.String(), Label: m.Name})
		}
	}
	v.Current = whoView(a, f.Responsible, names)
	if status != http.StatusOK {
		v.Version = formVersion(c)
	}
	return s.render(c, status, components.Responsible(v))
}

// responsibleUpdate gives the case to the chosen colleague.
func (s *Server) responsibleUpdate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	value := c.FormValue("responsible")
	user, err := uuid.Parse(value)
	if err != nil {
		return s.renderResponsible(c, http.StatusUnprocessableEntity, value, components.FormErrors{fieldErr("responsible", "caseedit.err.choose_colleague")})
	}
	if err := s.svc.Cases.HandOverResponsible(c.Request().Context(), actor(c), id, user, formVersion(c)); err != nil {
		errs, ok := caseFormErrors(s.localizer(c), err, func(fe model.FieldError) string {
			if fe.Field == "responsible_user_id" {
				return "responsible"
			}
			return ""
		}, nil)
		if !ok {
			return err
		}
		return s.renderResponsible(c, http.StatusUnprocessableEntity, value, errs)
	}
	s.flash(c, s.localizer(c).T("caseedit.flash.responsible"))
	return c.Redirect(http.StatusSeeOther, "/faelle/"+id.String())
}

// ---------------------------------------------------------------------------------------
// Federführung übergeben and Übergaben

// handoverRow shows a handover of a list.
func handoverRow(h model.HandoverItem, orgs map[uuid.UUID]string) components.HandoverRow {
	return components.HandoverRow{
		ID: h.ID.String(), CaseID: h.CaseID.String(), Reference: h.Reference, FromOrg: orgs[h.FromOrgID], ToOrg: orgs[h.ToOrgID],
		Reason: h.Reason, Requested: h.CreatedAt, Version: h.Version, MayAnswer: h.MayAnswer, MayWithdraw: h.MayWithdraw,
	}
}

func (s *Server) leadHandoverPage(c echo.Context) error {
	return s.renderLeadHandover(c, http.StatusOK, map[string]string{}, nil)
}

func (s *Server) renderLeadHandover(c echo.Context, status int, vals map[string]string, errs components.FormErrors) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	f, err := s.svc.Cases.HandoverForm(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	_, orgNames, err := s.orgs(c)
	if err != nil {
		return err
	}
	v := components.LeadHandoverView{CaseID: id.String(), Reference: f.Reference, Version: f.Version, LeadOrg: orgNames[f.LeadOrgID], V: vals, Errs: errs}
	for _, o := range f.Targets {
		v.Targets = append(v.Targets, components.Option{Value: o.ID.String(), Label: o.Name})
	}
	if f.Pending != nil {
		names := map[uuid.UUID]string{}
		for _, o := range f.Targets {
			names[o.ID] = o.Name
		}
		for k, n := range orgNames {
			names[k] = n
		}
		row := handoverRow(*f.Pending, names)
		v.Pending = &row
	}
	if status != http.StatusOK {
		v.Version = formVersion(c)
	}
	return s.render(c, status, components.LeadHandover(v))
}

// leadHandoverRequest asks the chosen organisation to take over the lead.
func (s *Server) leadHandoverRequest(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	vals := map[string]string{"org": c.FormValue("org"), "reason": c.FormValue("reason")}
	to, err := uuid.Parse(vals["org"])
	if err != nil {
		return s.renderLeadHandover(c, http.StatusUnprocessableEntity, vals, components.FormErrors{fieldErr("org", "caseedit.err.choose_org")})
	}
	if _, err := s.svc.Cases.RequestHandover(c.Request().Context(), actor(c), id, to, vals["reason"], formVersion(c)); err != nil {
		errs, ok := caseFormErrors(s.localizer(c), err, func(fe model.FieldError) string {
			if fe.Field == "org" || fe.Field == "reason" {
				return fe.Field
			}
			return ""
		}, []string{"org", "reason"})
		if !ok {
			return err
		}
		return s.renderLeadHandover(c, http.StatusUnprocessableEntity, vals, errs)
	}
	s.flash(c, s.localizer(c).T("caseedit.flash.lead_requested"))
	return c.Redirect(http.StatusSeeOther, "/faelle/"+id.String()+"/federfuehrung")
}

// handoversPage lists the handovers to and from the user's organisation.
func (s *Server) handoversPage(c echo.Context) error {
	return s.renderHandovers(c, http.StatusOK, uuid.Nil, components.FormState{}, nil)
}

func (s *Server) renderHandovers(c echo.Context, status int, failed uuid.UUID, decline components.FormState, errs components.FormErrors) error {
	l, err := s.svc.Cases.Handovers(c.Request().Context(), actor(c))
	if err != nil {
		return err
	}
	v := components.HandoversView{Errs: errs}
	for _, h := range l.Incoming {
		row := handoverRow(h, l.Organisations)
		if h.ID == failed {
			row.Decline = decline
		}
		v.Incoming = append(v.Incoming, row)
	}
	for _, h := range l.Outgoing {
		v.Outgoing = append(v.Outgoing, handoverRow(h, l.Organisations))
	}
	return s.render(c, status, components.Handovers(v))
}

// handoverFailed shows the list again with what went wrong (a lost race, a refused step, a
// decline without reason beside its field).
func (s *Server) handoverFailed(c echo.Context, id uuid.UUID, vals map[string]string, err error) error {
	errs, ok := caseFormErrors(s.localizer(c), err, func(fe model.FieldError) string { return fe.Field }, nil)
	if !ok {
		return err
	}
	summary := make(components.FormErrors, len(errs))
	for i, e := range errs {
		summary[i] = components.FieldErr{Msg: e.Msg}
	}
	return s.renderHandovers(c, http.StatusUnprocessableEntity, id, components.FormState{V: vals, Errs: errs}, summary)
}

// handoverAccept takes over the lead of the case; on success to its page.
func (s *Server) handoverAccept(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	h, err := s.svc.Cases.AcceptHandover(c.Request().Context(), actor(c), id, formVersion(c))
	if err != nil {
		return s.handoverFailed(c, id, nil, err)
	}
	s.flash(c, s.localizer(c).T("caseedit.flash.lead_accepted"))
	return c.Redirect(http.StatusSeeOther, "/faelle/"+h.CaseID.String())
}

// handoverDecline declines a handover with a reason.
func (s *Server) handoverDecline(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	vals := map[string]string{"reason": c.FormValue("reason")}
	if _, err := s.svc.Cases.DeclineHandover(c.Request().Context(), actor(c), id, vals["reason"], formVersion(c)); err != nil {
		return s.handoverFailed(c, id, vals, err)
	}
	s.flash(c, s.localizer(c).T("caseedit.flash.lead_declined"))
	return c.Redirect(http.StatusSeeOther, "/uebergaben")
}

// handoverWithdraw withdraws a handover the user's organisation asked for.
func (s *Server) handoverWithdraw(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	h, err := s.svc.Cases.WithdrawHandover(c.Request().Context(), actor(c), id, formVersion(c))
	if err != nil {
		return s.handoverFailed(c, id, nil, err)
	}
	s.flash(c, s.localizer(c).T("caseedit.flash.lead_withdrawn"))
	return c.Redirect(http.StatusSeeOther, "/faelle/"+h.CaseID.String())
}
