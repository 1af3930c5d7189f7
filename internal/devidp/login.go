package devidp

import (
	"bytes"
	"context"
	_ "embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/lotse-project/lotse/ui"
)

// Routes of our own next to zitadel's endpoints (/authorize, /oauth/token,
// /userinfo, /end_session, /keys, /.well-known/openid-configuration, ...).
const (
	// loginPath is the login page. zitadel redirects from /authorize to
	// loginPath?authRequestID=<id> (see client.LoginURL); the form posts back
	// to loginPath, and a successful post redirects to
	// /authorize/callback?id=<id>, where zitadel issues the code.
	loginPath = "/login"
	// loggedOutPath is where end_session sends a browser that names no
	// (registered) post_logout_redirect_uri.
	loggedOutPath = "/logged-out"
	// staticPath serves Lotse's own KERN styles, fonts and icon (ui.Static), so that the
	// sign-in page looks like the application it signs in to.
	staticPath = "/static/"

	authRequestIDParam = "authRequestID" // form and query field: the auth request id
	subjectParam       = "subject"       // form field: the chosen account's subject
)

//go:embed login.html
var loginHTML string

var loginTemplates = template.Must(template.New("login").
	Funcs(template.FuncMap{"staticPath": func() string { return staticPath }}).Parse(loginHTML))

// staticFiles serves the files of ui.Static below staticPath; directories are not listed.
func staticFiles() http.Handler {
	sub, err := fs.Sub(ui.Static, "static")
	if err != nil {
		panic(err) // the embedded tree has the folder static: a build that lacks it is broken
	}
	files := http.StripPrefix(staticPath, http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})
}

// loginPage is the login UI: one button per demo account, no password.
type loginPage struct {
	accounts []Account
	storage  *storage
	callback func(ctx context.Context, authRequestID string) string
}

type pageData struct {
	Title            string
	Accounts         []Account
	Action           string
	IDParam          string
	SubjectParam     string
	RequestID        string // empty: the overview without a form
	ErrorDE, ErrorEN string
}

const pageTitle = "Lotse – Entwicklungs-Anmeldung / development sign-in"

// ServeHTTP serves loginPath: GET shows the form for an auth request, POST
// completes it as the chosen account.
func (p *loginPage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		id := r.URL.Query().Get(authRequestIDParam)
		if id == "" {
			p.render(w, http.StatusOK, "page", p.data(""))
			return
		}
		if !p.storage.pendingAuthRequest(id) {
			p.renderStale(w)
			return
		}
		p.render(w, http.StatusOK, "page", p.data(id))
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		id := r.PostForm.Get(authRequestIDParam)
		if err := p.storage.completeLogin(id, r.PostForm.Get(subjectParam)); err != nil {
			slog.InfoContext(r.Context(), "devidp: login refused", "err", err)
			p.renderStale(w)
			return
		}
		// 303: the browser follows with a GET to zitadel's callback, which
		// redirects on to the client's redirect_uri with code and state.
		http.Redirect(w, r, p.callback(r.Context(), id), http.StatusSeeOther)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
	}
}

// overview serves the root: the list of demo accounts and how to sign in.
func (p *loginPage) overview(w http.ResponseWriter, _ *http.Request) {
	p.render(w, http.StatusOK, "page", p.data(""))
}

func (p *loginPage) loggedOut(w http.ResponseWriter, _ *http.Request) {
	p.render(w, http.StatusOK, "logged-out", nil)
}

func (p *loginPage) renderStale(w http.ResponseWriter) {
	d := p.data("")
	d.ErrorDE = "Diese Anmeldeanfrage ist unbekannt, abgelaufen oder schon benutzt, oder das Konto gibt es nicht. Bitte die Anmeldung in Lotse neu beginnen."
	d.ErrorEN = "This sign-in request is unknown, expired or already used, or the account does not exist. Please start signing in from Lotse again."
	p.render(w, http.StatusBadRequest, "page", d)
}

func (p *loginPage) data(requestID string) pageData {
	return pageData{
		Title:        pageTitle,
		Accounts:     p.accounts,
		Action:       loginPath,
		IDParam:      authRequestIDParam,
		SubjectParam: subjectParam,
		RequestID:    requestID,
	}
}

func (p *loginPage) render(w http.ResponseWriter, status int, name string, data any) {
	var buf bytes.Buffer
	if err := loginTemplates.ExecuteTemplate(&buf, name, data); err != nil {
		slog.Error("devidp: render page", "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// No scripts or frames, and styles, fonts and the icon only from staticPath on this
	// origin (no inline styles). form-action is left open
	// on purpose: browsers apply it to the redirect after the POST, which
	// goes on to the client's callback on another origin.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; font-src 'self'; img-src 'self' data:; base-uri 'none'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
