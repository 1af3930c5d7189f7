package world

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Notify stores one notification for u (in the organisation of its first grant) about a
// record, as the reminder jobs write them, and returns its id. When the change that set up
// the record told u already (a referral sent tells its recipients, reminders.go), that
// notification is the one returned.
func (w *World) Notify(t testing.TB, u *User, kind model.NotificationKind, objectType string, id uuid.UUID) uuid.UUID {
	t.Helper()
	ctx := context.Background()
	n := model.Notification{UserID: u.ID, OrgID: u.Grants[0].OrgID, Kind: kind, ObjectType: objectType, ObjectID: id}
	err := w.DB.Pool.QueryRow(ctx, `SELECT id FROM notifications WHERE user_id = $1 AND kind = $2 AND object_id = $3 ORDER BY created_at LIMIT 1`,
		u.ID, string(kind), id).Scan(&n.ID)
	if err == nil {
		return n.ID
	}
	err = w.Store.Tx(ctx, model.Actor{System: true}, func(tx *store.Tx) error {
		created, err := tx.CreateNotifications(ctx, []model.Notification{n})
		if err == nil && len(created) == 1 {
			n.ID = created[0].ID
		}
		return err
	})
	if err != nil {
		t.Fatalf("world: notify %s: %v", u.Name, err)
	}
	return n.ID
}
