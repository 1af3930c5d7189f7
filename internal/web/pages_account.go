package web

// The page "Meine Kontaktdaten": every signed-in member corrects their own business phone
// and e-mail. The account is always the signed-in one (the service takes no account id), so
// nobody changes another person's data here.

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/locale"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/ui/components"
)

// accountFields are the inputs of the form, by the service's field names.
var accountFields = map[string]string{"business_phone": "account-phone", "business_email": "account-email"}

func accountView(u *model.User) components.AccountView {
	return components.AccountView{Name: u.DisplayName, SignInEmail: u.Email,
		Form: components.AccountForm{Phone: u.BusinessPhone, Email: u.BusinessEmail, Version: u.Version}}
}

func (s *Server) accountPage(c echo.Context) error {
	u, err := s.svc.Directory.OwnContact(c.Request().Context(), actor(c))
	if err != nil {
		return fmt.Errorf("web: account page: %w", err)
	}
	return s.render(c, http.StatusOK, components.Account(accountView(u)))
}

func (s *Server) updateAccount(c echo.Context) error {
	ctx, a, l := c.Request().Context(), actor(c), s.localizer(c)
	form := components.AccountForm{Phone: c.FormValue("business_phone"), Email: c.FormValue("business_email"), Version: formVersion(c)}
	_, err := s.svc.Directory.UpdateOwnContact(ctx, a, model.BusinessContact{Phone: form.Phone, Email: form.Email}, form.Version)
	if err == nil {
		s.flash(c, l.T("account.flash.saved"))
		return c.Redirect(http.StatusSeeOther, "/konto")
	}
	errs, status, ok := accountFormErrors(l, err)
	if !ok {
		return fmt.Errorf("web: update account: %w", err)
	}
	u, rerr := s.svc.Directory.OwnContact(ctx, a)
	if rerr != nil {
		return fmt.Errorf("web: account page: %w", rerr)
	}
	v := accountView(u)
	if status != http.StatusConflict {
		v.Form.Phone, v.Form.Email = form.Phone, form.Email // keep what was typed; the version is the stored one
		v.Form.Version = form.Version
	}
	v.Errors = errs
	return s.render(c, status, components.Account(v))
}

// accountFormErrors turns a failed change into the form's messages and the page's status; ok
// is false for errors that are not about the input.
func accountFormErrors(l *locale.Localizer, err error) (components.FormErrors, int, bool) {
	var ve *model.ValidationError
	switch {
	case errors.As(err, &ve):
		var errs components.FormErrors
		for _, fe := range ve.Fields {
			key, data := fieldMessage(l, scopeCases, fe)
			errs = append(errs, components.FieldErr{Field: fe.Field, ID: accountFields[fe.Field], Msg: components.FormMsg{Key: key, Data: data}})
		}
		return errs, http.StatusUnprocessableEntity, true
	case errors.Is(err, model.ErrConflict):
		return components.FormErrors{{Msg: components.FormMsg{Key: "account.err.conflict"}}}, http.StatusConflict, true
	}
	return nil, 0, false
}
