package mailtest

import (
	"encoding/base64"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// Text returns the decoded subject and plain-text body of the message (quoted-printable or
// base64, as the sender chose), separated by a line break, for tests that read what a
// recipient reads.
func (r Received) Text() (string, error) {
	m, err := mail.ReadMessage(strings.NewReader(r.Data))
	if err != nil {
		return "", err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return "", err
	}
	var body io.Reader = m.Body
	switch strings.ToLower(m.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return "", err
	}
	return subject + "\n" + strings.ReplaceAll(string(b), "\r\n", "\n"), nil
}
