package app_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestLoginAttacksAreRefused runs the sign-in against a provider that misbehaves in one way
// per case (or against a browser that tampers with the flow). Every attack must end on an
// error page that shows no internal text, with no session for the account and no sign-in in
// the audit trail; the log must name the real reason, so that each case fails for the reason
// it is about and not by accident of the harness.
func TestLoginAttacksAreRefused(t *testing.T) {
	t.Parallel()
	e := newAtkEnv(t, atkConfig{})

	// Positive control: the harness can sign in, with state, nonce and PKCE (S256).
	ok := e.browser()
	if r := ok.login(t, "/"); r.code != http.StatusSeeOther || r.loc() != "/" {
		t.Fatalf("positive control: a correct login was refused: %s\nlog:\n%s", r, e.logFor(r.rid()))
	}
	if code := ok.me(t); code != http.StatusOK {
		t.Fatalf("positive control: /api/v1/me answers %d after the login", code)
	}
	if n := e.sessionsOfUser(t); n != 1 {
		t.Fatalf("positive control: %d sessions of the user, want 1", n)
	}
	if n := e.logins(t); n != 1 {
		t.Fatalf("positive control: %d session.login audit events, want 1", n)
	}
	az := e.op.lastAuthorize()
	if az.Get("code_challenge_method") != "S256" || len(az.Get("code_challenge")) != 43 || az.Get("state") == "" || az.Get("nonce") == "" || az.Get("state") == az.Get("nonce") {
		t.Fatalf("positive control: the authorization request lacks S256 PKCE, state or nonce: %v", az)
	}
	trs := e.op.tokenRequests()
	if len(trs) == 0 || trs[len(trs)-1].refused != "" || len(trs[len(trs)-1].form.Get("code_verifier")) < 43 {
		t.Fatalf("positive control: Lotse did not redeem the code with a PKCE verifier: %+v", trs)
	}

	now := func() int64 { return time.Now().Unix() }
	type attack struct {
		name string
		// token is what the provider issues; used when run is nil (the normal flow).
		token atkTokenSpec
		// run is a tampered flow; it returns Lotse's answer to the callback.
		run    func(t *testing.T, b *atkBrowser) atkResp
		status int
		title  string // the localised heading of the error page
		reason string // what the log says about the cause
		// opRefused: the provider must have refused a token request for this reason.
		opRefused string
	}
	const failed, expired = "Anmeldung fehlgeschlagen", "Anmeldung abgelaufen"
	attacks := []attack{
		{name: "wrong issuer", token: atkTokenSpec{mutate: func(c map[string]any) { c["iss"] = "https://evil.example" }},
			status: 401, title: failed, reason: "issued by a different provider"},
		{name: "wrong audience", token: atkTokenSpec{mutate: func(c map[string]any) { c["aud"] = "another-client" }},
			status: 401, title: failed, reason: "expected audience"},
		{name: "audience of the API instead of the client", token: atkTokenSpec{mutate: func(c map[string]any) { c["aud"] = []string{atkAPIAudience} }},
			status: 401, title: failed, reason: "expected audience"},
		{name: "expired", token: atkTokenSpec{mutate: func(c map[string]any) { c["exp"], c["iat"] = now()-3600, now()-7200 }},
			status: 401, title: failed, reason: "token is expired"},
		{name: "not yet valid (nbf one hour ahead)", token: atkTokenSpec{mutate: func(c map[string]any) { c["nbf"] = now() + 3600 }},
			status: 401, title: failed, reason: "nbf"},
		{name: "issued at far in the future", token: atkTokenSpec{mutate: func(c map[string]any) { c["iat"], c["exp"] = now()+3600, now()+7200 }},
			status: 401, title: failed, reason: "issued in the future"},
		{name: "alg none", token: atkTokenSpec{sign: atkAlgNone},
			status: 401, title: failed, reason: "malformed jwt"},
		{name: "HS256 signed with the public key (PEM)", token: atkTokenSpec{sign: atkHS256PEM},
			status: 401, title: failed, reason: "malformed jwt"},
		{name: "HS256 signed with the public key (DER)", token: atkTokenSpec{sign: atkHS256DER},
			status: 401, title: failed, reason: "malformed jwt"},
		{name: "bad signature (flipped bytes)", token: atkTokenSpec{sign: atkFlipped},
			status: 401, title: failed, reason: "failed to verify signature"},
		{name: "signed by another key under the published key id", token: atkTokenSpec{sign: atkWrongKeySameKid},
			status: 401, title: failed, reason: "failed to verify signature"},
		{name: "unknown key id", token: atkTokenSpec{sign: atkUnknownKid},
			status: 401, title: failed, reason: "failed to verify signature"},
		{name: "missing nonce", token: atkTokenSpec{mutate: func(c map[string]any) { delete(c, "nonce") }},
			status: 401, title: failed, reason: "nonce mismatch"},
		{name: "wrong nonce (replayed from another login)", token: atkTokenSpec{mutate: func(c map[string]any) { c["nonce"] = atkRandom() }},
			status: 401, title: failed, reason: "nonce mismatch"},
		{name: "missing subject", token: atkTokenSpec{mutate: func(c map[string]any) { delete(c, "sub") }},
			status: 401, title: failed, reason: "token without subject"},
		{name: "no ID token in the token response", token: atkTokenSpec{noIDToken: true},
			status: 401, title: failed, reason: "returned no ID token"},
		{name: "wrong state", status: 400, title: expired, reason: "login state mismatch",
			run: func(t *testing.T, b *atkBrowser) atkResp {
				cb := b.authorize(t, b.begin(t, "/"))
				q := cb.Query()
				q.Set("state", atkRandom())
				cb.RawQuery = q.Encode()
				return b.get(t, cb.String())
			}},
		{name: "empty state", status: 400, title: expired, reason: "login state mismatch",
			run: func(t *testing.T, b *atkBrowser) atkResp {
				cb := b.authorize(t, b.begin(t, "/"))
				q := cb.Query()
				q.Del("state")
				cb.RawQuery = q.Encode()
				return b.get(t, cb.String())
			}},
		{name: "callback without a login in progress", status: 400, title: expired, reason: "login state mismatch",
			run: func(t *testing.T, b *atkBrowser) atkResp {
				return b.get(t, "/auth/callback?code="+atkRandom()+"&state="+atkRandom())
			}},
		{name: "state of another browser (login CSRF)", status: 400, title: expired, reason: "login state mismatch",
			run: func(t *testing.T, b *atkBrowser) atkResp {
				// The attacker starts a login and makes the victim's browser (which has a
				// login of its own in progress) deliver the attacker's callback.
				cb := e.browser().authorize(t, e.browser().begin(t, "/"))
				b.begin(t, "/")
				return b.get(t, cb.String())
			}},
		{name: "reused authorization code, replayed in a fresh browser", status: 400, title: expired, reason: "login state mismatch",
			run: func(t *testing.T, b *atkBrowser) atkResp {
				victim := e.browser()
				cb := victim.authorize(t, victim.begin(t, "/"))
				if r := victim.get(t, cb.String()); r.code != http.StatusSeeOther {
					t.Fatalf("the victim's own login failed: %s", r)
				}
				before := e.logins(t)
				// The same callback again in the victim's browser: the login state is gone.
				if r := victim.get(t, cb.String()); r.code != http.StatusBadRequest {
					t.Fatalf("replay in the same browser: %s", r)
				}
				if after := e.logins(t); after != before {
					t.Fatalf("replay in the same browser signed in again")
				}
				return b.get(t, cb.String())
			}},
		{name: "reused authorization code, redeemed a second time", status: 401, title: failed, reason: "code already used", opRefused: "code already used",
			run: func(t *testing.T, b *atkBrowser) atkResp {
				victim := e.browser()
				cb := victim.authorize(t, victim.begin(t, "/"))
				if r := victim.get(t, cb.String()); r.code != http.StatusSeeOther {
					t.Fatalf("the victim's own login failed: %s", r)
				}
				// The attacker starts a login of their own (a valid state) and injects the
				// victim's used code: Lotse redeems it, the provider refuses.
				mine := b.authorize(t, b.begin(t, "/"))
				q := mine.Query()
				q.Set("code", cb.Query().Get("code"))
				mine.RawQuery = q.Encode()
				return b.get(t, mine.String())
			}},
		{name: "stolen code injected into another login (PKCE verifier does not match)", status: 401, title: failed, reason: "invalid_grant", opRefused: "code_verifier does not match the challenge",
			run: func(t *testing.T, b *atkBrowser) atkResp {
				victim := e.browser()
				stolen := victim.authorize(t, victim.begin(t, "/")).Query().Get("code") // never delivered
				mine := b.authorize(t, b.begin(t, "/"))
				q := mine.Query()
				q.Set("code", stolen)
				mine.RawQuery = q.Encode()
				return b.get(t, mine.String())
			}},
		{name: "provider answers with an error", status: 401, title: failed, reason: "provider answered",
			run: func(t *testing.T, b *atkBrowser) atkResp {
				cb := b.authorize(t, b.begin(t, "/"))
				q := url.Values{"state": {cb.Query().Get("state")}, "error": {"access_denied"}}
				return b.get(t, "/auth/callback?"+q.Encode())
			}},
		{name: "callback without code", status: 401, title: failed, reason: "callback without code",
			run: func(t *testing.T, b *atkBrowser) atkResp {
				cb := b.authorize(t, b.begin(t, "/"))
				q := cb.Query()
				q.Del("code")
				cb.RawQuery = q.Encode()
				return b.get(t, cb.String())
			}},
	}
	if len(attacks) < 15 {
		t.Fatalf("only %d attack cases", len(attacks))
	}
	for _, tc := range attacks {
		t.Run(tc.name, func(t *testing.T) {
			e.op.setNext(tc.token)
			defer e.op.setNext(atkTokenSpec{})
			sessions, logins, tokenReqs := e.sessionsOfUser(t), e.logins(t), len(e.op.tokenRequests())
			b := e.browser()
			var r atkResp
			if tc.run != nil {
				r = tc.run(t, b)
			} else {
				r = b.login(t, "/")
			}
			if r.code != tc.status {
				t.Fatalf("status %d, want %d: %s\nlog:\n%s", r.code, tc.status, r, e.logFor(r.rid()))
			}
			if !strings.HasPrefix(r.hdr.Get("Content-Type"), "text/html") || !strings.Contains(r.body, tc.title) || !strings.Contains(r.body, r.rid()) {
				t.Errorf("not the localised error page %q with the request id: %s", tc.title, r)
			}
			atkNoLeaks(t, r.body)
			if log := e.logFor(r.rid()); !strings.Contains(log, tc.reason) {
				t.Errorf("the log does not say %q:\n%s", tc.reason, log)
			}
			if tc.opRefused != "" {
				found := false
				for _, tr := range e.op.tokenRequests()[tokenReqs:] {
					found = found || strings.Contains(tr.refused, tc.opRefused)
				}
				if !found {
					t.Errorf("the provider never refused a token request with %q", tc.opRefused)
				}
			}
			if code := b.me(t); code != http.StatusUnauthorized {
				t.Errorf("after the attack /api/v1/me answers %d, want 401", code)
			}
			// The flows with a genuine victim login add exactly that one.
			victim := 0
			if strings.HasPrefix(tc.name, "reused authorization code") {
				victim = 1
			}
			if n := e.sessionsOfUser(t); n != sessions+victim {
				t.Errorf("sessions of the user: %d, want %d (no new session)", n, sessions+victim)
			}
			if n := e.logins(t); n != logins+victim {
				t.Errorf("session.login audit events: %d, want %d", n, logins+victim)
			}
		})
	}

	t.Run("missing PKCE verifier", func(t *testing.T) {
		// An attacker who holds a code (and even the client's credentials) cannot redeem it
		// without the verifier that only Lotse's session knows.
		logins := e.logins(t)
		b := e.browser()
		cb := b.authorize(t, b.begin(t, "/"))
		form := url.Values{"grant_type": {"authorization_code"}, "code": {cb.Query().Get("code")}, "redirect_uri": {e.cfg.BaseURL + "/auth/callback"}}
		req, _ := http.NewRequest(http.MethodPost, e.op.issuer()+"/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(atkClientID, atkClientSecret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		_ = json.NewDecoder(res.Body).Decode(&body)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || body["error"] != "invalid_grant" || body["id_token"] != nil {
			t.Fatalf("the provider redeemed a code without verifier: %d %v", res.StatusCode, body)
		}
		// The code is burnt: the browser's own callback now fails too, and nobody is signed in.
		if r := b.get(t, cb.String()); r.code != http.StatusUnauthorized {
			t.Fatalf("callback with a burnt code: %s", r)
		}
		if b.me(t) != http.StatusUnauthorized || e.logins(t) != logins {
			t.Fatal("a session resulted")
		}
		// And every redemption Lotse itself made carried a verifier.
		for _, tr := range e.op.tokenRequests() {
			if tr.form.Get("client_id") == "" && tr.form.Get("code_verifier") == "" && tr.refused == "invalid_grant: code_verifier missing" {
				continue // the attacker's request above (basic auth, no client_id in the form)
			}
			if tr.form.Get("code_verifier") == "" {
				t.Errorf("Lotse redeemed a code without PKCE verifier: %v", tr.form)
			}
		}
	})

	t.Run("an ID token as bearer token to the API", func(t *testing.T) {
		idt := e.op.lastIDToken()
		if idt == "" {
			t.Fatal("no ID token issued yet")
		}
		c := &http.Client{Timeout: 10 * time.Second}
		call := func(tok string) (int, string) {
			req, _ := http.NewRequest(http.MethodGet, e.base+"/api/v1/me", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			res, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body struct {
				Error struct{ Code string } `json:"error"`
			}
			_ = json.NewDecoder(res.Body).Decode(&body)
			return res.StatusCode, body.Error.Code
		}
		// Control: a real access token for the API works.
		if code, _ := call(e.op.accessToken(atkSubject, nil)); code != http.StatusOK {
			t.Fatalf("control: an access token with audience %s answers %d", atkAPIAudience, code)
		}
		now := time.Now().Unix()
		for name, tok := range map[string]string{
			"ID token (audience = client id)":         idt,
			"access token, expired":                   e.op.accessToken(atkSubject, func(c map[string]any) { c["exp"], c["iat"] = now-60, now-3600 }),
			"access token, alg none":                  e.op.sign(map[string]any{"iss": e.op.issuer(), "sub": atkSubject, "aud": atkAPIAudience, "exp": now + 300}, atkAlgNone),
			"access token, HS256 with the public key": e.op.sign(map[string]any{"iss": e.op.issuer(), "sub": atkSubject, "aud": atkAPIAudience, "exp": now + 300}, atkHS256PEM),
			"access token, unknown key id":            e.op.sign(map[string]any{"iss": e.op.issuer(), "sub": atkSubject, "aud": atkAPIAudience, "exp": now + 300}, atkUnknownKid),
			"access token, other issuer":              e.op.accessToken(atkSubject, func(c map[string]any) { c["iss"] = "https://evil.example" }),
			"access token, account unknown":           e.op.accessToken("someone-else", nil),
			"not a JWT":                               base64.RawURLEncoding.EncodeToString([]byte("hello")),
		} {
			if code, ec := call(tok); code != http.StatusUnauthorized || ec != "unauthenticated" {
				t.Errorf("%s: %d %q, want 401 unauthenticated", name, code, ec)
			}
		}
	})
}

// TestLoginReturnIsNeverAnOpenRedirect signs in with hostile return addresses: Lotse must
// send the browser only to its own pages afterwards.
func TestLoginReturnIsNeverAnOpenRedirect(t *testing.T) {
	t.Parallel()
	e := newAtkEnv(t, atkConfig{})
	base, _ := url.Parse(e.base)
	cases := []struct{ ret, want string }{
		{"//evil.example/x", "/"},
		{"https://evil.example", "/"},
		{"https://evil.example/", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"%2F%2Fevil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"https:/evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"//evil.example@" + base.Host + "/", "/"},
		{"", "/"},
		{"/%2F%2Fevil.example", "/%2F%2Fevil.example"}, // a local path with escaped slashes
		{"/api/v1/me?x=1#fragment", "/api/v1/me?x=1"},
	}
	for _, tc := range cases {
		t.Run(tc.ret, func(t *testing.T) {
			b := e.browser()
			r := b.login(t, tc.ret)
			if r.code != http.StatusSeeOther {
				t.Fatalf("login: %s\nlog:\n%s", r, e.logFor(r.rid()))
			}
			if r.loc() != tc.want {
				t.Errorf("after login to %q, want %q", r.loc(), tc.want)
			}
			if u, err := base.Parse(r.loc()); err != nil || u.Host != base.Host || u.Scheme != base.Scheme {
				t.Errorf("after login the browser leaves Lotse: %q", r.loc())
			}
			// The login page passes the return on only in its safe form; a signed-in browser
			// is sent there directly.
			lp := b.get(t, "/login?return="+url.QueryEscape(tc.ret))
			if u, err := base.Parse(lp.loc()); lp.code != http.StatusSeeOther || err != nil || u.Host != base.Host {
				t.Errorf("/login of a signed-in browser: %s", lp)
			}
			anon := e.browser().get(t, "/login?return="+url.QueryEscape(tc.ret))
			if anon.code != http.StatusSeeOther || anon.loc() != "/auth/login/default?return="+url.QueryEscape(tc.want) {
				t.Errorf("/login: %s", anon)
			}
		})
	}
}
