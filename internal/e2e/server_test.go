package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/text/language"

	"github.com/lotse-project/lotse/internal/app"
	"github.com/lotse-project/lotse/internal/authz"
	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/demo"
	"github.com/lotse-project/lotse/internal/devapp"
	"github.com/lotse-project/lotse/internal/devidp"
	"github.com/lotse-project/lotse/internal/locale"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil"
	"github.com/lotse-project/lotse/ui"
)

// server is a running Lotse as `lotse dev` starts it, on a fresh database of its own.
type server struct {
	URL string
	IdP *devidp.Server
	// Svc is a second service stack on the same database, for arranging what the UI cannot
	// (e.g. a task that is overdue already). It acts through the same rules as the server.
	Svc  *service.Services
	Logs *testutil.LogBuffer
	// Store is the store under Svc, for arranging what no service writes from outside (a
	// notification, as the reminder jobs write them).
	Store *store.Store
}

const devClientID = "lotse-e2e"

// startServer migrates a fresh database, starts the development identity provider with the
// demo accounts (as internal/devapp's startDevIdP does for `lotse dev`), seeds the demo data and
// serves on a loopback port until the test ends.
func startServer(t *testing.T) *server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dbURL := testutil.NewDBURL(t)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()

	secret := make([]byte, 24)
	_, _ = rand.Read(secret)
	cat, err := locale.Load(ui.Locales)
	if err != nil {
		t.Fatal(err)
	}
	de := cat.For(language.German)
	var accounts []devidp.Account
	for _, a := range demo.Accounts() {
		accounts = append(accounts, devidp.Account{
			Subject: subject(a), Email: a.Email, Name: a.DisplayName, Role: de.T("role." + string(a.Role)), Org: a.Org,
		})
	}
	idp, err := devidp.New(devidp.Config{
		Addr:     "127.0.0.1:0",
		Accounts: accounts,
		Clients: []devidp.Client{{
			ID: devClientID, Secret: hex.EncodeToString(secret),
			RedirectURIs:           []string{base + "/auth/callback"},
			PostLogoutRedirectURIs: []string{base + "/logged-out"},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := idp.Start(context.WithoutCancel(ctx)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idp.Close() })

	cfg := &config.Config{
		DatabaseURL: dbURL, DBMaxConns: 8, HTTPAddr: ln.Addr().String(), BaseURL: base,
		ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute,
		BodyLimit: "1M", ShutdownGrace: 2 * time.Second, LogLevel: "info", LogFormat: "text",
		SessionIdleTimeout: 30 * time.Minute, SessionLifetime: 10 * time.Hour,
		CookieSecure: "false", LoginRateLimit: 1000,
		OIDCIssuer: idp.Issuer(), OIDCClientID: devClientID, OIDCClientSecret: hex.EncodeToString(secret),
		OIDCName: "Entwicklungs-Anmeldung", OIDCTrustEmail: true,
	}
	logs := &testutil.LogBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.New(ctx, cfg, log, false, app.Options{})
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	if err := devapp.SeedDemo(ctx, a); err != nil {
		a.Close()
		t.Fatalf("seed demo: %v", err)
	}
	serveCtx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(serveCtx, ln) }()
	t.Cleanup(func() {
		stop()
		if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
		a.Close()
		if t.Failed() {
			t.Logf("Lotse log (last lines):\n%s", tail(logs.String(), 60))
		}
	})

	d := testutil.Open(t, dbURL)
	st := store.New(d.Gorm, nil)
	en, err := authz.New(ctx, func(ctx context.Context) (authz.Snapshot, error) {
		orgs, grants, err := st.PolicySnapshot(ctx)
		return authz.Snapshot{Orgs: orgs, Grants: grants}, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return &server{URL: base, IdP: idp, Svc: service.New(st, en, log), Logs: logs, Store: st}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// subject is the demo account's subject at the development identity provider: the part of
// its e-mail address before the @, as `lotse dev` sets it up.
func subject(a demo.Account) string { return strings.SplitN(a.Email, "@", 2)[0] }

// actor is the demo account with this subject acting in its organisation, for arranging
// data through s.Svc.
func (s *server) actor(t *testing.T, subj string) model.Actor {
	t.Helper()
	ctx := context.Background()
	system := model.Actor{System: true, Name: "e2e", Purpose: "browser test"}
	members, err := s.Svc.Directory.ListMembers(ctx, system, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if strings.SplitN(m.User.Email, "@", 2)[0] != subj {
			continue
		}
		var org *uuid.UUID
		if len(m.Grants) > 0 {
			org = &m.Grants[0].OrgID
		}
		a, _, err := s.Svc.Access.Actor(ctx, service.ActorRequest{UserID: m.User.ID, OrgID: org, RequestID: "e2e"})
		if err != nil {
			t.Fatalf("act as %s: %v", subj, err)
		}
		a.Purpose = "browser test"
		return a
	}
	t.Fatalf("no demo account %q", subj)
	return model.Actor{}
}

// arrangeCase opens a case as the account (led by its organisation), through the services.
func (s *server) arrangeCase(t *testing.T, subj, family, given string) *model.CaseView {
	t.Helper()
	born := time.Date(1988, 4, 12, 0, 0, 0, 0, time.UTC)
	v, err := s.Svc.Cases.Create(context.Background(), s.actor(t, subj), model.CaseCreate{
		Primary: model.PersonInput{FamilyName: family, GivenNames: given, BirthDate: &born, Languages: []string{"uk"}, District: "Innenstadt"},
	})
	if err != nil {
		t.Fatalf("arrange a case as %s: %v", subj, err)
	}
	return v
}

// arrangeOverdueTask gives the account a task of its organisation that was due daysAgo days
// ago, through the services (the UI rightly offers no way to create one in the past), linked
// to caseID when given.
func (s *server) arrangeOverdueTask(t *testing.T, subj, title string, daysAgo int, caseID *uuid.UUID) *model.Task {
	t.Helper()
	a := s.actor(t, subj)
	due := model.CalendarDay(time.Now()).AddDate(0, 0, -daysAgo) // a calendar day in Berlin
	task, err := s.Svc.Tasks.Create(context.Background(), a, model.TaskCreate{
		OrgID: a.OrgID, AssigneeID: &a.UserID, CaseID: caseID, Title: title, DueDate: &due, Priority: model.PriorityHigh,
	})
	if err != nil {
		t.Fatalf("arrange an overdue task for %s: %v", subj, err)
	}
	return task
}
