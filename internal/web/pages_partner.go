package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/locale"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/ui/components"
)

// The referral pages (routes.go, "Partners"): the inbox of incoming referrals, the referral
// work page (for the recipient: accept, decline with a reason, start, complete with an
// outcome; for the sender: withdraw after a confirmation; for both: notes shared for the
// referred areas and tasks linked to the referral), and the outgoing referrals of the
// organisation. Each form posts to an action path of its referral (POST-redirect-GET with a
// flash message); a failed one shows the page again with the messages beside the fields and
// the values kept, a stale version the current state with a warning (409). What a page shows
// and counts is what the services return: the recipient sees a referral only while it is
// active and covered, and nothing here adds to that. Names beginning with pl ("partner and
// lead") keep this part apart from the other parts of web.

// dueSoonDays is the number of working days within which a reply deadline is "due soon".
const dueSoonDays = 3

// calendarDay is the calendar day of t in Berlin, as midnight UTC.
func calendarDay(t time.Time) time.Time { return model.CalendarDay(t) }

// daysSince counts the calendar days from t's day to today.
func daysSince(t, today time.Time) int { return int(today.Sub(calendarDay(t)).Hours() / 24) }

// lookupNames are the names the referral pages show for organisations and areas.
type lookupNames struct {
	orgs  map[uuid.UUID]string
	areas map[string]string
	order []string // area codes in display order
}

func (n lookupNames) org(id uuid.UUID) string {
	if name, ok := n.orgs[id]; ok {
		return name
	}
	return "—"
}

func (n lookupNames) area(code string) string {
	if name, ok := n.areas[code]; ok {
		return name
	}
	return code
}

func (n lookupNames) areaList(codes []string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = n.area(c)
	}
	return out
}

// areaLabel is an area's name in the page's language.
func areaLabel(a model.Area, lang string) string {
	if lang == "en" && a.NameEN != "" {
		return a.NameEN
	}
	return a.NameDE
}

// lookup reads the organisations and areas (configuration, not case content).
func (s *Server) lookup(c echo.Context) (lookupNames, error) {
	ctx, a := c.Request().Context(), actor(c)
	out := lookupNames{orgs: map[uuid.UUID]string{}, areas: map[string]string{}}
	orgs, err := s.svc.Directory.ListOrganisations(ctx, a)
	if err != nil && !errors.Is(err, model.ErrForbidden) {
		return out, err
	}
	for _, o := range orgs {
		out.orgs[o.ID] = o.Name
	}
	areas, err := s.svc.Cases.Areas(ctx, a)
	if err != nil {
		return out, err
	}
	lang := s.localizer(c).Lang.String()
	for _, ar := range areas {
		out.areas[ar.Code] = areaLabel(ar, lang)
		out.order = append(out.order, ar.Code)
	}
	return out, nil
}

// referralItem is a referral of a list; other names the organisation on the other side; today
// (the services' clock) dates its age.
func referralItem(r model.Referral, other uuid.UUID, names lookupNames, today time.Time) components.PartnerItem {
	it := components.PartnerItem{
		Reference: r.Reference, Href: "/vermittlungen/" + r.ID.String(), Org: names.org(other), Case: caseLabel(r.CaseID, r.Case),
		Areas: names.areaList(r.Areas), Status: string(r.Status), SentAt: r.CreatedAt,
		ReplyDue: r.ReplyDue, AgeDays: daysSince(r.CreatedAt, today),
	}
	switch {
	case r.Outcome != "":
		it.Reply = r.Outcome
	case r.Reply != "":
		it.Reply = r.Reply
	}
	return it
}

