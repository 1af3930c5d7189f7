package authn

import (
	"context"
	"database/sql"
	"encoding/gob"
	"errors"
	"net/http"
	"time"

	"github.com/alexedwards/scs/postgresstore"
	"github.com/alexedwards/scs/v2"
	"github.com/google/uuid"
)

// ErrNoSession means the request carries no live session: never signed in, expired, or
// logged out.
var ErrNoSession = errors.New("no session")

func init() { gob.Register(LoginState{}) }

// Session keys. Only ids and times: no personal data is kept in the session.
const (
	keyUser     = "uid"
	keyProvider = "pid"
	keyIDToken  = "idt"
	keyAuthAt   = "auth_at"
	keySeenAt   = "seen_at"
	keyLogin    = "login"
)

// SessionOptions configure the sessions.
type SessionOptions struct {
	IdleTimeout time.Duration
	Lifetime    time.Duration
	// Secure sets the Secure flag and the __Host- cookie prefix; off only for plain-http
	// development.
	Secure bool
	// Now is the clock for idle and absolute expiry (default time.Now); tests move it.
	Now func() time.Time
}

// Sessions are server-side sessions in PostgreSQL (scs with postgresstore). The cookie holds
// only a random token; a session made on one instance works on every instance, and ending it
// ends it everywhere.
type Sessions struct {
	*scs.SessionManager
	store *postgresstore.PostgresStore
	o     SessionOptions
}

// NewSessions builds the session manager on db (the table "sessions" of the migrations).
func NewSessions(db *sql.DB, o SessionOptions) *Sessions {
	if o.Now == nil {
		o.Now = time.Now
	}
	st := postgresstore.NewWithCleanupInterval(db, 10*time.Minute)
	sm := scs.New()
	sm.Store = liveStore{PostgresStore: st, db: db, codec: sm.Codec}
	// The store's own expiry (the absolute lifetime) is the backstop; the checks in User
	// against the clock are the rule, idle timeout included. scs's own IdleTimeout stays off:
	// it would rewrite the session on every request, where User records activity at most
	// once a minute. A minute of slack keeps the backstop from cutting a session the rule
	// still allows.
	sm.Lifetime = o.Lifetime + time.Minute
	sm.Cookie.Name = CookieName(o.Secure)
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = o.Secure
	sm.Cookie.Path = "/"
	sm.Cookie.Persist = false // a browser session cookie: closing the browser signs out
	return &Sessions{SessionManager: sm, store: st, o: o}
}

// CookieName is the session cookie's name: with the __Host- prefix when secure, which pins
// the cookie to this host, path / and https.
func CookieName(secure bool) string {
	if secure {
		return "__Host-lotse_session"
	}
	return "lotse_session"
}

// liveStore is postgresstore with one rule more: a session that a request loaded from the
// store is only ever updated there, never stored anew. scs saves every loaded session at the
// end of its request (the idle timeout needs a new expiry); without this rule a request still
// in flight when the session ends (logout in another tab or on another instance, expiry)
// would store it again, and the ended session would work again.
type liveStore struct {
	*postgresstore.PostgresStore
	db    *sql.DB
	codec scs.Codec
}

// Account is the account a session is signed in as, read with the session in one statement.
type Account struct {
	ID     uuid.UUID
	Name   string
	Active bool
}

// accountKey holds, in a request's context, the *Account read with its session.
type accountKey struct{}

// FindCtx reads the session of token and, in the same statement, the account it is signed in
// as (sessions.user_id): a request's sign-in costs one round trip, not one for the session
// and one for the account. The account goes to the request's context (Sessions.Account).
func (s liveStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var (
		b      []byte
		id     uuid.NullUUID
		name   sql.NullString
		active sql.NullBool
	)
	err := s.db.QueryRowContext(ctx, `SELECT s.data, u.id, u.display_name, u.active FROM sessions s
		LEFT JOIN users u ON u.id = s.user_id
		WHERE s.token = $1 AND current_timestamp < s.expiry`, token).Scan(&b, &id, &name, &active)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if acc, ok := ctx.Value(accountKey{}).(*Account); ok && id.Valid {
		*acc = Account{ID: id.UUID, Name: name.String, Active: active.Bool}
	}
	return b, true, nil
}

// userOf is the account id stored in the session data b, or NULL.
func (s liveStore) userOf(b []byte) any {
	_, values, err := s.codec.Decode(b)
	if err != nil {
		return nil
	}
	raw, _ := values[keyUser].(string)
	id, err := uuid.Parse(raw)
	if err != nil {
		return nil
	}
	return id
}

// loadedKey marks, in a request's context, the token of the session loaded from the store.
type loadedKey struct{}

