package store

import (
	"time"

	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// Handovers is the repository of lead-organisation handovers, of one transaction. A handover
// is seen by its two organisations only: callers name the organisations they act for.
type Handovers struct{ db *gorm.DB }

// Handovers returns the handover repository.
func (tx *Tx) Handovers() Handovers { return Handovers{tx.db} }

// Create inserts h with a new id and version 1. A second pending handover of the same case
// is ErrConflict (the unique index).
func (r Handovers) Create(ctx context.Context, h *model.CaseHandover) error {
	return create(ctx, r.db, "create handover", h, stamp{&h.ID, &h.Version, &h.CreatedAt, &h.UpdatedAt})
}

// Get returns the handover id if it is from or to one of orgs, else ErrNotFound.
func (r Handovers) Get(ctx context.Context, orgs []uuid.UUID, id uuid.UUID) (*model.CaseHandover, error) {
	var h model.CaseHandover
	err := r.db.WithContext(ctx).Where("id = ? AND (from_org_id = ANY(?::uuid[]) OR to_org_id = ANY(?::uuid[]))", id, uuids(orgs), uuids(orgs)).Take(&h).Error
	if err != nil {
		return nil, translate("get handover", err)
	}
	return &h, nil
}

// Pending returns the pending handover of the case, or nil.
func (r Handovers) Pending(ctx context.Context, caseID uuid.UUID) (*model.CaseHandover, error) {
	var hs []model.CaseHandover
	err := r.db.WithContext(ctx).Where("case_id = ? AND status = ?", caseID, model.HandoverRequested).Limit(1).Find(&hs).Error
	if err != nil || len(hs) == 0 {
		return nil, translate("pending handover", err)
	}
	return &hs[0], nil
}

// PendingFor returns the pending handovers to (incoming) or from (outgoing) one of orgs,
// oldest first, with the references of their cases.
func (r Handovers) PendingFor(ctx context.Context, orgs []uuid.UUID, incoming bool, limit int) ([]model.HandoverItem, error) {
	col := "h.from_org_id"
	if incoming {
		col = "h.to_org_id"
	}
	var rows []struct {
		model.CaseHandover `gorm:"embedded"`
		CaseReference      string
	}
	err := r.db.WithContext(ctx).Table("case_handovers h").Select("h.*, c.reference AS case_reference").
		Joins("JOIN cases c ON c.id = h.case_id").
		Where(col+" = ANY(?::uuid[]) AND h.status = ?", uuids(orgs), model.HandoverRequested).
		Order("h.created_at, h.id").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, translate("list handovers", err)
	}
	out := make([]model.HandoverItem, len(rows))
	for i, row := range rows {
		out[i] = model.HandoverItem{CaseHandover: row.CaseHandover, Reference: row.CaseReference}
	}
	return out, nil
}

// Update writes the answer of h (status, answer reason, who and when) if its stored version
// is still version and it is still pending; a lost race is ErrConflict.
func (r Handovers) Update(ctx context.Context, h *model.CaseHandover, version int) error {
	return update[model.CaseHandover](ctx, r.db, "update handover", stamp{version: &h.Version, updatedAt: &h.UpdatedAt}, version, map[string]any{
		"status": h.Status, "answer_reason": h.AnswerReason, "answered_by": h.AnsweredBy, "answered_at": h.AnsweredAt,
	}, "id = ? AND status = ?", h.ID, model.HandoverRequested)
}

// SetLead moves the case to the lead organisation org with the responsible caseworker
// responsible (nil: none), if its stored version is still version; a lost race is
// ErrConflict. Only an accepted handover calls it.
func (r Cases) SetLead(ctx context.Context, c *model.Case, version int) error {
	return update[model.Case](ctx, r.db, "hand over case", stamp{version: &c.Version, updatedAt: &c.UpdatedAt}, version, map[string]any{
		"lead_org_id": c.LeadOrgID, "responsible_user_id": c.ResponsibleUserID,
	}, "id = ?", c.ID)
}

// Caseworkers returns the active accounts holding the caseworker role in org, by name: who
// may be made responsible for a case the organisation leads.
func (r Cases) Caseworkers(ctx context.Context, org uuid.UUID) ([]model.Colleague, error) {
	var out []model.Colleague
	err := r.db.WithContext(ctx).Raw(`SELECT u.id, u.display_name AS name FROM users u
		WHERE u.active AND EXISTS (SELECT 1 FROM role_grants g WHERE g.user_id = u.id AND g.org_id = ? AND g.role = ?)
		ORDER BY u.display_name, u.id`, org, model.RoleCaseworker).Scan(&out).Error
	return out, translate("list caseworkers", err)
}

// Delete removes the person from the case's household if its stored version is still
// version; a lost race is ErrConflict.
func (r Persons) Delete(ctx context.Context, p *model.Person, version int) error {
	res := r.db.WithContext(ctx).Where("id = ? AND case_id = ? AND version = ?", p.ID, p.CaseID, version).Delete(&model.Person{})
	if err := translate("delete person", res.Error); err != nil {
		return err
	}
	if res.RowsAffected == 0 {
		return conflict("delete person")
	}
	return nil
}

// SetPrimary makes the person id the case's only main person: the old main person first
// loses the mark, then id gets it (the unique index allows one main person per case and is
// checked row by row, so one statement swapping both could trip it). The caller runs both in
// its transaction. Each changed row's version is bumped.
func (r Persons) SetPrimary(ctx context.Context, caseID, id uuid.UUID) error {
	now := dbNow(r.db)
	err := r.db.WithContext(ctx).Exec(`UPDATE persons SET is_primary = false, version = version + 1, updated_at = ?
		WHERE case_id = ? AND is_primary AND id <> ?`, now, caseID, id).Error
	if err != nil {
		return translate("set main person", err)
	}
	err = r.db.WithContext(ctx).Exec(`UPDATE persons SET is_primary = true, version = version + 1, updated_at = ?
		WHERE case_id = ? AND id = ? AND NOT is_primary`, now, caseID, id).Error
	return translate("set main person", err)
}

// NamedByConsents reports whether a consent names the person.
func (r Persons) NamedByConsents(ctx context.Context, id uuid.UUID) (bool, error) {
	var ok bool
	err := r.db.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM consents WHERE person_id = ?)`, id).Scan(&ok).Error
	return ok, translate("consents of person", err)
}

// CancelOfFormerLead cancels, at `at`, the open tasks of org on the case that do not hang on
// a referral to org: the former lead organisation's own follow-ups of a case it handed over.
// Their reason is "access ended"; it runs in the transaction that moves the lead, so the
// former lead's access (through its tasks) ends with the handover. It returns the cancelled
// tasks for their audit events.
func (r Tasks) CancelOfFormerLead(ctx context.Context, caseID, org uuid.UUID, at time.Time) ([]model.Task, error) {
	var out []model.Task
	err := r.db.WithContext(ctx).Raw(`
		UPDATE tasks t SET status = 'cancelled', status_reason = ?, done_at = NULL, version = t.version + 1, updated_at = ?
		WHERE t.case_id = ? AND t.org_id = ? AND t.status NOT IN `+sqlClosedTask+`
		AND NOT EXISTS (SELECT 1 FROM referrals r WHERE r.id = t.referral_id AND r.to_org_id = t.org_id)
		RETURNING t.*`, model.TaskReasonAccessEnded, at, caseID, org).Scan(&out).Error
	return out, translate("cancel tasks of the former lead", err)
}
