package app_test

// The harness of the attack, CSRF and browser-baseline tests: an OpenID Connect provider that
// the test controls completely (in-process, real HTTP on 127.0.0.1), a Lotse built by app.New
// on a fresh PostgreSQL database and served over real HTTP, and a browser (a cookie jar that
// does not follow redirects, so that every hop of the login can be inspected or tampered
// with). Identifiers carry the prefix atk so that they never collide with the login tests of
// the same package.

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/app"
	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// atkSign says how the provider signs the next ID token.
type atkSign int

const (
	atkRS256           atkSign = iota // correctly, with the published key
	atkAlgNone                        // "alg":"none", empty signature
	atkHS256PEM                       // HMAC with the PEM text of the public key as secret
	atkHS256DER                       // HMAC with the DER bytes of the public key as secret
	atkFlipped                        // correctly, then bytes of the signature flipped
	atkUnknownKid                     // with another key, under a kid the JWKS does not hold
	atkWrongKeySameKid                // with another key, under the published kid
)

// atkTokenSpec is what the provider puts into its next token responses.
type atkTokenSpec struct {
	mutate    func(claims map[string]any) // changes the ID token's claims
	sign      atkSign
	noIDToken bool // answer without an id_token
}

// atkCode is an authorization code the provider handed out, with what it was bound to.
type atkCode struct {
	clientID, redirect, nonce, challenge, method string
	used                                         bool
}

// atkTokenReq is one request to the token endpoint and the provider's verdict.
type atkTokenReq struct {
	form    url.Values
	refused string // the OAuth error, "" when tokens were issued
}

// atkOP is the identity provider of the tests.
type atkOP struct {
	srv      *httptest.Server
	key      *rsa.PrivateKey
	kid      string
	otherKey *rsa.PrivateKey
	clients  map[string]string // client id -> secret
	subject  string            // the person who "signs in"
	apiAud   string

	mu         sync.Mutex
	codes      map[string]*atkCode
	authorizes []url.Values
	tokenReqs  []atkTokenReq
	next       atkTokenSpec
	idTokens   []string
}

const (
	atkClientID     = "lotse"
	atkClientSecret = "lotse-client-secret-for-tests"
	atkAPIAudience  = "lotse-api"
	atkSubject      = "atk-user-0001"
)

func newAtkOP(t *testing.T) *atkOP {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	op := &atkOP{key: key, kid: "atk-key-1", otherKey: other, subject: atkSubject, apiAud: atkAPIAudience,
		clients: map[string]string{atkClientID: atkClientSecret}, codes: map[string]*atkCode{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", op.discovery)
	mux.HandleFunc("GET /jwks", op.jwks)
	mux.HandleFunc("GET /authorize", op.authorize)
	mux.HandleFunc("POST /token", op.token)
	mux.HandleFunc("GET /end_session", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("post_logout_redirect_uri"), http.StatusFound)
	})
	op.srv = httptest.NewServer(mux)
	t.Cleanup(op.srv.Close)
	return op
}

func (op *atkOP) issuer() string { return op.srv.URL }

func (op *atkOP) discovery(w http.ResponseWriter, _ *http.Request) {
	iss := op.issuer()
	writeAtkJSON(w, http.StatusOK, map[string]any{
		"issuer":                   iss,
		"authorization_endpoint":   iss + "/authorize",
		"token_endpoint":           iss + "/token",
		"jwks_uri":                 iss + "/jwks",
		"end_session_endpoint":     iss + "/end_session",
		"response_types_supported": []string{"code"},
		"subject_types_supported":  []string{"public"},
		// A careless provider that advertises weak algorithms too: Lotse must not follow it.
		"id_token_signing_alg_values_supported": []string{"RS256", "HS256", "none"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	})
}

func (op *atkOP) jwks(w http.ResponseWriter, _ *http.Request) {
	writeAtkJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &op.key.PublicKey, KeyID: op.kid, Algorithm: string(jose.RS256), Use: "sig"},
	}})
}

