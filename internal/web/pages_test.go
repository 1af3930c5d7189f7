package web

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/authz"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/ui/components"
)

var (
	pageInlineScript = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	pageNeedsInline  = regexp.MustCompile(`(?i)<[^>]*\sstyle\s*=|<style\b|<[^>]*\son[a-z]+\s*=|javascript:`)
	pageResource     = regexp.MustCompile(`<(?:link|script)\b[^>]*\s(?:href|src)="([^"]+)"`)
)

// checkPage checks what every page must have: language, skip link to the main content,
// the frame's resources at hashed URLs that load, nothing the strict CSP would block.
func checkPage(t *testing.T, s *Server, name, body, lang string) {
	t.Helper()
	if !strings.HasPrefix(body, "<!doctype html>") && !strings.HasPrefix(body, "<!DOCTYPE html>") {
		t.Errorf("%s: no doctype: %.80s", name, body)
	}
	if !strings.Contains(body, `<html lang="`+lang+`">`) {
		t.Errorf("%s: no <html lang=%q>", name, lang)
	}
	if !strings.Contains(body, `href="#inhalt"`) || !strings.Contains(body, `<main id="inhalt"`) {
		t.Errorf("%s: no skip link to <main id=inhalt>", name)
	}
	if !strings.Contains(body, `class="kern-kopfzeile"`) {
		t.Errorf("%s: no KERN Kopfzeile", name)
	}
	for _, m := range pageInlineScript.FindAllStringSubmatch(body, -1) {
		if strings.TrimSpace(m[2]) != "" || !strings.Contains(m[1], "src=") {
			t.Errorf("%s: inline script %.100s", name, m[0])
		}
	}
	if m := pageNeedsInline.FindString(body); m != "" {
		t.Errorf("%s: needs unsafe-inline: %.100s", name, m)
	}
	if !strings.Contains(body, `includeIndicatorStyles&#34;:false`) {
		t.Errorf("%s: htmx would add an inline <style>", name)
	}
	res := pageResource.FindAllStringSubmatch(body, -1)
	if len(res) < 4 {
		t.Errorf("%s: only %d stylesheets and scripts", name, len(res))
	}
	for _, m := range res {
		if r := get(t, s, m[1]); r.Code != http.StatusOK {
			t.Errorf("%s: %s answers %d", name, m[1], r.Code)
		}
	}
}

func TestAnonymousPages(t *testing.T) {
	s, _ := routeServer(t)
	tests := []struct {
		name, path, lang string
		status           int
		want             []string
	}{
		{"logged out", "/logged-out", "", 200, []string{"<title>Sie sind abgemeldet – Lotse</title>", "Ihre Sitzung in Lotse ist beendet.", `href="/login"`, "Zum Inhalt springen"}},
		{"logged out, English", "/logged-out", "en-GB,en;q=0.8", 200, []string{"You are signed out", "Skip to content"}},
		{"not found", "/nichts", "", 404, []string{"Fehler 404", "Seite nicht gefunden", "Vorgangsnummer für den IT-Service", `href="/"`}},
		{"not found, English", "/nichts", "en", 404, []string{"Error 404", "Page not found"}},
		{"login without providers", "/login", "", 503, []string{"Fehler 503", "Anmeldung nicht eingerichtet"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, s, tc.path, "Accept-Language", tc.lang)
			if r.Code != tc.status {
				t.Fatalf("status %d, want %d", r.Code, tc.status)
			}
			if ct := r.Header().Get("Content-Type"); ct != "text/html; charset=UTF-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if r.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q", r.Header().Get("Cache-Control"))
			}
			body := r.Body.String()
			lang := "de"
			if strings.HasPrefix(tc.lang, "en") {
				lang = "en"
			}
			checkPage(t, s, tc.name, body, lang)
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q:\n%s", w, body)
				}
			}
			if tc.status >= 400 && !strings.Contains(body, r.Header().Get("X-Request-Id")) {
				t.Error("error page without the request id")
			}
			if strings.Contains(body, "Abmelden") || strings.Contains(body, "_csrf") {
				t.Error("an anonymous page offers a logout")
			}
		})
	}
}

