package components

import "github.com/a-h/templ"

// Renderings of the page "Meine Kontaktdaten" (account.templ) for TestNoHardCodedText: as
// stored, and refused with both messages. Data from the database is marked ⟦…⟧.

func init() {
	stored := AccountView{Name: "⟦Wiebke Wohnen⟧", SignInEmail: "⟦w@idp.test⟧", Form: AccountForm{Phone: "⟦0541 1⟧", Email: "⟦w@stadt.test⟧", Version: 2}}
	refused := stored
	refused.Errors = FormErrors{
		{Field: "business_phone", ID: "account-phone", Msg: FormMsg{Key: "validation.business_phone.format"}},
		{Field: "business_email", ID: "account-email", Msg: FormMsg{Key: "validation.business_email.too_long", Data: map[string]any{"max": 254}}},
		{Msg: FormMsg{Key: "account.err.conflict"}},
	}
	pages["Account"] = []templ.Component{Account(stored), Account(refused), Account(AccountView{Name: "⟦X⟧"})}
}
