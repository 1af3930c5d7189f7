package store

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// AuditChain is the repository of the tamper-evident audit (service/audit_chain.go,
// docs/audit.md): the hash chain over audit_events and its signed checkpoints. The
// application role may only append to and read both tables; Prune runs as the owner.
type AuditChain struct{ db *gorm.DB }

// AuditChain returns the audit chain repository of the transaction.
func (tx *Tx) AuditChain() AuditChain { return AuditChain{tx.db} }

// auditChainLock is the key of the transaction-level advisory lock that serialises sealers
// (and retention) across every instance: two sealers never append at once.
const auditChainLock int64 = 0x6c6f7473_65617564 // "lotseaud"

// sealedRowSelect selects an audit event (alias e) as the chain hashes it: every column as
// Postgres prints it, the timestamp in UTC with microseconds whatever the session's zone.
var sealedRowSelect = func() string {
	parts := make([]string, len(model.AuditRowColumns))
	for i, c := range model.AuditRowColumns {
		if c == "at" {
			parts[i] = `to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`
		} else {
			parts[i] = "e." + c + "::text"
		}
	}
	return strings.Join(parts, ", ")
}()

// Lock waits for the chain's advisory lock; it is released when the transaction ends. The
// transaction must read at READ COMMITTED, so that its statements after the lock see what
// the previous holder committed.
func (r AuditChain) Lock(ctx context.Context) error {
	return translate("lock audit chain", r.db.WithContext(ctx).Exec(`SELECT pg_advisory_xact_lock(?)`, auditChainLock).Error)
}

// Head returns the last entry of the chain (seq and hash; after retention removed every
// entry, the last checkpoint's), zero seq for an empty chain, and the highest sealed event id.
func (r AuditChain) Head(ctx context.Context) (seq int64, hash []byte, maxEventID int64, err error) {
	var head struct {
		Seq  int64
		Hash []byte
	}
	db := r.db.WithContext(ctx)
	res := db.Raw(`SELECT seq, hash FROM audit_chain ORDER BY seq DESC LIMIT 1`).Scan(&head)
	if res.Error == nil && res.RowsAffected == 0 {
		res = db.Raw(`SELECT seq, hash FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`).Scan(&head)
	}
	if res.Error != nil {
		return 0, nil, 0, translate("read audit chain head", res.Error)
	}
	err = db.Raw(`SELECT coalesce(max(event_id), 0) FROM audit_chain`).Scan(&maxEventID).Error
	return head.Seq, head.Hash, maxEventID, translate("read audit chain head", err)
}

// Unsealed returns up to limit committed events with an id above above that are not in the
// chain, in id order.
//
// The chain's side of the anti-join is bounded by above too ("c.event_id > ?", implied by
// the join, not derived by Postgres): unbounded, Postgres joins the window's events with
// the whole chain from its first entry, which made each batch of the sealer read every entry
// ever sealed (about 170 ms per batch at a million entries, one of the two cores busy while
// a large backlog was sealed; docs/performance.md, "Fourth round").
func (r AuditChain) Unsealed(ctx context.Context, above int64, limit int) ([]model.SealedAuditRow, error) {
	rows, err := r.db.WithContext(ctx).Raw(`SELECT e.id, `+sealedRowSelect+` FROM audit_events e
		WHERE e.id > ? AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.event_id = e.id AND c.event_id > ?)
		ORDER BY e.id LIMIT ?`, above, above, limit).Rows()
	if err != nil {
		return nil, translate("read unsealed audit events", err)
	}
	defer rows.Close()
	var out []model.SealedAuditRow
	for rows.Next() {
		var id int64
		row, err := scanSealedRow(rows, &id)
		if err != nil {
			return nil, translate("read unsealed audit events", err)
		}
		row.ID = id
		out = append(out, row)
	}
	return out, translate("read unsealed audit events", rows.Err())
}

// scanSealedRow scans the columns of sealedRowSelect after the given leading destinations.
func scanSealedRow(rows *sql.Rows, lead ...any) (model.SealedAuditRow, error) {
	vals := make([]sql.NullString, len(model.AuditRowColumns))
	dest := append([]any(nil), lead...)
	for i := range vals {
		dest = append(dest, &vals[i])
	}
	if err := rows.Scan(dest...); err != nil {
		return model.SealedAuditRow{}, err
	}
	row := model.SealedAuditRow{Values: make([]*string, len(vals))}
	for i, v := range vals {
		if v.Valid {
			s := v.String
			row.Values[i] = &s
		}
	}
	return row, nil
}

// Append adds sealed entries.
func (r AuditChain) Append(ctx context.Context, entries []model.AuditChainEntry) error {
	if len(entries) == 0 {
		return nil
	}
	seqs, ids, hashes := make([]string, len(entries)), make([]string, len(entries)), make([]string, len(entries))
	for i, e := range entries {
		seqs[i], ids[i], hashes[i] = strconv.FormatInt(e.Seq, 10), strconv.FormatInt(e.EventID, 10), hex.EncodeToString(e.Hash)
	}
	// Array literals: numbers and hex need no quoting.
	list := func(xs []string) string { return "{" + strings.Join(xs, ",") + "}" }
	return translate("append to audit chain", r.db.WithContext(ctx).Exec(`INSERT INTO audit_chain (seq, event_id, hash)
		SELECT s, i, decode(h, 'hex') FROM unnest(?::bigint[], ?::bigint[], ?::text[]) AS u(s, i, h)`,
		list(seqs), list(ids), list(hashes)).Error)
}

