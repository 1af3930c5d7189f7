package web_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestPagesCompressedOnlyForLotseItself: a page the browser asks for from Lotse itself
// (Sec-Fetch-Site same-origin or none) comes gzipped and says it varies with the header;
// a request from another site (cross-site, same-site), one without the header or one that
// does not accept gzip gets the page as it is (BREACH: the attacker's requests are the
// cross-site ones, compress.go). The static files keep their own compression, once.
func TestPagesCompressedOnlyForLotseItself(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	page := func(site, accept string) *world.Response {
		return w.Do(t, world.Request{As: w.HousingWorker, Method: http.MethodGet, URL: "/faelle", Headers: map[string]string{
			"Sec-Fetch-Site": site, "Accept-Encoding": accept,
		}})
	}
	plain := page("", "")
	if plain.Status != http.StatusOK || !bytes.Contains(plain.Body, []byte("</html>")) {
		t.Fatalf("case list: status %d, %d bytes", plain.Status, len(plain.Body))
	}
	for _, site := range []string{"same-origin", "none"} {
		r := page(site, "gzip, deflate, br")
		if r.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("Sec-Fetch-Site %s: Content-Encoding %q, want gzip", site, r.Header.Get("Content-Encoding"))
			continue
		}
		if !strings.Contains(strings.Join(r.Header.Values("Vary"), ","), "Sec-Fetch-Site") {
			t.Errorf("Sec-Fetch-Site %s: Vary %q does not name Sec-Fetch-Site", site, r.Header.Values("Vary"))
		}
		body := gunzip(t, r.Body)
		if !bytes.Contains(body, []byte("</html>")) || len(r.Body)*2 > len(body) {
			t.Errorf("Sec-Fetch-Site %s: %d bytes compressed to %d", site, len(body), len(r.Body))
		}
		// The same page as uncompressed, but for the anti-forgery token.
		if !bytes.Equal(stripVolatile(body), stripVolatile(plain.Body)) {
			t.Errorf("Sec-Fetch-Site %s: the decompressed page differs from the plain one", site)
		}
	}
	for _, tc := range []struct{ site, accept string }{
		{"cross-site", "gzip"}, {"same-site", "gzip"}, {"", "gzip"}, {"same-origin", ""}, {"same-origin", "gzip;q=0"},
	} {
		r := page(tc.site, tc.accept)
		if r.Status != http.StatusOK || r.Header.Get("Content-Encoding") != "" || !bytes.Contains(r.Body, []byte("</html>")) {
			t.Errorf("Sec-Fetch-Site %q, Accept-Encoding %q: status %d, Content-Encoding %q: want the page uncompressed",
				tc.site, tc.accept, r.Status, r.Header.Get("Content-Encoding"))
		}
	}
	css := regexp.MustCompile(`/static/lotse\.[0-9a-f]{10}\.css`).Find(plain.Body)
	if css == nil {
		t.Fatal("the page links no stylesheet")
	}
	r := w.Do(t, world.Request{Method: http.MethodGet, URL: string(css), Headers: map[string]string{"Sec-Fetch-Site": "same-origin", "Accept-Encoding": "gzip"}})
	if r.Status != http.StatusOK || r.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("stylesheet: status %d, Content-Encoding %q", r.Status, r.Header.Get("Content-Encoding"))
	}
	if body := gunzip(t, r.Body); !bytes.Contains(body, []byte("{")) || bytes.HasPrefix(body, []byte{0x1f, 0x8b}) {
		t.Errorf("stylesheet: not CSS after one decompression (%d bytes)", len(body))
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gzip: %v", err)
	}
	return out
}

// volatile is what differs from one response to the next for the world's test identity,
// which has no session cookie: the anti-forgery token (a new session each time).
var volatile = regexp.MustCompile(`(name="_csrf" value="|X-CSRF-Token&#34;:&#34;)[^"&]*`)

func stripVolatile(b []byte) []byte { return volatile.ReplaceAll(b, []byte(`$1`)) }
