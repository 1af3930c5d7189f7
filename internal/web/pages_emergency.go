package web

// Emergency access (Notfallzugriff, docs/emergency-access.md): the page on which a caseworker
// of a municipal department opens a case outside their scope with its reference and a
// reason, and the data protection officer's review of every access. The banner on the case
// page is part of renderCase.

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/locale"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/ui/components"
)

// emergencyFields are the inputs of the form, by the service's field names.
var emergencyFields = map[string]string{"reference": "notfall-reference", "reason": "notfall-reason"}

func (s *Server) emergencyPage(c echo.Context) error {
	v := s.emergencyView(c)
	v.Reference = c.QueryParam("aktenzeichen")
	return s.render(c, http.StatusOK, components.Emergency(v))
}

// emergencyView is the page's frame: whether the member may ask, and for how long.
func (s *Server) emergencyView(c echo.Context) components.EmergencyView {
	return components.EmergencyView{
		Allowed: s.svc.Emergency.MayGrant(actor(c)), Duration: durationText(s.localizer(c), s.svc.Emergency.Duration()),
		ReasonMin: model.EmergencyReasonMin,
	}
}

// durationText writes a duration in whole hours, or in minutes when it is not.
func durationText(l *locale.Localizer, d time.Duration) string {
	if d%time.Hour == 0 {
		return l.T("emergency.duration.hours", map[string]any{"Count": int(d / time.Hour)})
	}
	return l.T("emergency.duration.minutes", map[string]any{"Count": int(d / time.Minute)})
}

func (s *Server) emergencyGrant(c echo.Context) error {
	ctx, a, l := c.Request().Context(), actor(c), s.localizer(c)
	v := s.emergencyView(c)
	v.Reference, v.Reason = c.FormValue("reference"), c.FormValue("reason")
	e, caseID, err := s.svc.Emergency.Grant(ctx, a, model.EmergencyAccessInput{Reference: v.Reference, Reason: v.Reason})
	switch {
	case err == nil && e == nil:
		s.flash(c, l.T("emergency.flash.visible"))
		return c.Redirect(http.StatusSeeOther, "/faelle/"+caseID.String())
	case err == nil:
		until := e.ExpiresAt.In(model.Berlin).Format("15:04")
		s.flash(c, l.T("emergency.flash.granted", map[string]any{"Reference": e.Reference, "Until": until}))
		return c.Redirect(http.StatusSeeOther, "/faelle/"+e.CaseID.String())
	case errors.Is(err, model.ErrForbidden):
		v.Allowed = false
		return s.render(c, http.StatusForbidden, components.Emergency(v))
	}
	var ve *model.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("web: emergency access: %w", err)
	}
	for _, fe := range ve.Fields {
		key, data := fieldMessage(l, "emergency", fe)
		v.Errors = append(v.Errors, components.FieldErr{Field: fe.Field, ID: emergencyFields[fe.Field], Msg: components.FormMsg{Key: key, Data: data}})
	}
	return s.render(c, http.StatusUnprocessableEntity, components.Emergency(v))
}

func (s *Server) emergencyReview(c echo.Context) error {
	list, err := s.svc.Emergency.Review(c.Request().Context(), actor(c))
	if err != nil {
		return fmt.Errorf("web: emergency review: %w", err)
	}
	now := s.svc.Now()
	v := components.EmergencyReviewView{}
	for _, r := range list {
		row := components.EmergencyReviewRow{
			ID: r.ID.String(), Reference: r.Reference, User: r.UserName, Org: r.OrgName, Reason: r.Reason,
			Granted: r.GrantedAt, Until: r.ExpiresAt, Active: r.Active(now),
		}
		for _, ev := range r.Reads {
			row.Reads = append(row.Reads, components.EmergencyRead{At: ev.At, Action: ev.Action})
		}
		v.Rows = append(v.Rows, row)
	}
	return s.render(c, http.StatusOK, components.EmergencyReview(v))
}
