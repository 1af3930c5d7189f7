package service_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/mail"
	"github.com/lotse-project/lotse/internal/mail/mailtest"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/internal/store"
)

// mailWorld is the test city with a real SMTP server (STARTTLS, AUTH) and the e-mail
// service sending to it; the Caritas caseworker receives the referrals and the mails.
type mailWorld struct {
	*cwWorld
	srv  *mailtest.Server
	mail *service.Mail
	to   string // the Caritas caseworker's address
	// caseRef and the person's data of the case behind the referrals: never in a mail.
	caseRef string
}

// The person of the referred case: distinctive, so that a mail containing any of it fails.
const (
	mailFamily  = "Zwirbelmeyer-Quandt"
	mailGiven   = "Annegret"
	mailBirth   = "1987-03-14"
	mailAddress = "Hasestraße 17"
	baseURL     = "https://lotse.stadt.example"
)

func newMailWorld(t *testing.T) *mailWorld {
	t.Helper()
	w := &mailWorld{cwWorld: newCW(t), srv: mailtest.Start(t)}
	snd, err := mail.NewSMTP(mail.Settings{
		Host: w.srv.Host, Port: w.srv.Port, Username: mailtest.Username, Password: mailtest.Password,
		From: "lotse@stadt.example", TLS: mail.TLSStartTLS, TLSConfig: w.srv.TLSConfig(), Timeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	w.mail = service.NewMail(w.svc, snd, baseURL)
	if err := w.db.SQL.QueryRow(`SELECT email FROM users WHERE id = $1`, w.caritasWorker.UserID).Scan(&w.to); err != nil {
		t.Fatal(err)
	}
	return w
}

// referral sends a referral of a fresh case (person with distinctive data) to Caritas.
func (w *mailWorld) referral() (*model.Referral, *model.Consent) {
	w.t.Helper()
	r, c := w.coveredReferral(w.caritas)
	if _, err := w.db.SQL.Exec(`UPDATE persons SET family_name = $2, given_names = $3, birth_date = $4, address = $5 WHERE case_id = $1`,
		r.CaseID, mailFamily, mailGiven, mailBirth, mailAddress); err != nil {
		w.t.Fatal(err)
	}
	if err := w.db.SQL.QueryRow(`SELECT reference FROM cases WHERE id = $1`, r.CaseID).Scan(&w.caseRef); err != nil {
		w.t.Fatal(err)
	}
	return r, c
}

// notify stores notifications of kind about the referrals for the Caritas caseworker.
func (w *mailWorld) notify(kind model.NotificationKind, occasion string, rs ...*model.Referral) []uuid.UUID {
	w.t.Helper()
	var ns []model.Notification
	for _, r := range rs {
		ns = append(ns, model.Notification{UserID: w.caritasWorker.UserID, OrgID: w.caritas, Kind: kind,
			ObjectType: model.ObjectReferral, ObjectID: r.ID, Occasion: occasion})
	}
	var ids []uuid.UUID
	err := w.st.Tx(w.ctx, model.Actor{System: true}, func(tx *store.Tx) error {
		created, err := tx.CreateNotifications(w.ctx, ns)
		for _, n := range created {
			ids = append(ids, n.ID)
		}
		return err
	})
	if err != nil || len(ids) != len(rs) {
		w.t.Fatalf("notify: %v (%d created)", err, len(ids))
	}
	return ids
}

func (w *mailWorld) setChannel(kind model.NotificationKind, ch model.Channel) {
	w.t.Helper()
	if _, err := w.db.SQL.Exec(`INSERT INTO notification_settings (user_id, kind, channel) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, kind) DO UPDATE SET channel = EXCLUDED.channel`, w.caritasWorker.UserID, string(kind), string(ch)); err != nil {
		w.t.Fatal(err)
	}
}

func (w *mailWorld) setLanguage(lang string) {
	w.t.Helper()
	if _, err := w.db.SQL.Exec(`UPDATE users SET language = $2 WHERE id = $1`, w.caritasWorker.UserID, lang); err != nil {
		w.t.Fatal(err)
	}
}

// mails are the messages the Caritas caseworker received.
func (w *mailWorld) mails() []mailtest.Received { return w.srv.To(w.to) }

// emailed counts the notifications marked e-mailed, and the audit events of e-mails.
func (w *mailWorld) emailed() (marked, audited int) {
	return w.count(`SELECT count(*) FROM notifications WHERE emailed_at IS NOT NULL`), w.auditCount("notification.email")
}

// body is the decoded text of a received message (quoted-printable or base64 as go-mail
// chose), with its headers.
func body(t *testing.T, r mailtest.Received) string {
	t.Helper()
	msg, err := r.Text()
	if err != nil {
		t.Fatalf("parse mail: %v\n%s", err, r.Data)
	}
	return msg
}

// noPersonalData fails when text holds any of the person's data or the case's reference.
func (w *mailWorld) noPersonalData(text string) {
	w.t.Helper()
	for _, bad := range []string{mailFamily, "Zwirbelmeyer", mailGiven, mailBirth, "14.03.1987", mailAddress, "Hasestra", w.caseRef, "Bitte um Unterstützung", "Vermittlung in Arbeit"} {
		if bad != "" && strings.Contains(text, bad) {
			w.t.Errorf("the mail contains %q:\n%s", bad, text)
		}
	}
}

// TestMailContentPerKind: for every kind, in German and English, the immediate mail tells
// the count, the kind and the organisation and links to the notification page, and holds
// nothing of the person, the case's reference or the referral's message.
func TestMailContentPerKind(t *testing.T) {
	t.Parallel()
	w := newMailWorld(t)
	r, _ := w.referral()
	want := map[string]map[model.NotificationKind]string{
		"de": {
			model.NotifyReferralNew: "1 neue Vermittlung", model.NotifyReferralReplyDue: "1 Vermittlung wartet auf Ihre Antwort",
			model.NotifyReferralExpired: "1 Vermittlung ist unbeantwortet abgelaufen", model.NotifyReferralAnswered: "1 Antwort auf eine Vermittlung",
			model.NotifyTaskAssigned: "1 neu zugewiesene Aufgabe", model.NotifyTaskDue: "1 morgen fällige Aufgabe",
			model.NotifyTaskOverdue: "1 überfällige Aufgabe", model.NotifyEscalation: "1 Eskalation",
			model.NotifyFollowUp: "1 fällige Wiedervorlage", model.NotifyConsentExpiring: "1 bald ablaufende Einwilligung",
			model.NotifyEmergencyAccess: "1 Notfallzugriff auf einen Ihrer Fälle",
		},
		"en": {
			model.NotifyReferralNew: "1 new referral", model.NotifyReferralReplyDue: "1 referral awaiting your reply",
			model.NotifyReferralExpired: "1 referral expired unanswered", model.NotifyReferralAnswered: "1 reply to a referral",
			model.NotifyTaskAssigned: "1 task assigned to you", model.NotifyTaskDue: "1 task due tomorrow",
			model.NotifyTaskOverdue: "1 overdue task", model.NotifyEscalation: "1 escalation",
			model.NotifyFollowUp: "1 follow-up due", model.NotifyConsentExpiring: "1 consent expiring soon",
			model.NotifyEmergencyAccess: "1 emergency access to one of your cases",
		},
	}
	intro := map[string]string{"de": "Für Caritasverband Osnabrück: ", "en": "For Caritasverband Osnabrück: "}
	subject := map[string]string{"de": "Lotse: Neues für Sie", "en": "Lotse: something new for you"}
	for _, k := range model.NotificationKinds {
		w.setChannel(k, model.ChannelImmediate)
	}
	for _, lang := range []string{"de", "en"} {
		w.setLanguage(lang)
		for _, k := range model.NotificationKinds {
			before := len(w.mails())
			ids := w.notify(k, "content-"+lang, r)
			if n, err := w.mail.Immediate(w.ctx, ids); err != nil || n != 1 {
				t.Fatalf("%s %s: sent %d, %v", lang, k, n, err)
			}
			got := w.mails()
			if len(got) != before+1 {
				t.Fatalf("%s %s: %d new mails, want 1", lang, k, len(got)-before)
			}
			text := body(t, got[len(got)-1])
			if line := intro[lang] + want[lang][k] + "\n"; !strings.Contains(text, line) {
				t.Errorf("%s %s: the mail lacks %q:\n%s", lang, k, line, text)
			}
			for _, must := range []string{subject[lang], baseURL + "/benachrichtigungen"} {
				if !strings.Contains(text, must) {
					t.Errorf("%s %s: the mail lacks %q:\n%s", lang, k, must, text)
				}
			}
			w.noPersonalData(text)
		}
	}
	if marked, audited := w.emailed(); marked != 2*len(model.NotificationKinds) || audited != marked {
		t.Errorf("%d marked e-mailed, %d audit events; want %d each", marked, audited, 2*len(model.NotificationKinds))
	}
	// The audit event names who, kind, record and channel, and nothing of the content.
	var details string
	if err := w.db.SQL.QueryRow(`SELECT details::text FROM audit_events WHERE action = 'notification.email' LIMIT 1`).Scan(&details); err != nil {
		t.Fatal(err)
	}
	for _, must := range []string{w.caritasWorker.UserID.String(), r.ID.String(), `"channel": "email"`, `"kind": "`} {
		if !strings.Contains(details, must) {
			t.Errorf("audit details %s lack %s", details, must)
		}
	}
	w.noPersonalData(details)
}

// TestMailDigestGroupsAndHonoursChannels: the digest is one mail per member counting each
// kind the member wants in the digest; immediate kinds and kinds turned off are not in it;
// a second digest sends nothing.
func TestMailDigestGroupsAndHonoursChannels(t *testing.T) {
	t.Parallel()
	w := newMailWorld(t)
	r1, _ := w.referral()
	r2, _ := w.referral()
	r3, _ := w.referral()
	w.setChannel(model.NotifyTaskDue, model.ChannelOff)
	w.setChannel(model.NotifyReferralAnswered, model.ChannelImmediate)
	overdue := w.notify(model.NotifyTaskOverdue, "d1", r1, r2, r3)     // default: digest
	follow := w.notify(model.NotifyFollowUp, "d1", r1)                 // default: digest
	fresh := w.notify(model.NotifyReferralNew, "", r1)                 // default: immediate
	off := w.notify(model.NotifyTaskDue, "d1", r2)                     // off
	answered := w.notify(model.NotifyReferralAnswered, "accepted", r3) // chosen: immediate
	read := w.notify(model.NotifyTaskOverdue, "d0", r1)                // read in the bell already: no mail
	if _, err := w.db.SQL.Exec(`UPDATE notifications SET read_at = now() WHERE id = $1`, read[0]); err != nil {
		t.Fatal(err)
	}
	if n, err := w.mail.Immediate(w.ctx, append(append([]uuid.UUID{}, overdue...), follow...)); err != nil || n != 0 {
		t.Fatalf("immediate mail of digest kinds: sent %d, %v", n, err)
	}
	day := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	if n, err := w.mail.Digest(w.ctx, day); err != nil || n != 1 {
		t.Fatalf("digest: sent %d, %v", n, err)
	}
	got := w.mails()
	if len(got) != 1 {
		t.Fatalf("%d mails, want one digest", len(got))
	}
	text := body(t, got[0])
	if want := "Für Caritasverband Osnabrück: 3 überfällige Aufgaben, 1 fällige Wiedervorlage\n"; !strings.Contains(text, want) {
		t.Errorf("the digest lacks %q:\n%s", want, text)
	}
	for _, not := range []string{"Vermittlung", "morgen"} {
		if strings.Contains(text, not) {
			t.Errorf("the digest counts %q, which is immediate or off:\n%s", not, text)
		}
	}
	if !strings.Contains(text, "Ihre Übersicht vom 07.12.2026") {
		t.Errorf("digest subject missing:\n%s", text)
	}
	w.noPersonalData(text)
	if marked, audited := w.emailed(); marked != 4 || audited != 4 {
		t.Errorf("%d marked, %d audited after the digest; want 4", marked, audited)
	}
	if n, err := w.mail.Digest(w.ctx, day); err != nil || n != 0 {
		t.Errorf("second digest: sent %d, %v", n, err)
	}
	// The immediate kinds go in the immediate mail, the one turned off nowhere.
	if n, err := w.mail.Immediate(w.ctx, append(append(append([]uuid.UUID{}, fresh...), off...), answered...)); err != nil || n != 1 {
		t.Fatalf("immediate: sent %d, %v", n, err)
	}
	got = w.mails()
	if len(got) != 2 || !strings.Contains(body(t, got[1]), "1 neue Vermittlung, 1 Antwort auf eine Vermittlung\n") {
		t.Fatalf("immediate mail: %d mails\n%s", len(got), body(t, got[len(got)-1]))
	}
	if w.count(`SELECT count(*) FROM notifications WHERE id = $1 AND emailed_at IS NULL`, off[0]) != 1 {
		t.Error("a notification of a kind turned off was marked e-mailed")
	}
}

// TestMailDigestTakesImmediateMailsThatDidNotGoOut: a notification wanted at once whose own
// mail has not gone out for more than service.LateImmediate (the SMTP server refused it
// until its job gave up) goes out with the digest, once; a fresh one is left to its own job.
func TestMailDigestTakesImmediateMailsThatDidNotGoOut(t *testing.T) {
	t.Parallel()
	w := newMailWorld(t)
	r1, _ := w.referral()
	r2, _ := w.referral()
	late := w.notify(model.NotifyReferralNew, "", r1)
	fresh := w.notify(model.NotifyReferralNew, "", r2)
	if _, err := w.db.SQL.Exec(`UPDATE notifications SET created_at = created_at - $2::interval WHERE id = $1`,
		late[0], (service.LateImmediate + time.Minute).String()); err != nil {
		t.Fatal(err)
	}
	if n, err := w.mail.Digest(w.ctx, time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)); err != nil || n != 1 {
		t.Fatalf("digest: sent %d, %v", n, err)
	}
	got := w.mails()
	if len(got) != 1 || !strings.Contains(body(t, got[0]), ": 1 neue Vermittlung\n") {
		t.Fatalf("the digest should count the late referral only: %d mails\n%s", len(got), body(t, got[len(got)-1]))
	}
	// The late one's own job, retried after all, sends nothing; the fresh one goes at once.
	if n, err := w.mail.Immediate(w.ctx, late); err != nil || n != 0 {
		t.Errorf("the late notification's own job: sent %d, %v", n, err)
	}
	if n, err := w.mail.Immediate(w.ctx, fresh); err != nil || n != 1 {
		t.Errorf("the fresh notification's job: sent %d, %v", n, err)
	}
	if marked, audited := w.emailed(); marked != 2 || audited != 2 || len(w.mails()) != 2 {
		t.Errorf("%d marked, %d audited, %d mails; want 2 each", marked, audited, len(w.mails()))
	}
}

// TestMailCountsOnlyVisibleRecords: a referral withdrawn and a referral whose consent was
// revoked are not counted in the mail (nor marked e-mailed); with nothing visible no mail goes.
func TestMailCountsOnlyVisibleRecords(t *testing.T) {
	t.Parallel()
	w := newMailWorld(t)
	shown, _ := w.referral()
	withdrawn, _ := w.referral()
	revoked, consent := w.referral()
	ids := w.notify(model.NotifyReferralNew, "", shown, withdrawn, revoked)
	if _, err := w.svc.Referrals.Withdraw(w.ctx, w.housingWorker, withdrawn.ID, withdrawn.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Consents.Revoke(w.ctx, w.housingWorker, consent.ID, consent.Version); err != nil {
		t.Fatal(err)
	}
	if n, err := w.mail.Immediate(w.ctx, ids); err != nil || n != 1 {
		t.Fatalf("sent %d, %v", n, err)
	}
	got := w.mails()
	if len(got) != 1 || !strings.Contains(body(t, got[0]), ": 1 neue Vermittlung\n") {
		t.Fatalf("%d mails, want one counting the visible referral only:\n%s", len(got), body(t, got[len(got)-1]))
	}
	if marked, audited := w.emailed(); marked != 1 || audited != 1 {
		t.Errorf("%d marked, %d audited; want only the visible one", marked, audited)
	}
	// Only hidden ones: no mail at all.
	ids = w.notify(model.NotifyReferralReplyDue, "later", withdrawn, revoked)
	if n, err := w.mail.Immediate(w.ctx, ids); err != nil || n != 0 || len(w.mails()) != 1 {
		t.Fatalf("hidden only: sent %d (%d mails), %v", n, len(w.mails()), err)
	}
}

// TestMailFailureRetriesAndSendsOnce: a refused recipient and an unreachable server fail the
// delivery, mark nothing and audit nothing; the retry then sends exactly once, and a repeat
// of the same delivery sends nothing.
func TestMailFailureRetriesAndSendsOnce(t *testing.T) {
	t.Parallel()
	w := newMailWorld(t)
	r, _ := w.referral()
	ids := w.notify(model.NotifyReferralNew, "", r)

	w.srv.Refuse(w.to, true)
	if _, err := w.mail.Immediate(w.ctx, ids); err == nil {
		t.Fatal("a refused recipient did not fail the delivery")
	} else if strings.Contains(err.Error(), w.to) {
		t.Errorf("the error names the address: %v", err)
	}
	dead, err := mail.NewSMTP(mail.Settings{Host: "127.0.0.1", Port: 1, From: "lotse@stadt.example", TLSConfig: w.srv.TLSConfig(), Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := service.NewMail(w.svc, dead, baseURL).Immediate(w.ctx, ids); err == nil {
		t.Fatal("an unreachable server did not fail the delivery")
	}
	if marked, audited := w.emailed(); marked != 0 || audited != 0 || len(w.mails()) != 0 {
		t.Fatalf("after failures: %d marked, %d audited, %d mails; want none", marked, audited, len(w.mails()))
	}
	w.srv.Refuse(w.to, false)
	for range 2 {
		if _, err := w.mail.Immediate(w.ctx, ids); err != nil {
			t.Fatal(err)
		}
	}
	if marked, audited := w.emailed(); marked != 1 || audited != 1 || len(w.mails()) != 1 {
		t.Fatalf("after the retries: %d marked, %d audited, %d mails; want one each", marked, audited, len(w.mails()))
	}
}

// TestMailConcurrentDeliveriesSendOnce: the same notifications delivered by several
// workers at once (two instances, a duplicate job) are mailed once.
func TestMailConcurrentDeliveriesSendOnce(t *testing.T) {
	t.Parallel()
	w := newMailWorld(t)
	r1, _ := w.referral()
	r2, _ := w.referral()
	ids := w.notify(model.NotifyReferralNew, "", r1, r2)
	w.srv.SetDelay(300 * time.Millisecond) // the first sender still holds its claim when the others look
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := w.mail.Immediate(context.Background(), ids)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := w.mails(); len(got) != 1 || !strings.Contains(body(t, got[0]), ": 2 neue Vermittlungen\n") {
		t.Fatalf("%d mails, want exactly one counting both", len(got))
	}
	if marked, audited := w.emailed(); marked != 2 || audited != 2 {
		t.Errorf("%d marked, %d audited; want 2", marked, audited)
	}
}

// TestMailWithoutSMTPSendsAndMarksNothing: without a configured server the deliveries
// complete and leave the notifications to the bell.
func TestMailWithoutSMTPSendsAndMarksNothing(t *testing.T) {
	t.Parallel()
	w := newMailWorld(t)
	r, _ := w.referral()
	ids := w.notify(model.NotifyReferralNew, "", r)
	off := service.NewMail(w.svc, nil, baseURL)
	if n, err := off.Immediate(w.ctx, ids); err != nil || n != 0 {
		t.Fatalf("sent %d, %v", n, err)
	}
	if n, err := off.Digest(w.ctx, w.today()); err != nil || n != 0 {
		t.Fatalf("digest sent %d, %v", n, err)
	}
	if marked, _ := w.emailed(); marked != 0 {
		t.Fatalf("%d marked e-mailed without SMTP", marked)
	}
}

// TestMailNotToDeactivatedAccounts: a deactivated account gets no mail; its notifications
// stay unmarked.
func TestMailNotToDeactivatedAccounts(t *testing.T) {
	t.Parallel()
	w := newMailWorld(t)
	r, _ := w.referral()
	ids := w.notify(model.NotifyReferralNew, "", r)
	if _, err := w.db.SQL.Exec(`UPDATE users SET active = false WHERE id = $1`, w.caritasWorker.UserID); err != nil {
		t.Fatal(err)
	}
	if n, err := w.mail.Immediate(w.ctx, ids); err != nil || n != 0 || len(w.mails()) != 0 {
		t.Fatalf("sent %d (%d mails), %v", n, len(w.mails()), err)
	}
	if marked, audited := w.emailed(); marked != 0 || audited != 0 {
		t.Fatalf("%d marked, %d audited for a deactivated account", marked, audited)
	}
}
