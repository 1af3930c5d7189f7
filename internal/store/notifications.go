package store

import (
	"context"
	"slices"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// Notifications is the repository of notifications, their settings and follow-ups.
type Notifications struct{ db *gorm.DB }

// Notifications returns the notification repository of this transaction.
func (tx *Tx) Notifications() Notifications { return Notifications{tx.db} }

// Create stores ns and returns those that were new: a notification already stored for the
// same member, kind, record and occasion is skipped, so that a reminder written by two
// instances, or by a job that runs again, exists once. For the new ones it enqueues, in this
// transaction, the job that e-mails those whose recipients chose "immediately" (one SQL
// statement for the rows, one for the job).
func (tx *Tx) CreateNotifications(ctx context.Context, ns []model.Notification) ([]model.Notification, error) {
	if len(ns) == 0 {
		return nil, nil
	}
	now := dbNow(tx.db)
	ids := make([]uuid.UUID, len(ns))
	users, orgs, objects := make([]uuid.UUID, len(ns)), make([]uuid.UUID, len(ns)), make([]uuid.UUID, len(ns))
	kinds, types, occasions := make([]string, len(ns)), make([]string, len(ns)), make([]string, len(ns))
	for i := range ns {
		if ns[i].ID == uuid.Nil {
			ns[i].ID = uuid.Must(uuid.NewV7())
		}
		ns[i].CreatedAt = now
		ids[i], users[i], orgs[i], objects[i] = ns[i].ID, ns[i].UserID, ns[i].OrgID, ns[i].ObjectID
		kinds[i], types[i], occasions[i] = string(ns[i].Kind), ns[i].ObjectType, ns[i].Occasion
	}
	var inserted []uuid.UUID
	err := tx.db.WithContext(ctx).Raw(`
		INSERT INTO notifications (id, user_id, org_id, kind, object_type, object_id, occasion, created_at)
		SELECT n.*, ?::timestamptz FROM unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::uuid[], ?::text[]) AS n
		ON CONFLICT (user_id, kind, object_id, occasion) DO NOTHING
		RETURNING id`,
		now, uuids(ids), uuids(users), uuids(orgs), model.StringList(kinds), model.StringList(types), uuids(objects), model.StringList(occasions)).Scan(&inserted).Error
	if err != nil {
		return nil, translate("create notifications", err)
	}
	created := slices.DeleteFunc(ns, func(n model.Notification) bool { return !slices.Contains(inserted, n.ID) })
	if len(created) == 0 {
		return nil, nil
	}
	if err := tx.Enqueue(ctx, model.DeliverArgs{IDs: inserted}, nil); err != nil {
		return nil, err
	}
	return created, nil
}

// recordTables are the tables of the records a notification or follow-up points at.
var recordTables = map[string]string{
	model.ObjectCase: "cases", model.ObjectTask: "tasks", model.ObjectReferral: "referrals", model.ObjectConsent: "consents",
}

// VisibleIDs returns those of ids that the scope sc (of the object type sc.Object) reaches
// today: the same predicate as every list and read of that type (visible), in one query.
func (tx *Tx) VisibleIDs(ctx context.Context, sc model.Scope, ids []uuid.UUID) ([]uuid.UUID, error) {
	table, ok := recordTables[sc.Object]
	if !ok || len(ids) == 0 || !sc.Allowed() {
		return nil, nil
	}
	var out []uuid.UUID
	err := visible(tx.db.WithContext(ctx).Table(table), sc).
		Where(table+".id = ANY(?::uuid[])", uuids(ids)).Pluck(table+".id", &out).Error
	return out, translate("visible "+table, err)
}
