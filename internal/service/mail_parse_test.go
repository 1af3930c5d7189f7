package service_test

import (
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// mailParse returns the decoded subject and plain-text body of a raw message.
func mailParse(raw string) (string, error) {
	m, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		return "", err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return "", err
	}
	var r io.Reader = m.Body
	switch strings.ToLower(m.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return "", err
	}
	return subject + "\n" + strings.ReplaceAll(string(b), "\r\n", "\n"), nil
}
