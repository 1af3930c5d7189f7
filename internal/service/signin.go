package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Sign-in refusals, each shown as its own page.
var (
	// ErrNotActivated: the identity is valid but no Lotse account is linked to it, and no
	// rule creates one.
	ErrNotActivated = errors.New("account not activated for Lotse")
	// ErrDeactivated: the account exists but was deactivated.
	ErrDeactivated = errors.New("account deactivated")
)

// ClaimMapping grants a role to a first-time user whose token carries Value in Claim.
type ClaimMapping struct {
	Claim, Value, Org string
	Role              model.Role
}

// SignIn is a verified identity from a provider, with that provider's linking rules.
type SignIn struct {
	Issuer, Subject, Email, Name string
	EmailVerified                bool
	// TrustEmail: this provider is trusted to link a first sign-in to an account that was
	// pre-provisioned for the same, verified e-mail address.
	TrustEmail bool
	Mappings   []ClaimMapping
	Claims     map[string]any
	RemoteAddr string
	RequestID  string
}

// SignIn finds the account of a verified identity: by (issuer, subject); else, for a trusted
// provider and a verified e-mail, a pre-provisioned account not yet linked to anyone; else a
// new account with the grants of the provider's claim-mapping rules; else ErrNotActivated.
// The account is never matched by e-mail alone for an untrusted provider.
func (d *Access) SignIn(ctx context.Context, in SignIn) (uuid.UUID, error) {
	// A provider's claims are text from outside like any other; the account stores them.
	if err := refuseBadText(textInput{"issuer": in.Issuer, "subject": in.Subject, "email": in.Email, "name": in.Name}); err != nil {
		return uuid.Nil, fmt.Errorf("service: sign-in: %w", err)
	}
	var user *model.User
	provisioned := false
	sys := model.Actor{System: true, Name: "sign-in", RequestID: in.RequestID, RemoteAddr: in.RemoteAddr}
	err := d.store.Tx(ctx, sys, func(tx *store.Tx) error {
		u, err := tx.Users().ByIdentity(ctx, in.Issuer, in.Subject)
		switch {
		case err == nil:
			user = u
		case !errors.Is(err, model.ErrNotFound):
			return err
		case in.TrustEmail && in.EmailVerified && in.Email != "":
			u, err := tx.Users().ByEmail(ctx, in.Email)
			if err != nil && !errors.Is(err, model.ErrNotFound) {
				return err
			}
			if err == nil && u.Subject == nil && (u.Issuer == "" || u.Issuer == in.Issuer) {
				subject := in.Subject
				u.Issuer, u.Subject = in.Issuer, &subject
				if err := tx.Users().Update(ctx, u, u.Version); err != nil {
					return err
				}
				if err := tx.Audit().Record(ctx, event(sys, "member.link", objMember, u.ID, model.JSONMap{"issuer": in.Issuer})); err != nil {
					return err
				}
				user = u
			}
		}
		if user == nil {
			u, err := d.provision(ctx, tx, sys, in)
			if err != nil {
				return err
			}
			user, provisioned = u, true
		}
		if !user.Active {
			return ErrDeactivated
		}
		now := d.now().UTC()
		user.LastLoginAt = &now
		if err := tx.Users().TouchLogin(ctx, user.ID, now); err != nil {
			return err
		}
		a := sys
		a.UserID, a.Name = user.ID, user.DisplayName
		return tx.Audit().Record(ctx, event(a, "session.login", objMember, user.ID, model.JSONMap{"issuer": in.Issuer}))
	})
	if err != nil {
		return uuid.Nil, err
	}
	if provisioned {
		// The new grants must count on this instance from the very next request, not only
		// once the watcher has heard the notification.
		d.reloadPolicy(ctx)
	}
	return user.ID, nil
}

