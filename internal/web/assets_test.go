package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lotse-project/lotse/ui"
)

// get sends one request through the whole server (middleware, routes, error handler).
func get(t *testing.T, h http.Handler, target string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestStaticFilesUnderHashedNames: every embedded file answers at its hashed URL with its
// type, a year of caching and its content; the hash is of the content served.
func TestStaticFilesUnderHashedNames(t *testing.T) {
	s, _ := routeServer(t)
	static, err := fs.Sub(ui.Static, "static")
	if err != nil {
		t.Fatal(err)
	}
	names := s.assets.names()
	for _, want := range []string{"lotse.css", "vendor/kern/kern.min.css", "vendor/kern/fonts/fira-sans.css", "vendor/htmx/htmx.min.js"} {
		if !strings.Contains(strings.Join(names, "\n")+"\n", want+"\n") {
			t.Errorf("%s is not embedded", want)
		}
	}
	hashed := regexp.MustCompile(`^/static/.+\.[0-9a-f]{10}(\.[a-z0-9]+)?$`)
	for _, name := range names {
		u := s.assets.URL(name)
		if !hashed.MatchString(u) {
			t.Errorf("%s: URL %s carries no hash", name, u)
		}
		r := get(t, s, u)
		if r.Code != http.StatusOK {
			t.Errorf("%s: GET %s = %d", name, u, r.Code)
			continue
		}
		if got := r.Header().Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
			t.Errorf("%s: Cache-Control %q", name, got)
		}
		if r.Header().Get("Content-Security-Policy") == "" || r.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: security headers missing", name)
		}
		if r.Header().Get("Set-Cookie") != "" || strings.Contains(r.Header().Get("Vary"), "Cookie") {
			t.Errorf("%s: static files must not depend on cookies", name)
		}
		wantType := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".woff2": "font/woff2"}
		for ext, typ := range wantType {
			if strings.HasSuffix(name, ext) && r.Header().Get("Content-Type") != typ {
				t.Errorf("%s: Content-Type %q, want %q", name, r.Header().Get("Content-Type"), typ)
			}
		}
		orig, err := fs.ReadFile(static, name)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasSuffix(name, ".css") && !bytes.Equal(r.Body.Bytes(), orig) {
			t.Errorf("%s: served content differs from the embedded file", name)
		}
	}
}

var urlRef = regexp.MustCompile(`url\(\s*["']?([^"')]+)["']?\s*\)`)

// TestStaticStylesheetReferencesResolve fetches every stylesheet, extracts every url(...)
// that is not inline data, and fetches that: the fonts of KERN must load.
func TestStaticStylesheetReferencesResolve(t *testing.T) {
	s, _ := routeServer(t)
	fonts := 0
	for _, name := range s.assets.names() {
		if !strings.HasSuffix(name, ".css") {
			continue
		}
		r := get(t, s, s.assets.URL(name))
		if r.Code != http.StatusOK {
			t.Fatalf("%s: %d", name, r.Code)
		}
		for _, m := range urlRef.FindAllStringSubmatch(r.Body.String(), -1) {
			ref := m[1]
			if strings.HasPrefix(ref, "data:") {
				continue
			}
			if !strings.HasPrefix(ref, "/static/") {
				t.Errorf("%s: url(%s) was not rewritten to a hashed URL", name, ref)
				continue
			}
			fr := get(t, s, ref)
			if fr.Code != http.StatusOK || fr.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
				t.Errorf("%s: url(%s) answers %d", name, ref, fr.Code)
			}
			if strings.HasSuffix(ref, ".woff2") {
				fonts++
			}
		}
	}
	if fonts < 4 {
		t.Errorf("only %d font files referenced by the stylesheets", fonts)
	}
}

