package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/a-h/templ"
	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/authn"
	"github.com/lotse-project/lotse/internal/locale"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/ui/components"
)

// langCookie keeps the language chosen with ?lang=.
const langCookie = "lang"

// localizer picks the user's language: the choice kept in the lang cookie, else the
// browser's Accept-Language, else German.
func (s *Server) localizer(c echo.Context) *locale.Localizer {
	choice := ""
	if ck, err := c.Cookie(langCookie); err == nil {
		choice = ck.Value
	}
	return s.catalog.For(s.catalog.Match(choice, c.Request().Header.Get("Accept-Language")))
}

// render writes a page, a templ component from ui/components. The components find the
// language, the static file URLs and the frame (user, organisation, navigation) in the
// context (components.Env), so a handler passes only what the page itself shows:
//
//	return s.render(c, http.StatusOK, components.Home(s.me(c)))
//
// Rendering goes to a buffer first, so that a failure becomes a clean error page instead of
// half a page.
func (s *Server) render(c echo.Context, status int, page templ.Component) error {
	body, err := s.renderBytes(c, page)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.HTMLBlob(status, body)
}

func (s *Server) renderBytes(c echo.Context, page templ.Component) ([]byte, error) {
	ctx := components.WithEnv(c.Request().Context(), s.env(c))
	var buf bytes.Buffer
	if err := page.Render(ctx, &buf); err != nil {
		return nil, fmt.Errorf("web: render page: %w", err)
	}
	return buf.Bytes(), nil
}

// env is what the components of this request read from their context.
func (s *Server) env(c echo.Context) *components.Env {
	l := s.localizer(c)
	f := components.Frame{Operator: s.operator, Languages: languageLinks(c, l)}
	if actor(c).UserID != uuid.Nil {
		// Signed in: authenticate has run, so the session is loaded and the token is safe
		// to read (error pages of requests refused before that show no user).
		f.CSRF = s.csrfToken(c)
		u := s.me(c)
		f.User = &u
		f.Nav = s.navigation(c)
		f.Bell = s.allowed(c, objNotification, "read")
		f.Flash = s.popFlash(c)
	}
	return &components.Env{Lang: l.Lang.String(), L: l, Asset: s.assets.URL, Frame: f, Zone: model.Berlin}
}

// flashKey keeps the status message of POST-redirect-GET in the session until the next page.
const flashKey = "flash"

// flash keeps a status message for the next page the user sees, after a successful form post
// and its redirect: s.flash(c, s.localizer(c).T("admin.flash.org_updated")). msg is already
// translated; it must name no personal data beyond what the next page shows anyway.
func (s *Server) flash(c echo.Context, msg string) {
	if s.auth.Sessions != nil && msg != "" {
		s.auth.Sessions.Put(c.Request().Context(), flashKey, msg)
	}
}

// popFlash returns the status message kept by flash, once: only for a whole page read with
// GET (not for htmx fragments, nor for the re-rendered form of a failed post; a page that
// htmx loads for a boosted link is whole).
func (s *Server) popFlash(c echo.Context) string {
	r := c.Request()
	fragment := r.Header.Get("HX-Request") != "" && r.Header.Get("HX-Boosted") == ""
	if s.auth.Sessions == nil || r.Method != http.MethodGet || fragment {
		return ""
	}
	return s.auth.Sessions.PopString(r.Context(), flashKey)
}

// me is the signed-in user with the organisation they act in and all they may act in.
func (s *Server) me(c echo.Context) components.User {
	a := actor(c)
	out := components.User{Name: a.Name}
	for _, m := range memberships(c) {
		d := components.Membership{OrgID: m.Org.ID.String(), Name: m.Org.Name}
		for _, r := range m.Roles {
			d.Roles = append(d.Roles, string(r))
		}
		out.Memberships = append(out.Memberships, d)
		if m.Org.ID == a.OrgID {
			cur := d
			out.Acting = &cur
		}
	}
	return out
}

// navEntry is one item of the main navigation, shown to whoever holds its permission in the
// organisation they act in: the navigation follows the role.
type navEntry struct {
	key, href string
	perm      perm
}

