package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/app"
	"github.com/lotse-project/lotse/internal/jobs"
	"github.com/lotse-project/lotse/internal/mail/mailtest"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestReferralBeforeEasterRemindsAndEscalatesOnce is issue 12's "done when": a referral sent
// to Caritas on the Thursday before Easter 2027 (Good Friday 26 March and Easter Monday 29
// March are holidays in Lower Saxony) while two serve instances run on one database, each with
// its River client, SMTP on. The clock moves day by day to the day after the referral expired;
// every day both instances sweep several times and the digest of the day is enqueued by both.
// The partner's answerers are reminded 2 working days before and on the reply deadline (10
// working days: Monday 12 April), the head of Caritas hears of the unanswered referral after 3
// working days (Thursday 1 April) and the sender of its expiry (Tuesday 13 April): each exactly
// once in the bell and once per recipient by e-mail, on those days and no other, and no mail
// names the person, the case or the message.
func TestReferralBeforeEasterRemindsAndEscalatesOnce(t *testing.T) {
	t.Parallel()
	var now atomic.Int64
	setDay := func(day string, hour int) time.Time {
		d, err := time.ParseInLocation(time.DateOnly, day, model.Berlin)
		if err != nil {
			t.Fatal(err)
		}
		at := d.Add(time.Duration(hour) * time.Hour)
		now.Store(at.UnixNano())
		return at
	}
	clock := func() time.Time { return time.Unix(0, now.Load()) }
	setDay("2027-03-25", 10)

	var head *world.User
	c := world.NewCity(t, world.WithSeed(func(ctx context.Context, w *world.World, tx *store.Tx) error {
		sub := "caritas-head"
		u := &model.User{Issuer: "https://idp.test", Subject: &sub, Email: "caritas-head@stadt.test", DisplayName: "Hanna Leitung-Caritas", Active: true}
		if err := tx.Users().Create(ctx, u); err != nil {
			return err
		}
		g := &model.Grant{UserID: u.ID, OrgID: w.Caritas.ID, Role: model.RoleLead}
		head = &world.User{ID: u.ID, Name: u.DisplayName, Grants: []model.Grant{*g}}
		return tx.Grants().Create(ctx, g)
	}))
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := c.DB.SQL.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	count := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := c.DB.SQL.QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The head reads English; the others German (the default).
	exec(`UPDATE users SET language = 'en' WHERE id = $1`, head.ID)
	email := func(u *world.User) string {
		var e string
		if err := c.DB.SQL.QueryRow(`SELECT email FROM users WHERE id = $1`, u.ID).Scan(&e); err != nil {
			t.Fatal(err)
		}
		return e
	}
	partner, sender := c.CaritasWorker, c.HousingWorker
	smtp := mailtest.Start(t)

	// Two serve instances: the production composition (app.New, app.Serve) on one database.
	ctx, stop := context.WithCancel(context.Background())
	var urls []string
	served := make(chan error, 2)
	for i := range 2 {
		cfg := world.Config(c.URL)
		cfg.SMTPHost, cfg.SMTPPort, cfg.SMTPUsername, cfg.SMTPPassword = smtp.Host, smtp.Port, mailtest.Username, mailtest.Password
		cfg.SMTPFrom, cfg.SMTPTLS, cfg.BaseURL = "lotse@stadt.example", "starttls", "https://lotse.stadt.example"
		a, err := app.New(ctx, cfg, slog.New(slog.NewTextHandler(c.Log, nil)).With("instance", i), false, app.Options{
			Identify: world.Identify, Now: clock,
			Jobs:    jobs.Config{SweepEvery: 100 * time.Millisecond, FetchPollInterval: 100 * time.Millisecond},
			MailTLS: smtp.TLSConfig(),
		})
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		urls = append(urls, "http://"+ln.Addr().String())
		go func() { served <- a.Serve(ctx, ln); a.Close() }()
	}
	t.Cleanup(func() {
		stop()
		for range 2 {
			if err := <-served; err != nil {
				t.Errorf("serve: %v", err)
			}
		}
	})

	svc := c.Services(t)
	svc.SetClock(clock)
	cw := c.CaseWorkFor(t, world.CaseSetup{Lead: sender, Partner: partner, Status: model.ReferralSent})
	if got := cw.Referral.ReplyDue.Format(time.DateOnly); got != "2027-04-12" {
		t.Fatalf("reply deadline %s, want 2027-04-12 (10 working days after Thursday 25 March 2027)", got)
	}

	// A day: both instances sweep at least twice after the clock moved, the digest of the day
	// is enqueued by both (as two leaders would), and every mail job is done.
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s\n%s", what, c.Log.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	type received struct{ to, text string }
	mailsOn := map[string][]received{} // day -> the mails received that day
	// The unread count of a member's bell, read through one of the instances: the record of
	// every notification stays visible until the referral expires (the partner then sees
	// nothing of it any more; the count never reveals a hidden record).
	unread := func(base string, u *world.User) int {
		t.Helper()
		var body struct{ Unread int }
		getJSON(t, base+"/api/v1/notifications/unread-count", u, &body)
		return body.Unread
	}
	wantBell := map[string][3]int{ // day -> unread of partner, head, sender at its end
		"2027-03-25": {1, 1, 0}, "2027-03-31": {1, 1, 0}, "2027-04-01": {1, 2, 0}, "2027-04-07": {1, 2, 0},
		"2027-04-08": {2, 3, 0}, "2027-04-12": {3, 4, 0}, "2027-04-13": {0, 0, 1},
	}
	seen, instance := 0, 0
	for day := "2027-03-25"; day <= "2027-04-14"; {
		moved := time.Now()
		at := setDay(day, 9)
		if day == "2027-03-25" {
			at = setDay(day, 11)
		}
		waitFor("two sweeps on "+day, func() bool {
			return count(`SELECT count(*) FROM river_job WHERE kind = 'sweep' AND state = 'completed' AND attempted_at > $1`, moved) >= 2
		})
		for range 2 {
			if err := c.Store.Tx(ctx, model.Actor{System: true}, func(tx *store.Tx) error {
				args, opts := jobs.DigestJob(at)
				return tx.Enqueue(ctx, args, opts)
			}); err != nil {
				t.Fatal(err)
			}
		}
		waitFor("the mail jobs of "+day, func() bool {
			return count(`SELECT count(*) FROM river_job WHERE kind IN ('deliver_notifications', 'digest')
				AND state NOT IN ('completed', 'cancelled', 'discarded')`) == 0
		})
		got := smtp.Received()
		for _, m := range got[seen:] {
			text, err := m.Text()
			if err != nil {
				t.Fatal(err)
			}
			if !m.StartTLS || !m.Authed {
				t.Errorf("a mail of %s was sent without STARTTLS or AUTH", day)
			}
			mailsOn[day] = append(mailsOn[day], received{strings.Join(m.To, ","), text})
		}
		seen = len(got)
		if want, ok := wantBell[day]; ok {
			for i, u := range []*world.User{partner, head, sender} {
				if n := unread(urls[instance], u); n != want[i] {
					t.Errorf("%s: the bell of %s shows %d unread, want %d", day, u.Name, n, want[i])
				}
				instance = 1 - instance
			}
		}
		next, _ := time.Parse(time.DateOnly, day)
		day = next.AddDate(0, 0, 1).Format(time.DateOnly)
	}

	// The bell: every notification, on its day, once.
	rows, err := c.DB.SQL.Query(`SELECT n.kind, n.user_id, to_char(n.created_at AT TIME ZONE 'Europe/Berlin', 'YYYY-MM-DD')
		FROM notifications n ORDER BY 3, 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	name := map[string]string{partner.ID.String(): "partner", head.ID.String(): "head", sender.ID.String(): "sender"}
	var got []string
	for rows.Next() {
		var kind, user, day string
		if err := rows.Scan(&kind, &user, &day); err != nil {
			t.Fatal(err)
		}
		if name[user] == "" {
			name[user] = user
		}
		got = append(got, day+" "+kind+" "+name[user])
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"2027-03-25 referral_new head", "2027-03-25 referral_new partner",
		"2027-04-01 escalation head",
		"2027-04-08 referral_reply_due head", "2027-04-08 referral_reply_due partner",
		"2027-04-12 referral_reply_due head", "2027-04-12 referral_reply_due partner",
		"2027-04-13 referral_expired sender",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("notifications:\n got %q\nwant %q", got, want)
	}

	// E-mail: the new referral and the escalation at once, the reminders and the expiry in the
	// digest of their day; each recipient once per occasion, in the recipient's language, and
	// nothing of the person, the case or the messages.
	p, h, s := email(partner), email(head), email(sender)
	wantMail := map[string][]received{
		"2027-03-25": {{h, "Lotse: something new for you\n"}, {p, "Lotse: Neues für Sie\n"}},
		"2027-04-01": {{h, "Lotse: something new for you\n"}},
		"2027-04-08": {{h, "Lotse: your summary of 8 April 2027\n"}, {p, "Lotse: Ihre Übersicht vom 08.04.2027\n"}},
		"2027-04-12": {{h, "Lotse: your summary of 12 April 2027\n"}, {p, "Lotse: Ihre Übersicht vom 12.04.2027\n"}},
		"2027-04-13": {{s, "Lotse: Ihre Übersicht vom 13.04.2027\n"}},
	}
	lines := map[string]map[string]string{ // day -> recipient -> the line the mail must hold
		"2027-03-25": {h: "1 new referral", p: "1 neue Vermittlung"},
		"2027-04-01": {h: "1 escalation"},
		"2027-04-08": {h: "1 referral awaiting your reply", p: "1 Vermittlung wartet auf Ihre Antwort"},
		"2027-04-12": {h: "1 referral awaiting your reply", p: "1 Vermittlung wartet auf Ihre Antwort"},
		"2027-04-13": {s: "1 Vermittlung ist unbeantwortet abgelaufen"},
	}
	for day := range mailsOn {
		if _, ok := wantMail[day]; !ok {
			wantMail[day] = nil
		}
	}
	for day, want := range wantMail {
		got := mailsOn[day]
		var gotTo, wantTo []string
		for _, m := range got {
			gotTo = append(gotTo, m.to+" "+subjectOf(m.text))
		}
		for _, m := range want {
			wantTo = append(wantTo, m.to+" "+subjectOf(m.text))
		}
		slices.Sort(gotTo)
		slices.Sort(wantTo)
		if !slices.Equal(gotTo, wantTo) {
			t.Errorf("mails of %s:\n got %q\nwant %q", day, gotTo, wantTo)
		}
		for _, m := range got {
			if line := lines[day][m.to]; !strings.Contains(m.text, line) {
				t.Errorf("the mail of %s to %s lacks %q:\n%s", day, m.to, line, m.text)
			}
			for _, bad := range []string{cw.Person.FamilyName, cw.Person.GivenNames, "Hadad", "14.03.1990", "1990-03-14",
				"Lotter Str", cw.Person.Phone, cw.Person.Email, cw.Case.Reference, "Bitte um Unterstützung", "Interner Vermerk",
				"Geteilter Vermerk", "Unterlagen prüfen", partner.Name, head.Name, sender.Name} {
				if strings.Contains(m.text, bad) {
					t.Errorf("the mail of %s to %s contains %q:\n%s", day, m.to, bad, m.text)
				}
			}
		}
	}

	// The bell in the frame of the pages, of the sender after the expiry.
	bell := httpGet(t, urls[1]+"/benachrichtigungen/anzahl", sender)
	if !strings.Contains(bell, "1 ungelesene Benachrichtigung") {
		t.Errorf("the sender's bell in the frame: %s", bell)
	}
	if n := count(`SELECT count(*) FROM audit_events WHERE action = 'notification.email'`); n != 8 {
		t.Errorf("%d e-mailed notifications audited, want 8 (one per notification)", n)
	}
}

// subjectOf is the first line of a mail's text (its subject).
func subjectOf(text string) string {
	first, _, _ := strings.Cut(text, "\n")
	return first
}

func httpGet(t *testing.T, url string, u *world.User) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(world.UserHeader, u.ID.String())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", url, res.StatusCode, b)
	}
	return string(b)
}

func getJSON(t *testing.T, url string, u *world.User, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(httpGet(t, url, u)), v); err != nil {
		t.Fatal(fmt.Errorf("GET %s: %w", url, err))
	}
}
