package web

import (
	"strings"

	"github.com/lotse-project/lotse/internal/locale"
	"github.com/lotse-project/lotse/internal/model"
)

// The parts of the UI whose forms word a code their own way (validation.<scope>.…); the
// case work forms and the API use the general wording (no scope).
const (
	scopeCases   = ""
	scopeAPI     = ""
	scopePartner = "partner"
	scopeAdmin   = "admin"
	scopeAudit   = "audit"
	// scopeNotifications: the notification settings (validation.notifications.…).
	scopeNotifications = "notifications"
)

// fieldMessage is the one mapper from a service's field error to a message in the user's
// language, for every form and the API: the locale key and its template data (the code's
// params). The key is the most specific one defined of
//
//	validation.<scope>.<field>.<code>
//	validation.<field>.<code>
//	validation.<scope>.<code>
//	validation.<code>
//
// where field is the last part of the field's name ("primary.family_name" is family_name,
// "members[1].birth_date" is birth_date). A code without a message (a test prevents it)
// reads as validation.invalid.
func fieldMessage(l *locale.Localizer, scope string, fe model.FieldError) (string, map[string]any) {
	field := fe.Field
	if i := strings.LastIndex(field, "."); i >= 0 {
		field = field[i+1:]
	}
	var keys []string
	if scope != "" {
		keys = append(keys, "validation."+scope+"."+field+"."+fe.Code)
	}
	keys = append(keys, "validation."+field+"."+fe.Code)
	if scope != "" {
		keys = append(keys, "validation."+scope+"."+fe.Code)
	}
	keys = append(keys, "validation."+fe.Code)
	for _, k := range keys {
		if l.Has(k) {
			return k, fe.Params
		}
	}
	return "validation." + model.CodeInvalid, nil
}

// fieldText is fieldMessage, translated.
func fieldText(l *locale.Localizer, scope string, fe model.FieldError) string {
	key, data := fieldMessage(l, scope, fe)
	return l.T(key, data)
}

// stateLabel names a state of a case, referral, task or consent in the user's language.
func stateLabel(l *locale.Localizer, object, state string) string {
	key := "error.transition_refused." + object + "." + state
	switch object {
	case "case", "referral", "task":
		key = "cases." + object + "_status." + state
	}
	if !l.Has(key) {
		return state
	}
	return l.T(key)
}

// transitionText says in the user's language which change of state was refused, and which
// changes the record allows instead.
func transitionText(l *locale.Localizer, te *model.TransitionError) string {
	from, to := stateLabel(l, te.Object, te.From), stateLabel(l, te.Object, te.To)
	if te.From == te.To {
		if k := "error.transition_refused." + te.Object + ".same"; l.Has(k) {
			return l.T(k)
		}
		return l.T("error.transition_refused.same", map[string]any{"From": from})
	}
	msg := l.T("error.transition_refused.detail", map[string]any{"From": from, "To": to})
	if len(te.Allowed) == 0 {
		return msg + " " + l.T("error.transition_refused.final", map[string]any{"From": from})
	}
	names := make([]string, len(te.Allowed))
	for i, s := range te.Allowed {
		names[i] = stateLabel(l, te.Object, s)
	}
	return msg + " " + l.T("error.transition_refused.allowed", map[string]any{"Allowed": strings.Join(names, ", ")})
}

// apiFieldErrors are the field errors of an API answer: field, code and params for
// programs, the code's message in the client's language for people.
func apiFieldErrors(l *locale.Localizer, ve *model.ValidationError) []apiFieldError {
	if ve == nil {
		return nil
	}
	out := make([]apiFieldError, len(ve.Fields))
	for i, fe := range ve.Fields {
		out[i] = apiFieldError{Field: fe.Field, Code: fe.Code, Params: fe.Params, Message: fieldText(l, scopeAPI, fe)}
	}
	return out
}