// navEntries is the main navigation in order. Each page of the UI adds its entry here, with
// the same permission as its route in routes.go.
var navEntries = []navEntry{
	{key: "nav.home", href: "/", perm: signedIn},
	// caseworker entries
	{key: "nav.my_tasks", href: "/aufgaben", perm: can("task", "read")},
	{key: "nav.cases", href: "/faelle", perm: can("case", "read")},
	{key: "nav.handovers", href: "/uebergaben", perm: can("handover", "answer")},
	// partner entries
	{key: "nav.inbox", href: "/eingang", perm: can("referral", "answer")},
	{key: "nav.referrals", href: "/vermittlungen", perm: can("referral", "create")},
	// lead entries
	{key: "nav.team", href: "/team", perm: can("task", "reassign")},
	{key: "nav.subject_access_confirm", href: "/auskunft/bestaetigen", perm: can("subject_access", "confirm")},
	// coordinator and administration entries
	{key: "nav.statistics", href: "/statistik", perm: can("statistics", "read")},
	{key: "nav.administration", href: "/verwaltung", perm: can("member", "read")},
	// the data protection officer's entries; /datenschutz lists all the officer's pages
	{key: "nav.privacy", href: "/datenschutz", perm: can("privacy", "read")},
	{key: "nav.audit_log", href: "/protokoll", perm: can("audit", "read")},
	{key: "nav.subject_access", href: "/auskunft", perm: can("subject_access", "read")},
	{key: "nav.retention", href: "/loeschfristen", perm: can("retention", "read")},
	{key: "nav.emergency_review", href: "/notfallzugriffe", perm: can("emergency_access", "review")},
}

func (s *Server) navigation(c echo.Context) []components.NavItem {
	a := actor(c)
	return buildNav(navEntries, c.Request().URL.Path, func(p perm) bool {
		if p.public || p.signedIn {
			return true
		}
		ok, err := s.svc.Access.Allowed(a, p.obj, p.act)
		return err == nil && ok
	})
}

// buildNav keeps the entries allowed shows and marks the one the path belongs to.
func buildNav(entries []navEntry, path string, allowed func(perm) bool) []components.NavItem {
	var out []components.NavItem
	for _, e := range entries {
		if !allowed(e.perm) {
			continue
		}
		active := path == e.href || (e.href != "/" && strings.HasPrefix(path, e.href+"/"))
		out = append(out, components.NavItem{Key: e.key, Href: e.href, Active: active})
	}
	return out
}

// languageLinks are the links of the language switch: this page with ?lang=<tag>. A page
// answering a form post links to the start page instead, which a GET can reach.
func languageLinks(c echo.Context, current *locale.Localizer) []components.LanguageLink {
	r := c.Request()
	base, q := "/", r.URL.Query()
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		base = authn.SafeReturn(r.URL.EscapedPath())
	} else {
		q = nil
	}
	out := make([]components.LanguageLink, 0, len(locale.Supported))
	for _, tag := range locale.Supported {
		v := cloneQuery(q)
		v.Set("lang", tag.String())
		out = append(out, components.LanguageLink{
			Tag: tag.String(), Key: "lang." + tag.String(), Href: base + "?" + v.Encode(), Current: tag == current.Lang,
		})
	}
	return out
}

func cloneQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = slices.Clone(v)
	}
	return out
}

// languageChoice turns ?lang=de or ?lang=en on a page into the lang cookie (a year,
// SameSite=Lax) and redirects to the same URL without the parameter, so that the choice
// sticks for the next pages and no URL carries it. The API follows Accept-Language only.
func (s *Server) languageChoice(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if (r.Method != http.MethodGet && r.Method != http.MethodHead) || isAPI(c) ||
			strings.HasPrefix(r.URL.Path, staticPrefix) || !r.URL.Query().Has("lang") {
			return next(c)
		}
		q := r.URL.Query()
		choice := q.Get("lang")
		q.Del("lang")
		for _, tag := range locale.Supported {
			if choice == tag.String() {
				c.SetCookie(&http.Cookie{
					Name: langCookie, Value: choice, Path: "/", MaxAge: 365 * 24 * 60 * 60,
					HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
				})
			}
		}
		target := r.URL.EscapedPath()
		if len(q) > 0 {
			target += "?" + q.Encode()
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return c.Redirect(http.StatusSeeOther, authn.SafeReturn(target))
	}
}
