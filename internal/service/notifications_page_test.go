package service_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil"
)

// notify stores one notification for actor a about a record, as the reminder rules do; when
// the change that made the record told a already (a referral sent tells its recipients), it
// returns that one.
func (w *cwWorld) notify(a model.Actor, kind model.NotificationKind, objectType string, id uuid.UUID) uuid.UUID {
	w.t.Helper()
	n := model.Notification{UserID: a.UserID, OrgID: a.OrgID, Kind: kind, ObjectType: objectType, ObjectID: id}
	if err := w.db.Pool.QueryRow(w.ctx, `SELECT id FROM notifications WHERE user_id = $1 AND kind = $2 AND object_id = $3 ORDER BY created_at LIMIT 1`,
		a.UserID, string(kind), id).Scan(&n.ID); err == nil {
		return n.ID
	}
	err := w.st.Tx(w.ctx, model.Actor{System: true}, func(tx *store.Tx) error {
		created, err := tx.CreateNotifications(w.ctx, []model.Notification{n})
		if err == nil && len(created) == 1 {
			n.ID = created[0].ID
		}
		return err
	})
	if err != nil {
		w.t.Fatalf("create notification: %v", err)
	}
	return n.ID
}

// items lists a's notifications (first page) by id.
func (w *cwWorld) notifications(a model.Actor) map[uuid.UUID]model.NotificationItem {
	w.t.Helper()
	page, err := w.svc.Notifications.List(w.ctx, a, model.NotificationFilter{})
	if err != nil {
		w.t.Fatalf("list notifications: %v", err)
	}
	out := map[uuid.UUID]model.NotificationItem{}
	for _, it := range page.Items {
		out[it.ID] = it
	}
	return out
}

func (w *cwWorld) unread(a model.Actor) int {
	w.t.Helper()
	n, err := w.svc.Notifications.UnreadCount(w.ctx, a)
	if err != nil {
		w.t.Fatalf("unread count: %v", err)
	}
	return n
}

// hidden fails unless it names nothing of its record.
func hidden(t *testing.T, it model.NotificationItem) {
	t.Helper()
	if it.Available || it.Case != nil || it.Target != "" || it.TargetID != uuid.Nil || it.Title != "" {
		t.Fatalf("a record the reader may no longer see is named: %+v", it)
	}
}

// TestNotificationsRevokedConsentHidesTheReferral is issue 12's revocation rule: a partner's
// unread notification about a referral whose consent was then revoked shows nothing of it,
// and the unread count drops. A withdrawn referral is hidden the same way.
func TestNotificationsRevokedConsentHidesTheReferral(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	r, c := w.coveredReferral(w.caritas)
	r2, _ := w.coveredReferral(w.caritas)
	first := w.notify(w.caritasWorker, model.NotifyReferralNew, model.ObjectReferral, r.ID)
	second := w.notify(w.caritasWorker, model.NotifyReferralNew, model.ObjectReferral, r2.ID)

	if got := w.unread(w.caritasWorker); got != 2 {
		t.Fatalf("unread = %d, want 2", got)
	}
	items := w.notifications(w.caritasWorker)
	it := items[first]
	if !it.Available || it.Target != model.ObjectReferral || it.TargetID != r.ID || it.Case == nil || it.Case.Reference == "" || it.Case.Name == "" {
		t.Fatalf("a visible referral is not labelled with its case and the released name: %+v (case %+v)", it, it.Case)
	}

	if _, err := w.svc.Consents.Revoke(w.ctx, w.housingWorker, c.ID, c.Version); err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if got := w.unread(w.caritasWorker); got != 1 {
		t.Fatalf("after the revocation unread = %d, want 1", got)
	}
	items = w.notifications(w.caritasWorker)
	hidden(t, items[first])
	if !items[second].Available {
		t.Fatalf("the other referral's notification is hidden too: %+v", items[second])
	}

	if _, err := w.svc.Referrals.Withdraw(w.ctx, w.housingWorker, r2.ID, r2.Version); err != nil {
		t.Fatalf("withdraw: %v", err)
	}
	if got := w.unread(w.caritasWorker); got != 0 {
		t.Fatalf("after the withdrawal unread = %d, want 0", got)
	}
	hidden(t, w.notifications(w.caritasWorker)[second])
	// Opening a hidden item marks it read and names nothing.
	got, err := w.svc.Notifications.MarkRead(w.ctx, w.caritasWorker, first)
	if err != nil {
		t.Fatal(err)
	}
	hidden(t, *got)
}

