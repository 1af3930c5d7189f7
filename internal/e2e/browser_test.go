package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// chromiumPath is Debian's chromium; `make test` installs it when missing.
const chromiumPath = "/usr/bin/chromium"

// The viewport of every tab: an office PC's screen.
const viewportWidth, viewportHeight = 1280, 900

// stepTimeout bounds every single browser step, so that a missing element fails the test
// with its selector instead of hanging until the test binary's deadline.
const stepTimeout = 30 * time.Second

// browser is one headless chromium for the whole test; every role gets a browser context of
// its own in it (own cookies, like a separate browser profile).
type browser struct {
	ctx   context.Context
	srv   *server
	shots string // screenshots/ at the repository root
	axe   string // the source of axe.min.js

	mu       sync.Mutex
	findings []string // axe violations and other page problems, for the summary
}

// requireChromium fails the test at once when Debian's chromium is not installed.
func requireChromium(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("chromium is missing for the browser tests: apt-get install chromium (make test installs it)")
	}
}

func startBrowser(t *testing.T, srv *server) *browser {
	t.Helper()
	requireChromium(t)
	axe, err := os.ReadFile(filepath.Join("testdata", "vendor", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core is not vendored (run `make vendor`): %v", err)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root not found at %s: %v", root, err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox, // root in CI containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("accept-lang", "de-DE,de"),
		chromedp.Flag("lang", "de-DE"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(viewportWidth, viewportHeight),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // starts the browser, with no deadline of its own
		t.Fatalf("start chromium: %v", err)
	}
	return &browser{ctx: ctx, srv: srv, shots: filepath.Join(root, "screenshots"), axe: string(axe)}
}

// finding records a problem for the summary at the end and fails the test.
func (b *browser) finding(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	b.mu.Lock()
	b.findings = append(b.findings, msg)
	b.mu.Unlock()
	t.Error(msg)
}

// session is one role's tab in a browser context of its own.
type session struct {
	b       *browser
	role    string // folder name of its screenshots, e.g. caseworker-fb-wohnen
	subject string // the demo account at the identity provider
	ctx     context.Context
	checked map[string]bool // paths of pages checked (axe and screenshot) with status 200
	status  int             // the HTTP status of the page the tab shows
}

// newSession opens a tab in a fresh browser context and clears the role's screenshots.
func (b *browser) newSession(t *testing.T, role, subject string) *session {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The window size is the whole window in new headless mode; the page gets exactly the
	// office PC's 1280 × 900 this way.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(viewportWidth, viewportHeight)); err != nil {
		t.Fatalf("open a tab for %s: %v", role, err)
	}
	// Less motion: KERN scrolls smoothly to an anchor, and a click computed while the page
	// still scrolls lands beside its target (lotse.css turns the smooth scroll off for this).
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}},
	}); err != nil {
		t.Fatalf("ask for less motion for %s: %v", role, err)
	}
	dir := filepath.Join(b.shots, role)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &session{b: b, role: role, subject: subject, ctx: ctx, checked: map[string]bool{}}
}

// do runs steps with the step timeout.
func (s *session) do(t *testing.T, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %s: %v (at %s)", s.role, what, err, s.location())
	}
}

// run runs one action with a result, with the step timeout.
func run[T any](t *testing.T, s *session, what string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %s: %v (at %s)", s.role, what, err, s.location())
	}
	return v
}

// location is the tab's URL, for messages.
func (s *session) location() string {
	ctx, cancel := context.WithTimeout(s.ctx, 2*time.Second)
	defer cancel()
	u, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	return u
}

// path is the tab's URL without the server's address.
func (s *session) path() string { return strings.TrimPrefix(s.location(), s.b.srv.URL) }

// open navigates to path on Lotse (or to an absolute URL) and returns the HTTP status of
// the document, after redirects.
func (s *session) open(t *testing.T, path string) int {
	t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = s.b.srv.URL + path
	}
	resp := run(t, s, "open "+path, chromedp.NavigateResponse(u))
	if resp == nil {
		t.Fatalf("%s: open %s: no response", s.role, path)
	}
	s.status = int(resp.Status)
	return s.status
}

// submit runs a step that sends a form (a click or a key press) and waits for the page it
// leads to; it returns that page's HTTP status.
func (s *session) submit(t *testing.T, what string, trigger ...chromedp.Action[chromedp.Void]) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, stepTimeout)
	defer cancel()
	// A click lands where the element was when it was measured: wait until the page has
	// loaded its fonts and stopped scrolling (an anchor in the address scrolls after load).
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](settled, chromedp.EvalAwaitPromise)); err != nil {
		s.failed(t, what)
		t.Fatalf("%s: %s: the page did not settle: %v (at %s)", s.role, what, err, s.location())
	}
	resp, err := chromedp.RunResponse(ctx, trigger...)
	if err != nil {
		s.failed(t, what)
		t.Fatalf("%s: %s: %v (at %s)", s.role, what, err, s.location())
	}
	if resp == nil {
		t.Fatalf("%s: %s: no page followed", s.role, what)
	}
	s.status = int(resp.Status)
	return s.status
}

