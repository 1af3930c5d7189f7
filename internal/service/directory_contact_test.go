package service_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
)

// TestUpdateOwnContact: a member sets their own business phone and e-mail, which the other
// side of a referral then sees as its contact person; only the actor's own row changes, with
// one audit event naming the fields, not the values; bad input and a stale version change
// nothing.
func TestUpdateOwnContact(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	contact := func(id any) (phone, email string, version int) {
		t.Helper()
		if err := w.db.SQL.QueryRow(`SELECT business_phone, business_email, version FROM users WHERE id = $1`, id).Scan(&phone, &email, &version); err != nil {
			t.Fatal(err)
		}
		return
	}
	events := func() int {
		t.Helper()
		var n int
		if err := w.db.SQL.QueryRow(`SELECT count(*) FROM audit_events WHERE action = 'member.update' AND object_id = $1`, w.housingWorker.UserID.String()).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	_, _, v0 := contact(w.housingWorker.UserID)
	_, _, other0 := contact(w.housingWorker2.UserID)

	u, err := w.svc.Directory.UpdateOwnContact(w.ctx, w.housingWorker, model.BusinessContact{Phone: " +49 (541) 000/3151-2 ", Email: "w.wohnen@osnabrueck.example"}, v0)
	if err != nil {
		t.Fatal(err)
	}
	if u.ID != w.housingWorker.UserID || u.BusinessPhone != "+49 (541) 000/3151-2" {
		t.Errorf("updated %v %q", u.ID, u.BusinessPhone)
	}
	phone, email, v1 := contact(w.housingWorker.UserID)
	if phone != "+49 (541) 000/3151-2" || email != "w.wohnen@osnabrueck.example" || v1 != v0+1 {
		t.Errorf("stored %q %q version %d (was %d)", phone, email, v1, v0)
	}
	if p, e, v := contact(w.housingWorker2.UserID); p != "" || e != "" || v != other0 {
		t.Errorf("a colleague's row changed: %q %q %d", p, e, v)
	}
	var details string
	if err := w.db.SQL.QueryRow(`SELECT details::text FROM audit_events WHERE action = 'member.update' AND object_id = $1`, w.housingWorker.UserID.String()).Scan(&details); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(details, "business_phone") || !strings.Contains(details, "business_email") || strings.Contains(details, "3151") || strings.Contains(details, "osnabrueck") {
		t.Errorf("audit details %s: want the fields, not the values", details)
	}

	// The other side of a referral sees the new contact data.
	ref, _ := w.coveredReferral(w.jobcenter)
	got, err := w.svc.Referrals.Get(w.ctx, w.jobcenterWorker, ref.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s := got.Contacts.Sender; s == nil || s.Phone != "+49 (541) 000/3151-2" || s.Email != "w.wohnen@osnabrueck.example" {
		t.Errorf("sender contact %+v", s)
	}

	// Refused input and a stale version change nothing and record nothing.
	for name, in := range map[string]model.BusinessContact{
		"letters in the phone":  {Phone: "0541 call me", Email: email},
		"phone without digits":  {Phone: "+-/", Email: email},
		"phone too long":        {Phone: strings.Repeat("1", 51), Email: email},
		"not an e-mail":         {Phone: phone, Email: "w.wohnen"},
		"e-mail with a name":    {Phone: phone, Email: "W <w@osnabrueck.example>"},
		"e-mail without domain": {Phone: phone, Email: "w@localhost"},
		"e-mail too long":       {Phone: phone, Email: strings.Repeat("a", 250) + "@x.de"},
		"control characters":    {Phone: phone, Email: "w@osnabrueck.example\x00"},
	} {
		_, err := w.svc.Directory.UpdateOwnContact(w.ctx, w.housingWorker, in, v1)
		var ve *model.ValidationError
		if !errors.As(err, &ve) || len(ve.Fields) == 0 {
			t.Errorf("%s: %v, want a validation error", name, err)
		}
	}
	if _, err := w.svc.Directory.UpdateOwnContact(w.ctx, w.housingWorker, model.BusinessContact{}, v0); !errors.Is(err, model.ErrConflict) {
		t.Errorf("stale version: %v", err)
	}
	if p, e, v := contact(w.housingWorker.UserID); p != phone || e != email || v != v1 {
		t.Errorf("a refused change changed %q %q %d", p, e, v)
	}
	if n := events(); n != 1 {
		t.Errorf("%d member.update events, want 1", n)
	}

	// Clearing one field names only that field; the same values again write nothing.
	if _, err := w.svc.Directory.UpdateOwnContact(w.ctx, w.housingWorker, model.BusinessContact{Phone: phone}, v1); err != nil {
		t.Fatal(err)
	}
	if err := w.db.SQL.QueryRow(`SELECT details::text FROM audit_events WHERE action = 'member.update' AND object_id = $1 ORDER BY id DESC LIMIT 1`, w.housingWorker.UserID.String()).Scan(&details); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(details, "business_email") || strings.Contains(details, "business_phone") {
		t.Errorf("clearing the e-mail: details %s", details)
	}
	if _, err := w.svc.Directory.UpdateOwnContact(w.ctx, w.housingWorker, model.BusinessContact{Phone: phone}, v1+1); err != nil {
		t.Fatal(err)
	}
	if n := events(); n != 2 {
		t.Errorf("%d member.update events after an unchanged save, want 2", n)
	}
	if own, err := w.svc.Directory.OwnContact(w.ctx, w.housingWorker); err != nil || own.BusinessPhone != phone || own.BusinessEmail != "" {
		t.Errorf("own contact %+v %v", own, err)
	}
}
