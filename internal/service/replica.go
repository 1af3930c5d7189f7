package service

import (
	"context"

	"github.com/lotse-project/lotse/internal/store"
)

// The heavy reads (Statistics.Overview, Dashboard.Team and TeamExport, and the Export of
// cases, tasks and referrals) run through store.Heavy: on the read replica when one is in
// use, with their audit events written on the primary (docs/read-replica.md).

// SeeOwnWrites marks ctx as a request that must see its user's own recent writes: its heavy
// reads go to the primary, never to the replica. The web layer sets it on every change and,
// for SeeOwnWritesFor after one, on the same browser's requests.
func SeeOwnWrites(ctx context.Context) context.Context { return store.SeeOwnWrites(ctx) }

// SeeOwnWritesFor is how long after a change a browser's heavy reads stay on the primary.
const SeeOwnWritesFor = store.SeeOwnWritesFor

// ReplicaUp reports whether a read replica is configured and whether it is in use now.
func (s *Services) ReplicaUp() (configured, up bool) {
	if s.Cases.store == nil {
		return false, false
	}
	return s.Cases.store.ReplicaUp()
}
