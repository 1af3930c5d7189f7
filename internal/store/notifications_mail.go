package store

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm/clause"

	"github.com/lotse-project/lotse/internal/model"
)

// The e-mail side of notifications (service/mail.go): which members have notifications not
// yet e-mailed, claiming them so that no other instance or retry mails them too, and
// marking them e-mailed.

// unmailed is the condition of a notification still to be e-mailed: neither e-mailed nor
// read in the bell already.
const unmailed = "emailed_at IS NULL AND read_at IS NULL"

// UnmailedRecipients returns the members who have notifications still to be e-mailed; with
// ids, only among those notifications.
func (r Notifications) UnmailedRecipients(ctx context.Context, ids []uuid.UUID) ([]uuid.UUID, error) {
	q := r.db.WithContext(ctx).Table("notifications").Where(unmailed)
	if ids != nil {
		q = q.Where("id = ANY(?::uuid[])", uuids(ids))
	}
	var out []uuid.UUID
	err := q.Distinct("user_id").Order("user_id").Pluck("user_id", &out).Error
	return out, translate("unmailed recipients", err)
}

// ClaimUnmailed locks and returns user's notifications still to be e-mailed (with ids, only
// among those), skipping rows another transaction holds: that transaction is mailing them.
// The lock lasts until this transaction ends, so a concurrent claim never returns the same
// row, and once this transaction has marked them (MarkEmailed) and committed, no later one.
func (r Notifications) ClaimUnmailed(ctx context.Context, user uuid.UUID, ids []uuid.UUID) ([]model.Notification, error) {
	q := r.db.WithContext(ctx).Where("user_id = ? AND "+unmailed, user)
	if ids != nil {
		q = q.Where("id = ANY(?::uuid[])", uuids(ids))
	}
	var out []model.Notification
	err := q.Order("created_at, id").Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"}).Find(&out).Error
	return out, translate("claim notifications", err)
}

// MarkEmailed records that ids were e-mailed now.
func (r Notifications) MarkEmailed(ctx context.Context, ids []uuid.UUID) error {
	if len(ids) == 0 {
		return nil
	}
	err := r.db.WithContext(ctx).Table("notifications").
		Where("id = ANY(?::uuid[]) AND emailed_at IS NULL", uuids(ids)).
		Update("emailed_at", dbNow(r.db)).Error
	return translate("mark notifications e-mailed", err)
}

// Channels returns user's chosen channel per kind; a kind without a row has its default
// (model.DefaultChannel, applied by the caller).
func (r Notifications) Channels(ctx context.Context, user uuid.UUID) (map[model.NotificationKind]model.Channel, error) {
	var rows []model.NotificationSetting
	if err := r.db.WithContext(ctx).Where("user_id = ?", user).Find(&rows).Error; err != nil {
		return nil, translate("notification settings", err)
	}
	out := make(map[model.NotificationKind]model.Channel, len(rows))
	for _, s := range rows {
		out[s.Kind] = s.Channel
	}
	return out, nil
}

// OrganisationNames returns the names of the organisations ids.
func (r Notifications) OrganisationNames(ctx context.Context, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	var rows []struct {
		ID   uuid.UUID
		Name string
	}
	err := r.db.WithContext(ctx).Table("organisations").Select("id, name").
		Where("id = ANY(?::uuid[])", uuids(ids)).Scan(&rows).Error
	if err != nil {
		return nil, translate("organisation names", err)
	}
	out := make(map[uuid.UUID]string, len(rows))
	for _, o := range rows {
		out[o.ID] = o.Name
	}
	return out, nil
}
