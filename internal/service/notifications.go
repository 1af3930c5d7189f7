package service

import (
	"context"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Notifications tells members what needs them (issue 12): the bell and its page, the
// e-mails. A notification holds a reference; whether its reader may still see the record is
// decided when it is read (visible), never when it was written.
type Notifications struct{ base }

// visible returns which of ns their recipients may see now: each record through the read
// scope of its recipient in the membership the notification was written for, the same
// scope as every other read of that record. A recipient who lost the grant, a referral
// withdrawn or a consent revoked: the record is not visible, and the notification shows only
// that it is no longer available. One query per recipient, membership and object type.
func (s *Notifications) visible(ctx context.Context, tx *store.Tx, ns []model.Notification) (map[uuid.UUID]bool, error) {
	type group struct {
		user, org uuid.UUID
		object    string
	}
	ids := map[group][]uuid.UUID{}
	for _, n := range ns {
		g := group{n.UserID, n.OrgID, n.ObjectType}
		ids[g] = append(ids[g], n.ObjectID)
	}
	seen := map[group]map[uuid.UUID]bool{}
	for g, objects := range ids {
		sc, err := s.scope(model.Actor{UserID: g.user, OrgID: g.org}, g.object, actRead)
		if err != nil {
			return nil, err
		}
		found, err := tx.VisibleIDs(ctx, sc, objects)
		if err != nil {
			return nil, err
		}
		seen[g] = map[uuid.UUID]bool{}
		for _, id := range found {
			seen[g][id] = true
		}
	}
	out := make(map[uuid.UUID]bool, len(ns))
	for _, n := range ns {
		out[n.ID] = seen[group{n.UserID, n.OrgID, n.ObjectType}][n.ObjectID]
	}
	return out, nil
}
