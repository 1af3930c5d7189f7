package e2e

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/lotse-project/lotse/internal/demo"
)

// role is a demo account and the folder of its screenshots.
type role struct {
	Dir     string // e.g. caseworker-fb-wohnen
	Subject string // e.g. lena.schroeder
}

func demoRoles() []role {
	var out []role
	for _, a := range demo.Accounts() {
		out = append(out, role{
			Dir:     strings.ToLower(string(a.Role) + "-" + a.Org),
			Subject: subject(a),
		})
	}
	return out
}

// TestBrowser is the whole browser run: one server, one chromium, a browser context per
// role. The stories run first (they create what the pages then show), then every role walks
// its navigation. Every page reached is checked with axe and screenshotted.
func TestBrowser(t *testing.T) {
	t.Parallel()
	requireChromium(t)
	start := time.Now()
	srv := startServer(t)
	t.Logf("server with demo data ready in %s", time.Since(start).Round(time.Millisecond))
	b := startBrowser(t, srv)

	// The tabs live as long as the whole test, so they are opened here, not in a subtest.
	anon := b.newSession(t, "signed-out", "")
	sessions := map[string]*session{}
	for _, r := range demoRoles() {
		sessions[r.Subject] = b.newSession(t, r.Dir, r.Subject)
	}
	t.Run("sign-in", func(t *testing.T) {
		// The login page of the identity provider, Lotse's pages without a session.
		if got := anon.open(t, "/login"); got != http.StatusOK || !strings.HasPrefix(anon.location(), srv.IdP.Issuer()+"/login?") {
			t.Fatalf("/login: %d at %s, want the identity provider's form", got, anon.location())
		}
		anon.check(t, "idp-login")
		anon.visit(t, "logged-out", "/logged-out", http.StatusOK)
		anon.visit(t, "404", "/gibt-es-nicht", http.StatusNotFound)

		for _, r := range demoRoles() {
			sessions[r.Subject].login(t)
		}
	})
	if t.Failed() {
		return
	}

	t.Run("stories", func(t *testing.T) { stories(t, srv, sessions) })
	t.Logf("stories done after %s", time.Since(start).Round(time.Millisecond))

	t.Run("walk", func(t *testing.T) {
		for _, r := range demoRoles() {
			t.Run(r.Dir, func(t *testing.T) {
				walk(t, sessions[r.Subject])
			})
		}
	})

	t.Run("frame", func(t *testing.T) {
		s := sessions[housing]
		s.open(t, "/")
		s.zoomed(t, "start")
		// The first Tab reaches the skip link, which shows and leads to the main region.
		s.tabTo(t, "a.lotse-skip-link", 1)
		s.do(t, "follow the skip link", key(kb.Enter))
		if !s.focused(t, "main#inhalt") {
			t.Errorf("the skip link does not move the focus to the main region (focus on %s)", s.activeElement(t))
		}
		// English, the second language, then back to German.
		s.visit(t, "start-en", "/?lang=en", http.StatusOK)
		if lang := run(t, s, "read the page language", chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "en" {
			t.Errorf("?lang=en gave a page in %q", lang)
		}
		s.open(t, "/?lang=de")
	})

	t.Run("logout", func(t *testing.T) {
		s := sessions[housing]
		s.open(t, "/")
		if got := s.submit(t, "log out", chromedp.Click(chromedp.CSS(`form.lotse-logout button`))); got != http.StatusOK {
			t.Errorf("logout ended with %d", got)
		}
		if got := s.location(); got != srv.URL+"/logged-out" {
			t.Errorf("logout ended at %s, want %s/logged-out", got, srv.URL)
		}
		if got := s.open(t, "/"); got == http.StatusOK && s.location() == srv.URL+"/" {
			t.Error("the start page still opens after logout")
		}
	})

	writeFindings(t, b)
	t.Logf("browser run took %s; screenshots in %s", time.Since(start).Round(time.Millisecond), b.shots)
}

// details are the links the walk follows from a navigation entry to one record's page, so
// that every kind of page is checked for every role that reaches it.
var details = map[string]string{
	"/faelle":        `main table a[href^="/faelle/"]`,
	"/eingang":       `main table a[href^="/vermittlungen/"]`,
	"/vermittlungen": `main table a[href^="/vermittlungen/"]`,
	"/verwaltung":    `main a[href^="/verwaltung/organisationen/"]`,
}

// walk visits the start page, every entry of the role's navigation with the first record
// linked from it, and the 404 page; pages the stories checked already are not repeated.
func walk(t *testing.T, s *session) {
	s.visit(t, "start", "/", http.StatusOK)
	for _, href := range s.navLinks(t) {
		if href == "/" {
			continue
		}
		if !s.checked[href] {
			s.visit(t, href, href, http.StatusOK)
		} else {
			s.open(t, href)
		}
		sel, ok := details[href]
		if !ok {
			continue
		}
		link := run(t, s, "find a record", chromedp.Evaluate[string](`(() => {
			const a = document.querySelector(`+jsString(sel)+`);
			return a ? a.getAttribute('href') : '';
		})()`))
		if link == "" || s.checkedKind(link) {
			continue
		}
		s.visit(t, strings.TrimPrefix(href, "/")+"-eintrag", link, http.StatusOK)
		s.confirmPages(t)
	}
	s.visit(t, "404", "/gibt-es-nicht", http.StatusNotFound)
}

// confirmSuffixes end the links to the confirmation pages of destructive actions; opening
// one (a GET) changes nothing.
var confirmSuffixes = []string{"/zurueckziehen", "/widerrufen", "/deaktivieren", "/entfernen"}

// confirmPages checks the confirmation pages linked from the current page, one of each kind.
func (s *session) confirmPages(t *testing.T) {
	t.Helper()
	var links []string
	for _, suffix := range confirmSuffixes {
		link := run(t, s, "find a confirmation link", chromedp.Evaluate[string](`(() => {
			const a = document.querySelector('main a[href$=`+jsString(suffix)+`]');
			return a ? a.getAttribute('href') : '';
		})()`))
		if link != "" && !s.checkedKind(link) {
			links = append(links, link)
		}
	}
	for _, link := range links {
		s.visit(t, "bestaetigen"+strings.ReplaceAll(recordPath.ReplaceAllString(link, ""), "/", "-"), link, http.StatusOK)
	}
}

// writeFindings writes the page problems of the run next to the screenshots, for the person
// who looks at them.
func writeFindings(t *testing.T, b *browser) {
	b.mu.Lock()
	defer b.mu.Unlock()
	text := "No axe violations and no reflow problems.\n"
	if len(b.findings) > 0 {
		text = strings.Join(b.findings, "\n") + "\n"
	}
	if err := os.WriteFile(filepath.Join(b.shots, "findings.txt"), []byte(text), 0o644); err != nil {
		t.Error(err)
	}
}