// TestSignedInFrame renders the start page for a user acting in one of two organisations:
// name, organisation and role in the header, the switch between the organisations, the
// navigation with the current page, logout with the anti-forgery token, htmx's header.
func TestSignedInFrame(t *testing.T) {
	s, _ := routeServer(t)
	city, caritas := uuid.New(), uuid.New()
	req := httptest.NewRequest(http.MethodGet, "/?tab=x", nil)
	req.Header.Set("Accept-Language", "de")
	rec := httptest.NewRecorder()
	c := s.Echo().NewContext(req, rec)
	c.Set(ctxActor, model.Actor{UserID: uuid.New(), Name: "Kim Muster", OrgID: city, Roles: []model.Role{model.RoleCaseworker}})
	c.Set(ctxMemberships, []authz.Membership{
		{Org: model.Organisation{ID: city, Name: "Stadt Osnabrück"}, Roles: []model.Role{model.RoleCaseworker, model.RoleLead}},
		{Org: model.Organisation{ID: caritas, Name: "Caritas"}, Roles: []model.Role{model.RoleCaseworker}},
	})
	if err := s.render(c, http.StatusOK, components.Home(components.HomeView{User: s.me(c)})); err != nil {
		t.Fatal(err)
	}
	body := rec.Body.String()
	checkPage(t, s, "start page", body, "de")
	for _, w := range []string{
		"Guten Tag, Kim Muster.",
		"<strong>Kim Muster</strong>",
		"Stadt Osnabrück",
		"Fallmanagement, Fachdienstleitung",
		`<form novalidate class="lotse-org-switch" method="post" action="/organisation">`,
		`<option value="` + city.String() + `" selected>`,
		`<option value="` + caritas.String() + `">Caritas</option>`,
		`<form novalidate class="lotse-logout" method="post" action="/auth/logout"><input type="hidden" name="` + CSRFField + `" value="`,
		`aria-current="page">Startseite</a>`,
		`href="/?lang=en&amp;tab=x"`, `aria-current="true">Deutsch</a>`,
		"Ihre Organisationen",
	} {
		if !strings.Contains(body, w) {
			t.Errorf("start page lacks %q", w)
		}
	}
	// Without sessions configured the token is empty; htmx's header then is left out.
	if strings.Contains(body, "hx-headers") {
		t.Error("hx-headers without a token")
	}
}

// TestPagesShowMomentsInBerlin: the components write moments in the time zone the web layer
// hands them, which is the one definition, model.Berlin.
func TestPagesShowMomentsInBerlin(t *testing.T) {
	s, _ := routeServer(t)
	c := s.Echo().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), httptest.NewRecorder())
	if z := s.env(c).Zone; z != model.Berlin {
		t.Errorf("the pages show moments in %v, want model.Berlin", z)
	}
}

func TestCSRFHeaderForHTMX(t *testing.T) {
	ctx := components.WithEnv(t.Context(), &components.Env{Frame: components.Frame{CSRF: "tok<en>", User: &components.User{Name: "A"}}})
	var b strings.Builder
	if err := components.LoggedOut().Render(ctx, &b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `<body hx-headers="{&#34;`+CSRFHeader+`&#34;:&#34;tok\u003cen\u003e&#34;}">`) {
		t.Errorf("hx-headers: %s", b.String())
	}
}

// TestLanguageChoice: ?lang= sets the cookie and redirects to the same URL without it; the
// next page is in that language.
func TestLanguageChoice(t *testing.T) {
	s, _ := routeServer(t)
	tests := []struct {
		name, target, cookie, location string
	}{
		{"English", "/logged-out?lang=en", "en", "/logged-out"},
		{"German, other parameters kept", "/login?return=%2Fa%3Fb&lang=de", "de", "/login?return=%2Fa%3Fb"},
		{"unsupported language: no cookie", "/logged-out?lang=xx", "", "/logged-out"},
		{"error page", "/nichts?lang=en", "en", "/nichts"},
		{"no open redirect", "//evil.example/?lang=en", "en", "/"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, s, tc.target)
			if r.Code != http.StatusSeeOther || r.Header().Get("Location") != tc.location {
				t.Fatalf("%d to %q, want 303 to %q", r.Code, r.Header().Get("Location"), tc.location)
			}
			cookies := (&http.Response{Header: r.Header()}).Cookies()
			if tc.cookie == "" {
				if len(cookies) != 0 {
					t.Errorf("cookies %v", cookies)
				}
				return
			}
			if len(cookies) != 1 {
				t.Fatalf("cookies %v", cookies)
			}
			ck := cookies[0]
			if ck.Name != "lang" || ck.Value != tc.cookie || ck.Path != "/" || ck.MaxAge != 365*24*3600 ||
				ck.SameSite != http.SameSiteLaxMode || !ck.HttpOnly || ck.Secure {
				t.Errorf("cookie %+v", ck)
			}
		})
	}
	en := get(t, s, "/logged-out", "Cookie", "lang=en", "Accept-Language", "de")
	if !strings.Contains(en.Body.String(), "You are signed out") || !strings.Contains(en.Body.String(), `<html lang="en">`) {
		t.Errorf("the cookie does not choose English: %s", en.Body.String())
	}
	if r := get(t, s, "/api/v1/openapi.yaml?lang=en"); r.Code != http.StatusOK {
		t.Errorf("the API is redirected by ?lang: %d", r.Code)
	}
}

func TestBuildNav(t *testing.T) {
	entries := []navEntry{
		{key: "nav.home", href: "/", perm: signedIn},
		{key: "nav.cases", href: "/cases", perm: can("case", "read")},
		{key: "nav.admin", href: "/admin", perm: can("member", "read")},
	}
	allow := func(p perm) bool { return p.signedIn || p.obj == "case" }
	got := buildNav(entries, "/cases/0190-abc", allow)
	want := []components.NavItem{{Key: "nav.home", Href: "/"}, {Key: "nav.cases", Href: "/cases", Active: true}}
	if len(got) != len(want) {
		t.Fatalf("nav %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("item %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if got := buildNav(entries, "/", allow); !got[0].Active || got[1].Active {
		t.Errorf("start page: %+v", got)
	}
	if got := buildNav(entries, "/casesx", allow); got[1].Active {
		t.Error("/casesx marked as /cases")
	}
}
