package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"
)

// staticPrefix is where the static files are served.
const staticPrefix = "/static/"

// assets are the embedded static files (ui/static), each served under a name that carries
// the first 10 hex digits of its SHA-256: /static/vendor/kern/kern.min.<hash>.css. A changed
// file gets a new URL, so every response may be cached for a year.
//
// Stylesheets that load other files with a relative url(...) (KERN's fonts) are rewritten at
// start to the hashed URLs of those files, before their own hash is taken: a new font gives
// its stylesheet a new URL as well.
type assets struct {
	byName map[string]*asset // "vendor/kern/kern.min.css"
	byPath map[string]*asset // "vendor/kern/kern.min.0123456789.css"
}

type asset struct {
	name  string // path under ui/static
	path  string // hashed path under /static/
	hash  string
	ctype string
	body  []byte
	gz    []byte // gzip-compressed body, for text types only
}

// contentTypes: Go's mime table lacks the font types and depends on the host's
// /etc/mime.types, so the types of what Lotse serves are fixed here.
var contentTypes = map[string]string{
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".woff2": "font/woff2",
	".woff":  "font/woff",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".ico":   "image/vnd.microsoft.icon",
	".txt":   "text/plain; charset=utf-8",
	".md":    "text/plain; charset=utf-8",
}

// compressible are the types worth gzipping (fonts and images are compressed already).
func compressible(ctype string) bool {
	return strings.HasPrefix(ctype, "text/") || ctype == "image/svg+xml"
}

// cssURL matches url(...) in a stylesheet, quoted or not.
var cssURL = regexp.MustCompile(`url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)`)

// loadAssets reads every file of fsys (rooted at ui/static), rewrites the stylesheets'
// references and hashes everything.
func loadAssets(fsys fs.FS) (*assets, error) {
	a := &assets{byName: map[string]*asset{}, byPath: map[string]*asset{}}
	var css []*asset
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		ctype, ok := contentTypes[path.Ext(p)]
		if !ok {
			ctype = "application/octet-stream"
		}
		f := &asset{name: p, body: body, ctype: ctype}
		a.byName[p] = f
		if path.Ext(p) == ".css" {
			css = append(css, f)
			return nil
		}
		a.seal(f)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	// Stylesheets last, once the files they reference have their hashed names.
	for _, f := range css {
		body, err := a.rewriteCSS(f)
		if err != nil {
			return nil, err
		}
		f.body = body
		a.seal(f)
	}
	for _, f := range a.byName {
		if compressible(f.ctype) {
			var b bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
			_, _ = zw.Write(f.body)
			if err := zw.Close(); err != nil {
				return nil, err
			}
			if b.Len() < len(f.body) {
				f.gz = b.Bytes()
			}
		}
	}
	return a, nil
}

// seal gives f its hash and hashed path.
func (a *assets) seal(f *asset) {
	sum := sha256.Sum256(f.body)
	f.hash = hex.EncodeToString(sum[:])[:10]
	f.path = hashedName(f.name, f.hash)
	a.byPath[f.path] = f
}

// hashedName puts the hash before the extension: "a/b.min.css" -> "a/b.min.<hash>.css".
func hashedName(name, hash string) string {
	ext := path.Ext(name)
	if ext == "" {
		return name + "." + hash
	}
	return strings.TrimSuffix(name, ext) + "." + hash + ext
}

// rewriteCSS replaces relative url(...) references with the hashed URLs of the files they
// name. A reference to a file that is not embedded is an error: the build is broken.
func (a *assets) rewriteCSS(f *asset) ([]byte, error) {
	var missing []string
	out := cssURL.ReplaceAllFunc(f.body, func(m []byte) []byte {
		sub := cssURL.FindSubmatch(m)
		ref := string(bytes.Join(sub[1:], nil))
		if ref == "" || strings.HasPrefix(ref, "data:") || strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "#") || strings.Contains(ref, ":") {
			return m
		}
		target, suffix := ref, ""
		if i := strings.IndexAny(ref, "?#"); i >= 0 {
			target, suffix = ref[:i], ref[i:]
		}
		t, ok := a.byName[path.Join(path.Dir(f.name), target)]
		if !ok || t.path == "" { // not embedded, or a stylesheet (not hashed yet)
			missing = append(missing, ref)
			return m
		}
		return []byte(`url("` + staticPrefix + t.path + suffix + `")`)
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("web: static file %s references %s, which is not embedded (or is a stylesheet)", f.name, strings.Join(missing, ", "))
	}
	return out, nil
}

// URL returns the hashed URL of the static file name ("lotse.css"). An unknown name gives
// its unhashed URL, which answers 404: a test renders every page and fetches every URL.
func (a *assets) URL(name string) string {
	if f, ok := a.byName[name]; ok {
		return staticPrefix + f.path
	}
	return staticPrefix + name
}

// names lists the static files, for tests.
func (a *assets) names() []string {
	out := make([]string, 0, len(a.byName))
	for n := range a.byName {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// static serves one static file. The exact hashed name is cached for a year. A known file
// asked for with another hash (a page of the previous version, during a rolling update of
// several instances) gets the current content, but not to be cached. Anything else is 404.
func (s *Server) static(c echo.Context) error {
	p := c.Param("*")
	f, exact := s.assets.byPath[p]
	if !exact {
		f = s.assets.byStaleName(p)
	}
	if f == nil {
		return fmt.Errorf("web: no static file %q: %w", p, echo.ErrNotFound)
	}
	h := c.Response().Header()
	etag := `"` + f.hash + `"`
	h.Set("ETag", etag)
	if exact {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	if f.gz != nil {
		h.Add("Vary", "Accept-Encoding")
	}
	if inm := c.Request().Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, etag) {
		return c.NoContent(http.StatusNotModified)
	}
	body := f.body
	if f.gz != nil && acceptsGzip(c.Request()) {
		h.Set("Content-Encoding", "gzip")
		body = f.gz
	}
	return c.Blob(http.StatusOK, f.ctype, body)
}

// byStaleName finds the file whose hashed path differs from p only in the hash.
func (a *assets) byStaleName(p string) *asset {
	dir, base := path.Split(p)
	ext := path.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	i := strings.LastIndexByte(stem, '.')
	if i < 0 || !isHash(stem[i+1:]) {
		return nil
	}
	return a.byName[dir+stem[:i]+ext]
}

func isHash(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.ReplaceAll(strings.TrimSpace(q), " ", "") != "q=0" {
			return true
		}
	}
	return false
}