// partnerInbox is the inbox of the referrals sent to the actor's organisation that are still
// active: overdue, due within dueSoonDays working days, new, and in progress.
func (s *Server) partnerInbox(c echo.Context) error {
	ctx, a := c.Request().Context(), actor(c)
	f, lv := inboxFilter(c)
	page, err := s.svc.Referrals.List(ctx, a, f)
	if err != nil {
		return err
	}
	names, err := s.lookup(c)
	if err != nil {
		return err
	}
	today := s.svc.Today()
	soon := service.AddWorkingDays(today, dueSoonDays)
	groups := map[string][]components.PartnerItem{}
	for _, r := range page.Items {
		it := referralItem(r, r.FromOrgID, names, today)
		due := calendarDay(r.ReplyDue)
		switch {
		case r.Status != model.ReferralSent:
			groups["in_progress"] = append(groups["in_progress"], it)
		case due.Before(today):
			groups["overdue"] = append(groups["overdue"], it)
		case !due.After(soon):
			groups["due_soon"] = append(groups["due_soon"], it)
		default:
			groups["new"] = append(groups["new"], it)
		}
	}
	v := components.PartnerInbox{Total: int(page.Total), Shown: len(page.Items),
		List: listingDone(lv, page.Total, s.localizer(c).T("lists.inbox.label"))}
	for _, k := range []string{"overdue", "due_soon", "new", "in_progress"} {
		v.Groups = append(v.Groups, components.PartnerGroup{Key: k, Items: groups[k]})
	}
	return s.render(c, http.StatusOK, components.PartnerInboxPage(v))
}

// outboxStatuses are the choices of the outbox's status filter.
var outboxStatuses = model.ReferralStatuses

// partnerOutbox lists the referrals the actor's organisation sent, newest first.
func (s *Server) partnerOutbox(c echo.Context) error {
	ctx, a := c.Request().Context(), actor(c)
	f, lv := outboxFilter(c)
	page, err := s.svc.Referrals.List(ctx, a, f)
	if err != nil {
		return err
	}
	names, err := s.lookup(c)
	if err != nil {
		return err
	}
	v := components.PartnerOutbox{Status: lv.Filters.Get("status"), Total: int(page.Total), List: listingDone(lv, page.Total, s.localizer(c).T("lists.outbox.label"))}
	for _, st := range outboxStatuses {
		v.Statuses = append(v.Statuses, string(st))
	}
	for _, r := range page.Items {
		v.Items = append(v.Items, referralItem(r, r.ToOrgID, names, s.svc.Today()))
	}
	return s.render(c, http.StatusOK, components.PartnerOutboxPage(v))
}

// partnerReferral is the referral work page.
func (s *Server) partnerReferral(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.renderReferral(c, id, http.StatusOK, pageState{})
}

// pageState is what a failed action adds to the referral page.
type pageState struct {
	conflict, notPossible bool
	form                  components.PartnerForm
}