// TestNotificationsOwnOnly: a member lists, counts and marks only their own notifications;
// another member's id is not found and stays unread.
func TestNotificationsOwnOnly(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	caseID := w.newCase(w.housing)
	mine := w.notify(w.housingWorker, model.NotifyFollowUp, model.ObjectCase, caseID)
	theirs := w.notify(w.housingWorker2, model.NotifyFollowUp, model.ObjectCase, caseID)

	items := w.notifications(w.housingWorker)
	if len(items) != 1 || !items[mine].Available || items[mine].Case == nil || items[mine].TargetID != caseID {
		t.Fatalf("own list = %+v, want only the own, labelled notification", items)
	}
	if _, err := w.svc.Notifications.MarkRead(w.ctx, w.housingWorker, theirs); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("marking another member's notification: %v, want ErrNotFound", err)
	}
	if n, err := w.svc.Notifications.MarkAllRead(w.ctx, w.housingWorker); err != nil || n != 1 {
		t.Fatalf("mark all read = %d, %v; want 1", n, err)
	}
	if got := w.unread(w.housingWorker2); got != 1 {
		t.Fatalf("the other member's unread = %d after my mark-all, want 1", got)
	}
	if got := w.unread(w.housingWorker); got != 0 {
		t.Fatalf("own unread after mark-all = %d, want 0", got)
	}
	if w.auditCount("notification.list") != 1 || w.auditCount("notification.read_all") != 1 {
		t.Fatalf("audit: list %d, read_all %d; want 1 each", w.auditCount("notification.list"), w.auditCount("notification.read_all"))
	}
	// A role that may not read case content sees nothing of a case record.
	adm := w.notify(w.sysadmin, model.NotifyFollowUp, model.ObjectCase, caseID)
	hidden(t, w.notifications(w.sysadmin)[adm])
	if got := w.unread(w.sysadmin); got != 0 {
		t.Fatalf("sysadmin unread about a case = %d, want 0", got)
	}
}

// TestNotificationsPaging: newest first, the cursor continues without overlap.
func TestNotificationsPaging(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	caseID := w.newCase(w.housing)
	kinds := model.NotificationKinds[:3]
	for _, k := range kinds {
		w.notify(w.housingWorker, k, model.ObjectCase, caseID)
		w.setClock(w.now().Add(time.Minute))
	}
	p1, err := w.svc.Notifications.List(w.ctx, w.housingWorker, model.NotificationFilter{Limit: 2})
	if err != nil || len(p1.Items) != 2 || p1.NextCursor == "" || p1.Total != 3 {
		t.Fatalf("page 1 = %+v, %v", p1, err)
	}
	p2, err := w.svc.Notifications.List(w.ctx, w.housingWorker, model.NotificationFilter{Limit: 2, Cursor: p1.NextCursor})
	if err != nil || len(p2.Items) != 1 || p2.NextCursor != "" {
		t.Fatalf("page 2 = %+v, %v", p2, err)
	}
	if got := []model.NotificationKind{p1.Items[0].Kind, p1.Items[1].Kind, p2.Items[0].Kind}; !slices.Equal(got, []model.NotificationKind{kinds[2], kinds[1], kinds[0]}) {
		t.Fatalf("not newest first: %v", got)
	}
	if _, err := w.svc.Notifications.List(w.ctx, w.housingWorker, model.NotificationFilter{Cursor: "x"}); !errors.Is(err, model.ErrInvalid) {
		t.Fatalf("bad cursor: %v", err)
	}
}

// TestNotificationSettings: defaults, a valid change, and bad input that changes nothing.
func TestNotificationSettings(t *testing.T) {
	t.Parallel()
	w := newCW(t)
	a := w.housingWorker
	got, err := w.svc.Notifications.Settings(w.ctx, a)
	if err != nil || got.Channels[model.NotifyReferralNew] != model.ChannelImmediate || got.Channels[model.NotifyTaskDue] != model.ChannelDigest || got.Language != "de" {
		t.Fatalf("defaults = %+v, %v", got, err)
	}
	if _, err := w.svc.Notifications.SaveSettings(w.ctx, a, map[model.NotificationKind]model.Channel{model.NotifyTaskDue: model.ChannelOff}, "en"); err != nil {
		t.Fatal(err)
	}
	before := w.count(`SELECT count(*) FROM notification_settings WHERE user_id = $1 AND kind = 'task_due' AND channel = 'off'`, a.UserID)
	if before != 1 {
		t.Fatal("the setting was not stored")
	}
	for name, tc := range map[string]struct {
		ch    map[model.NotificationKind]model.Channel
		lang  string
		field string
	}{
		"unknown kind":     {map[model.NotificationKind]model.Channel{"gossip": model.ChannelOff}, "de", "kind"},
		"unknown channel":  {map[model.NotificationKind]model.Channel{model.NotifyTaskDue: "pigeon"}, "de", "task_due"},
		"unknown language": {map[model.NotificationKind]model.Channel{model.NotifyTaskDue: model.ChannelImmediate}, "fr", "language"},
	} {
		t.Run(name, func(t *testing.T) {
			fp := testutilFingerprint(w)
			_, err := w.svc.Notifications.SaveSettings(w.ctx, a, tc.ch, tc.lang)
			cwErr(t, err, model.ErrInvalid, tc.field)
			if testutilFingerprint(w) != fp {
				t.Fatal("bad settings changed something")
			}
		})
	}
	got, _ = w.svc.Notifications.Settings(w.ctx, a)
	if got.Channels[model.NotifyTaskDue] != model.ChannelOff || got.Language != "en" {
		t.Fatalf("after bad input the settings are %+v", got)
	}
}

func testutilFingerprint(w *cwWorld) string {
	w.t.Helper()
	return testutil.Fingerprint(w.t, w.db.SQL, "notification_settings", "users", "audit_events")
}
