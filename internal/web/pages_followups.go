package web

import (
	"net/http"
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

// Follow-up dates (Wiedervorlagen) on the case page and the task page: the form posts a
// date or a number of working days (POST-redirect-GET with a flash that states the day, and
// that it was moved to the next working day when the date was none); bad input shows the page
// again with the form's messages (422) and changes nothing. The service decides who may
// (whoever may read the record) and keeps each follow-up its member's own.

// followUpFormOrder is the order of the follow-up form's inputs, for the error summary.
var followUpFormOrder = []string{"due_on", "working_days"}

// followUpPaths are the pages of the records a follow-up may be on.
var followUpPaths = map[string]string{model.ObjectCase: "/faelle/", model.ObjectTask: "/aufgaben/"}

// followUpView is the follow-up form of the record at path (its page) with the user's
// open follow-up f.
func followUpView(page string, f *model.FollowUp, form components.FormState) components.FollowUpView {
	v := components.FollowUpView{Action: page + "/wiedervorlage", Form: form}
	if f != nil {
		d := f.DueOn
		v.Current = &d
	}
	return v
}

// followUpInput reads the form: a date as typed (one that is none becomes the zero date,
// which the service refuses as "not a date"), or a number of working days (one that is none
// becomes -1, out of range); both empty is neither, which the service asks for.
func followUpInput(c echo.Context, object string, id uuid.UUID) (model.FollowUpInput, map[string]string) {
	vals := map[string]string{"due_on": c.FormValue("due_on"), "working_days": c.FormValue("working_days")}
	in := model.FollowUpInput{Object: object, ID: id}
	if strings.TrimSpace(vals["due_on"]) != "" {
		in.DueOn = taskDue(vals["due_on"])
	}
	if raw := strings.TrimSpace(vals["working_days"]); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n == 0 {
			n = -1
		}
		in.WorkingDays = n
	}
	return in, vals
}

// dayText names a day with its weekday in the user's language, as the pages do.
func dayText(l *locale.Localizer, d time.Time) string {
	layout := "02.01.2006"
	if l.Lang == language.English {
		layout = time.DateOnly
	}
	return l.T("followups.weekday."+strconv.Itoa(int(d.Weekday()))) + " " + d.Format(layout)
}

// followUpSet sets the user's follow-up of a case or a task from the form.
func (s *Server) followUpSet(object string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		ctx, a, l := c.Request().Context(), actor(c), s.localizer(c)
		in, vals := followUpInput(c, object, id)
		set, err := s.svc.Notifications.SetFollowUp(ctx, a, in)
		if err != nil {
			errs, ok := caseFormErrors(l, err, nil, followUpFormOrder)
			if !ok {
				return err
			}
			form := components.FormState{V: vals, Errs: errs}
			if object == model.ObjectTask {
				return s.renderTask(c, id, http.StatusUnprocessableEntity, taskForms{followUp: form})
			}
			return s.renderCase(c, id, http.StatusUnprocessableEntity, caseForms{followUp: form})
		}
		if set.Moved {
			s.flash(c, l.T("followups.flash.moved", map[string]any{"Requested": dayText(l, set.Requested), "Date": dayText(l, set.FollowUp.DueOn)}))
		} else {
			s.flash(c, l.T("followups.flash.set", map[string]any{"Date": dayText(l, set.FollowUp.DueOn)}))
		}
		return c.Redirect(http.StatusSeeOther, followUpPaths[object]+id.String()+"#wiedervorlage")
	}
}

// followUpClear clears the user's follow-up of a case or a task.
func (s *Server) followUpClear(object string) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		ctx, a, l := c.Request().Context(), actor(c), s.localizer(c)
		if _, err := s.svc.Notifications.ClearFollowUp(ctx, a, object, id); err != nil {
			return err
		}
		s.flash(c, l.T("followups.flash.cleared"))
		return c.Redirect(http.StatusSeeOther, followUpPaths[object]+id.String()+"#wiedervorlage")
	}
}

// homeFollowUps is the start page's follow-up section: each follow-up linked to its case or
// task, its case named through the mask.
func homeFollowUps(fs *model.FollowUpSections) *components.HomeFollowUps {
	if fs == nil {
		return nil
	}
	section := func(sec model.Section[model.FollowUpItem]) components.HomeFollowUpSection {
		out := components.HomeFollowUpSection{Total: sec.Total}
		for _, f := range sec.Items {
			r := components.HomeFollowUp{Href: followUpPaths[f.Object()] + f.RecordID().String(), Title: f.TaskTitle, Due: f.DueOn}
			if f.CaseID != nil {
				r.Case = caseLabel(*f.CaseID, f.Case)
			} else if f.TaskCaseID != nil {
				r.Case = caseLabel(*f.TaskCaseID, f.Case)
			}
			out.Items = append(out.Items, r)
		}
		return out
	}
	return &components.HomeFollowUps{Overdue: section(fs.Overdue), Today: section(fs.Today), ThisWeek: section(fs.ThisWeek)}
}