// renderReferral shows the referral page as the actor may see it now.
func (s *Server) renderReferral(c echo.Context, id uuid.UUID, status int, st pageState) error {
	ref, err := s.svc.Referrals.Get(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	v, err := s.referralView(c, ref)
	if err != nil {
		return err
	}
	v.Conflict, v.NotPossible, v.Form = st.conflict, st.notPossible, st.form
	return s.render(c, status, components.PartnerReferralPage(v))
}

// referralView builds the referral page: the referral as the service returned it, the
// actions the actor may take, the notes shared for the referred areas and the tasks linked
// to it, each read through its own service (and thereby its own visibility).
func (s *Server) referralView(c echo.Context, ref *model.Referral) (components.PartnerReferral, error) {
	ctx, a := c.Request().Context(), actor(c)
	names, err := s.lookup(c)
	if err != nil {
		return components.PartnerReferral{}, err
	}
	active := ref.Status.Active()
	recipient := a.OrgID == ref.ToOrgID
	v := components.PartnerReferral{
		ID: ref.ID.String(), Reference: ref.Reference, Status: string(ref.Status), Version: ref.Version,
		From: names.org(ref.FromOrgID), To: names.org(ref.ToOrgID), Message: ref.Message, Basis: ref.LegalBasis,
		SentAt: ref.CreatedAt, ReplyDue: ref.ReplyDue, AnsweredAt: ref.AnsweredAt, ClosedAt: ref.ClosedAt,
		Reply: ref.Reply, Outcome: ref.Outcome, Recipient: recipient,
		CanAnswer:   recipient && active && s.allowed(c, "referral", "answer"),
		CanWithdraw: !recipient && active && s.allowed(c, "referral", "withdraw"),
		CanNote:     active && s.allowed(c, "note", "create"),
		CanTask:     active && s.allowed(c, "task", "create"),
	}
	for _, p := range model.TaskPriorities {
		v.Priorities = append(v.Priorities, string(p))
	}
	v.Contacts = contactViews(ref.Contacts, recipient)
	for _, code := range ref.Areas {
		v.Areas = append(v.Areas, components.PartnerArea{Code: code, Name: names.area(code)})
	}
	if s.allowed(c, "case", "read") {
		v.CaseHref = "/faelle/" + ref.CaseID.String()
	}
	if s.allowed(c, "note", "read") {
		notes, err := s.svc.Notes.List(ctx, a, ref.CaseID)
		if err != nil && !hidden(err) {
			return v, err
		}
		for _, n := range notes {
			if n.Visibility != model.NoteShared || n.Area == nil || !slices.Contains(ref.Areas, *n.Area) {
				continue
			}
			v.Notes = append(v.Notes, components.PartnerNote{Area: names.area(*n.Area), Org: names.org(n.OrgID), At: n.CreatedAt, Body: n.Body})
		}
	}
	if s.allowed(c, "task", "read") {
		tasks, err := s.svc.Tasks.List(ctx, a, model.TaskFilter{ReferralID: &ref.ID, Limit: 100})
		if err != nil && !hidden(err) {
			return v, err
		}
		if tasks != nil {
			today := s.svc.Today()
			for _, t := range tasks.Items {
				pt := components.PartnerTask{Title: t.Title, Org: names.org(t.OrgID), Status: string(t.Status), Priority: string(t.Priority), Due: t.DueDate}
				pt.Overdue = t.DueDate != nil && !t.Status.Closed() && calendarDay(*t.DueDate).Before(today)
				v.Tasks = append(v.Tasks, pt)
			}
		}
	}
	return v, nil
}

// referralForms maps the service's field names of every form to the ids of the form's inputs, in
// the order of the form. A field not named here (it cannot be changed in the form) is
// reported at the form's first input.
var referralForms = map[string]struct {
	order []string
	ids   map[string]string
}{
	"decline":  {[]string{"reason"}, map[string]string{"reason": "grund"}},
	"complete": {[]string{"outcome"}, map[string]string{"outcome": "ergebnis"}},
	"note":     {[]string{"area", "body"}, map[string]string{"area": "vermerk-feld", "body": "vermerk"}},
	"task":     {[]string{"title", "due_date", "priority"}, map[string]string{"title": "aufgabe-titel", "due_date": "aufgabe-frist", "priority": "aufgabe-prioritaet"}},
}

// referralFormErrors turns the service's validation errors of form into field errors (worded by
// fieldMessage), in the order of the form's inputs; ok is false when err is no validation
// error.
func referralFormErrors(l *locale.Localizer, form string, err error) (components.FormErrors, bool) {
	var ve *model.ValidationError
	if !errors.As(err, &ve) {
		return nil, false
	}
	spec := referralForms[form]
	var out components.FormErrors
	seen := map[string]bool{}
	for _, name := range spec.order {
		for _, fe := range ve.Fields {
			if fe.Field == name && !seen[name] {
				key, data := fieldMessage(l, scopePartner, fe)
				out = append(out, components.FieldErr{Field: name, ID: spec.ids[name], Msg: components.FormMsg{Key: key, Data: data}})
				seen[name] = true
			}
		}
	}
	for _, fe := range ve.Fields {
		if _, known := spec.ids[fe.Field]; known || len(spec.order) == 0 {
			continue
		}
		first := spec.order[0]
		if !seen[first] {
			key, data := fieldMessage(l, scopePartner, fe)
			out = append(out, components.FieldErr{Field: first, ID: spec.ids[first], Msg: components.FormMsg{Key: key, Data: data}})
			seen[first] = true
		}
	}
	return out, len(out) > 0
}

// transitionRefused reports whether err says the action is not possible in the
// referral's state (a refused change of state, or no cover any more), rather than that an
// input is wrong.
func transitionRefused(err error) bool {
	if errors.Is(err, model.ErrTransition) {
		return true
	}
	var ve *model.ValidationError
	if !errors.As(err, &ve) {
		return false
	}
	for _, fe := range ve.Fields {
		if fe.Field == "consent_id" {
			return true
		}
	}
	return false
}

// answerFailed answers a failed action on referral id: the form again with its messages (422),
// or the current state with a warning when the referral changed meanwhile (409). A referral
// the actor no longer sees stays a conflict (or a 404 when it never was visible).
func (s *Server) answerFailed(c echo.Context, id uuid.UUID, form string, values map[string]string, err error) error {
	var st pageState
	status := http.StatusConflict
	switch {
	case errors.Is(err, model.ErrConflict):
		st.conflict = true
	case transitionRefused(err):
		st.notPossible = true
	default:
		errs, ok := referralFormErrors(s.localizer(c), form, err)
		if !ok {
			return err
		}
		st.form = components.PartnerForm{Name: form, Values: values, Errors: errs}
		status = http.StatusUnprocessableEntity
	}
	if rerr := s.renderReferral(c, id, status, st); rerr != nil {
		if errors.Is(rerr, model.ErrNotFound) && status == http.StatusConflict {
			// The referral left the actor's sight meanwhile (declined, completed, withdrawn).
			return fmt.Errorf("web: referral %s changed (%v): %w", id, err, model.ErrConflict)
		}
		return rerr
	}
	return nil
}

// answer runs one action of the recipient or sender on a referral, then redirects with a
// flash message: to the referral page while the actor still sees it, else to the inbox.
func (s *Server) answer(c echo.Context, form string, values map[string]string,
	do func(id uuid.UUID, version int) (*model.Referral, error), flash func(l *locale.Localizer, ref string) string,
) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ref, err := do(id, formVersion(c))
	if err != nil {
		return s.answerFailed(c, id, form, values, err)
	}
	s.flash(c, flash(s.localizer(c), ref.Reference))
	target := "/vermittlungen/" + ref.ID.String()
	if actor(c).OrgID == ref.ToOrgID && !ref.Status.Active() {
		// Declined or completed: the recipient's access has ended with it.
		target = "/eingang"
	}
	return c.Redirect(http.StatusSeeOther, target)
}