// CommitCtx implements scs's context-aware commit (scs prefers it to Commit).
func (s liveStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	user := s.userOf(b)
	if loaded, _ := ctx.Value(loadedKey{}).(string); loaded == "" || loaded != token {
		// A new session or a renewed token (postgresstore's Commit, with the account).
		_, err := s.db.ExecContext(ctx, `INSERT INTO sessions (token, data, expiry, user_id) VALUES ($1, $2, $3, $4)
			ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry, user_id = EXCLUDED.user_id`,
			token, b, expiry, user)
		return err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE sessions SET data = $1, expiry = $2, user_id = $4 WHERE token = $3`, b, expiry, token, user)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return errors.Join(ErrNoSession, err)
	}
	return nil
}

// Load reads the session of token into ctx (see scs.SessionManager.Load) and remembers that
// it came from the store: saving it cannot bring it back once it has ended. A session that
// ended meanwhile makes Commit return ErrNoSession.
func (s *Sessions) Load(ctx context.Context, token string) (context.Context, error) {
	ctx = context.WithValue(ctx, accountKey{}, &Account{})
	ctx, err := s.SessionManager.Load(ctx, token)
	if err != nil {
		return nil, err
	}
	if tok := s.Token(ctx); tok != "" {
		ctx = context.WithValue(ctx, loadedKey{}, tok)
	}
	return ctx, nil
}

// Close stops the expired-session cleanup.
func (s *Sessions) Close() { s.store.StopCleanup() }

// SetLoginState keeps the state of a login in progress.
func (s *Sessions) SetLoginState(ctx context.Context, ls LoginState) { s.Put(ctx, keyLogin, ls) }

// PopLoginState returns and forgets the state of the login in progress, so that a callback
// can be used only once.
func (s *Sessions) PopLoginState(ctx context.Context) LoginState {
	ls, _ := s.Pop(ctx, keyLogin).(LoginState)
	return ls
}

// Login binds the session to a user. The token is renewed first, so that a token planted
// before the login (session fixation) is worthless afterwards.
func (s *Sessions) Login(ctx context.Context, user uuid.UUID, providerID, idToken string) error {
	if err := s.RenewToken(ctx); err != nil {
		return err
	}
	now := s.o.Now().Unix()
	s.Put(ctx, keyUser, user.String())
	s.Put(ctx, keyProvider, providerID)
	s.Put(ctx, keyIDToken, idToken)
	s.Put(ctx, keyAuthAt, now)
	s.Put(ctx, keySeenAt, now)
	return nil
}

// User returns the signed-in user of the session, enforcing the idle timeout and the absolute
// lifetime against the clock. An expired session is destroyed.
func (s *Sessions) User(ctx context.Context) (uuid.UUID, error) {
	raw := s.GetString(ctx, keyUser)
	if raw == "" {
		return uuid.Nil, ErrNoSession
	}
	id, err := uuid.Parse(raw)
	if err != nil {
		return uuid.Nil, ErrNoSession
	}
	now := s.o.Now()
	authAt := time.Unix(s.GetInt64(ctx, keyAuthAt), 0)
	seenAt := time.Unix(s.GetInt64(ctx, keySeenAt), 0)
	if now.Sub(authAt) > s.o.Lifetime || now.Sub(seenAt) > s.o.IdleTimeout {
		_ = s.Destroy(ctx)
		return uuid.Nil, ErrNoSession
	}
	// Record activity at most once a minute: enough for the idle rule, and not a database
	// write on every request.
	if now.Sub(seenAt) >= time.Minute {
		s.Put(ctx, keySeenAt, now.Unix())
	}
	return id, nil
}

// SetAccount records, for the rest of the request, the account a bearer token was resolved
// to, so that it is not read a second time.
func SetAccount(ctx context.Context, a Account) {
	if acc, ok := ctx.Value(accountKey{}).(*Account); ok {
		*acc = a
	}
}

// AccountOf returns the account recorded with SetAccount (or read with the session) in ctx.
func AccountOf(ctx context.Context) (Account, bool) {
	acc, ok := ctx.Value(accountKey{}).(*Account)
	if !ok || acc.ID == uuid.Nil {
		return Account{}, false
	}
	return *acc, true
}

// ProviderID returns the provider the session's user signed in with.
func (s *Sessions) ProviderID(ctx context.Context) string { return s.GetString(ctx, keyProvider) }

// Logout ends the session on the server and returns what is needed to end it at the
// provider too.
func (s *Sessions) Logout(ctx context.Context) (providerID, idToken string, err error) {
	providerID, idToken = s.GetString(ctx, keyProvider), s.GetString(ctx, keyIDToken)
	return providerID, idToken, s.Destroy(ctx)
}
