package model

import (
	"time"

	"github.com/google/uuid"
)

// NotificationItem is one notification as its reader sees it now (issue 12, the
// notification centre): rendered at read time through the reader's scope. When the reader
// may no longer see the record (consent revoked, referral withdrawn, grant removed),
// Available is false and the item names nothing: no reference, no name, no link.
type NotificationItem struct {
	ID        uuid.UUID
	Kind      NotificationKind
	CreatedAt time.Time
	ReadAt    *time.Time
	// Available: the reader may see the record today; only then are the fields below set.
	Available bool
	// Target is the record the item opens: its type (ObjectCase, ObjectTask,
	// ObjectReferral; a consent opens its case) and id.
	Target   string
	TargetID uuid.UUID
	// Case names the record's case as the case mask lets the reader see it (reference, and
	// the name where released); nil for a record without a case the reader may see.
	Case *CaseLabel
	// Title is a task's title (tasks only).
	Title string
}

// Unread reports whether the item has not been read yet.
func (n NotificationItem) Unread() bool { return n.ReadAt == nil }

// NotificationFilter pages the notification list: Limit (0: the default page size) and the
// opaque Cursor of the page before.
type NotificationFilter struct {
	Limit  int
	Cursor string
}

// NotificationSettings are a member's choices: per kind the channel (every kind present,
// DefaultChannel where the member chose none) and the language of their e-mails.
type NotificationSettings struct {
	Channels map[NotificationKind]Channel
	Language string
}

// Languages are the languages of e-mails a member may choose.
var Languages = []string{"de", "en"}
