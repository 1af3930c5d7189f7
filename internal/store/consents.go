package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/lotse-project/lotse/internal/model"
)

// Consents is the consent repository of one transaction.
type Consents struct{ db *gorm.DB }

// Consents returns the consent repository.
func (tx *Tx) Consents() Consents { return Consents{tx.db} }

// Create inserts c and its recipients with a new id and version 1.
func (r Consents) Create(ctx context.Context, c *model.Consent) error {
	if err := create(ctx, r.db, "create consent", c, stamp{id: &c.ID, version: &c.Version}); err != nil {
		return err
	}
	db := r.db.WithContext(ctx)
	for _, org := range c.Recipients {
		if err := db.Exec(`INSERT INTO consent_recipients (consent_id, org_id) VALUES (?, ?)`, c.ID, org).Error; err != nil {
			return translate("create consent recipient", err)
		}
	}
	return nil
}

// Get returns one consent with its recipients if sc reaches it, else ErrNotFound.
func (r Consents) Get(ctx context.Context, sc model.Scope, id uuid.UUID) (*model.Consent, error) {
	out, err := withRecipients(visible(r.db.WithContext(ctx).Model(&model.Consent{}), sc).Where("consents.id = ?", id).Limit(1))
	if err != nil {
		return nil, translate("get consent", err)
	}
	if len(out) == 0 {
		return nil, translate("get consent", gorm.ErrRecordNotFound)
	}
	return &out[0], nil
}

// ForCase returns the consents of a case that sc reaches, newest first, with recipients.
func (r Consents) ForCase(ctx context.Context, sc model.Scope, caseID uuid.UUID) ([]model.Consent, error) {
	out, err := withRecipients(consentsOfCase(r.db.WithContext(ctx), sc, caseID))
	return out, translate("list consents", err)
}

// consentsOfCase is the query of ForCase, without its columns (withRecipients, Cases.Lists).
func consentsOfCase(db *gorm.DB, sc model.Scope, caseID uuid.UUID) *gorm.DB {
	return visible(db.Model(&model.Consent{}), sc).Where("consents.case_id = ?", caseID).Order("consents.recorded_at DESC, consents.id")
}

// consentColumns are a consent's columns and its recipients (lotse_recipients, text[]).
const consentColumns = `consents.*, ARRAY(SELECT cr.org_id::text FROM consent_recipients cr
		WHERE cr.consent_id = consents.id ORDER BY cr.org_id) AS lotse_recipients`

// withRecipients runs q, a query of consents, and returns them with their recipients read in
// the same statement (one round trip, where a second statement for the recipients was one
// more on every case page). The recipients are in the order of their ids, as loadRecipients
// gives them.
func withRecipients(q *gorm.DB) ([]model.Consent, error) {
	var rows []struct {
		Row        model.Consent    `gorm:"embedded"`
		Recipients model.StringList `gorm:"column:lotse_recipients"`
	}
	err := q.Select(consentColumns).Find(&rows).Error
	if err != nil {
		return nil, err
	}
	out := make([]model.Consent, len(rows))
	for i, row := range rows {
		out[i] = row.Row
		out[i].Recipients = make([]uuid.UUID, len(row.Recipients))
		for j, id := range row.Recipients {
			if out[i].Recipients[j], err = uuid.Parse(id); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// ForCover returns a consent regardless of scope and holds a share lock on it until the
// transaction ends: a referral checked against it cannot race with its revocation (the
// revocation waits, and then also revokes the new referral; or the check waits and sees
// the revocation). For rules that run after access to the case was checked; never for showing.
func (r Consents) ForCover(ctx context.Context, id uuid.UUID) (*model.Consent, error) {
	var c model.Consent
	err := r.db.WithContext(ctx).Clauses(clause.Locking{Strength: "SHARE"}).Where("id = ?", id).Take(&c).Error
	if err != nil {
		return nil, translate("get consent", err)
	}
	if err := r.loadRecipients(ctx, []*model.Consent{&c}); err != nil {
		return nil, err
	}
	return &c, nil
}

func (r Consents) loadRecipients(ctx context.Context, cs []*model.Consent) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]uuid.UUID, len(cs))
	byID := make(map[uuid.UUID]*model.Consent, len(cs))
	for i, c := range cs {
		ids[i], byID[c.ID] = c.ID, c
		c.Recipients = []uuid.UUID{}
	}
	var rows []struct {
		ConsentID uuid.UUID
		OrgID     uuid.UUID
	}
	err := r.db.WithContext(ctx).Raw(`SELECT consent_id, org_id FROM consent_recipients
		WHERE consent_id = ANY(?::uuid[]) ORDER BY consent_id, org_id`, uuids(ids)).Scan(&rows).Error
	if err != nil {
		return translate("list consent recipients", err)
	}
	for _, row := range rows {
		c := byID[row.ConsentID]
		c.Recipients = append(c.Recipients, row.OrgID)
	}
	return nil
}

// Revoke marks c revoked at `at` by `by`, if its stored version is still version and it is
// not revoked yet; otherwise ErrConflict.
func (r Consents) Revoke(ctx context.Context, c *model.Consent, at time.Time, by *uuid.UUID, version int) error {
	err := update[model.Consent](ctx, r.db, "revoke consent", stamp{version: &c.Version}, version,
		map[string]any{"revoked_at": at, "revoked_by": by}, "id = ? AND revoked_at IS NULL", c.ID)
	if err != nil {
		return err
	}
	c.RevokedAt, c.RevokedBy = &at, by
	return nil
}

// PersonInCase reports whether person belongs to the household of the case.
func (r Consents) PersonInCase(ctx context.Context, person, caseID uuid.UUID) (bool, error) {
	var ok bool
	err := r.db.WithContext(ctx).Raw(`SELECT EXISTS (SELECT 1 FROM persons WHERE id = ? AND case_id = ?)`, person, caseID).Scan(&ok).Error
	return ok, translate("check person of case", err)
}
