package web

// The notification centre (issue 12): the bell's count, the page of the member's own
// notifications, opening one (marks it read, then goes to its record), marking all read,
// and the member's channels and e-mail language. Every route reaches only the signed-in
// member's own notifications in the organisation they act in (the service takes no user id);
// a notification names its record only when the member may still see it.

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/ui/components"
)

const (
	objNotification   = "notification"
	notificationsPath = "/benachrichtigungen"
	// notificationCursor is the query parameter of the next page.
	notificationCursor = "weiter"
)

// notificationsPage lists the member's notifications, newest first, grouped by day.
func (s *Server) notificationsPage(c echo.Context) error {
	page, err := s.svc.Notifications.List(c.Request().Context(), actor(c), model.NotificationFilter{Cursor: c.QueryParam(notificationCursor)})
	if err != nil {
		return fmt.Errorf("web: notifications: %w", err)
	}
	v := components.NotificationsView{Groups: s.notificationGroups(c, page.Items)}
	for _, it := range page.Items {
		v.Unread = v.Unread || it.Unread()
	}
	if page.NextCursor != "" {
		v.Next = notificationsPath + "?" + url.Values{notificationCursor: {page.NextCursor}}.Encode()
	}
	return s.render(c, http.StatusOK, components.Notifications(v))
}

// notificationGroups groups items (newest first) by their day in Berlin: today, yesterday,
// then the date.
func (s *Server) notificationGroups(c echo.Context, items []model.NotificationItem) []components.NotificationGroup {
	l := s.localizer(c)
	today := s.svc.Today()
	var out []components.NotificationGroup
	var last time.Time
	for _, it := range items {
		day := model.CalendarDay(it.CreatedAt)
		if len(out) == 0 || !day.Equal(last) {
			heading := day.Format(time.DateOnly)
			if l.Lang.String() == "de" {
				heading = day.Format("02.01.2006")
			}
			switch {
			case day.Equal(today):
				heading = l.T("notifications.today")
			case day.Equal(today.AddDate(0, 0, -1)):
				heading = l.T("notifications.yesterday")
			}
			out = append(out, components.NotificationGroup{Heading: heading})
			last = day
		}
		e := components.NotificationEntry{ID: it.ID.String(), Kind: string(it.Kind), At: it.CreatedAt, Unread: it.Unread(), Available: it.Available, Title: it.Title}
		if it.Available && it.Case != nil {
			e.Reference, e.Name = it.Case.Reference, it.Case.Name
		}
		g := &out[len(out)-1]
		g.Items = append(g.Items, e)
	}
	return out
}

// notificationCount is the bell's fragment: the number of unread notifications the member
// may still see.
func (s *Server) notificationCount(c echo.Context) error {
	n, err := s.svc.Notifications.UnreadCount(c.Request().Context(), actor(c))
	if err != nil {
		return fmt.Errorf("web: notification count: %w", err)
	}
	return s.render(c, http.StatusOK, components.NotificationCount(n))
}

// notificationOpen marks one notification read and goes to its record; one whose record the
// member may no longer see goes back to the list, saying so.
func (s *Server) notificationOpen(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	it, err := s.svc.Notifications.MarkRead(c.Request().Context(), actor(c), id)
	if err != nil {
		return fmt.Errorf("web: open notification: %w", err)
	}
	if target := notificationTarget(*it); target != "" {
		return c.Redirect(http.StatusSeeOther, target)
	}
	s.flash(c, s.localizer(c).T("notifications.flash.unavailable"))
	return c.Redirect(http.StatusSeeOther, notificationsPath)
}

// notificationTarget is the page of the item's record; empty when it names none.
func notificationTarget(it model.NotificationItem) string {
	if !it.Available {
		return ""
	}
	switch it.Target {
	case model.ObjectCase:
		return "/faelle/" + it.TargetID.String()
	case model.ObjectTask:
		return "/aufgaben/" + it.TargetID.String()
	case model.ObjectReferral:
		return "/vermittlungen/" + it.TargetID.String()
	}
	return ""
}

// notificationsReadAll marks every notification read.
func (s *Server) notificationsReadAll(c echo.Context) error {
	if _, err := s.svc.Notifications.MarkAllRead(c.Request().Context(), actor(c)); err != nil {
		return fmt.Errorf("web: mark notifications read: %w", err)
	}
	s.flash(c, s.localizer(c).T("notifications.flash.all_read"))
	return c.Redirect(http.StatusSeeOther, notificationsPath)
}

// notificationSettingsView is the form of settings st, or of what was sent.
func notificationSettingsView(channels map[model.NotificationKind]model.Channel, lang string) components.NotificationSettingsView {
	v := components.NotificationSettingsView{Language: lang, Languages: model.Languages}
	for _, ch := range model.Channels {
		v.Channels = append(v.Channels, string(ch))
	}
	for _, k := range model.NotificationKinds {
		v.Kinds = append(v.Kinds, components.NotificationChoice{Kind: string(k), Channel: string(channels[k])})
	}
	return v
}

func (s *Server) notificationSettingsPage(c echo.Context) error {
	st, err := s.svc.Notifications.Settings(c.Request().Context(), actor(c))
	if err != nil {
		return fmt.Errorf("web: notification settings: %w", err)
	}
	return s.render(c, http.StatusOK, components.NotificationSettings(notificationSettingsView(st.Channels, st.Language)))
}

// notificationSettingsSave stores the choices; bad input shows the form again with the
// error summary (422) and changes nothing.
func (s *Server) notificationSettingsSave(c echo.Context) error {
	channels := map[model.NotificationKind]model.Channel{}
	for _, k := range model.NotificationKinds {
		channels[k] = model.Channel(c.FormValue(string(k)))
	}
	lang := c.FormValue("language")
	l := s.localizer(c)
	_, err := s.svc.Notifications.SaveSettings(c.Request().Context(), actor(c), channels, lang)
	if err == nil {
		s.flash(c, l.T("notifications.flash.settings_saved"))
		return c.Redirect(http.StatusSeeOther, notificationsPath+"/einstellungen")
	}
	var ve *model.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("web: save notification settings: %w", err)
	}
	v := notificationSettingsView(channels, lang)
	for _, fe := range ve.Fields {
		key, data := fieldMessage(l, scopeNotifications, fe)
		v.Errors = append(v.Errors, components.FieldErr{Field: fe.Field, ID: "ns-" + fe.Field, Msg: components.FormMsg{Key: key, Data: data}})
	}
	return s.render(c, http.StatusUnprocessableEntity, components.NotificationSettings(v))
}
