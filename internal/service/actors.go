package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/authz"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Access resolves who is acting and answers route-level permission questions.
type Access struct{ base }

// ActorRequest is what the web layer knows about who is calling.
type ActorRequest struct {
	UserID uuid.UUID
	// OrgID is the organisation the user chose to act in; nil picks the first of their
	// organisations by name.
	OrgID      *uuid.UUID
	RequestID  string
	RemoteAddr string
	// Known is the account as the sign-in already read it in this request (with the session,
	// or for a bearer token); nil, or another account, reads it.
	Known *model.User
}

// Actor resolves a signed-in user into an Actor acting in one organisation. A deactivated or
// unknown account is ErrUnauthenticated; an organisation the user holds no role in is
// ErrForbidden.
func (d *Access) Actor(ctx context.Context, r ActorRequest) (model.Actor, []authz.Membership, error) {
	u := r.Known
	var err error
	if u == nil || u.ID != r.UserID {
		// One statement, no transaction (see docs/performance.md, "Round trips per request").
		err = d.store.One(ctx, model.Actor{System: true}, func(tx *store.Tx) error {
			var err error
			u, err = tx.Users().ByID(ctx, r.UserID)
			return err
		})
	}
	if errors.Is(err, model.ErrNotFound) || (err == nil && !u.Active) {
		return model.Actor{}, nil, fmt.Errorf("service: actor: %w", model.ErrUnauthenticated)
	}
	if err != nil {
		return model.Actor{}, nil, err
	}
	ms := d.authz.Memberships(u.ID)
	a := model.Actor{UserID: u.ID, Name: u.DisplayName, RequestID: r.RequestID, RemoteAddr: r.RemoteAddr}
	for _, m := range ms {
		if r.OrgID == nil || m.Org.ID == *r.OrgID {
			a.OrgID, a.OrgKind, a.Roles = m.Org.ID, m.Org.Kind, m.Roles
			return a, ms, nil
		}
	}
	if r.OrgID != nil {
		return model.Actor{}, ms, fmt.Errorf("service: actor: no role in the chosen organisation: %w", model.ErrForbidden)
	}
	// A user without any grant may still sign in and see that they have no access yet.
	return a, ms, nil
}

// Allowed reports whether the actor may do act on obj with any scope (the route-level check).
func (d *Access) Allowed(a model.Actor, obj, act string) (bool, error) {
	sc, err := d.scope(a, obj, act)
	return sc.Allowed(), err
}

// Memberships lists the organisations the actor may act in, with the roles held there.
func (d *Access) Memberships(a model.Actor) []authz.Membership {
	return d.authz.Memberships(a.UserID)
}
