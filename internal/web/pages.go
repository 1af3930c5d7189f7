package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"

	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/locale"
)

// pages parses every page template together with the layout, once at start.
func parsePages(fsys fs.FS) (map[string]*template.Template, error) {
	names, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || base == "error.html" {
			continue
		}
		t, err := template.ParseFS(fsys, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: parse %s: %w", base, err)
		}
		out[base] = t
	}
	return out, nil
}

// localizer picks the user's language: an explicit ?lang= or cookie choice, else the
// browser's Accept-Language, else German.
func (s *Server) localizer(c echo.Context) *locale.Localizer {
	choice := ""
	if ck, err := c.Cookie("lang"); err == nil {
		choice = ck.Value
	}
	return s.catalog.For(s.catalog.Match(choice, c.Request().Header.Get("Accept-Language")))
}

// render writes a page: the layout with the page's content, the user's language, the
// signed-in user (if any) and the CSRF token for forms. Rendering goes to a buffer first, so
// that a template error becomes a clean error page instead of half a page.
func (s *Server) render(c echo.Context, status int, name string, data map[string]any) error {
	t, ok := s.pages[name]
	if !ok {
		return fmt.Errorf("web: no page %s", name)
	}
	if data == nil {
		data = map[string]any{}
	}
	l := s.localizer(c)
	data["L"] = l
	data["Lang"] = l.Lang.String()
	data["CSRF"] = s.csrfToken(c)
	data["CSRFField"] = CSRFField
	if a := actor(c); a.Name != "" {
		data["User"] = a.Name
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}