func (op *atkOP) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	op.mu.Lock()
	op.authorizes = append(op.authorizes, q)
	op.mu.Unlock()
	if _, ok := op.clients[q.Get("client_id")]; !ok || q.Get("response_type") != "code" || q.Get("redirect_uri") == "" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	code := atkRandom()
	op.mu.Lock()
	op.codes[code] = &atkCode{clientID: q.Get("client_id"), redirect: q.Get("redirect_uri"), nonce: q.Get("nonce"),
		challenge: q.Get("code_challenge"), method: q.Get("code_challenge_method")}
	op.mu.Unlock()
	to, err := url.Parse(q.Get("redirect_uri"))
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	rq := to.Query()
	rq.Set("code", code)
	rq.Set("state", q.Get("state"))
	to.RawQuery = rq.Encode()
	http.Redirect(w, r, to.String(), http.StatusFound)
}

// token redeems a code: client authentication, one use only, the redirect URI it was issued
// for, and PKCE (S256 of the verifier must equal the challenge of the authorization request).
func (op *atkOP) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	op.mu.Lock()
	defer op.mu.Unlock()
	refuse := func(status int, code, why string) {
		op.tokenReqs = append(op.tokenReqs, atkTokenReq{form: r.PostForm, refused: code + ": " + why})
		writeAtkJSON(w, status, map[string]string{"error": code, "error_description": why})
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if want, ok := op.clients[id]; !ok || secret != want {
		refuse(http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		refuse(http.StatusBadRequest, "unsupported_grant_type", "only authorization_code")
		return
	}
	c, ok := op.codes[r.PostForm.Get("code")]
	switch {
	case !ok:
		refuse(http.StatusBadRequest, "invalid_grant", "unknown code")
		return
	case c.used:
		refuse(http.StatusBadRequest, "invalid_grant", "code already used")
		return
	}
	c.used = true // a code is burnt by its first redemption, successful or not
	v := r.PostForm.Get("code_verifier")
	sum := sha256.Sum256([]byte(v))
	switch {
	case c.clientID != id:
		refuse(http.StatusBadRequest, "invalid_grant", "code of another client")
	case c.redirect != r.PostForm.Get("redirect_uri"):
		refuse(http.StatusBadRequest, "invalid_grant", "redirect_uri mismatch")
	case c.challenge == "" || c.method != "S256":
		refuse(http.StatusBadRequest, "invalid_grant", "authorization request without S256 challenge")
	case v == "":
		refuse(http.StatusBadRequest, "invalid_grant", "code_verifier missing")
	case base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge:
		refuse(http.StatusBadRequest, "invalid_grant", "code_verifier does not match the challenge")
	default:
		now := time.Now().Unix()
		claims := map[string]any{"iss": op.issuer(), "sub": op.subject, "aud": id, "exp": now + 300, "iat": now,
			"nonce": c.nonce, "email": "alex.angriff@stadt.test", "email_verified": true, "name": "Alex Angriff"}
		if op.next.mutate != nil {
			op.next.mutate(claims)
		}
		out := map[string]any{"access_token": op.accessToken(op.subject, nil), "token_type": "Bearer", "expires_in": 300}
		if !op.next.noIDToken {
			idt := op.sign(claims, op.next.sign)
			op.idTokens = append(op.idTokens, idt)
			out["id_token"] = idt
		}
		op.tokenReqs = append(op.tokenReqs, atkTokenReq{form: r.PostForm})
		writeAtkJSON(w, http.StatusOK, out)
	}
}

// accessToken is a JWT access token for the API (audience lotse-api); mutate may change it.
func (op *atkOP) accessToken(sub string, mutate func(map[string]any)) string {
	now := time.Now().Unix()
	c := map[string]any{"iss": op.issuer(), "sub": sub, "aud": op.apiAud, "exp": now + 300, "iat": now, "scope": "openid"}
	if mutate != nil {
		mutate(c)
	}
	return op.sign(c, atkRS256)
}

// sign makes a compact JWS of claims, well or badly, as mode says.
func (op *atkOP) sign(claims map[string]any, mode atkSign) string {
	payload, err := json.Marshal(claims)
	if err != nil {
		panic(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	switch mode {
	case atkAlgNone:
		return b64([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + b64(payload) + "."
	case atkHS256PEM, atkHS256DER:
		der, err := x509.MarshalPKIXPublicKey(&op.key.PublicKey)
		if err != nil {
			panic(err)
		}
		secret := der
		if mode == atkHS256PEM {
			secret = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
		}
		in := b64([]byte(`{"alg":"HS256","typ":"JWT","kid":"`+op.kid+`"}`)) + "." + b64(payload)
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(in))
		return in + "." + b64(m.Sum(nil))
	}
	key, kid := op.key, op.kid
	switch mode {
	case atkUnknownKid:
		key, kid = op.otherKey, "atk-key-unknown"
	case atkWrongKeySameKid:
		key = op.otherKey
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		panic(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		panic(err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		panic(err)
	}
	if mode == atkFlipped {
		parts := strings.Split(s, ".")
		sig, err := base64.RawURLEncoding.DecodeString(parts[2])
		if err != nil {
			panic(err)
		}
		sig[0] ^= 0xff
		sig[len(sig)/2] ^= 0x01
		parts[2] = b64(sig)
		s = strings.Join(parts, ".")
	}
	return s
}

// setNext chooses what the following token responses carry, until reset with the zero value.
func (op *atkOP) setNext(s atkTokenSpec) {
	op.mu.Lock()
	op.next = s
	op.mu.Unlock()
}

func (op *atkOP) lastAuthorize() url.Values {
	op.mu.Lock()
	defer op.mu.Unlock()
	if len(op.authorizes) == 0 {
		return nil
	}
	return op.authorizes[len(op.authorizes)-1]
}

func (op *atkOP) tokenRequests() []atkTokenReq {
	op.mu.Lock()
	defer op.mu.Unlock()
	return append([]atkTokenReq(nil), op.tokenReqs...)
}

func (op *atkOP) lastIDToken() string {
	op.mu.Lock()
	defer op.mu.Unlock()
	if len(op.idTokens) == 0 {
		return ""
	}
	return op.idTokens[len(op.idTokens)-1]
}

func writeAtkJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func atkRandom() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// atkConfig varies the Lotse under test.
type atkConfig struct {
	rate         float64 // sign-in attempts per second and address (default: 1000, i.e. no limit in the way)
	secure       bool    // https base URL and secure cookies
	twoProviders bool    // a second provider from a providers file, so that /login lists them
}

// atkEnv is a running Lotse with its provider and database.
type atkEnv struct {
	op      *atkOP
	app     *app.App
	base    string
	cfg     *config.Config
	db      *db.DB
	log     *testutil.LogBuffer
	userID  uuid.UUID
	orgID   uuid.UUID
	grantID uuid.UUID
	// A colleague in the same organisation (caseworker), the target of forged changes.
	colleagueID, colleagueGrantID uuid.UUID
}

func newAtkEnv(t *testing.T, o atkConfig) *atkEnv {
	t.Helper()
	op := newAtkOP(t)
	dbURL := testutil.NewDBURL(t)
	d := testutil.Open(t, dbURL)
	e := &atkEnv{op: op, db: d, log: &testutil.LogBuffer{}}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	// The account of the person who signs in, provisioned for (issuer, subject), with a grant
	// that reaches every unsafe route.
	err := store.New(d.Gorm, nil).Tx(ctx, model.Actor{System: true, Name: "attack test"}, func(tx *store.Tx) error {
		org := &model.Organisation{Kind: model.OrgMunicipal, ShortName: "STADT", Name: "Stadt Teststadt", Active: true}
		if err := tx.Organisations().Create(ctx, org); err != nil {
			return err
		}
		sub := atkSubject
		u := &model.User{Issuer: op.issuer(), Subject: &sub, Email: "alex.angriff@stadt.test", DisplayName: "Alex Angriff", Active: true}
		if err := tx.Users().Create(ctx, u); err != nil {
			return err
		}
		g := &model.Grant{UserID: u.ID, OrgID: org.ID, Role: model.RoleSysadmin}
		if err := tx.Grants().Create(ctx, g); err != nil {
			return err
		}
		e.userID, e.orgID, e.grantID = u.ID, org.ID, g.ID
		csub := "atk-colleague"
		cu := &model.User{Issuer: op.issuer(), Subject: &csub, Email: "kim.kollege@stadt.test", DisplayName: "Kim Kollege", Active: true}
		if err := tx.Users().Create(ctx, cu); err != nil {
			return err
		}
		cg := &model.Grant{UserID: cu.ID, OrgID: org.ID, Role: model.RoleCaseworker}
		if err := tx.Grants().Create(ctx, cg); err != nil {
			return err
		}
		e.colleagueID, e.colleagueGrantID = cu.ID, cg.ID
		return nil
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}

	srv := httptest.NewUnstartedServer(nil)
	addr := srv.Listener.Addr().String()
	cfg := world.Config(dbURL)
	cfg.BaseURL, cfg.CookieSecure = "http://"+addr, "false"
	if o.secure {
		cfg.BaseURL, cfg.CookieSecure = "https://"+addr, "true"
	}
	cfg.OIDCIssuer, cfg.OIDCClientID, cfg.OIDCClientSecret = op.issuer(), atkClientID, atkClientSecret
	cfg.OIDCName = "Stadt-Anmeldung"
	cfg.OIDCAPIAudience = atkAPIAudience
	cfg.OIDCTrustEmail = false
	cfg.OIDCProvidersFile = ""
	cfg.SessionIdleTimeout, cfg.SessionLifetime = 30*time.Minute, 10*time.Hour
	cfg.LoginRateLimit = 1000
	if o.rate > 0 {
		cfg.LoginRateLimit = o.rate
	}
	cfg.BodyLimit = "64K"
	cfg.TrustedProxies = nil
	if o.twoProviders {
		op.clients["lotse-zwei"] = "second-secret"
		f := filepath.Join(t.TempDir(), "providers.yaml")
		yaml := fmt.Sprintf("providers:\n  - id: zweite\n    name: Zweite Anmeldung\n    issuer: %s\n    client_id: lotse-zwei\n    client_secret: second-secret\n", op.issuer())
		if err := os.WriteFile(f, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg.OIDCProvidersFile = f
	}
	if err := cfg.Validate(true); err != nil {
		t.Fatalf("test configuration invalid: %v", err)
	}
	e.cfg = cfg
	logger := slog.New(slog.NewTextHandler(e.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := app.New(ctx, cfg, logger, false, app.Options{})
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	t.Cleanup(a.Close)
	e.app = a
	srv.Config.Handler = a.Handler()
	srv.Start()
	t.Cleanup(srv.Close)
	e.base = srv.URL
	if want := "http://" + addr; e.base != want {
		t.Fatalf("test server URL %s, want %s", e.base, want)
	}
	return e
}

// logFor returns the log lines of one request.
func (e *atkEnv) logFor(rid string) string {
	if rid == "" {
		return ""
	}
	var out []string
	for _, l := range strings.Split(e.log.String(), "\n") {
		if strings.Contains(l, "request_id="+rid) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// sessionsOfUser counts the stored sessions bound to the test user (the session data is gob,
// in which the account id appears verbatim).
func (e *atkEnv) sessionsOfUser(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.db.SQL.QueryRow(`SELECT count(*) FROM sessions WHERE position(convert_to($1, 'UTF8') in data) > 0`, e.userID.String()).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// logins counts the audit events of completed sign-ins.
func (e *atkEnv) logins(t *testing.T) int {
	t.Helper()
	var n int
	if err := e.db.SQL.QueryRow(`SELECT count(*) FROM audit_events WHERE action = 'session.login'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// fingerprint summarises everything an unsafe request could change.
func (e *atkEnv) fingerprint(t *testing.T) string {
	t.Helper()
	return testutil.Fingerprint(t, e.db.SQL, "organisations", "users", "role_grants")
}

// atkBrowser is one browser: its own cookie jar, redirects not followed.
type atkBrowser struct {
	e *atkEnv
	c *http.Client
}

func (e *atkEnv) browser() *atkBrowser {
	jar, _ := cookiejar.New(nil)
	return &atkBrowser{e: e, c: &http.Client{Jar: jar, Timeout: 15 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// atkResp is a response, read completely.
type atkResp struct {
	code int
	body string
	hdr  http.Header
}

func (r atkResp) loc() string { return r.hdr.Get("Location") }
func (r atkResp) rid() string { return r.hdr.Get("X-Request-Id") }
func (r atkResp) String() string {
	return fmt.Sprintf("%d Location=%q body=%.300s", r.code, r.loc(), r.body)
}

// do sends a request; hdr are name/value pairs. A relative u is resolved against Lotse.
func (b *atkBrowser) do(t *testing.T, method, u string, body io.Reader, hdr ...string) atkResp {
	t.Helper()
	if strings.HasPrefix(u, "/") {
		u = b.e.base + u
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := b.c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return atkResp{code: res.StatusCode, body: string(raw), hdr: res.Header}
}

func (b *atkBrowser) get(t *testing.T, u string, hdr ...string) atkResp {
	t.Helper()
	return b.do(t, http.MethodGet, u, nil, hdr...)
}

// begin starts a login at Lotse and returns the provider's authorization URL it sends to.
func (b *atkBrowser) begin(t *testing.T, ret string) *url.URL {
	t.Helper()
	r := b.get(t, "/auth/login/default?return="+url.QueryEscape(ret))
	if r.code != http.StatusSeeOther || !strings.HasPrefix(r.loc(), b.e.op.issuer()+"/authorize?") {
		t.Fatalf("begin login: %s", r)
	}
	u, err := url.Parse(r.loc())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// authorize visits the provider, which answers with the redirect back to Lotse's callback.
func (b *atkBrowser) authorize(t *testing.T, u *url.URL) *url.URL {
	t.Helper()
	r := b.get(t, u.String())
	if r.code != http.StatusFound || !strings.HasPrefix(r.loc(), b.e.base+"/auth/callback?") {
		t.Fatalf("authorize at the provider: %s", r)
	}
	cb, err := url.Parse(r.loc())
	if err != nil {
		t.Fatal(err)
	}
	return cb
}

// login runs the whole flow and returns Lotse's answer to the callback.
func (b *atkBrowser) login(t *testing.T, ret string) atkResp {
	t.Helper()
	return b.get(t, b.authorize(t, b.begin(t, ret)).String())
}

// mustLogin signs in and fails the test unless a session results.
func (b *atkBrowser) mustLogin(t *testing.T) {
	t.Helper()
	if r := b.login(t, "/"); r.code != http.StatusSeeOther || r.loc() != "/" {
		t.Fatalf("login: %s\nlog:\n%s", r, b.e.logFor(r.rid()))
	}
	if code := b.me(t); code != http.StatusOK {
		t.Fatalf("after login /api/v1/me answers %d", code)
	}
}

// me tells whether the browser is signed in: the status of GET /api/v1/me.
func (b *atkBrowser) me(t *testing.T) int {
	t.Helper()
	return b.get(t, "/api/v1/me").code
}

var atkCSRFField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrfToken reads the anti-forgery token from the start page's logout form.
func (b *atkBrowser) csrfToken(t *testing.T) string {
	t.Helper()
	r := b.get(t, "/")
	m := atkCSRFField.FindStringSubmatch(r.body)
	if r.code != http.StatusOK || m == nil {
		t.Fatalf("no CSRF token on the start page: %s", r)
	}
	return m[1]
}

// atkLeaks are fragments of internal error text that must never reach a page.
var atkLeaks = []string{"authn:", "web:", "oidc:", "service:", "store:", "jose", "invalid_grant", "nonce", "signature",
	"expired", "audience", "issuer", "verifier", "goroutine", ".go:", "state mismatch", "127.0.0.1"}

func atkNoLeaks(t *testing.T, body string) {
	t.Helper()
	for _, l := range atkLeaks {
		if strings.Contains(body, l) {
			t.Errorf("the response shows internal text %q:\n%s", l, body)
		}
	}
}