// settled resolves once the document is complete, its fonts are loaded and the scroll
// position held still for three animation frames.
const settled = `new Promise(resolve => {
	const frame = () => new Promise(r => requestAnimationFrame(() => r()));
	const still = async () => {
		await document.fonts.ready;
		let y = window.scrollY, calm = 0;
		while (calm < 3) {
			await frame();
			calm = window.scrollY === y ? calm + 1 : 0;
			y = window.scrollY;
		}
		resolve(true);
	};
	if (document.readyState === "complete") still();
	else window.addEventListener("load", still, {once: true});
})`

// failed keeps what the tab showed when a step failed: a screenshot failed-<step>.png and,
// in the log, the element that has the focus.
func (s *session) failed(t *testing.T, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	name := strings.Trim(unsafeName.ReplaceAllString(strings.ToLower("failed-"+what), "-"), "-")
	if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
		_ = os.WriteFile(filepath.Join(s.b.shots, s.role, name+".png"), png, 0o644)
	}
	if info, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`(document.activeElement ? document.activeElement.outerHTML.slice(0, 200) : "none") + " | scrollY " + window.scrollY + " | readyState " + document.readyState`)); err == nil {
		t.Logf("%s: when %q failed: focus on %s", s.role, what, info)
	}
}

// visit opens path, expects status, and checks the page (axe and screenshot).
func (s *session) visit(t *testing.T, name, path string, status int) {
	t.Helper()
	if got := s.open(t, path); got != status {
		t.Errorf("%s: GET %s = %d, want %d", s.role, path, got, status)
	}
	s.check(t, name)
}

// check screenshots the current page and runs axe on it.
func (s *session) check(t *testing.T, name string) {
	t.Helper()
	s.screenshot(t, name)
	s.axe(t, name)
	if s.status != 200 {
		return
	}
	p := s.path()
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	s.checked[p] = true
}

// recordPath is a record's page with its id replaced, e.g. /faelle/{id}.
var recordPath = regexp.MustCompile(`/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// checkedKind reports whether a page of the same kind as path (the same path with another
// record's id) was checked already.
func (s *session) checkedKind(path string) bool {
	kind := recordPath.ReplaceAllString(path, "/{id}")
	for p := range s.checked {
		if recordPath.ReplaceAllString(p, "/{id}") == kind {
			return true
		}
	}
	return false
}

var unsafeName = regexp.MustCompile(`[^a-z0-9._-]+`)

// screenshot writes a full-page PNG to screenshots/<role>/<name>.png.
func (s *session) screenshot(t *testing.T, name string) {
	t.Helper()
	name = strings.Trim(unsafeName.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if name == "" {
		name = "page"
	}
	png := run(t, s, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(s.b.shots, s.role, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// zoomed screenshots the current page at 200 % zoom (a 640 px wide viewport at device scale
// 2, which is what a 1280 px screen shows at 200 %), and checks that it reflows: no
// horizontal scrolling (WCAG 1.4.10).
func (s *session) zoomed(t *testing.T, name string) {
	t.Helper()
	s.do(t, "zoom to 200 %", chromedp.EmulateViewport(viewportWidth/2, viewportHeight, chromedp.EmulateScale(2)))
	defer s.do(t, "reset the zoom", chromedp.EmulateViewport(viewportWidth, viewportHeight))
	overflow := run(t, s, "measure the page width", chromedp.Evaluate[int](
		`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
	if overflow > 1 {
		s.b.finding(t, "%s %s (%s): at 200 %% zoom the page is %d px wider than the window (WCAG 1.4.10 reflow)", s.role, name, s.path(), overflow)
	}
	s.screenshot(t, name+"-200")
}

// axeViolation is one rule axe-core found violated.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	Nodes   int      `json:"nodes"`
	Targets []string `json:"targets"`
}

// axeResult is what axeScript returns: how many rules passed, and the violations.
type axeResult struct {
	Passes     int            `json:"passes"`
	Violations []axeViolation `json:"violations"`
}

// axeScript runs axe-core for WCAG 2.1 A and AA on the whole document.
const axeScript = `(async () => {
	const r = await axe.run(document, {
		runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
		resultTypes: ['violations'],
	});
	return {
		passes: r.passes.length,
		violations: r.violations.map(v => ({
			id: v.id, impact: v.impact || '', help: v.help, nodes: v.nodes.length,
			targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
		})),
	};
})()`

