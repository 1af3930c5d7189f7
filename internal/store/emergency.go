package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// Emergency is the repository of emergency accesses (model.EmergencyAccess) of one
// transaction. Which records an access admits is decided with every other scope, in
// visible (scopes.go, emergencyAccess); this repository writes and lists the accesses.
type Emergency struct{ db *gorm.DB }

// Emergency returns the emergency access repository.
func (tx *Tx) Emergency() Emergency { return Emergency{tx.db} }

// Create inserts the access with a new id, granted now (the store's clock) for the duration d.
func (r Emergency) Create(ctx context.Context, e *model.EmergencyAccess, d time.Duration) error {
	e.ID = model.NewID()
	e.GrantedAt = dbNow(r.db)
	e.ExpiresAt = e.GrantedAt.Add(d)
	err := r.db.WithContext(ctx).Exec(`INSERT INTO emergency_accesses (id, user_id, org_id, case_id, reason, granted_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, e.ID, e.UserID, e.OrgID, e.CaseID, e.Reason, e.GrantedAt, e.ExpiresAt).Error
	return translate("create emergency access", err)
}

// emergencySelect reads accesses with the case's reference and the names of the member and
// the organisation.
const emergencySelect = `SELECT ea.id, ea.user_id, ea.org_id, ea.case_id, ea.reason, ea.granted_at, ea.expires_at,
	c.reference, u.display_name AS user_name, o.name AS org_name
	FROM emergency_accesses ea JOIN cases c ON c.id = ea.case_id
	JOIN users u ON u.id = ea.user_id JOIN organisations o ON o.id = ea.org_id`

// Active returns the access of the member (user acting in org) to the case that lasts
// longest beyond now (the store's clock), or ErrNotFound when none is active.
func (r Emergency) Active(ctx context.Context, user, org, caseID uuid.UUID) (*model.EmergencyAccess, error) {
	var out []model.EmergencyAccess
	err := r.db.WithContext(ctx).Raw(emergencySelect+` WHERE ea.case_id = ? AND `+emergencyLive+`
		ORDER BY ea.expires_at DESC, ea.id LIMIT 1`, caseID, user, org, dbNow(r.db)).Scan(&out).Error
	if err != nil {
		return nil, translate("active emergency access", err)
	}
	if len(out) == 0 {
		return nil, model.ErrNotFound
	}
	return &out[0], nil
}

// List returns the newest accesses, at most limit, for the data protection officer.
func (r Emergency) List(ctx context.Context, limit int) ([]model.EmergencyAccess, error) {
	var out []model.EmergencyAccess
	err := r.db.WithContext(ctx).Raw(emergencySelect+` ORDER BY ea.granted_at DESC, ea.id DESC LIMIT ?`, limit).Scan(&out).Error
	return out, translate("list emergency accesses", err)
}

// Reads returns what the members read during the accesses: for each access, the audit
// events of its case by its user from its grant to its end, oldest first, at most
// emergencyReadsLimit in all. One statement for the whole list.
func (r Emergency) Reads(ctx context.Context, accesses []model.EmergencyAccess) (map[uuid.UUID][]model.AuditEvent, error) {
	out := make(map[uuid.UUID][]model.AuditEvent, len(accesses))
	if len(accesses) == 0 {
		return out, nil
	}
	ids := make([]uuid.UUID, len(accesses))
	for i, e := range accesses {
		ids[i] = e.ID
	}
	var events []model.AuditEvent
	err := r.db.WithContext(ctx).Model(&model.AuditEvent{}).
		Where(`EXISTS (SELECT 1 FROM emergency_accesses ea WHERE ea.id IN ? AND ea.case_id = audit_events.case_id
			AND ea.user_id = audit_events.actor_id AND audit_events.at >= ea.granted_at AND audit_events.at < ea.expires_at)`, ids).
		Order("at, id").Limit(emergencyReadsLimit).Find(&events).Error
	if err != nil {
		return nil, translate("emergency access reads", err)
	}
	for _, ev := range events {
		for _, e := range accesses {
			if ev.CaseID != nil && *ev.CaseID == e.CaseID && ev.ActorID != nil && *ev.ActorID == e.UserID &&
				!ev.At.Before(e.GrantedAt) && ev.At.Before(e.ExpiresAt) {
				out[e.ID] = append(out[e.ID], ev)
			}
		}
	}
	return out, nil
}

// emergencyReadsLimit bounds the audit events one review lists.
const emergencyReadsLimit = 5000