// provision creates an account from the claim-mapping rules, or refuses.
func (d *Access) provision(ctx context.Context, tx *store.Tx, sys model.Actor, in SignIn) (*model.User, error) {
	var grants []model.Grant
	orgs, err := tx.Organisations().All(ctx)
	if err != nil {
		return nil, err
	}
	for _, m := range in.Mappings {
		if !claimHas(in.Claims[m.Claim], m.Value) {
			continue
		}
		for _, o := range orgs {
			if strings.EqualFold(o.ShortName, m.Org) && o.Active && m.Role.Valid() {
				grants = append(grants, model.Grant{OrgID: o.ID, Role: m.Role})
			}
		}
	}
	// Claim mappings that would combine roles the separation of duties keeps apart give only
	// the role without case content: a provider's groups never open cases to an
	// administrator or the data protection officer.
	allows := map[uuid.UUID]bool{}
	for _, o := range orgs {
		allows[o.ID] = o.AllowsAdminCasework()
	}
	grants, withheld := d.authz.Duties().Withhold(grants, func(id uuid.UUID) bool { return allows[id] })
	for _, c := range withheld {
		d.log.Warn("sign-in: claim mapping not applied: separation of duties",
			slog.String("role", string(c.Role)), slog.String("org_id", c.OrgID.String()), slog.String("conflicts_with", string(c.With)))
	}
	if len(grants) == 0 {
		return nil, ErrNotActivated
	}
	subject := in.Subject
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = in.Email
	}
	if name == "" {
		name = in.Subject
	}
	u := &model.User{Issuer: in.Issuer, Subject: &subject, DisplayName: name, Active: true}
	if in.EmailVerified && in.Email != "" {
		// An e-mail that belongs to another account stays with that account. Checked before
		// the insert: after a failed insert the transaction would be aborted.
		switch _, err := tx.Users().ByEmail(ctx, in.Email); {
		case errors.Is(err, model.ErrNotFound):
			u.Email = in.Email
		case err != nil:
			return nil, err
		}
	}
	if err := tx.Users().Create(ctx, u); err != nil {
		return nil, err
	}
	if err := tx.Audit().Record(ctx, event(sys, "member.create", objMember, u.ID, model.JSONMap{"issuer": in.Issuer, "by": "claim mapping"})); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, g := range grants {
		key := g.OrgID.String() + string(g.Role)
		if seen[key] {
			continue
		}
		seen[key] = true
		g.UserID = u.ID
		if err := tx.Grants().Create(ctx, &g); err != nil {
			return nil, err
		}
		if err := tx.Audit().Record(ctx, event(sys, "grant.create", "grant", g.ID, model.JSONMap{"user_id": u.ID.String(), "org_id": g.OrgID.String(), "role": g.Role, "by": "claim mapping"})); err != nil {
			return nil, err
		}
	}
	if err := tx.NotifyPolicyChanged(ctx); err != nil {
		return nil, err
	}
	return u, nil
}

func claimHas(v any, want string) bool {
	switch c := v.(type) {
	case string:
		return c == want
	case []any:
		for _, x := range c {
			if s, ok := x.(string); ok && s == want {
				return true
			}
		}
	}
	return false
}

// SignInBearer finds the account of an API token's identity: only an existing, active
// account of exactly (issuer, subject); tokens never create or link accounts.
func (d *Access) SignInBearer(ctx context.Context, issuer, subject string) (uuid.UUID, error) {
	u, err := d.BearerAccount(ctx, issuer, subject)
	if err != nil {
		return uuid.Nil, err
	}
	return u.ID, nil
}

// BearerAccount is SignInBearer returning the account itself, so that resolving the actor
// (ActorRequest.Known) does not read it a second time.
func (d *Access) BearerAccount(ctx context.Context, issuer, subject string) (*model.User, error) {
	if !model.TextOK(issuer) || !model.TextOK(subject) {
		return nil, fmt.Errorf("service: bearer: bad characters in the identity: %w", model.ErrUnauthenticated)
	}
	var u *model.User
	err := d.store.One(ctx, model.Actor{System: true}, func(tx *store.Tx) error {
		var err error
		u, err = tx.Users().ByIdentity(ctx, issuer, subject)
		return err
	})
	switch {
	case errors.Is(err, model.ErrNotFound):
		return nil, fmt.Errorf("service: bearer: %w", model.ErrUnauthenticated)
	case err != nil:
		return nil, err
	case !u.Active:
		return nil, fmt.Errorf("service: bearer: %w", model.ErrUnauthenticated)
	}
	return u, nil
}