// Checkpoints returns every checkpoint in seq order.
func (r AuditChain) Checkpoints(ctx context.Context) ([]model.AuditCheckpoint, error) {
	var out []model.AuditCheckpoint
	err := r.db.WithContext(ctx).Raw(`SELECT seq, hash, signed_at, key_id, signature FROM audit_checkpoints ORDER BY seq`).Scan(&out).Error
	return out, translate("read audit checkpoints", err)
}

// LastCheckpoint returns the checkpoint with the highest seq, nil when there is none.
func (r AuditChain) LastCheckpoint(ctx context.Context) (*model.AuditCheckpoint, error) {
	var out []model.AuditCheckpoint
	err := r.db.WithContext(ctx).Raw(`SELECT seq, hash, signed_at, key_id, signature FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`).Scan(&out).Error
	if err != nil || len(out) == 0 {
		return nil, translate("read audit checkpoint", err)
	}
	return &out[0], nil
}

// AddCheckpoint stores a signed checkpoint.
func (r AuditChain) AddCheckpoint(ctx context.Context, cp model.AuditCheckpoint) error {
	return translate("add audit checkpoint", r.db.WithContext(ctx).Exec(`INSERT INTO audit_checkpoints (seq, hash, signed_at, key_id, signature)
		VALUES (?, ?, ?, ?, ?)`, cp.Seq, cp.Hash, cp.SignedAt, cp.KeyID, cp.Signature).Error)
}

// Walk calls fn for every chain entry in seq order with its event (nil when the event is
// gone), reading row by row.
func (r AuditChain) Walk(ctx context.Context, fn func(e model.AuditChainEntry, row *model.SealedAuditRow) error) error {
	rows, err := r.db.WithContext(ctx).Raw(`SELECT c.seq, c.event_id, c.hash, e.id IS NOT NULL, ` + sealedRowSelect + `
		FROM audit_chain c LEFT JOIN audit_events e ON e.id = c.event_id ORDER BY c.seq`).Rows()
	if err != nil {
		return translate("walk audit chain", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e model.AuditChainEntry
		var found bool
		row, err := scanSealedRow(rows, &e.Seq, &e.EventID, &e.Hash, &found)
		if err != nil {
			return translate("walk audit chain", err)
		}
		row.ID = e.EventID
		var p *model.SealedAuditRow
		if found {
			p = &row
		}
		if err := fn(e, p); err != nil {
			return err
		}
	}
	return translate("walk audit chain", rows.Err())
}

// OldestUnsealed returns the lowest-id event written before before that is not in the chain
// (found false when there is none).
func (r AuditChain) OldestUnsealed(ctx context.Context, before time.Time) (id int64, at time.Time, found bool, err error) {
	var out []struct {
		ID int64
		At time.Time
	}
	err = r.db.WithContext(ctx).Raw(`SELECT e.id, e.at FROM audit_events e
		WHERE e.at < ? AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.event_id = e.id)
		ORDER BY e.id LIMIT 1`, before).Scan(&out).Error
	if err != nil || len(out) == 0 {
		return 0, time.Time{}, false, translate("find unsealed audit events", err)
	}
	return out[0].ID, out[0].At, true, nil
}

// PruneCut is the highest checkpoint seq up to which every sealed event was written before
// before, and that still has chain entries at or before it: where retention may cut. Zero
// means there is nothing to cut.
func (r AuditChain) PruneCut(ctx context.Context, before time.Time) (int64, error) {
	var cut int64
	err := r.db.WithContext(ctx).Raw(`SELECT coalesce(max(cp.seq), 0) FROM audit_checkpoints cp
		WHERE cp.seq >= (SELECT min(seq) FROM audit_chain)
		  AND cp.seq < coalesce((SELECT min(c.seq) FROM audit_chain c JOIN audit_events e ON e.id = c.event_id
		                         WHERE e.at >= ?), 9223372036854775807)`, before).Scan(&cut).Error
	return cut, translate("find audit retention cut", err)
}

// Prune deletes the events sealed at or before the checkpoint at upTo, then their chain
// entries, through the retention path of the append-only triggers (migration 00031). Only
// the owner may: the application role holds no DELETE on either table.
func (r AuditChain) Prune(ctx context.Context, upTo int64) (events int64, err error) {
	db := r.db.WithContext(ctx)
	if err := db.Exec(`SELECT set_config('lotse.audit_retention', 'checkpointed', true)`).Error; err != nil {
		return 0, translate("prune audit events", err)
	}
	res := db.Exec(`DELETE FROM audit_events e USING audit_chain c WHERE c.event_id = e.id AND c.seq <= ?`, upTo)
	if res.Error != nil {
		return 0, translate("prune audit events", res.Error)
	}
	if err := db.Exec(`DELETE FROM audit_chain WHERE seq <= ?`, upTo).Error; err != nil {
		return 0, translate("prune audit chain", err)
	}
	if err := db.Exec(`SELECT set_config('lotse.audit_retention', '', true)`).Error; err != nil {
		return 0, translate("prune audit events", err)
	}
	return res.RowsAffected, nil
}

// ErrStopWalk is returned by a Walk callback to end the walk early; Walk passes it on.
var ErrStopWalk = errors.New("store: stop the walk")
