package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/ui/components"
)

// The task pages: a new task (from the case page or the task list), the page of one task
// with its comments and history, editing it, changing its status and commenting. Each page
// is one service call (Tasks.Form, Tasks.Page); what the user may do is the service's
// decision (model.TaskCapabilities), and the service checks every action again.

// taskFormOrder is the order of the new-task form's inputs, for the error summary.
var taskFormOrder = []string{"title", "description", "area", "due_date", "priority", "assignee", "body", "status"}

// taskField maps a service's field to the task forms' inputs: organisation and assignee are
// the one choice "assignee"; case and referral belong to the whole form.
func taskField(f model.FieldError) string {
	switch f.Field {
	case "org_id", "assignee_id":
		return "assignee"
	case "case_id", "referral_id", "version":
		return ""
	}
	return f.Field
}

// taskNew shows the form of a new task, for the case ?fall= when given.
func (s *Server) taskNew(c echo.Context) error {
	caseID, err := taskCaseParam(c.QueryParam("fall"))
	if err != nil {
		return err
	}
	v, err := s.taskForm(c, caseID, nil, nil)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, components.TaskNew(v))
}

// taskCaseParam reads the optional case of a new task; one that is no id is a missing case.
func taskCaseParam(raw string) (*uuid.UUID, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	id, err := uuid.Parse(raw)
	if err != nil {
		return nil, model.ErrNotFound
	}
	return &id, nil
}

// taskForm builds the new-task form from the service's read model, with the entered values
// (nil: the defaults, the user as assignee when they may work tasks).
func (s *Server) taskForm(c echo.Context, caseID *uuid.UUID, vals map[string]string, errs components.FormErrors) (components.TaskFormView, error) {
	ctx, a, l := c.Request().Context(), actor(c), s.localizer(c)
	f, err := s.svc.Tasks.Form(ctx, a, caseID)
	if err != nil {
		return components.TaskFormView{}, err
	}
	v := components.TaskFormView{V: vals, Errs: errs, Back: "/aufgaben"}
	if f.CaseID != nil {
		v.CaseID = f.CaseID.String()
		v.Back = "/faelle/" + v.CaseID
		if f.Case != nil {
			v.Case = caseLabel(*f.CaseID, f.Case)
		}
	}
	v.Areas = areaOptions(f.Areas, areaNamesOf(f.Areas, l.Lang == language.English), nil)
	me := ""
	for _, p := range f.Assignees {
		o := components.Option{Value: "user:" + p.UserID.String(), Label: p.Name}
		if p.UserID == a.UserID {
			o.Label, me = l.T("tasks.assignee.me", map[string]any{"Name": p.Name}), o.Value
		}
		v.People = append(v.People, o)
	}
	for _, q := range f.Queues {
		v.Queues = append(v.Queues, components.Option{Value: "org:" + q.ID.String(), Label: l.T("tasks.assignee.queue", map[string]any{"Org": q.Name})})
	}
	if v.V == nil {
		v.V = map[string]string{"priority": string(model.PriorityNormal), "assignee": me}
		if me == "" && len(v.Queues) > 0 {
			v.V["assignee"] = v.Queues[0].Value
		}
	}
	return v, nil
}

// taskCreate creates a task from the form; bad input shows the form again with its
// messages, and nothing is created.
func (s *Server) taskCreate(c echo.Context) error {
	ctx, a := c.Request().Context(), actor(c)
	caseID, err := taskCaseParam(c.FormValue("fall"))
	if err != nil {
		return err
	}
	vals := map[string]string{}
	for _, k := range []string{"title", "description", "area", "due_date", "priority", "assignee"} {
		vals[k] = c.FormValue(k)
	}
	in := model.TaskCreate{CaseID: caseID, Title: vals["title"], Description: vals["description"], Priority: model.TaskPriority(vals["priority"])}
	if ar := strings.TrimSpace(vals["area"]); ar != "" {
		in.Area = &ar
	}
	in.DueDate = taskDue(vals["due_date"])
	switch kind, id, _ := strings.Cut(vals["assignee"], ":"); kind {
	case "user":
		in.OrgID = a.OrgID
		if uid, err := uuid.Parse(id); err == nil {
			in.AssigneeID = &uid
		} else {
			in.AssigneeID = &uuid.Nil // not a person: the service names it
		}
	case "org":
		if oid, err := uuid.Parse(id); err == nil {
			in.OrgID = oid
		}
	}
	t, err := s.svc.Tasks.Create(ctx, a, in)
	if err != nil {
		errs, ok := caseFormErrors(s.localizer(c), err, taskField, taskFormOrder)
		if !ok {
			return err
		}
		v, ferr := s.taskForm(c, caseID, vals, errs)
		if ferr != nil {
			return ferr
		}
		return s.render(c, http.StatusUnprocessableEntity, components.TaskNew(v))
	}
	s.flash(c, s.localizer(c).T("tasks.flash.created", map[string]any{"Title": t.Title}))
	return c.Redirect(http.StatusSeeOther, "/aufgaben/"+t.ID.String())
}

// taskDue reads a due date as typed; a date that is none becomes the zero date, which the
// service refuses as "not a date" together with any other problem of the form.
func taskDue(raw string) *time.Time {
	d, ok := parseDate(raw)
	if !ok {
		zero := time.Time{}
		return &zero
	}
	return d
}

// taskForms are the forms of a task page that a failed post shows again.
type taskForms struct {
	edit, comment, followUp components.FormState
	status                  components.FormErrors
}