// partnerAccept accepts a referral (recipient).
func (s *Server) partnerAccept(c echo.Context) error {
	ctx, a := c.Request().Context(), actor(c)
	return s.answer(c, "", nil, func(id uuid.UUID, version int) (*model.Referral, error) {
		return s.svc.Referrals.Accept(ctx, a, id, version)
	}, func(l *locale.Localizer, ref string) string {
		return l.T("partner.flash.accepted", map[string]any{"Reference": ref})
	})
}

// partnerDecline declines a referral with its required reason (recipient).
func (s *Server) partnerDecline(c echo.Context) error {
	ctx, a := c.Request().Context(), actor(c)
	reason := c.FormValue("reason")
	return s.answer(c, "decline", map[string]string{"reason": reason}, func(id uuid.UUID, version int) (*model.Referral, error) {
		return s.svc.Referrals.Decline(ctx, a, id, version, reason)
	}, func(l *locale.Localizer, ref string) string {
		return l.T("partner.flash.declined", map[string]any{"Reference": ref})
	})
}

// partnerStart marks an accepted referral in progress (recipient).
func (s *Server) partnerStart(c echo.Context) error {
	ctx, a := c.Request().Context(), actor(c)
	return s.answer(c, "", nil, func(id uuid.UUID, version int) (*model.Referral, error) {
		return s.svc.Referrals.Start(ctx, a, id, version)
	}, func(l *locale.Localizer, ref string) string {
		return l.T("partner.flash.started", map[string]any{"Reference": ref})
	})
}

// partnerComplete closes a referral with its required outcome (recipient).
func (s *Server) partnerComplete(c echo.Context) error {
	ctx, a := c.Request().Context(), actor(c)
	outcome := c.FormValue("outcome")
	return s.answer(c, "complete", map[string]string{"outcome": outcome}, func(id uuid.UUID, version int) (*model.Referral, error) {
		return s.svc.Referrals.Complete(ctx, a, id, version, outcome)
	}, func(l *locale.Localizer, ref string) string {
		return l.T("partner.flash.completed", map[string]any{"Reference": ref})
	})
}

