package service

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"strings"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// A member's own business contact data (Dienstnummer, Funktionspostfach), shown to colleagues
// and to the other side of a referral (docs/sharing.md). Every signed-in member reads and
// changes their own, and only their own: the account is always the actor's, never one named
// by the caller, so no permission of the policy is needed.

// businessPhonePattern: digits, spaces and + / ( ) - only, with at least one digit.
var businessPhonePattern = regexp.MustCompile(`^[0-9 +/()\-]*[0-9][0-9 +/()\-]*$`)

const (
	maxBusinessPhone = 50
	maxBusinessEmail = 254
)

// validateBusinessContact checks c (already trimmed): each field empty or well-formed.
func validateBusinessContact(c model.BusinessContact) error {
	v := &model.ValidationError{}
	switch {
	case len(c.Phone) > maxBusinessPhone:
		v.Add("business_phone", model.CodeTooLong, model.Params{"max": maxBusinessPhone})
	case c.Phone != "" && !businessPhonePattern.MatchString(c.Phone):
		v.Add("business_phone", model.CodeFormat)
	}
	switch {
	case len(c.Email) > maxBusinessEmail:
		v.Add("business_email", model.CodeTooLong, model.Params{"max": maxBusinessEmail})
	case c.Email != "" && !plausibleEmail(c.Email):
		v.Add("business_email", model.CodeNotEmail)
	}
	return v.Err()
}

// plausibleEmail: a bare address (no name, no angle brackets) whose domain has a dot.
func plausibleEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndex(s, "@")
	dom := s[at+1:]
	return at > 0 && strings.Contains(dom, ".") && !strings.HasPrefix(dom, ".") && !strings.HasSuffix(dom, ".")
}

// ownAccount is the actor's account id; an actor without one (a system job) has no
// contact data to change.
func ownAccount(a model.Actor) (uuid.UUID, error) {
	if a.UserID == uuid.Nil {
		return uuid.Nil, fmt.Errorf("service: own contact data: no account: %w", model.ErrForbidden)
	}
	return a.UserID, nil
}

// OwnContact returns the actor's own account, for the page of their contact data.
func (d *Directory) OwnContact(ctx context.Context, a model.Actor) (*model.User, error) {
	id, err := ownAccount(a)
	if err != nil {
		return nil, err
	}
	var u *model.User
	err = d.store.Read(ctx, a, func(tx *store.Tx) error {
		u, err = tx.Users().ByID(ctx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("service: own contact data: %w", err)
	}
	return u, nil
}

// UpdateOwnContact sets the actor's own business phone and e-mail (both replaced; empty
// clears), if the account is still at version. Bad input is a ValidationError and changes
// nothing; the audit event member.update names the fields changed, not their values. A form
// that changes nothing writes nothing.
func (d *Directory) UpdateOwnContact(ctx context.Context, a model.Actor, in model.BusinessContact, version int) (*model.User, error) {
	id, err := ownAccount(a)
	if err != nil {
		return nil, err
	}
	if err := refuseBadText(in); err != nil {
		return nil, err
	}
	in.Phone, in.Email = strings.TrimSpace(in.Phone), strings.TrimSpace(in.Email)
	if err := validateBusinessContact(in); err != nil {
		return nil, err
	}
	var u *model.User
	err = d.store.Tx(ctx, a, func(tx *store.Tx) error {
		if u, err = tx.Users().ByID(ctx, id); err != nil {
			return err
		}
		if u.Version != version {
			return model.ErrConflict
		}
		changed := model.JSONMap{}
		if u.BusinessPhone != in.Phone {
			u.BusinessPhone, changed["business_phone"] = in.Phone, true
		}
		if u.BusinessEmail != in.Email {
			u.BusinessEmail, changed["business_email"] = in.Email, true
		}
		if len(changed) == 0 {
			return nil
		}
		if err := tx.Users().UpdateContact(ctx, u, version); err != nil {
			return err
		}
		return tx.Audit().Record(ctx, event(a, "member.update", objMember, u.ID, changed))
	})
	if err != nil {
		return nil, fmt.Errorf("service: update own contact data: %w", err)
	}
	return u, nil
}
