package bench

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Session is a signed-in account: the cookies of its browser and its anti-forgery token.
type Session struct {
	Account Account
	// Cookie is the Cookie header of Lotse's requests.
	Cookie string
	// CSRF is the session's anti-forgery token, for writes.
	CSRF string
	// params are what the routes need for this account (cases, search terms), from the database.
	params params
}

var (
	idpForm   = regexp.MustCompile(`<form method="post" action="([^"]*)">`)
	idpID     = regexp.MustCompile(`name="authRequestID" value="([^"]*)"`)
	csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)
)

// signIn signs a in through Lotse's real sign-in with the development identity provider:
// GET /login (one provider: straight on to it), the provider's account page, the chosen
// account posted, the callback, the start page. A sign-in refused for the rate limit
// (429) is tried again after a pause, until ctx ends.
func signIn(ctx context.Context, base string, a Account) (*Session, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	get := func(u string) (*http.Response, string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, "", err
		}
		return do(c, req)
	}
	var page string
	var resp *http.Response
	var err error
	for {
		if resp, page, err = get(base + "/login"); err != nil {
			return nil, fmt.Errorf("bench: sign in %s: %w", a.Email, err)
		}
		if resp.StatusCode != http.StatusTooManyRequests {
			break
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
	form, id := idpForm.FindStringSubmatch(page), idpID.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || form == nil || id == nil {
		return nil, fmt.Errorf("bench: sign in %s: no account form of the development identity provider at %s (status %d)", a.Email, resp.Request.URL, resp.StatusCode)
	}
	action, err := resp.Request.URL.Parse(html.UnescapeString(form[1]))
	if err != nil {
		return nil, fmt.Errorf("bench: sign in %s: %w", a.Email, err)
	}
	vals := url.Values{"authRequestID": {html.UnescapeString(id[1])}, "subject": {a.Subject}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, action.String(), strings.NewReader(vals.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, page, err = do(c, req); err != nil {
		return nil, fmt.Errorf("bench: sign in %s: %w", a.Email, err)
	}
	tok := csrfInput.FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), base) || tok == nil {
		return nil, fmt.Errorf("bench: sign in %s (subject %q): ended at %s with status %d, not on Lotse's start page", a.Email, a.Subject, resp.Request.URL, resp.StatusCode)
	}
	u, _ := url.Parse(base)
	var cookies []string
	for _, ck := range jar.Cookies(u) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	return &Session{Account: a, Cookie: strings.Join(cookies, "; "), CSRF: html.UnescapeString(tok[1])}, nil
}

func do(c *http.Client, req *http.Request) (*http.Response, string, error) {
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	return resp, string(b), err
}