func TestStaticUnknownAndStale(t *testing.T) {
	s, _ := routeServer(t)
	for _, p := range []string{
		"/static/nothing.css",
		"/static/lotse.css",                // the name without its hash
		"/static/vendor/kern/kern.min.css", // likewise
		"/static/lotse.zzzzzzzzzz.css",     // not a hash of the right form
		"/static/../go.mod",
		"/static/%2e%2e/go.mod",
		"/static/",
	} {
		r := get(t, s, p)
		if r.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, r.Code)
		}
		if strings.Contains(r.Header().Get("Cache-Control"), "immutable") {
			t.Errorf("GET %s: a 404 cached for a year", p)
		}
	}
	// A page of the previous version asks for an older hash: the current file, not cached.
	cur := s.assets.URL("lotse.css")
	old := regexp.MustCompile(`\.[0-9a-f]{10}\.css$`).ReplaceAllString(cur, ".0123456789.css")
	r := get(t, s, old)
	if r.Code != http.StatusOK || r.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("stale hash: %d, Cache-Control %q", r.Code, r.Header().Get("Cache-Control"))
	}
}

func TestStaticCompressionAndRevalidation(t *testing.T) {
	s, _ := routeServer(t)
	u := s.assets.URL("vendor/kern/kern.min.css")
	plain := get(t, s, u)
	gz := get(t, s, u, "Accept-Encoding", "gzip, deflate, br")
	if gz.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(gz.Header().Get("Vary"), "Accept-Encoding") {
		t.Fatalf("no gzip: %v", gz.Header())
	}
	if gz.Body.Len() >= plain.Body.Len()/3 {
		t.Errorf("gzip %d bytes of %d", gz.Body.Len(), plain.Body.Len())
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	unz, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(unz, plain.Body.Bytes()) {
		t.Fatalf("gzip body differs: %v", err)
	}
	if r := get(t, s, u, "Accept-Encoding", "gzip;q=0"); r.Header().Get("Content-Encoding") != "" {
		t.Error("gzip sent although refused")
	}
	font := get(t, s, s.assets.URL("vendor/kern/fonts/fira-sans/FiraSans-Regular.woff2"), "Accept-Encoding", "gzip")
	if font.Header().Get("Content-Encoding") != "" {
		t.Error("a woff2 font was gzipped again")
	}
	if r := get(t, s, u, "If-None-Match", plain.Header().Get("ETag")); r.Code != http.StatusNotModified || r.Body.Len() != 0 {
		t.Errorf("If-None-Match: %d", r.Code)
	}
}

// TestAssetHashFollowsReferences: a stylesheet's URL changes when a font it references
// changes, and a reference to a missing file stops the start.
func TestAssetHashFollowsReferences(t *testing.T) {
	fsys := fstest.MapFS{
		"fonts/a.css":     {Data: []byte(`@font-face{src:url("./f/x.woff2") format("woff2"),url(f/x.woff2?#iefix)}.i{mask:url("data:image/svg+xml,%3Csvg%3E")}`)},
		"fonts/f/x.woff2": {Data: []byte("font v1")},
	}
	a1, err := loadAssets(fsys)
	if err != nil {
		t.Fatal(err)
	}
	css := string(a1.byName["fonts/a.css"].body)
	font := a1.URL("fonts/f/x.woff2")
	if strings.Count(css, `url("`+font+`")`) != 1 || !strings.Contains(css, `url("`+font+`?#iefix")`) || !strings.Contains(css, "data:image/svg+xml") {
		t.Errorf("rewritten stylesheet: %s", css)
	}
	fsys["fonts/f/x.woff2"] = &fstest.MapFile{Data: []byte("font v2")}
	a2, err := loadAssets(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if a1.URL("fonts/a.css") == a2.URL("fonts/a.css") {
		t.Error("the stylesheet kept its URL although its font changed")
	}
	fsys["fonts/b.css"] = &fstest.MapFile{Data: []byte(`.x{background:url(missing.png)}`)}
	if _, err := loadAssets(fsys); err == nil || !strings.Contains(err.Error(), "missing.png") {
		t.Errorf("a reference to a missing file: %v", err)
	}
}
