package devidp

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"
)

// Account is a demo account that can sign in with one click. Role and Org are
// shown on the login page only (e.g. "Fallmanagerin", "Fachdienst Wohnen");
// they are not put into tokens, because Lotse takes roles from its own grants.
type Account struct {
	Subject string // the sub claim; Lotse keys users by (issuer, sub)
	Email   string
	Name    string
	Role    string
	Org     string
}

// preferredUsername is the preferred_username claim: the e-mail address, or
// the subject for an account without one.
func (a Account) preferredUsername() string {
	if a.Email != "" {
		return a.Email
	}
	return a.Subject
}

// Client is a relying party allowed to use the provider: a confidential client
// (client_secret_basic or client_secret_post) with the authorization code
// flow, PKCE S256 required, and the client_credentials grant.
type Client struct {
	ID, Secret             string
	RedirectURIs           []string // exact matches, e.g. http://127.0.0.1:8080/auth/callback
	PostLogoutRedirectURIs []string // exact matches for end_session's post_logout_redirect_uri
}

// Config configures the provider.
type Config struct {
	// Addr is the listen address, host:port. The host must be loopback:
	// 127.0.0.0/8, ::1 (written [::1]:port) or "localhost" (which listens on
	// 127.0.0.1). Port 0 picks a free port. Anything else is refused.
	Addr     string
	Accounts []Account
	Clients  []Client
	// APIAudience, if set, is the aud of every access token (code flow and
	// client_credentials), so that Lotse's bearer-token API can be tried
	// against this provider. ID tokens keep the client id as their audience.
	APIAudience string
}

// Server is the development identity provider. Create it with New, then Start.
type Server struct {
	listenAddr string // what net.Listen gets
	issuerHost string // host part of the issuer ("localhost" stays "localhost")
	accounts   []Account
	storage    *storage

	mu       sync.Mutex
	started  bool
	issuer   string
	srv      *http.Server
	served   chan struct{}
	closeErr error
	closed   bool
}

// New validates cfg and prepares the provider, including its signing key. It
// refuses any address that is not loopback.
func New(cfg Config) (*Server, error) {
	listenAddr, issuerHost, err := loopbackAddr(cfg.Addr)
	if err != nil {
		return nil, err
	}
	if err := validate(cfg); err != nil {
		return nil, err
	}
	st, err := newStorage(cfg)
	if err != nil {
		return nil, err
	}
	return &Server{
		listenAddr: listenAddr,
		issuerHost: issuerHost,
		accounts:   append([]Account(nil), cfg.Accounts...),
		storage:    st,
	}, nil
}

// loopbackAddr checks that addr is host:port with a loopback host and returns
// the address to listen on and the host to put into the issuer.
func loopbackAddr(addr string) (listen, issuerHost string, err error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", "", fmt.Errorf("devidp: address %q is not host:port: %w", addr, err)
	}
	if p, err := strconv.ParseUint(port, 10, 16); err != nil || strconv.FormatUint(p, 10) != port {
		return "", "", fmt.Errorf("devidp: address %q: port must be a number from 0 to 65535", addr)
	}
	switch {
	case host == "":
		return "", "", fmt.Errorf("devidp: address %q would listen on every interface; the development identity provider only listens on loopback (e.g. 127.0.0.1:8081)", addr)
	case strings.EqualFold(host, "localhost"):
		// Listen on the IPv4 loopback address itself rather than on whatever
		// the resolver says localhost is.
		return net.JoinHostPort("127.0.0.1", port), "localhost", nil
	}
	ip := net.ParseIP(host)
	if ip == nil || strings.Contains(host, "%") {
		return "", "", fmt.Errorf("devidp: address %q: host must be a loopback IP address or localhost, not a name", addr)
	}
	if !ip.IsLoopback() {
		return "", "", fmt.Errorf("devidp: address %q is not loopback; the development identity provider only listens on 127.0.0.0/8, ::1 or localhost", addr)
	}
	return net.JoinHostPort(ip.String(), port), ip.String(), nil
}

