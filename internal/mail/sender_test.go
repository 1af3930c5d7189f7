package mail_test

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/mail"
	"github.com/lotse-project/lotse/internal/mail/mailtest"
)

func settings(s *mailtest.Server) mail.Settings {
	return mail.Settings{
		Host: s.Host, Port: s.Port, Username: mailtest.Username, Password: mailtest.Password,
		From: "lotse@stadt.example", TLS: mail.TLSStartTLS, TLSConfig: s.TLSConfig(), Timeout: 5 * time.Second,
	}
}

// TestSendOverStartTLSWithAuth: the sender upgrades with STARTTLS, authenticates and
// delivers a plain-text message with the subject.
func TestSendOverStartTLSWithAuth(t *testing.T) {
	srv := mailtest.Start(t)
	snd, err := mail.NewSMTP(settings(srv))
	if err != nil {
		t.Fatal(err)
	}
	if err := snd.Send(context.Background(), mail.Message{To: "anna@caritas.example", Subject: "Lotse: Neues für Sie", Body: "Hallo\n"}); err != nil {
		t.Fatal(err)
	}
	got := srv.To("anna@caritas.example")
	if len(got) != 1 || !got[0].StartTLS || !got[0].Authed || got[0].From != "lotse@stadt.example" {
		t.Fatalf("received %+v, want one message over STARTTLS after AUTH", got)
	}
	if !strings.Contains(got[0].Data, "Subject: =?UTF-8?q?Lotse:_Neues_f=C3=BCr_Sie?=") && !strings.Contains(got[0].Data, "Lotse: Neues f") {
		t.Errorf("subject missing:\n%s", got[0].Data)
	}
}

// TestSendFailures: an untrusted certificate, wrong credentials, an unreachable server and
// a refused recipient each fail the send, and no error names the recipient's address.
func TestSendFailures(t *testing.T) {
	srv := mailtest.Start(t)
	const to = "bernd@caritas.example"
	cases := map[string]func(*mail.Settings){
		"untrusted certificate": func(s *mail.Settings) {
			s.TLSConfig = &tls.Config{ServerName: "localhost", MinVersion: tls.VersionTLS12}
		},
		"wrong password":    func(s *mail.Settings) { s.Password = "falsch" },
		"no auth":           func(s *mail.Settings) { s.Username, s.Password = "", "" },
		"unreachable":       func(s *mail.Settings) { s.Port = 1 },
		"refused recipient": func(*mail.Settings) { srv.Refuse(to, true) },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			s := settings(srv)
			change(&s)
			defer srv.Refuse(to, false)
			snd, err := mail.NewSMTP(s)
			if err != nil {
				t.Fatal(err)
			}
			err = snd.Send(context.Background(), mail.Message{To: to, Subject: "x", Body: "y"})
			if err == nil {
				t.Fatal("send succeeded")
			}
			if strings.Contains(err.Error(), to) {
				t.Errorf("the error names the recipient: %v", err)
			}
		})
	}
	if n := len(srv.To(to)); n != 0 {
		t.Fatalf("%d messages delivered, want none", n)
	}
}
