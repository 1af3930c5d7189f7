package store

import (
	"context"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/lotse-project/lotse/internal/model"
)

// NotificationKey is the sort key of the notification list (newest first): a page continues
// after the last row's key.
type NotificationKey struct {
	At time.Time `json:"at"`
	ID uuid.UUID `json:"id"`
}

// List returns up to limit notifications of user in the membership org, newest first, after
// the key when given, and the count of all of them.
func (r Notifications) List(ctx context.Context, user, org uuid.UUID, after *NotificationKey, limit int) ([]model.Notification, int64, error) {
	base := r.db.WithContext(ctx).Model(&model.Notification{}).Where("user_id = ? AND org_id = ?", user, org)
	var total int64
	if err := base.Session(&gorm.Session{}).Count(&total).Error; err != nil {
		return nil, 0, translate("count notifications", err)
	}
	q := base.Session(&gorm.Session{})
	if after != nil {
		q = q.Where("(created_at, id) < (?, ?)", after.At, after.ID)
	}
	var out []model.Notification
	err := q.Order("created_at DESC, id DESC").Limit(limit).Find(&out).Error
	return out, total, translate("list notifications", err)
}

// Unread returns the newest limit unread notifications of user in the membership org.
func (r Notifications) Unread(ctx context.Context, user, org uuid.UUID, limit int) ([]model.Notification, error) {
	var out []model.Notification
	err := r.db.WithContext(ctx).Where("user_id = ? AND org_id = ? AND read_at IS NULL", user, org).
		Order("created_at DESC, id DESC").Limit(limit).Find(&out).Error
	return out, translate("unread notifications", err)
}

// Get returns the notification id of user in the membership org, or ErrNotFound (someone
// else's is not found either).
func (r Notifications) Get(ctx context.Context, user, org, id uuid.UUID) (*model.Notification, error) {
	var n model.Notification
	err := r.db.WithContext(ctx).Where("id = ? AND user_id = ? AND org_id = ?", id, user, org).Take(&n).Error
	return &n, translate("get notification", err)
}

// MarkRead marks the notification id of user in org read (once: a read one keeps its time).
func (r Notifications) MarkRead(ctx context.Context, user, org, id uuid.UUID) error {
	err := r.db.WithContext(ctx).Model(&model.Notification{}).
		Where("id = ? AND user_id = ? AND org_id = ? AND read_at IS NULL", id, user, org).
		Update("read_at", dbNow(r.db)).Error
	return translate("mark notification read", err)
}

// MarkAllRead marks every unread notification of user in org read and returns how many.
func (r Notifications) MarkAllRead(ctx context.Context, user, org uuid.UUID) (int64, error) {
	res := r.db.WithContext(ctx).Model(&model.Notification{}).
		Where("user_id = ? AND org_id = ? AND read_at IS NULL", user, org).
		Update("read_at", dbNow(r.db))
	return res.RowsAffected, translate("mark notifications read", res.Error)
}

// RecordRef is what a notification's label needs of its record: the case it belongs to
// (none for a task without a case) and a task's title.
type RecordRef struct {
	ID     uuid.UUID
	CaseID *uuid.UUID
	Title  string
}

// RecordRefs returns, for the records ids of objectType, their case and (tasks) title, in
// one query. Call it only with ids the reader may see (VisibleIDs).
func (r Notifications) RecordRefs(ctx context.Context, objectType string, ids []uuid.UUID) (map[uuid.UUID]RecordRef, error) {
	out := map[uuid.UUID]RecordRef{}
	if len(ids) == 0 {
		return out, nil
	}
	var q string
	switch objectType {
	case model.ObjectCase:
		q = `SELECT id, id AS case_id, '' AS title FROM cases WHERE id = ANY(?::uuid[])`
	case model.ObjectTask:
		q = `SELECT id, case_id, title FROM tasks WHERE id = ANY(?::uuid[])`
	case model.ObjectReferral:
		q = `SELECT id, case_id, '' AS title FROM referrals WHERE id = ANY(?::uuid[])`
	case model.ObjectConsent:
		q = `SELECT id, case_id, '' AS title FROM consents WHERE id = ANY(?::uuid[])`
	default:
		return out, nil
	}
	var rows []RecordRef
	if err := r.db.WithContext(ctx).Raw(q, uuids(ids)).Scan(&rows).Error; err != nil {
		return nil, translate("notification records", err)
	}
	for _, row := range rows {
		out[row.ID] = row
	}
	return out, nil
}

// Settings returns the channels user chose (kinds without a row have their default) and
// the language of their e-mails.
func (r Notifications) Settings(ctx context.Context, user uuid.UUID) ([]model.NotificationSetting, string, error) {
	var rows []model.NotificationSetting
	if err := r.db.WithContext(ctx).Where("user_id = ?", user).Find(&rows).Error; err != nil {
		return nil, "", translate("notification settings", err)
	}
	var lang string
	err := r.db.WithContext(ctx).Table("users").Where("id = ?", user).Pluck("language", &lang).Error
	return rows, lang, translate("user language", err)
}

// SaveSettings replaces user's channels by rows (a kind not in rows returns to its default)
// and sets the language of their e-mails.
func (r Notifications) SaveSettings(ctx context.Context, user uuid.UUID, rows []model.NotificationSetting, lang string) error {
	db := r.db.WithContext(ctx)
	if err := db.Where("user_id = ?", user).Delete(&model.NotificationSetting{}).Error; err != nil {
		return translate("delete notification settings", err)
	}
	if len(rows) > 0 {
		if err := db.Clauses(clause.OnConflict{UpdateAll: true}).Create(&rows).Error; err != nil {
			return translate("save notification settings", err)
		}
	}
	res := db.Table("users").Where("id = ?", user).Update("language", lang)
	if res.Error == nil && res.RowsAffected == 0 {
		return translate("user language", gorm.ErrRecordNotFound)
	}
	return translate("user language", res.Error)
}