// validate reports every problem of the accounts and clients at once.
func validate(cfg Config) error {
	var errs []error
	if len(cfg.Accounts) == 0 {
		errs = append(errs, errors.New("no accounts"))
	}
	subjects := make(map[string]bool, len(cfg.Accounts))
	for i, a := range cfg.Accounts {
		switch {
		case a.Subject == "":
			errs = append(errs, fmt.Errorf("account %d: empty subject", i))
		case subjects[a.Subject]:
			errs = append(errs, fmt.Errorf("account %d: duplicate subject %q", i, a.Subject))
		}
		subjects[a.Subject] = true
		if a.Name == "" {
			errs = append(errs, fmt.Errorf("account %d: empty name", i))
		}
	}
	if len(cfg.Clients) == 0 {
		errs = append(errs, errors.New("no clients"))
	}
	ids := make(map[string]bool, len(cfg.Clients))
	for i, c := range cfg.Clients {
		switch {
		case c.ID == "":
			errs = append(errs, fmt.Errorf("client %d: empty id", i))
		case ids[c.ID]:
			errs = append(errs, fmt.Errorf("client %d: duplicate id %q", i, c.ID))
		}
		ids[c.ID] = true
		if c.Secret == "" {
			errs = append(errs, fmt.Errorf("client %q: empty secret (clients are confidential)", c.ID))
		}
		if len(c.RedirectURIs) == 0 {
			errs = append(errs, fmt.Errorf("client %q: no redirect URIs", c.ID))
		}
		for _, u := range append(append([]string(nil), c.RedirectURIs...), c.PostLogoutRedirectURIs...) {
			if err := absoluteHTTPURL(u); err != nil {
				errs = append(errs, fmt.Errorf("client %q: %w", c.ID, err))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("devidp: invalid config: %w", err)
	}
	return nil
}

func absoluteHTTPURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" {
		return fmt.Errorf("%q is not an absolute http(s) URL without fragment", s)
	}
	return nil
}

// Start listens on the configured address and serves in the background. It
// returns once the listener is open, so that the caller can print Issuer().
// The server stops when ctx is done or Close is called.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started || s.closed {
		return errors.New("devidp: already started or closed")
	}
	s.started = true

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.listenAddr)
	if err != nil {
		return fmt.Errorf("devidp: listen on %s: %w", s.listenAddr, err)
	}
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	s.issuer = "http://" + net.JoinHostPort(s.issuerHost, port)

	handler, err := s.newHandler(s.issuer)
	if err != nil {
		_ = ln.Close()
		return err
	}
	s.srv = &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn),
	}
	s.served = make(chan struct{})
	go func() {
		defer close(s.served)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			slog.Error("devidp: serve", "err", err)
		}
	}()
	context.AfterFunc(ctx, func() { _ = s.Close() })
	return nil
}

// newHandler builds the OpenID provider for issuer and puts our login page
// next to it.
func (s *Server) newHandler(issuer string) (http.Handler, error) {
	var cryptoKey [32]byte // encrypts opaque tokens; ours are JWTs, but op wants a key
	if _, err := rand.Read(cryptoKey[:]); err != nil {
		return nil, fmt.Errorf("devidp: crypto key: %w", err)
	}
	provider, err := op.NewProvider(&op.Config{
		CryptoKey:                cryptoKey,
		DefaultLogoutRedirectURI: loggedOutPath,
		CodeMethodS256:           true,
		AuthMethodPost:           true, // client_secret_post next to client_secret_basic
		SupportedUILocales:       []language.Tag{language.German, language.English},
	}, s.storage, op.StaticIssuer(issuer),
		// The issuer is plain http on a loopback address. zitadel refuses
		// http issuers unless told otherwise; this is acceptable only because
		// this provider is for development and never leaves loopback.
		op.WithAllowInsecure(),
	)
	if err != nil {
		return nil, fmt.Errorf("devidp: create provider: %w", err)
	}
	endpoints := provider.Endpoints()
	endpoints.DeviceAuthorization = nil // no device flow
	srv := &opServer{
		LegacyServer: op.NewLegacyServer(provider, endpoints),
		provider:     provider,
		storage:      s.storage,
	}
	opHandler := op.RegisterLegacyServer(srv, op.AuthorizeCallbackHandler(provider),
		// Lotse talks to the provider from its server, never from browser
		// scripts, so there is no need for zitadel's allow-every-origin CORS.
		op.WithServerCORSOptions(nil),
	)

	lp := &loginPage{
		accounts: s.accounts,
		storage:  s.storage,
		callback: srv.AuthCallbackURL(),
	}
	mux := http.NewServeMux()
	// The login page needs the issuer in its request context to build the
	// callback URL, which op's issuer interceptor provides.
	mux.Handle(loginPath, op.NewIssuerInterceptor(provider.IssuerFromRequest).Handler(lp))
	mux.HandleFunc("GET "+loggedOutPath, lp.loggedOut)
	mux.HandleFunc("GET /{$}", lp.overview)
	mux.Handle("GET "+staticPath, staticFiles())
	mux.Handle("/", opHandler)
	return mux, nil
}

// Issuer returns the issuer URL, e.g. http://127.0.0.1:8081, with the actual
// port when Addr asked for port 0. It is empty before Start.
func (s *Server) Issuer() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issuer
}

// Close stops the server, letting requests in flight finish for up to five
// seconds. It is safe to call more than once and before Start.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || s.srv == nil {
		s.closed = true
		return s.closeErr
	}
	s.closed = true
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		s.closeErr = errors.Join(fmt.Errorf("devidp: shutdown: %w", err), s.srv.Close())
	}
	<-s.served
	return s.closeErr
}