// partnerWithdrawConfirm asks the sender to confirm a withdrawal and says what follows.
func (s *Server) partnerWithdrawConfirm(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ref, err := s.svc.Referrals.Get(c.Request().Context(), actor(c), id)
	if err != nil {
		return err
	}
	if !ref.Status.Active() || actor(c).OrgID == ref.ToOrgID {
		// Nothing to withdraw (any more): the referral page says where it stands.
		return c.Redirect(http.StatusSeeOther, "/vermittlungen/"+ref.ID.String())
	}
	names, err := s.lookup(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, components.PartnerWithdrawPage(components.PartnerWithdraw{
		ID: ref.ID.String(), Reference: ref.Reference, Version: ref.Version, To: names.org(ref.ToOrgID),
		Areas: names.areaList(ref.Areas), Status: string(ref.Status),
	}))
}

// partnerWithdraw takes a referral back (sender), after the confirmation page.
func (s *Server) partnerWithdraw(c echo.Context) error {
	ctx, a := c.Request().Context(), actor(c)
	return s.answer(c, "", nil, func(id uuid.UUID, version int) (*model.Referral, error) {
		return s.svc.Referrals.Withdraw(ctx, a, id, version)
	}, func(l *locale.Localizer, ref string) string {
		return l.T("partner.flash.withdrawn", map[string]any{"Reference": ref})
	})
}

// partnerNote shares a note for one of the referred areas of the referral's case.
func (s *Server) partnerNote(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	ref, err := s.svc.Referrals.Get(ctx, a, id)
	if err != nil {
		return err
	}
	in := model.NoteCreate{Area: strings.TrimSpace(c.FormValue("area")), Visibility: model.NoteShared, Body: c.FormValue("body")}
	if _, err := s.svc.Notes.Create(ctx, a, ref.CaseID, in); err != nil {
		return s.answerFailed(c, id, "note", map[string]string{"area": in.Area, "body": in.Body}, err)
	}
	s.flash(c, s.localizer(c).T("partner.flash.note_added"))
	return c.Redirect(http.StatusSeeOther, "/vermittlungen/"+id.String()+"#vermerke")
}

// partnerTask adds a task of the actor's organisation linked to the referral (and, when it
// names one area, to that area).
func (s *Server) partnerTask(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, a := c.Request().Context(), actor(c)
	ref, err := s.svc.Referrals.Get(ctx, a, id)
	if err != nil {
		return err
	}
	values := map[string]string{"title": c.FormValue("title"), "due_date": strings.TrimSpace(c.FormValue("due_date")), "priority": c.FormValue("priority")}
	in := model.TaskCreate{OrgID: a.OrgID, ReferralID: &ref.ID, Title: values["title"], Priority: model.TaskPriority(values["priority"])}
	if len(ref.Areas) == 1 {
		area := ref.Areas[0]
		in.Area = &area
	}
	if d := values["due_date"]; d != "" {
		day, err := time.Parse(time.DateOnly, d)
		if err != nil {
			// The zero date is refused by the service as "not a date", together with any
			// other problem of the form.
			day = time.Time{}
		}
		in.DueDate = &day
	}
	if _, err := s.svc.Tasks.Create(ctx, a, in); err != nil {
		return s.answerFailed(c, id, "task", values, err)
	}
	s.flash(c, s.localizer(c).T("partner.flash.task_added"))
	return c.Redirect(http.StatusSeeOther, "/vermittlungen/"+id.String()+"#aufgaben")
}

// contactViews are the contact persons of a referral's two sides, the other side first.
func contactViews(cs *model.ReferralContacts, recipient bool) []components.ContactView {
	if cs == nil {
		return nil
	}
	view := func(side string, person *model.StaffContact, org model.StaffContact) components.ContactView {
		c := components.ContactView{Side: side, Org: org.OrgName, OrgPhone: org.OrgPhone, OrgEmail: org.OrgEmail}
		if person != nil {
			c.Name, c.Phone, c.Email = person.Name, person.Phone, person.Email
		}
		return c
	}
	sender := view("sender", cs.Sender, cs.SenderOrg)
	rcpt := view("recipient", cs.Recipient, cs.RecipientOrg)
	if recipient {
		return []components.ContactView{sender, rcpt}
	}
	return []components.ContactView{rcpt, sender}
}
