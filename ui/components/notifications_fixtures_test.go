package components

import (
	"time"

	"github.com/a-h/templ"
)

// Renderings of the notification centre (notifications.templ) for TestNoHardCodedText: the
// frame with the bell, the count, the list with a visible and a hidden item over two days
// and a next page, the empty list, and the settings as stored and refused.

func init() {
	bell := frames["signed in"]
	bell.Bell = true
	frames["signed in, bell"] = bell

	at := time.Date(2026, 4, 2, 9, 30, 0, 0, time.UTC)
	list := NotificationsView{Unread: true, Next: "/benachrichtigungen?weiter=x", Groups: []NotificationGroup{
		{Heading: "⟦Heute⟧", Items: []NotificationEntry{
			{ID: "⟦id1⟧", Kind: "referral_new", At: at, Unread: true, Available: true, Reference: "⟦F-2026-00001⟧", Name: "⟦Muster, Kim⟧"},
			{ID: "⟦id2⟧", Kind: "task_due", At: at, Available: true, Title: "⟦Termin⟧", Reference: "⟦F-2026-00002⟧"},
		}},
		{Heading: "⟦01.04.2026⟧", Items: []NotificationEntry{
			{ID: "⟦id3⟧", Kind: "referral_answered", At: at.AddDate(0, 0, -1), Unread: true},
			{ID: "⟦id4⟧", Kind: "follow_up", At: at.AddDate(0, 0, -1)},
		}},
	}}
	stored := NotificationSettingsView{
		Language: "⟦de⟧", Languages: []string{"⟦de⟧", "⟦en⟧"}, Channels: []string{"⟦immediate⟧", "⟦digest⟧", "⟦off⟧"},
		Kinds: []NotificationChoice{{Kind: "referral_new", Channel: "⟦immediate⟧"}, {Kind: "task_due", Channel: "⟦digest⟧"}},
	}
	refused := stored
	refused.Kinds = append(refused.Kinds, NotificationChoice{Kind: "follow_up"})
	refused.Errors = FormErrors{
		{Field: "follow_up", ID: "ns-follow_up", Msg: FormMsg{Key: "validation.notifications.not_one_of"}},
		{Field: "language", ID: "ns-language", Msg: FormMsg{Key: "validation.notifications.not_one_of"}},
	}
	pages["Notifications"] = []templ.Component{Notifications(list), Notifications(NotificationsView{})}
	pages["NotificationCount"] = []templ.Component{NotificationCount(0), NotificationCount(3)}
	pages["NotificationSettings"] = []templ.Component{NotificationSettings(stored), NotificationSettings(refused)}
}
