package store

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// Users is the account repository of one transaction.
type Users struct{ db *gorm.DB }

// Users returns the account repository.
func (tx *Tx) Users() Users { return Users{tx.db} }

// MemberFilter narrows a member list.
type MemberFilter struct {
	// OrgID, when set, lists only users holding a grant in that organisation.
	OrgID *uuid.UUID
}

// List returns the users sc reaches (as "member" records), by name.
func (r Users) List(ctx context.Context, sc model.Scope, f MemberFilter) ([]model.User, error) {
	q := visible(r.db.WithContext(ctx).Model(&model.User{}), sc)
	if f.OrgID != nil {
		q = q.Where("EXISTS (SELECT 1 FROM role_grants f WHERE f.user_id = users.id AND f.org_id = ?)", *f.OrgID)
	}
	var out []model.User
	err := q.Order("display_name, id").Find(&out).Error
	return out, translate("list users", err)
}

// Names returns the display names of those of ids that sc (a "member" read scope) reaches:
// one query over the named accounts only, for the people a page mentions. An account sc
// does not reach is left out (the page says "another person").
func (r Users) Names(ctx context.Context, sc model.Scope, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	out := map[uuid.UUID]string{}
	if len(ids) == 0 || !sc.Allowed() {
		return out, nil
	}
	var rows []struct {
		ID          uuid.UUID
		DisplayName string
	}
	err := visible(r.db.WithContext(ctx).Model(&model.User{}), sc).Select("users.id, users.display_name").
		Where("users.id IN ?", ids).Find(&rows).Error
	if err != nil {
		return nil, translate("name users", err)
	}
	for _, u := range rows {
		out[u.ID] = u.DisplayName
	}
	return out, nil
}

// Get returns one user if sc reaches it, else ErrNotFound.
func (r Users) Get(ctx context.Context, sc model.Scope, id uuid.UUID) (*model.User, error) {
	var u model.User
	err := visible(r.db.WithContext(ctx).Model(&model.User{}), sc).Where("users.id = ?", id).Take(&u).Error
	if err != nil {
		return nil, translate("get user", err)
	}
	return &u, nil
}

// ByID returns a user regardless of scope: for the system (login, directory), never for a
// user's request.
func (r Users) ByID(ctx context.Context, id uuid.UUID) (*model.User, error) {
	var u model.User
	if err := r.db.WithContext(ctx).Where("id = ?", id).Take(&u).Error; err != nil {
		return nil, translate("get user", err)
	}
	return &u, nil
}

// ByIdentity returns the account of (issuer, subject), for sign-in and the directory tool.
func (r Users) ByIdentity(ctx context.Context, issuer, subject string) (*model.User, error) {
	var u model.User
	if err := r.db.WithContext(ctx).Where("issuer = ? AND subject = ?", issuer, subject).Take(&u).Error; err != nil {
		return nil, translate("get user by identity", err)
	}
	return &u, nil
}

// ByEmail returns the account with this e-mail address (case-insensitive), for linking a
// pre-provisioned account and for the directory tool.
func (r Users) ByEmail(ctx context.Context, email string) (*model.User, error) {
	var u model.User
	if err := r.db.WithContext(ctx).Where("lower(email) = ?", strings.ToLower(email)).Take(&u).Error; err != nil {
		return nil, translate("get user by e-mail", err)
	}
	return &u, nil
}

// All returns every account: for the directory tool.
func (r Users) All(ctx context.Context) ([]model.User, error) {
	var out []model.User
	err := r.db.WithContext(ctx).Order("display_name, id").Find(&out).Error
	return out, translate("list all users", err)
}

// Create inserts u with a new id and version 1.
func (r Users) Create(ctx context.Context, u *model.User) error {
	return create(ctx, r.db, "create user", u, stamp{&u.ID, &u.Version, &u.CreatedAt, &u.UpdatedAt})
}

// Update writes u if its stored version is still version (else ErrConflict).
func (r Users) Update(ctx context.Context, u *model.User, version int) error {
	return update[model.User](ctx, r.db, "update user", stamp{version: &u.Version, updatedAt: &u.UpdatedAt}, version, map[string]any{
		"issuer": u.Issuer, "subject": u.Subject, "email": u.Email, "display_name": u.DisplayName,
		"active": u.Active, "service": u.Service,
	}, "id = ?", u.ID)
}

// UpdateContact writes only u's business phone and e-mail, if its stored version is still
// version (else ErrConflict).
func (r Users) UpdateContact(ctx context.Context, u *model.User, version int) error {
	return update[model.User](ctx, r.db, "update contact data", stamp{version: &u.Version, updatedAt: &u.UpdatedAt}, version, map[string]any{
		"business_phone": u.BusinessPhone, "business_email": u.BusinessEmail,
	}, "id = ?", u.ID)
}

// TouchLogin records a sign-in time without bumping the version (it is no edit).
func (r Users) TouchLogin(ctx context.Context, id uuid.UUID, at time.Time) error {
	return translate("record sign-in", r.db.WithContext(ctx).Model(&model.User{}).Where("id = ?", id).UpdateColumn("last_login_at", at).Error)
}

// Lock takes the row lock of an account until the transaction ends, so that two changes of
// its grants are serialised and each checks the other's result (separation of duties).
func (r Users) Lock(ctx context.Context, id uuid.UUID) error {
	var n int64
	err := r.db.WithContext(ctx).Raw(`SELECT count(*) FROM (SELECT 1 FROM users WHERE id = ? FOR UPDATE) l`, id).Scan(&n).Error
	if err != nil {
		return translate("lock account", err)
	}
	if n == 0 {
		return translate("lock account", gorm.ErrRecordNotFound)
	}
	return nil
}
