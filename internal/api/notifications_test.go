package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

type apiNotification struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"`
	Read      bool   `json:"read"`
	Available bool   `json:"available"`
	Target    string `json:"target_type"`
	TargetID  string `json:"target_id"`
	Case      *struct {
		Reference string `json:"reference"`
		Name      string `json:"name"`
	} `json:"case"`
}

// TestNotificationAPI: the list, the unread count, marking read (another member's id is
// 404), mark all; a revoked consent hides the partner's item (nothing named, the count
// drops); the settings, and bad settings refused with 400 naming the field and nothing
// changed.
func TestNotificationAPI(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.CaritasWorker, Status: model.ReferralSent})
	partner := w.Notify(t, w.CaritasWorker, model.NotifyReferralNew, model.ObjectReferral, cw.Referral.ID)
	lead := w.Notify(t, w.HousingWorker, model.NotifyFollowUp, model.ObjectCase, cw.Case.ID)
	get := func(u *world.User, path string) *world.Response {
		t.Helper()
		return w.Do(t, world.Request{As: u, Method: http.MethodGet, URL: base + path})
	}
	count := func(u *world.User) int {
		t.Helper()
		r := get(u, "/notifications/unread-count")
		if r.Status != 200 {
			t.Fatalf("count: %d %s", r.Status, r.Body)
		}
		return decode[struct {
			Unread int `json:"unread"`
		}](t, r).Unread
	}
	list := func(u *world.User) []apiNotification {
		t.Helper()
		r := get(u, "/notifications")
		if r.Status != 200 {
			t.Fatalf("list: %d %s", r.Status, r.Body)
		}
		return decode[struct {
			Items []apiNotification `json:"items"`
		}](t, r).Items
	}

	if n := count(w.CaritasWorker); n != 1 {
		t.Fatalf("partner unread = %d, want 1", n)
	}
	items := list(w.CaritasWorker)
	if len(items) != 1 || items[0].ID != partner.String() || !items[0].Available || items[0].Target != "referral" ||
		items[0].TargetID != cw.Referral.ID.String() || items[0].Case == nil || items[0].Case.Reference != cw.Case.Reference {
		t.Fatalf("partner list = %+v", items)
	}
	// Another member's notification: 404, still unread.
	if r := w.Do(t, world.Request{As: w.CaritasWorker, Method: http.MethodPost, URL: base + "/notifications/" + lead.String() + "/read"}); r.Status != 404 {
		t.Fatalf("someone else's: %d %s", r.Status, r.Body)
	}
	if n := count(w.HousingWorker); n != 1 {
		t.Fatalf("lead unread = %d after a stranger's try, want 1", n)
	}

	// Revoked: nothing of the referral, the count drops.
	if _, err := w.Services(t).Consents.Revoke(context.Background(), w.Actor(t, w.HousingWorker), cw.Consent.ID, cw.Consent.Version); err != nil {
		t.Fatal(err)
	}
	if n := count(w.CaritasWorker); n != 0 {
		t.Fatalf("partner unread after revocation = %d, want 0", n)
	}
	r := get(w.CaritasWorker, "/notifications")
	items = decode[struct {
		Items []apiNotification `json:"items"`
	}](t, r).Items
	if len(items) != 1 || items[0].Available || items[0].Target != "" || items[0].TargetID != "" || items[0].Case != nil {
		t.Fatalf("after revocation the item names its record: %s", r.Body)
	}
	for _, secret := range []string{cw.Case.Reference, cw.Referral.ID.String(), cw.Person.FamilyName} {
		if containsBytes(r.Body, secret) {
			t.Fatalf("after revocation the list reveals %q: %s", secret, r.Body)
		}
	}

	// Mark read, then all.
	r = w.Do(t, world.Request{As: w.HousingWorker, Method: http.MethodPost, URL: base + "/notifications/" + lead.String() + "/read"})
	if r.Status != 200 || !decode[apiNotification](t, r).Read {
		t.Fatalf("mark read: %d %s", r.Status, r.Body)
	}
	w.Notify(t, w.HousingWorker, model.NotifyTaskOverdue, model.ObjectTask, cw.Task.ID)
	r = w.Do(t, world.Request{As: w.HousingWorker, Method: http.MethodPost, URL: base + "/notifications/read-all"})
	if r.Status != 200 || decode[struct {
		Marked int `json:"marked"`
	}](t, r).Marked != 1 || count(w.HousingWorker) != 0 {
		t.Fatalf("read-all: %d %s", r.Status, r.Body)
	}

	// Settings.
	r = get(w.HousingWorker, "/notification-settings")
	if r.Status != 200 || !containsBytes(r.Body, `"referral_new":"immediate"`) || !containsBytes(r.Body, `"language":"de"`) {
		t.Fatalf("settings: %d %s", r.Status, r.Body)
	}
	put := func(body any) *world.Response {
		return w.Do(t, world.Request{As: w.HousingWorker, Method: http.MethodPut, URL: base + "/notification-settings", Body: body})
	}
	before := w.Fingerprint(t)
	for name, body := range map[string]any{
		"kind":     map[string]any{"channels": map[string]string{"gossip": "off"}, "language": "de"},
		"channel":  map[string]any{"channels": map[string]string{"task_due": "pigeon"}, "language": "de"},
		"language": map[string]any{"channels": map[string]string{}, "language": "fr"},
		"missing":  map[string]any{"channels": map[string]string{}},
	} {
		if r := put(body); r.Status != 400 || !containsBytes(r.Body, `"fields"`) {
			t.Errorf("bad settings (%s): %d %s", name, r.Status, r.Body)
		}
	}
	if w.Fingerprint(t) != before {
		t.Fatal("bad settings changed something")
	}
	r = put(map[string]any{"channels": map[string]string{"task_due": "off"}, "language": "en"})
	if r.Status != 200 || !containsBytes(r.Body, `"task_due":"off"`) || !containsBytes(r.Body, `"language":"en"`) {
		t.Fatalf("save settings: %d %s", r.Status, r.Body)
	}
	// A role without case content: a case notification names nothing.
	w.Notify(t, w.Sysadmin, model.NotifyFollowUp, model.ObjectCase, cw.Case.ID)
	if items := list(w.Sysadmin); len(items) != 1 || items[0].Available || items[0].Case != nil {
		t.Fatalf("sysadmin sees %+v", items)
	}
}

func containsBytes(b []byte, s string) bool { return strings.Contains(string(b), s) }
