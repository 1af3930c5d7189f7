package api

import (
	"context"

	"github.com/lotse-project/lotse/internal/model"
)

// The notification centre's operations: every one reaches only the caller's own
// notifications and settings (the service takes no user id).

// ListNotifications implements GET /notifications.
func (h *Handlers) ListNotifications(ctx context.Context, r ListNotificationsRequestObject) (ListNotificationsResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	f := model.NotificationFilter{Cursor: deref(r.Params.Cursor)}
	if r.Params.Limit != nil {
		f.Limit = *r.Params.Limit
	}
	page, err := h.notifications.List(ctx, a, f)
	if err != nil {
		return nil, err
	}
	items, total, next := listOf(page, toNotification)
	return ListNotifications200JSONResponse{Items: items, Total: total, NextCursor: next}, nil
}

// GetUnreadNotificationCount implements GET /notifications/unread-count.
func (h *Handlers) GetUnreadNotificationCount(ctx context.Context, _ GetUnreadNotificationCountRequestObject) (GetUnreadNotificationCountResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	n, err := h.notifications.UnreadCount(ctx, a)
	if err != nil {
		return nil, err
	}
	return GetUnreadNotificationCount200JSONResponse{Unread: n}, nil
}

// MarkNotificationRead implements POST /notifications/{id}/read.
func (h *Handlers) MarkNotificationRead(ctx context.Context, r MarkNotificationReadRequestObject) (MarkNotificationReadResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	it, err := h.notifications.MarkRead(ctx, a, r.Id)
	if err != nil {
		return nil, err
	}
	return MarkNotificationRead200JSONResponse(toNotification(*it)), nil
}

// MarkAllNotificationsRead implements POST /notifications/read-all.
func (h *Handlers) MarkAllNotificationsRead(ctx context.Context, _ MarkAllNotificationsReadRequestObject) (MarkAllNotificationsReadResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	n, err := h.notifications.MarkAllRead(ctx, a)
	if err != nil {
		return nil, err
	}
	return MarkAllNotificationsRead200JSONResponse{Marked: n}, nil
}

// GetNotificationSettings implements GET /notification-settings.
func (h *Handlers) GetNotificationSettings(ctx context.Context, _ GetNotificationSettingsRequestObject) (GetNotificationSettingsResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	st, err := h.notifications.Settings(ctx, a)
	if err != nil {
		return nil, err
	}
	return GetNotificationSettings200JSONResponse(toNotificationSettings(st)), nil
}

// UpdateNotificationSettings implements PUT /notification-settings.
func (h *Handlers) UpdateNotificationSettings(ctx context.Context, r UpdateNotificationSettingsRequestObject) (UpdateNotificationSettingsResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	channels := map[model.NotificationKind]model.Channel{}
	for k, ch := range r.Body.Channels {
		channels[model.NotificationKind(k)] = model.Channel(ch)
	}
	st, err := h.notifications.SaveSettings(ctx, a, channels, string(r.Body.Language))
	if err != nil {
		return nil, err
	}
	return UpdateNotificationSettings200JSONResponse(toNotificationSettings(st)), nil
}

// toNotification maps a notification as the caller sees it; a hidden one names nothing.
func toNotification(n model.NotificationItem) Notification {
	out := Notification{Id: n.ID, Kind: NotificationKind(n.Kind), CreatedAt: n.CreatedAt.UTC(), Read: n.ReadAt != nil, Available: n.Available}
	if n.ReadAt != nil {
		out.ReadAt = ptr(n.ReadAt.UTC())
	}
	if n.Available {
		out.TargetType, out.TargetId = ptr(NotificationTargetType(n.Target)), ptr(n.TargetID)
		out.Case = toCaseLabel(n.Case)
		if n.Title != "" {
			out.Title = ptr(n.Title)
		}
	}
	return out
}

func toNotificationSettings(st *model.NotificationSettings) NotificationSettings {
	out := NotificationSettings{Channels: map[string]NotificationChannel{}, Language: NotificationSettingsLanguage(st.Language)}
	for k, ch := range st.Channels {
		out.Channels[string(k)] = NotificationChannel(ch)
	}
	return out
}
