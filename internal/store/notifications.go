package store

import (
	"cmp"
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

// CreateNotifications stores ns and returns those that were new (InsertNotifications), and
// for the new ones enqueues, in this transaction, the jobs that e-mail those whose
// recipients chose "immediately" (EnqueueDelivery): one SQL statement for the rows, one
// per job.
func (tx *Tx) CreateNotifications(ctx context.Context, ns []model.Notification) ([]model.Notification, error) {
	created, err := tx.InsertNotifications(ctx, ns)
	if err != nil {
		return nil, err
	}
	ds := make([]Delivery, len(created))
	for i, n := range created {
		ds[i] = Delivery{UserID: n.UserID, ID: n.ID}
	}
	return created, tx.EnqueueDelivery(ctx, ds)
}

// Delivery is what the e-mail of a written notification needs: its id and recipient.
type Delivery struct{ UserID, ID uuid.UUID }

// EnqueueDelivery enqueues, in this transaction, the jobs that e-mail the notifications ds
// to those of their recipients who chose "immediately" (it sorts ds): each recipient's in
// one job, so that they get one mail, and a job for about deliveryBatch of them; nothing
// when ds is empty.
func (tx *Tx) EnqueueDelivery(ctx context.Context, ds []Delivery) error {
	slices.SortFunc(ds, func(x, y Delivery) int {
		return cmp.Or(slices.Compare(x.UserID[:], y.UserID[:]), slices.Compare(x.ID[:], y.ID[:]))
	})
	for len(ds) > 0 {
		n := min(len(ds), deliveryBatch)
		for n < len(ds) && ds[n].UserID == ds[n-1].UserID {
			n++
		}
		ids := make([]uuid.UUID, n)
		for i, d := range ds[:n] {
			ids[i] = d.ID
		}
		if err := tx.Enqueue(ctx, model.DeliverArgs{IDs: ids}, nil); err != nil {
			return err
		}
		ds = ds[n:]
	}
	return nil
}

// deliveryBatch is about how many notifications one e-mail job carries (a recipient's are
// never split). The job passes its ids to each of its recipients' claims, so one job for a
// sweep's 231,000 (a Monday on the whole city) cost as many ids per recipient and held
// them all encoded at once in the server's memory when it was enqueued (docs/performance.md,
// "Fifth round").
const deliveryBatch = 1000

// InsertNotifications stores ns and returns those that were new (a sub-slice of ns): a
// notification already stored for the same member, kind, record and occasion is skipped,
// so that a reminder written by two instances, or by a job that runs again, exists once.
// The caller enqueues their delivery (EnqueueDelivery).
func (tx *Tx) InsertNotifications(ctx context.Context, ns []model.Notification) ([]model.Notification, error) {
	if len(ns) == 0 {
		return nil, nil
	}
	now := dbNow(tx.db)
	var inserted []uuid.UUID
	for from := 0; from < len(ns); from += notificationBatch {
		batch := ns[from:min(len(ns), from+notificationBatch)]
		ids := make([]uuid.UUID, len(batch))
		users, orgs, objects := make([]uuid.UUID, len(batch)), make([]uuid.UUID, len(batch)), make([]uuid.UUID, len(batch))
		kinds, types, occasions := make([]string, len(batch)), make([]string, len(batch)), make([]string, len(batch))
		for i := range batch {
			if batch[i].ID == uuid.Nil {
				batch[i].ID = uuid.Must(uuid.NewV7())
			}
			batch[i].CreatedAt = now
			ids[i], users[i], orgs[i], objects[i] = batch[i].ID, batch[i].UserID, batch[i].OrgID, batch[i].ObjectID
			kinds[i], types[i], occasions[i] = string(batch[i].Kind), batch[i].ObjectType, batch[i].Occasion
		}
		var got []uuid.UUID
		err := tx.db.WithContext(ctx).Raw(`
			INSERT INTO notifications (id, user_id, org_id, kind, object_type, object_id, occasion, created_at)
			SELECT n.*, ?::timestamptz FROM unnest(?::uuid[], ?::uuid[], ?::uuid[], ?::text[], ?::text[], ?::uuid[], ?::text[]) AS n
			ON CONFLICT (user_id, kind, object_id, occasion) DO NOTHING
			RETURNING id`,
			now, uuids(ids), uuids(users), uuids(orgs), model.StringList(kinds), model.StringList(types), uuids(objects), model.StringList(occasions)).Scan(&got).Error
		if err != nil {
			return nil, translate("create notifications", err)
		}
		inserted = append(inserted, got...)
	}
	// A set, not slices.Contains per notification: a sweep writes tens of thousands at once
	// (a Monday's overdue tasks on the whole city, 76,000), and n times n comparisons of
	// ids took longer than writing them.
	written := make(map[uuid.UUID]struct{}, len(inserted))
	for _, id := range inserted {
		written[id] = struct{}{}
	}
	return slices.DeleteFunc(ns, func(n model.Notification) bool { _, ok := written[n.ID]; return !ok }), nil
}

// notificationBatch is how many notifications one statement of InsertNotifications writes:
// a sweep may write tens of thousands in its transaction, and one statement for all of them
// held every one encoded several times over in the server's memory (docs/performance.md,
// "Fourth round"); a change writes a few, in one statement.
const notificationBatch = 2000

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
