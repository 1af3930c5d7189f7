package devapp

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"golang.org/x/text/language"

	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/demo"
	"github.com/lotse-project/lotse/internal/devidp"
	"github.com/lotse-project/lotse/internal/locale"
	"github.com/lotse-project/lotse/ui"
)

const (
	devClientID    = "lotse-dev"
	devAPIAudience = "lotse-api"
)

// startDevIdP starts the development identity provider with the demo accounts and extra
// accounts, and points the configuration's single OIDC provider at it. It exists only for
// lotse-dev dev (the production binary does not contain it), and it refuses to listen
// anywhere but on loopback.
func startDevIdP(ctx context.Context, addr string, cfg *config.Config, extra ...devidp.Account) (*devidp.Server, error) {
	secret := make([]byte, 24)
	_, _ = rand.Read(secret)
	l := roleLabels()
	var accounts []devidp.Account
	for _, a := range demo.Accounts() {
		accounts = append(accounts, devidp.Account{
			Subject: strings.SplitN(a.Email, "@", 2)[0], Email: a.Email, Name: a.DisplayName,
			Role: l.T("role." + string(a.Role)), Org: a.Org,
		})
	}
	known := map[string]bool{}
	for _, a := range accounts {
		known[a.Subject] = true
	}
	for _, a := range extra {
		if !known[a.Subject] {
			known[a.Subject] = true
			accounts = append(accounts, a)
		}
	}
	base := strings.TrimSuffix(cfg.BaseURL, "/")
	idp, err := devidp.New(devidp.Config{
		Addr:     addr,
		Accounts: accounts,
		Clients: []devidp.Client{{
			ID: devClientID, Secret: hex.EncodeToString(secret),
			RedirectURIs:           []string{base + "/auth/callback"},
			PostLogoutRedirectURIs: []string{base + "/logged-out"},
		}},
		APIAudience: devAPIAudience,
	})
	if err != nil {
		return nil, fmt.Errorf("development identity provider: %w", err)
	}
	if err := idp.Start(ctx); err != nil {
		return nil, fmt.Errorf("development identity provider: %w", err)
	}
	cfg.OIDCIssuer, cfg.OIDCClientID, cfg.OIDCClientSecret = idp.Issuer(), devClientID, hex.EncodeToString(secret)
	cfg.OIDCName, cfg.OIDCTrustEmail, cfg.OIDCAPIAudience = "Entwicklungs-Anmeldung", true, devAPIAudience
	return idp, nil
}

// databaseAccounts are the accounts already in the database at url that can sign in by
// e-mail (active, not service accounts), for the development identity provider: subject the
// e-mail's local part, as for the demo accounts and those of lotse-dev seed scale, with the
// role and organisation of their first grant. A database without the schema yet has none.
func databaseAccounts(ctx context.Context, url string) ([]devidp.Account, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("accounts for the development identity provider: %w", err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	rows, err := conn.Query(ctx, `
		SELECT u.email, u.display_name, coalesce(g.role, ''), coalesce(o.short_name, '')
		  FROM users u
		  LEFT JOIN LATERAL (SELECT role, org_id FROM role_grants WHERE user_id = u.id ORDER BY created_at, id LIMIT 1) g ON true
		  LEFT JOIN organisations o ON o.id = g.org_id
		 WHERE u.active AND NOT u.service AND u.email <> ''
		 ORDER BY u.email`)
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" { // undefined_table: not migrated yet
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("accounts for the development identity provider: %w", err)
	}
	l := roleLabels()
	var out []devidp.Account
	for rows.Next() {
		var a devidp.Account
		var role string
		if err := rows.Scan(&a.Email, &a.Name, &role, &a.Org); err != nil {
			return nil, err
		}
		a.Subject, _, _ = strings.Cut(a.Email, "@")
		if role != "" {
			a.Role = l.T("role." + role)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func roleLabels() *locale.Localizer {
	cat, err := locale.Load(ui.Locales)
	if err != nil {
		panic(err) // the embedded catalogues are checked by tests
	}
	return cat.For(language.German)
}

// printDevBanner tells the newcomer where to go and as whom to sign in.
func printDevBanner(w io.Writer, cfg *config.Config, idp *devidp.Server) {
	base := strings.TrimSuffix(cfg.BaseURL, "/")
	fmt.Fprintf(w, "\nLotse läuft auf / is running at %s\n", base)
	fmt.Fprintf(w, "  Anmelden / sign in:           %s/login\n", base)
	if idp != nil {
		fmt.Fprintf(w, "  Entwicklungs-Anmeldung / development identity provider: %s\n", idp.Issuer())
		fmt.Fprintln(w, "  Demo-Konten / demo accounts (ein Klick, kein Passwort / one click, no password):")
		l := roleLabels()
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, a := range demo.Accounts() {
			fmt.Fprintf(tw, "    %s\t%s\t%s, %s\n", a.DisplayName, a.Email, l.T("role."+string(a.Role)), a.Org)
		}
		_ = tw.Flush()
	}
	fmt.Fprintf(w, "  Datenbank / database:         %s\n  Beenden / stop: Strg+C / Ctrl+C\n\n", config.RedactURL(cfg.DatabaseURL))
}
