package store

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

// Staff is the store's view of members as staff: their names and business contact data,
// seen through the "staff" scope (policy object staff). It is not case content and carries
// no private data: display name, business phone and business e-mail only.
//
// The "staff" predicates: org and org_tree reach the members of the acting organisation (or
// its subtree), as for "member"; referred reaches the contact persons of the referrals the
// acting organisations sent or received: who sent it (or, for a referral without a recorded
// sender, the case's responsible caseworker), who answers it and who answered it. An
// organisation without a referral between it and another organisation reaches none of that
// organisation's staff.
func init() {
	predicates["staff"] = map[model.ScopeKind]predicate{
		model.ScopeOrgTree: func(sc model.Scope, _ time.Time) (string, []any) {
			return "EXISTS (SELECT 1 FROM role_grants sg WHERE sg.user_id = users.id AND sg.org_id = ANY(?::uuid[]))", []any{uuids(sc.OrgTree)}
		},
		model.ScopeOrg: func(sc model.Scope, _ time.Time) (string, []any) {
			return "EXISTS (SELECT 1 FROM role_grants sg WHERE sg.user_id = users.id AND sg.org_id = ?)", []any{sc.OrgID}
		},
		model.ScopeReferred: func(sc model.Scope, _ time.Time) (string, []any) {
			o := orgsOf(sc)
			return `(EXISTS (SELECT 1 FROM referrals sr WHERE (sr.from_org_id = ANY(?::uuid[]) OR sr.to_org_id = ANY(?::uuid[]))
				AND users.id IN (sr.sent_by, sr.assignee_id, sr.answered_by))
			OR EXISTS (SELECT 1 FROM referrals sr JOIN cases sc ON sc.id = sr.case_id
				WHERE sr.to_org_id = ANY(?::uuid[]) AND sr.sent_by IS NULL AND sc.responsible_user_id = users.id))`, []any{o, o, o}
		},
	}
}

// Staff returns the staff of a transaction.
func (tx *Tx) Staff() Staff { return Staff{tx.Users()} }

// Staff reads members as staff (see init above).
type Staff struct{ u Users }

// StaffRow is one member as staff: name and business contact data.
type StaffRow struct {
	ID            uuid.UUID
	DisplayName   string
	BusinessPhone string
	BusinessEmail string
}

// Contacts returns the members ids that sc (a "staff" scope) reaches, with their business
// contact data; members it does not reach are left out.
func (r Staff) Contacts(ctx context.Context, sc model.Scope, ids []uuid.UUID) (map[uuid.UUID]StaffRow, error) {
	out := map[uuid.UUID]StaffRow{}
	if len(ids) == 0 || !sc.Allowed() {
		return out, nil
	}
	var rows []StaffRow
	err := visible(r.u.db.WithContext(ctx).Model(&model.User{}), sc).
		Select("users.id, users.display_name, users.business_phone, users.business_email").
		Where("users.id = ANY(?::uuid[])", uuids(ids)).Scan(&rows).Error
	if err != nil {
		return nil, translate("staff contacts", err)
	}
	for _, u := range rows {
		out[u.ID] = u
	}
	return out, nil
}

// Names returns the display names of the members ids that sc (a "staff" scope) reaches.
func (r Staff) Names(ctx context.Context, sc model.Scope, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	rows, err := r.Contacts(ctx, sc, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]string, len(rows))
	for id, u := range rows {
		out[id] = u.DisplayName
	}
	return out, nil
}

// AnswersFor reports whether user is an active account with the caseworker role in org: the
// people who may answer a referral addressed to org.
func (r Staff) AnswersFor(ctx context.Context, user, org uuid.UUID) (bool, error) {
	var n int64
	err := r.u.db.WithContext(ctx).Model(&model.User{}).
		Joins("JOIN role_grants ag ON ag.user_id = users.id").
		Where("users.id = ? AND users.active AND ag.org_id = ? AND ag.role = ?", user, org, model.RoleCaseworker).
		Count(&n).Error
	return n > 0, translate("check who answers", err)
}

// Answerers returns the active accounts with the caseworker role in orgs, by name: whom a
// department head may name to answer a referral addressed to one of orgs.
func (r Staff) Answerers(ctx context.Context, orgs []uuid.UUID) ([]TeamMember, error) {
	var out []TeamMember
	err := r.u.db.WithContext(ctx).Model(&model.User{}).
		Joins("JOIN role_grants ag ON ag.user_id = users.id").
		Where("users.active AND ag.org_id = ANY(?::uuid[]) AND ag.role = ?", uuids(orgs), model.RoleCaseworker).
		Distinct("users.id AS id", "users.display_name AS name", "ag.org_id AS org_id").
		Order("name, id, org_id").Scan(&out).Error
	return out, translate("list who answers", err)
}

// TeamReferrals returns the referrals of ids that sc (a referral read scope) reaches, in
// the order of ids: the page of the team's referral list that TeamReferralFigures chose.
func (r Dashboard) TeamReferrals(ctx context.Context, sc model.Scope, ids []uuid.UUID) ([]model.Referral, error) {
	out := []model.Referral{}
	if len(ids) == 0 {
		return out, nil
	}
	err := visible(r.db.WithContext(ctx).Model(&model.Referral{}), sc).
		Where("referrals.id = ANY(?::uuid[])", uuids(ids)).Find(&out).Error
	slices.SortFunc(out, func(a, b model.Referral) int { return slices.Index(ids, a.ID) - slices.Index(ids, b.ID) })
	return out, translate("list team referrals", err)
}
