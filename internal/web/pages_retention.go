package web

// The data protection officer's page of deletion on schedule (docs/retention.md): what the
// next run would delete, by rule, and the legal holds, set by a case's reference and lifted
// again. The page shows counts and references only, no case content.

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/ui/components"
)

// retentionFields are the inputs of the hold form, by the service's field names.
var retentionFields = map[string]string{"reference": "hold-reference", "reason": "hold-reason", "until": "hold-until"}

func (s *Server) retentionPage(c echo.Context) error {
	return s.renderRetention(c, http.StatusOK, components.HoldForm{}, nil)
}

// renderRetention renders the page with the form as given and its messages.
func (s *Server) renderRetention(c echo.Context, status int, form components.HoldForm, errs components.FormErrors) error {
	p, err := s.svc.Retention.Preview(c.Request().Context(), actor(c))
	if err != nil {
		return fmt.Errorf("web: retention page: %w", err)
	}
	v := components.RetentionView{
		Rules: p.Rules, Due: p.Due, Form: form, Errors: errs,
	}
	for _, h := range p.Holds {
		v.Holds = append(v.Holds, components.HoldRow{
			CaseID: h.CaseID.String(), Reference: h.Reference, Reason: h.Reason, HeldAt: h.HeldAt, Until: h.Until, Due: h.Due,
		})
	}
	return s.render(c, status, components.Retention(v))
}

func (s *Server) retentionHold(c echo.Context) error {
	ctx, a, l := c.Request().Context(), actor(c), s.localizer(c)
	form := components.HoldForm{Reference: c.FormValue("reference"), Reason: c.FormValue("reason"), Until: c.FormValue("until")}
	in := model.CaseHoldInput{Reference: form.Reference, Reason: form.Reason}
	var errs components.FormErrors
	if form.Until != "" {
		d, err := time.Parse(time.DateOnly, form.Until)
		if err != nil {
			errs = append(errs, components.FieldErr{Field: "until", ID: retentionFields["until"], Msg: components.FormMsg{Key: "validation.format"}})
		} else {
			in.Until = &d
		}
	}
	if len(errs) == 0 {
		h, err := s.svc.Retention.Hold(ctx, a, in)
		if err == nil {
			s.flash(c, l.T("retention.flash.held", map[string]any{"Reference": h.Reference}))
			return c.Redirect(http.StatusSeeOther, "/loeschfristen")
		}
		var ve *model.ValidationError
		if !errors.As(err, &ve) {
			return fmt.Errorf("web: set hold: %w", err)
		}
		for _, fe := range ve.Fields {
			key, data := fieldMessage(l, "retention", fe)
			errs = append(errs, components.FieldErr{Field: fe.Field, ID: retentionFields[fe.Field], Msg: components.FormMsg{Key: key, Data: data}})
		}
	}
	return s.renderRetention(c, http.StatusUnprocessableEntity, form, errs)
}

func (s *Server) retentionRelease(c echo.Context) error {
	ctx, a, l := c.Request().Context(), actor(c), s.localizer(c)
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.svc.Retention.Release(ctx, a, id); err != nil {
		return fmt.Errorf("web: release hold: %w", err)
	}
	s.flash(c, l.T("retention.flash.released"))
	return c.Redirect(http.StatusSeeOther, "/loeschfristen")
}
