package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one e-mail to one recipient: a plain-text body, no attachments.
type Message struct {
	To      string
	Subject string
	Body    string
}

// Sender sends one message; an error means it was not accepted and the caller retries.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// TLS modes of Settings.TLS (LOTSE_SMTP_TLS).
const (
	// TLSStartTLS: plain connection upgraded with STARTTLS, which is mandatory: a server
	// that does not offer it is refused (port 587).
	TLSStartTLS = "starttls"
	// TLSImplicit: TLS from the first byte (port 465).
	TLSImplicit = "tls"
	// TLSNone: unencrypted, for a relay on loopback only (config refuses it elsewhere).
	TLSNone = "none"
)

// Settings are the SMTP settings (config LOTSE_SMTP_*).
type Settings struct {
	Host     string
	Port     int
	Username string // empty: no SMTP AUTH
	Password string
	From     string
	TLS      string // TLSStartTLS (default), TLSImplicit or TLSNone
	// TLSConfig replaces the default TLS configuration (tests: a root CA of their own).
	TLSConfig *tls.Config
	// Timeout bounds connecting and each SMTP command (default 30 s).
	Timeout time.Duration
}

// SMTP sends messages over one SMTP connection each.
type SMTP struct {
	s    Settings
	opts []gomail.Option
}

// NewSMTP checks the settings and prepares the sender; it connects only when sending.
func NewSMTP(s Settings) (*SMTP, error) {
	if s.Host == "" || s.From == "" {
		return nil, errors.New("mail: SMTP host and sender address are required")
	}
	if s.Timeout <= 0 {
		s.Timeout = 30 * time.Second
	}
	opts := []gomail.Option{gomail.WithPort(s.Port), gomail.WithTimeout(s.Timeout)}
	tlsConfig := s.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
	}
	opts = append(opts, gomail.WithTLSConfig(tlsConfig))
	switch s.TLS {
	case TLSStartTLS, "":
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		return nil, fmt.Errorf("mail: unknown TLS mode %q", s.TLS)
	}
	if s.Username != "" {
		// PLAIN over the encrypted connection; go-mail refuses PLAIN without TLS unless told
		// (TLSNone, a relay on loopback).
		auth := gomail.SMTPAuthPlain
		if s.TLS == TLSNone {
			auth = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(s.Username), gomail.WithPassword(s.Password))
	}
	return &SMTP{s: s, opts: opts}, nil
}

// Send delivers m. The error never holds the recipient's address (it ends up in the job's
// error list, which administrators read): only the step that failed and the server's code.
func (c *SMTP) Send(ctx context.Context, m Message) error {
	msg := gomail.NewMsg()
	if err := msg.From(c.s.From); err != nil {
		return errors.New("mail: invalid sender address")
	}
	if err := msg.To(m.To); err != nil {
		return errors.New("mail: invalid recipient address")
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)

	client, err := gomail.NewClient(c.s.Host, c.opts...)
	if err != nil {
		return fmt.Errorf("mail: client: %w", err)
	}
	conn, err := client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return fmt.Errorf("mail: connect to %s:%d: %s", c.s.Host, c.s.Port, redact(err, m.To))
	}
	if err := client.SendWithSMTPClient(conn, msg); err != nil {
		_ = client.CloseWithSMTPClient(conn)
		var se *gomail.SendError
		if errors.As(err, &se) {
			return fmt.Errorf("mail: send: %s (SMTP %d %s, temporary %v)", se.Reason, se.ErrorCode(), se.EnhancedStatusCode(), se.IsTemp())
		}
		return fmt.Errorf("mail: send: %s", redact(err, m.To))
	}
	// The server accepted the message: a failing QUIT changes nothing about that, and
	// reporting it would make the caller send the message again.
	_ = client.CloseWithSMTPClient(conn)
	return nil
}

// redact removes the recipient's address from an error text.
func redact(err error, addr string) string {
	s := err.Error()
	if addr != "" {
		s = strings.ReplaceAll(s, addr, "<recipient>")
	}
	return s
}
