package components

import "context"

// The types every form of every page shares: its problems after a failed post and the
// choices of its selects, checkboxes and radios.

// FormMsg is a message of a form in the user's language: a message key with its template
// data, translated when the page is rendered; or, when Key is empty, Text, a message the web
// layer has translated already.
type FormMsg struct {
	Key  string
	Data map[string]any
	Text string
}

// msgText is the message in the page's language.
func msgText(ctx context.Context, m FormMsg) string {
	if m.Key == "" {
		return m.Text
	}
	return T(ctx, m.Key, m.Data)
}

// FieldErr is one problem with one input of a form, shown beside the input and in the error
// summary at the top of the form. Field is the input's name; an empty Field is a problem of
// the whole form. ID is the input's id, which the summary links to, where the page does not
// derive it from Field (the case pages use "f-" + Field); an empty ID links nowhere.
type FieldErr struct {
	Field string
	ID    string
	Msg   FormMsg
}

// FormErrors are the problems of a form, in the order of the form.
type FormErrors []FieldErr

// For returns the message of field, or nil; never a problem of the whole form.
func (e FormErrors) For(field string) *FormMsg {
	for i := range e {
		if e[i].Field == field && field != "" {
			return &e[i].Msg
		}
	}
	return nil
}

// Option is one choice of a select, a group of checkboxes or radios. Label is shown as
// it is (data: an organisation's name); LabelKey, when set, is a message key instead.
type Option struct {
	Value    string
	Label    string
	LabelKey string
}

// Who names who did something: the user themself, a person by name (when the user may
// see the members), or nobody known to the user.
type Who struct {
	Me   bool
	Name string
}

// errText is the text of a field's problem, "" for none.
func errText(ctx context.Context, m *FormMsg) string {
	if m == nil {
		return ""
	}
	return msgText(ctx, *m)
}