// taskPage shows one task.
func (s *Server) taskPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return s.renderTask(c, id, http.StatusOK, taskForms{})
}

// renderTask renders the task page from the service's read model.
func (s *Server) renderTask(c echo.Context, id uuid.UUID, status int, forms taskForms) error {
	ctx, a := c.Request().Context(), actor(c)
	p, err := s.svc.Tasks.Page(ctx, a, id)
	if err != nil {
		return err
	}
	areaNames := areaNamesOf(p.Areas, s.localizer(c).Lang == language.English)
	t := p.Task
	v := components.TaskPageView{
		ID: t.ID.String(), Title: t.Title, Description: t.Description, Status: string(t.Status), Reason: string(t.StatusReason),
		Priority: string(t.Priority), Org: p.OrgName, Due: t.DueDate, Created: t.CreatedAt, CreatedBy: whoView(a, t.CreatedBy, p.People),
		Version: t.Version, Unassigned: t.AssigneeID == nil, Assignee: whoView(a, t.AssigneeID, p.People),
		CanEdit: p.May.Edit, CanComment: p.May.Comment, StatusNext: p.May.StatusNext,
		Edit: forms.edit, Comment: forms.comment, StatusErrs: forms.status,
		FollowUp: followUpView("/aufgaben/"+t.ID.String(), p.FollowUp, forms.followUp),
	}
	if t.CaseID != nil {
		v.Case, v.CaseHidden = caseLabel(*t.CaseID, t.Case), t.Case == nil
	}
	if t.Area != nil {
		v.Area, v.AreaName = *t.Area, areaNames[*t.Area]
	}
	v.Areas = areaOptions(p.Areas, areaNames, nil)
	for _, cm := range p.Comments {
		v.Comments = append(v.Comments, components.TaskCommentView{Who: whoView(a, cm.AuthorID, p.People), Org: p.Orgs[cm.OrgID], At: cm.CreatedAt, Body: cm.Body})
	}
	for _, e := range p.History {
		h := components.TaskHistoryView{Kind: string(e.Kind), At: e.At, Who: whoView(a, e.ActorID, p.People), System: e.System, Fields: e.Fields, Status: string(e.Status)}
		if e.OrgID != nil {
			h.Org = p.Orgs[*e.OrgID]
		}
		if e.AssigneeOrgID != nil {
			h.AssigneeOrg = p.Orgs[*e.AssigneeOrgID]
		}
		if e.AssigneeID != nil {
			h.Assignee, h.HasAssignee = whoView(a, e.AssigneeID, p.People), true
		}
		v.History = append(v.History, h)
	}
	if v.Edit.V == nil {
		v.Edit.V = map[string]string{"title": t.Title, "description": t.Description, "area": v.Area, "priority": string(t.Priority)}
		if t.DueDate != nil {
			v.Edit.V["due_date"] = t.DueDate.Format(time.DateOnly)
		}
	}
	return s.render(c, status, components.TaskPage(v))
}

// taskUpdate saves the edit form (title, description, area, due date, priority) or, with
// aktion=status, the status alone. A stale version is a conflict: the page shows the current
// task with the message, and the entered values stay in the form.
func (s *Server) taskUpdate(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, a, l := c.Request().Context(), actor(c), s.localizer(c)
	statusOnly := c.FormValue("aktion") == "status"
	var p model.TaskPatch
	vals := map[string]string{}
	if statusOnly {
		st := model.TaskStatus(c.FormValue("status"))
		p.Status = &st
	} else {
		for _, k := range []string{"title", "description", "area", "due_date", "priority"} {
			vals[k] = c.FormValue(k)
		}
		title, desc, area, prio := vals["title"], vals["description"], strings.TrimSpace(vals["area"]), model.TaskPriority(vals["priority"])
		p.Title, p.Description, p.Area, p.Priority = &title, &desc, &area, &prio
		if strings.TrimSpace(vals["due_date"]) == "" {
			p.ClearDueDate = true
		} else {
			p.DueDate = taskDue(vals["due_date"])
		}
	}
	t, err := s.svc.Tasks.Update(ctx, a, id, formVersion(c), p)
	if err == nil {
		if statusOnly {
			s.flash(c, l.T("tasks.flash.status", map[string]any{"Status": l.T("cases.task_status." + string(t.Status))}))
		} else {
			s.flash(c, l.T("tasks.flash.saved"))
		}
		return c.Redirect(http.StatusSeeOther, "/aufgaben/"+id.String())
	}
	errs, ok := caseFormErrors(l, err, taskField, taskFormOrder)
	if !ok {
		return err
	}
	if statusOnly {
		return s.renderTask(c, id, http.StatusUnprocessableEntity, taskForms{status: errs})
	}
	return s.renderTask(c, id, http.StatusUnprocessableEntity, taskForms{edit: components.FormState{V: vals, Errs: errs}})
}

// taskComment adds a comment to a task.
func (s *Server) taskComment(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ctx, a, l := c.Request().Context(), actor(c), s.localizer(c)
	body := c.FormValue("body")
	if _, err := s.svc.Tasks.AddComment(ctx, a, id, body); err != nil {
		errs, ok := caseFormErrors(l, err, taskField, taskFormOrder)
		if !ok {
			return err
		}
		return s.renderTask(c, id, http.StatusUnprocessableEntity, taskForms{comment: components.FormState{V: map[string]string{"body": body}, Errs: errs}})
	}
	s.flash(c, l.T("tasks.flash.commented"))
	return c.Redirect(http.StatusSeeOther, "/aufgaben/"+id.String()+"#kommentare")
}