// axe injects axe-core into the page (Runtime.evaluate is not subject to the page's CSP)
// and reports every WCAG 2.1 A or AA violation.
func (s *session) axe(t *testing.T, name string) {
	t.Helper()
	loaded := run(t, s, "look for axe", chromedp.Evaluate[bool](`typeof window.axe !== 'undefined'`))
	if !loaded {
		s.do(t, "inject axe-core", chromedp.Evaluate[chromedp.Void](s.b.axe))
	}
	res := run(t, s, "run axe", chromedp.Evaluate[axeResult](axeScript, chromedp.EvalAwaitPromise))
	if res.Passes == 0 {
		t.Errorf("%s %s (%s): axe checked no rule at all", s.role, name, s.path())
	}
	for _, v := range res.Violations {
		s.b.finding(t, "%s %s (%s): axe %s [%s] %s: %d element(s), e.g. %s",
			s.role, name, s.path(), v.ID, v.Impact, v.Help, v.Nodes, strings.Join(v.Targets, " | "))
	}
}

// login signs in through the development identity provider's form: Lotse's /login sends the
// browser there, the account's button sends it back to the start page.
func (s *session) login(t *testing.T) {
	t.Helper()
	if got := s.open(t, "/login"); got != 200 {
		t.Fatalf("%s: /login ended with %d at %s", s.role, got, s.location())
	}
	if loc := s.location(); !strings.HasPrefix(loc, s.b.srv.IdP.Issuer()+"/login?") {
		t.Fatalf("%s: /login did not reach the identity provider's form: %s", s.role, loc)
	}
	// The development sign-in page wears the same KERN look and is as accessible as Lotse.
	s.axe(t, "Entwicklungs-Anmeldung")
	s.screenshot(t, "entwicklungs-anmeldung")
	button := chromedp.CSS(fmt.Sprintf(`button[name="subject"][value=%q]`, s.subject))
	if got := s.submit(t, "choose the account "+s.subject, chromedp.Click(button)); got != 200 {
		t.Fatalf("%s: signing in ended with %d at %s", s.role, got, s.location())
	}
	if got := s.location(); got != s.b.srv.URL+"/" {
		t.Fatalf("%s: signing in ended at %s, want the start page", s.role, got)
	}
	if lang := run(t, s, "read the page language", chromedp.Evaluate[string](`document.documentElement.lang`)); lang != "de" {
		t.Errorf("%s: the start page is in %q, want German (the browser asks for de)", s.role, lang)
	}
}

// navLinks are the entries of the main navigation of the current page.
func (s *session) navLinks(t *testing.T) []string {
	t.Helper()
	return run(t, s, "read the navigation", chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('nav.lotse-nav a')).map(a => a.getAttribute('href'))`))
}

// text is the visible text of the page's main region.
func (s *session) text(t *testing.T) string {
	t.Helper()
	return run(t, s, "read the page", chromedp.Evaluate[string](
		`(document.querySelector('main') || document.body).innerText`))
}

// key presses one key (kb.Tab, kb.Enter, " " ...) on the focused element, with modifiers.
func key(k string, mods ...chromedp.Modifier) chromedp.Action[chromedp.Void] {
	if len(mods) == 0 {
		return chromedp.KeyEvent(k)
	}
	return chromedp.KeyEvent(k, chromedp.KeyModifiers(mods...))
}

// jsString quotes s for a JavaScript expression.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// focused reports whether the focused element matches the CSS selector.
func (s *session) focused(t *testing.T, selector string) bool {
	t.Helper()
	return run(t, s, "look at the focus", chromedp.Evaluate[bool](
		`(() => { const el = document.activeElement; return !!el && el !== document.body && el.matches(`+jsString(selector)+`); })()`))
}

// tabTo presses Tab (or Shift+Tab with back) until the focused element matches the CSS
// selector, at most max times, as a keyboard user moves through the page. The element must
// show that it has the focus (WCAG 2.4.7).
func (s *session) tabTo(t *testing.T, selector string, max int, back ...bool) {
	t.Helper()
	var mods []chromedp.Modifier
	if len(back) > 0 && back[0] {
		mods = append(mods, chromedp.ModifierShift)
	}
	for range max {
		s.do(t, "press Tab", key(kb.Tab, mods...))
		if s.focused(t, selector) {
			s.focusVisible(t, selector)
			return
		}
	}
	t.Fatalf("%s: %s not reached with %d Tab presses on %s (focus is on %s)", s.role, selector, max, s.path(), s.activeElement(t))
}

// activeElement describes the focused element, for messages.
func (s *session) activeElement(t *testing.T) string {
	t.Helper()
	return run(t, s, "describe the focus", chromedp.Evaluate[string](`(() => {
		const el = document.activeElement;
		if (!el) return 'nothing';
		return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.name ? '[name=' + el.name + ']' : '') + ' "' + (el.innerText || el.value || '').trim().slice(0, 40) + '"';
	})()`))
}

// focusVisible fails when the focused element has neither an outline nor a box shadow.
func (s *session) focusVisible(t *testing.T, what string) {
	t.Helper()
	ok := run(t, s, "look at the focus indicator", chromedp.Evaluate[bool](`(() => {
		const el = document.activeElement, cs = getComputedStyle(el);
		return (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none';
	})()`))
	if !ok {
		s.b.finding(t, "%s %s: the keyboard focus on %s is not visible (no outline, no box shadow; WCAG 2.4.7)", s.role, s.path(), what)
	}
}
