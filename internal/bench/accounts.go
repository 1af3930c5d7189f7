package bench

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Kind is the kind of account a route is for.
type Kind string

// The kinds of account the harness signs in.
const (
	// Caseworker: a caseworker of a municipal organisation (cases, tasks, notes).
	Caseworker Kind = "caseworker"
	// Lead: a lead or department head (team dashboard, case list).
	Lead Kind = "lead"
	// Partner: a caseworker of a partner organisation (jobcenter, welfare, school, civil
	// society): the referral inbox and their tasks.
	Partner Kind = "partner"
)

// Kinds are all kinds, in the order of the report.
var Kinds = []Kind{Caseworker, Lead, Partner}

// Account is one user the harness signs in as.
type Account struct {
	UserID string `json:"user_id"`
	Email  string `json:"email"`
	// Subject is what the identity provider signs in (the development identity provider:
	// the local part of the e-mail address).
	Subject string `json:"subject"`
	Name    string `json:"name"`
	Kind    Kind   `json:"kind"`
	Role    string `json:"role"`
	OrgID   string `json:"org_id"`
	Org     string `json:"org"`
}

// AccountSource yields the accounts to sign in, up to perKind of every kind.
type AccountSource interface {
	Accounts(ctx context.Context, perKind int) ([]Account, error)
}

// DBAccounts picks accounts from the database Lotse serves: active users with exactly one
// grant (so the organisation they act in after sign-in is known), caseworker or lead, in an
// active organisation. It works for the demo data and for generated data alike, as long as
// the identity provider knows the accounts by Subject (the development identity provider of
// `lotse-dev dev` knows the demo accounts by the local part of their e-mail address).
// Accounts are spread over organisations by a stable hash of the e-mail address.
type DBAccounts struct {
	Pool *pgxpool.Pool
	// Subject maps an account to the identity provider's subject; nil: the e-mail's local part.
	Subject func(Account) string
}

// Accounts implements AccountSource.
func (s DBAccounts) Accounts(ctx context.Context, perKind int) ([]Account, error) {
	rows, err := s.Pool.Query(ctx, `
		SELECT u.id::text, u.email, u.display_name, g.role, o.id::text, o.short_name, o.kind
		  FROM users u
		  JOIN role_grants g ON g.user_id = u.id
		  JOIN organisations o ON o.id = g.org_id
		 WHERE u.active AND NOT u.service AND o.active AND u.email <> ''
		   AND g.role IN ('caseworker', 'lead')
		   AND (SELECT count(*) FROM role_grants g2 WHERE g2.user_id = u.id) = 1
		 ORDER BY md5(u.email)`)
	if err != nil {
		return nil, fmt.Errorf("bench: accounts: %w", err)
	}
	defer rows.Close()
	var out []Account
	per := map[Kind]int{}
	for rows.Next() {
		var a Account
		var orgKind string
		if err := rows.Scan(&a.UserID, &a.Email, &a.Name, &a.Role, &a.OrgID, &a.Org, &orgKind); err != nil {
			return nil, fmt.Errorf("bench: accounts: %w", err)
		}
		switch {
		case a.Role == "lead":
			a.Kind = Lead
		case orgKind == "municipal":
			a.Kind = Caseworker
		default:
			a.Kind = Partner
		}
		if per[a.Kind] >= perKind {
			continue
		}
		per[a.Kind]++
		a.Subject, _, _ = strings.Cut(a.Email, "@")
		if s.Subject != nil {
			a.Subject = s.Subject(a)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("bench: accounts: %w", err)
	}
	return out, nil
}
