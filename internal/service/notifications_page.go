package service

import (
	"context"
	"maps"
	"slices"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// The notification centre (issue 12 items 4, 6, 7): the bell's count, the page of one's own
// notifications, marking them read, and one's choice of channels. Every member reaches only
// their own notifications, those of the membership they act in (notification.read/update
// with the scope self); a notification names its record only when its reader may still see
// it, decided now through the reader's read scope (visible) and the case mask (caseLabels).

const objNotification = "notification"

// notificationPages pages the notification list, newest first.
var notificationPages = pager{kind: "notifications", size: 25, max: 100}

// maxUnreadChecked bounds the work of the bell: it checks the newest this many unread
// notifications (so the count shows at most this many).
const maxUnreadChecked = 100

// List returns one page of the actor's own notifications in the acting membership, newest
// first, each rendered now: a visible record with its case label (reference, and the name
// where the case mask releases it) and its target; a hidden one as no longer available,
// naming nothing. It records one "notification.list" event with the ids shown.
func (s *Notifications) List(ctx context.Context, a model.Actor, f model.NotificationFilter) (*model.Page[model.NotificationItem], error) {
	if err := refuseBadText(f); err != nil {
		return nil, err
	}
	if _, err := s.require(a, objNotification, actRead, false); err != nil {
		return nil, err
	}
	limit, err := notificationPages.limit(f.Limit)
	if err != nil {
		return nil, err
	}
	var after *store.NotificationKey
	var k store.NotificationKey
	if ok, err := notificationPages.after(f.Cursor, &k); err != nil {
		return nil, err
	} else if ok {
		after = &k
	}
	page := &model.Page[model.NotificationItem]{}
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		rows, total, err := tx.Notifications().List(ctx, a.UserID, a.OrgID, after, limit+1)
		if err != nil {
			return err
		}
		rows, page.NextCursor = cut(notificationPages, rows, limit, func(n *model.Notification) any {
			return store.NotificationKey{At: n.CreatedAt, ID: n.ID}
		})
		page.Total = total
		var shown []uuid.UUID
		if page.Items, shown, err = s.render(ctx, tx, a, rows); err != nil {
			return err
		}
		ids, cases := make([]string, len(page.Items)), make([]string, len(shown))
		for i, n := range page.Items {
			ids[i] = n.ID.String()
		}
		for i, id := range shown {
			cases[i] = id.String()
		}
		ev := event(a, "notification.list", objNotification, uuid.Nil, model.JSONMap{"ids": ids, "case_ids": cases})
		ev.ObjectID = ""
		return tx.Audit().Record(ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// render turns the actor's notifications into what the actor sees now (see List), and
// returns the cases it names (for the audit trail).
func (s *Notifications) render(ctx context.Context, tx *store.Tx, a model.Actor, rows []model.Notification) ([]model.NotificationItem, []uuid.UUID, error) {
	seen, err := s.visible(ctx, tx, rows)
	if err != nil {
		return nil, nil, err
	}
	byType := map[string][]uuid.UUID{}
	for _, n := range rows {
		if seen[n.ID] {
			byType[n.ObjectType] = append(byType[n.ObjectType], n.ObjectID)
		}
	}
	refs := map[string]map[uuid.UUID]store.RecordRef{}
	var caseIDs []uuid.UUID
	for typ, ids := range byType {
		if refs[typ], err = tx.Notifications().RecordRefs(ctx, typ, ids); err != nil {
			return nil, nil, err
		}
		for _, r := range refs[typ] {
			if r.CaseID != nil && !slices.Contains(caseIDs, *r.CaseID) {
				caseIDs = append(caseIDs, *r.CaseID)
			}
		}
	}
	labels, err := s.caseLabels(ctx, tx, a, caseIDs)
	if err != nil {
		return nil, nil, err
	}
	var shown []uuid.UUID
	out := make([]model.NotificationItem, len(rows))
	for i, n := range rows {
		it := model.NotificationItem{ID: n.ID, Kind: n.Kind, CreatedAt: n.CreatedAt, ReadAt: n.ReadAt}
		ref, ok := refs[n.ObjectType][n.ObjectID]
		if seen[n.ID] && ok {
			it.Available = true
			it.Target, it.TargetID, it.Title = n.ObjectType, n.ObjectID, ref.Title
			if n.ObjectType == model.ObjectConsent && ref.CaseID != nil {
				it.Target, it.TargetID = model.ObjectCase, *ref.CaseID
			}
			if ref.CaseID != nil {
				it.Case = labels[*ref.CaseID]
				if it.Case != nil && !slices.Contains(shown, *ref.CaseID) {
					shown = append(shown, *ref.CaseID)
				}
			}
		}
		out[i] = it
	}
	return out, shown, nil
}

// UnreadCount counts the actor's unread notifications in the acting membership whose record
// the actor may still see (of the newest maxUnreadChecked unread): a revoked consent or a
// withdrawn referral makes the count drop. A read-only transaction, not audited (it names
// nothing).
func (s *Notifications) UnreadCount(ctx context.Context, a model.Actor) (int, error) {
	if _, err := s.require(a, objNotification, actRead, false); err != nil {
		return 0, err
	}
	n := 0
	err := s.store.Read(ctx, a, func(tx *store.Tx) error {
		rows, err := tx.Notifications().Unread(ctx, a.UserID, a.OrgID, maxUnreadChecked)
		if err != nil {
			return err
		}
		seen, err := s.visible(ctx, tx, rows)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if seen[r.ID] {
				n++
			}
		}
		return nil
	})
	return n, err
}

// MarkRead marks one of the actor's own notifications read and returns it as the actor sees
// it now (its target, to open the record); anybody else's is ErrNotFound. It records one
// "notification.read" event. A retry with the same idempotency key changes nothing and
// answers the notification as it is now.
func (s *Notifications) MarkRead(ctx context.Context, a model.Actor, id uuid.UUID) (*model.NotificationItem, error) {
	if _, err := s.require(a, objNotification, actUpdate, true); err != nil {
		return nil, err
	}
	var out *model.NotificationItem
	replayed, err := s.keyed(ctx, a, changed, objNotification, &id, func(tx *store.Tx) error {
		var err error
		if out, err = s.item(ctx, tx, a, id); err != nil {
			return err
		}
		if err := tx.Notifications().MarkRead(ctx, a.UserID, a.OrgID, id); err != nil {
			return err
		}
		if out.ReadAt == nil {
			now := s.now()
			out.ReadAt = &now
		}
		return tx.Audit().Record(ctx, event(a, "notification.read", objNotification, id, model.JSONMap{"kind": string(out.Kind)}))
	})
	if err != nil {
		return nil, err
	}
	if replayed {
		err = s.store.Read(ctx, a, func(tx *store.Tx) error {
			out, err = s.item(ctx, tx, a, id)
			return err
		})
	}
	return out, err
}

// item is the actor's own notification id as the actor sees it now, or ErrNotFound.
func (s *Notifications) item(ctx context.Context, tx *store.Tx, a model.Actor, id uuid.UUID) (*model.NotificationItem, error) {
	n, err := tx.Notifications().Get(ctx, a.UserID, a.OrgID, id)
	if err != nil {
		return nil, err
	}
	items, _, err := s.render(ctx, tx, a, []model.Notification{*n})
	if err != nil {
		return nil, err
	}
	return &items[0], nil
}

// MarkAllRead marks every unread notification of the actor in the acting membership read and
// returns how many. It records one "notification.read_all" event with the number. A retry
// with the same idempotency key changes nothing and answers 0.
func (s *Notifications) MarkAllRead(ctx context.Context, a model.Actor) (int64, error) {
	if _, err := s.require(a, objNotification, actUpdate, false); err != nil {
		return 0, err
	}
	var n int64
	me := a.UserID
	_, err := s.keyed(ctx, a, changed, "notification.read_all", &me, func(tx *store.Tx) error {
		var err error
		if n, err = tx.Notifications().MarkAllRead(ctx, a.UserID, a.OrgID); err != nil {
			return err
		}
		ev := event(a, "notification.read_all", objNotification, uuid.Nil, model.JSONMap{"count": n})
		ev.ObjectID = ""
		return tx.Audit().Record(ctx, ev)
	})
	return n, err
}

// Settings returns the actor's channel per kind (every kind, its default where none was
// chosen) and the language of their e-mails.
func (s *Notifications) Settings(ctx context.Context, a model.Actor) (*model.NotificationSettings, error) {
	if _, err := s.require(a, objNotification, actRead, false); err != nil {
		return nil, err
	}
	var out *model.NotificationSettings
	err := s.store.Read(ctx, a, func(tx *store.Tx) error {
		rows, lang, err := tx.Notifications().Settings(ctx, a.UserID)
		if err != nil {
			return err
		}
		out = settingsOf(rows, lang)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SaveSettings replaces the actor's choices: channels per kind (a kind left out returns to
// its default) and the language of their e-mails (de or en). An unknown kind (field "kind"),
// an unknown channel (field: the kind) or language (field "language") is ErrInvalid naming
// each, and nothing is changed. It records one "notification.settings" event with the
// choices (kinds and channels, no content).
func (s *Notifications) SaveSettings(ctx context.Context, a model.Actor, channels map[model.NotificationKind]model.Channel, language string) (*model.NotificationSettings, error) {
	if _, err := s.require(a, objNotification, actUpdate, false); err != nil {
		return nil, err
	}
	v := &model.ValidationError{}
	var rows []model.NotificationSetting
	details := model.JSONMap{"language": language}
	// The kinds in the order of the form (so the error summary follows it), then unknown ones.
	kinds := slices.DeleteFunc(slices.Clone(model.NotificationKinds), func(k model.NotificationKind) bool { _, ok := channels[k]; return !ok })
	for _, k := range slices.Sorted(maps.Keys(channels)) {
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	for _, k := range kinds {
		ch := channels[k]
		switch {
		case !slices.Contains(model.NotificationKinds, k):
			v.Add("kind", model.CodeUnknown)
		case !slices.Contains(model.Channels, ch):
			v.Add(string(k), model.CodeNotOneOf, model.Params{"allowed": "immediate, digest, off"})
		default:
			rows = append(rows, model.NotificationSetting{UserID: a.UserID, Kind: k, Channel: ch})
			details[string(k)] = string(ch)
		}
	}
	if !slices.Contains(model.Languages, language) {
		v.Add("language", model.CodeNotOneOf, model.Params{"allowed": "de, en"})
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	out := settingsOf(rows, language)
	err := s.store.Tx(ctx, a, func(tx *store.Tx) error {
		if err := tx.Notifications().SaveSettings(ctx, a.UserID, rows, language); err != nil {
			return err
		}
		ev := event(a, "notification.settings", objNotification, uuid.Nil, details)
		ev.ObjectID = ""
		return tx.Audit().Record(ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// settingsOf is the settings of rows and lang: every kind, its default where rows has none.
func settingsOf(rows []model.NotificationSetting, lang string) *model.NotificationSettings {
	out := &model.NotificationSettings{Channels: map[model.NotificationKind]model.Channel{}, Language: lang}
	for _, k := range model.NotificationKinds {
		out.Channels[k] = model.DefaultChannel(k)
	}
	for _, r := range rows {
		if _, ok := out.Channels[r.Kind]; ok {
			out.Channels[r.Kind] = r.Channel
		}
	}
	return out
}
