package service

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/lotse-project/lotse/internal/auditchain"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// AuditChain keeps the audit trail tamper-evident (issue 14, docs/audit.md). Requests write
// their audit events as before, each in its own transaction and never waiting for another;
// Seal, run periodically by the elected job leader, appends the committed events to a hash
// chain and signs its head now and then; Verify walks the chain and names the first event
// that was changed, removed or moved, even by a database superuser; Prune removes old
// events up to a signed checkpoint, from which verification then starts.
type AuditChain struct {
	store *store.Store
	key   ed25519.PrivateKey
	every time.Duration
	log   *slog.Logger
}

// Tuning of the sealer.
const (
	// sealBatch is how many events one seal transaction appends.
	sealBatch = 1000
	// sealWindow is how far below the highest sealed event id the sealer still looks for
	// unsealed events: a request transaction that took its id early and committed late
	// (while up to this many later events were sealed) is sealed then, at a higher seq.
	sealWindow = 10000
	// swapWindow is how many entries after a mismatch Verify searches for the entry that
	// holds the mismatched one's content, to name a swap rather than a change.
	swapWindow = 10000
)

// NewAuditChain builds the sealer and verifier on st. key signs checkpoints (nil: none are
// written); every is the least time between two checkpoints (default an hour).
func NewAuditChain(st *store.Store, key ed25519.PrivateKey, every time.Duration, log *slog.Logger) *AuditChain {
	if every <= 0 {
		every = time.Hour
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &AuditChain{store: st, key: key, every: every, log: log}
}

// SealResult says what one Seal did.
type SealResult struct {
	Sealed     int
	Checkpoint *model.AuditCheckpoint
}

// Seal appends every committed, unsealed event to the chain in id order, and writes a
// checkpoint when there is a key and the last one is older than the checkpoint interval
// (or always, with force, when the chain grew since). Sealers on several instances never
// interleave: each batch holds the chain's advisory lock.
func (c *AuditChain) Seal(ctx context.Context, force bool) (SealResult, error) {
	var res SealResult
	for {
		var n int
		err := c.store.Tx(ctx, model.Actor{System: true}, func(tx *store.Tx) error {
			r := tx.AuditChain()
			if err := r.Lock(ctx); err != nil {
				return err
			}
			seq, prev, maxEvent, err := r.Head(ctx)
			if err != nil {
				return err
			}
			if seq == 0 {
				prev = auditchain.Genesis
			}
			rows, err := r.Unsealed(ctx, max(0, maxEvent-sealWindow), sealBatch)
			if err != nil {
				return err
			}
			entries := make([]model.AuditChainEntry, len(rows))
			for i, row := range rows {
				seq++
				prev = auditchain.Hash(prev, seq, row)
				entries[i] = model.AuditChainEntry{Seq: seq, EventID: row.ID, Hash: prev}
			}
			if err := r.Append(ctx, entries); err != nil {
				return err
			}
			n = len(rows)
			if n == sealBatch || c.key == nil || seq == 0 {
				return nil
			}
			last, err := r.LastCheckpoint(ctx)
			if err != nil {
				return err
			}
			now := c.store.Clock()()
			if last != nil && (last.Seq >= seq || !force && now.Sub(last.SignedAt) < c.every) {
				return nil
			}
			cp := auditchain.Sign(c.key, seq, prev, now)
			if err := r.AddCheckpoint(ctx, cp); err != nil {
				return err
			}
			res.Checkpoint = &cp
			return nil
		})
		if err != nil {
			return res, fmt.Errorf("service: seal audit events: %w", err)
		}
		res.Sealed += n
		if n < sealBatch {
			break
		}
	}
	if cp := res.Checkpoint; cp != nil {
		// Logged so that a copy of every checkpoint lives outside the database too: a
		// superuser who cuts off the chain's end and its checkpoints is caught by an older
		// copy (docs/audit.md).
		c.log.Info("audit checkpoint signed", slog.Int64("seq", cp.Seq), slog.String("hash", fmt.Sprintf("%x", cp.Hash)),
			slog.String("key_id", cp.KeyID), slog.String("signature", fmt.Sprintf("%x", cp.Signature)))
	}
	return res, nil
}

// The kinds of problem Verify names; each is also a message code for the officer's pages.
const (
	ChainChanged      = "audit.chain.changed"
	ChainMissing      = "audit.chain.missing"
	ChainGap          = "audit.chain.gap"
	ChainSwapped      = "audit.chain.swapped"
	ChainCut          = "audit.chain.cut"
	ChainWrongKey     = "audit.chain.wrong_key"
	ChainBadSignature = "audit.chain.bad_signature"
	ChainUnknownKey   = "audit.chain.unknown_key"
	ChainRewritten    = "audit.chain.rewritten"
	ChainTruncated    = "audit.chain.truncated"
	ChainUnsealed     = "audit.chain.unsealed"
)

// ChainKinds are all kinds of problem, for the test that each has its message.
var ChainKinds = []string{ChainChanged, ChainMissing, ChainGap, ChainSwapped, ChainCut, ChainWrongKey,
	ChainBadSignature, ChainUnknownKey, ChainRewritten, ChainTruncated, ChainUnsealed}

// ChainProblem is the first problem Verify found.
type ChainProblem struct {
	Kind    string
	Seq     int64 // where in the chain (0: not a chain position)
	EventID int64 // which event (0: none)
	// Message says it in English, for the command line and the log.
	Message string
	// Params are the values the officer's page puts into its message (code Kind): Seq,
	// Event, Other, OtherSeq, From, To, Last (int64), At (time.Time), Key, Signed (key ids),
	// Grace (time.Duration), each where the kind has it.
	Params map[string]any
}

// UnsealedGrace is how old an event may be without being sealed before Verify calls it a
// finding, unless told otherwise (lotse audit verify --unsealed-grace has the same default;
// the officer's page uses this).
const UnsealedGrace = time.Hour

// ChainReport is the result of Verify.
type ChainReport struct {
	// Entries is how many chain entries were checked, FirstSeq and LastSeq their range.
	Entries           int64
	FirstSeq, LastSeq int64
	// Checkpoints is how many checkpoints there are; Last the newest.
	Checkpoints int
	Last        *model.AuditCheckpoint
	// KeyChecked says whether the checkpoints' signatures were checked (a key was given).
	KeyChecked bool
	// Problem is nil when the chain is intact.
	Problem *ChainProblem
}

// Verify checks the checkpoints' signatures with keys, the public keys the installation has
// signed with (after a rotation the earlier ones too; none: not checked), then walks the
// chain, recomputing every hash from the events as they are now and comparing with the
// chain and the checkpoints, and finally looks for events older than grace that were never
// sealed. It stops at the first problem.
func (c *AuditChain) Verify(ctx context.Context, keys []ed25519.PublicKey, grace time.Duration) (ChainReport, error) {
	var rep ChainReport
	err := c.store.Read(ctx, model.Actor{System: true}, func(tx *store.Tx) error {
		r := tx.AuditChain()
		cps, err := r.Checkpoints(ctx)
		if err != nil {
			return err
		}
		rep.Checkpoints, rep.KeyChecked = len(cps), len(keys) > 0
		if len(cps) > 0 {
			rep.Last = &cps[len(cps)-1]
		}
		if p := checkSignatures(cps, keys); p != nil {
			rep.Problem = p
			return nil
		}
		w := &chainWalk{rep: &rep, checkpoints: map[int64]model.AuditCheckpoint{}}
		for _, cp := range cps {
			w.checkpoints[cp.Seq] = cp
		}
		if err := r.Walk(ctx, w.step); err != nil && !errors.Is(err, store.ErrStopWalk) {
			return err
		}
		if rep.Problem == nil {
			w.finish(cps)
		}
		if rep.Problem != nil {
			return nil
		}
		id, at, found, err := r.OldestUnsealed(ctx, c.store.Clock()().Add(-grace))
		if err != nil || !found {
			return err
		}
		rep.Problem = &ChainProblem{Kind: ChainUnsealed, EventID: id, Params: map[string]any{"Event": id, "At": at, "Grace": grace}, Message: fmt.Sprintf(
			"event %d (written %s) is not sealed although older than %s: the sealer has not run since, or the row was added outside Lotse",
			id, at.UTC().Format(time.RFC3339), grace)}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("service: verify audit chain: %w", err)
	}
	return rep, nil
}

// checkSignatures checks every checkpoint against the key it names among keys: none signed
// by any of them means the wrong keys were given; one whose key is missing, or whose
// signature does not hold, was forged or altered (or an earlier key was left out).
func checkSignatures(cps []model.AuditCheckpoint, keys []ed25519.PublicKey) *ChainProblem {
	if len(keys) == 0 || len(cps) == 0 {
		return nil
	}
	byID := make(map[string]ed25519.PublicKey, len(keys))
	ids := make([]string, 0, len(keys))
	for _, k := range keys {
		id := auditchain.KeyID(k)
		byID[id] = k
		ids = append(ids, id)
	}
	var bad []model.AuditCheckpoint
	for _, cp := range cps {
		if k, ok := byID[cp.KeyID]; !ok || !auditchain.Valid(k, cp) {
			bad = append(bad, cp)
		}
	}
	switch {
	case len(bad) == len(cps):
		return &ChainProblem{Kind: ChainWrongKey, Params: map[string]any{"Key": strings.Join(ids, ", "), "Signed": cps[len(cps)-1].KeyID}, Message: fmt.Sprintf(
			"the checkpoints were not signed by this key (key %s; the checkpoints name key %s): check that the key is the installation's public key",
			strings.Join(ids, ", "), cps[len(cps)-1].KeyID)}
	case len(bad) > 0:
		if _, known := byID[bad[0].KeyID]; !known {
			return &ChainProblem{Kind: ChainUnknownKey, Seq: bad[0].Seq, Params: map[string]any{"Seq": bad[0].Seq, "At": bad[0].SignedAt, "Key": bad[0].KeyID}, Message: fmt.Sprintf(
				"the checkpoint at seq %d (signed %s) names key %s, which was not given: give every public key the installation has signed with (after a rotation the earlier ones too), or it was forged",
				bad[0].Seq, bad[0].SignedAt.UTC().Format(time.RFC3339), bad[0].KeyID)}
		}
		return &ChainProblem{Kind: ChainBadSignature, Seq: bad[0].Seq, Params: map[string]any{"Seq": bad[0].Seq, "At": bad[0].SignedAt}, Message: fmt.Sprintf(
			"the checkpoint at seq %d (signed %s) has an invalid signature: it was forged or altered",
			bad[0].Seq, bad[0].SignedAt.UTC().Format(time.RFC3339))}
	}
	return nil
}

// chainWalk is the state of Verify's walk over the chain.
type chainWalk struct {
	rep         *ChainReport
	checkpoints map[int64]model.AuditCheckpoint
	prev        []byte
	next        int64 // the seq expected next (0: before the first entry)
	goodCP      int64 // the last checkpoint that matched the chain
	// mismatch is the first entry whose recomputed hash differs; the walk goes on for
	// swapWindow entries looking for the entry that holds its content.
	mismatch *pendingMismatch
}

type pendingMismatch struct {
	prev    []byte
	entry   model.AuditChainEntry
	idValue string
	looked  int
	// stored is the stored hash of the entry before the one looked at.
	stored []byte
}

func (w *chainWalk) fail(kind string, seq, event int64, params map[string]any, format string, args ...any) error {
	w.rep.Problem = &ChainProblem{Kind: kind, Seq: seq, EventID: event, Params: params, Message: fmt.Sprintf(format, args...)}
	return store.ErrStopWalk
}

func (w *chainWalk) step(e model.AuditChainEntry, row *model.SealedAuditRow) error {
	if m := w.mismatch; m != nil {
		return w.searchSwap(m, e, row)
	}
	if w.next == 0 {
		w.rep.FirstSeq = e.Seq
		if e.Seq == 1 {
			w.prev = auditchain.Genesis
		} else if cp, ok := w.checkpoints[e.Seq-1]; ok {
			w.prev, w.goodCP = cp.Hash, cp.Seq
		} else {
			return w.fail(ChainCut, e.Seq, e.EventID, map[string]any{"Seq": e.Seq, "Last": e.Seq - 1},
				"the chain starts at seq %d, but there is no checkpoint at seq %d: entries before it were removed outside retention", e.Seq, e.Seq-1)
		}
		w.next = e.Seq
	}
	if e.Seq != w.next {
		return w.fail(ChainGap, w.next, 0, map[string]any{"From": w.next, "To": e.Seq - 1}, "chain entries %d to %d are missing: they were deleted from audit_chain", w.next, e.Seq-1)
	}
	if row == nil {
		return w.fail(ChainMissing, e.Seq, e.EventID, map[string]any{"Event": e.EventID, "Seq": e.Seq}, "event %d (seq %d) is missing: it was sealed and has since been deleted", e.EventID, e.Seq)
	}
	if !bytes.Equal(auditchain.Hash(w.prev, e.Seq, *row), e.Hash) {
		w.mismatch = &pendingMismatch{prev: w.prev, entry: e, idValue: strconv.FormatInt(e.EventID, 10), stored: e.Hash}
		return nil
	}
	if cp, ok := w.checkpoints[e.Seq]; ok {
		if !bytes.Equal(cp.Hash, e.Hash) {
			return w.fail(ChainRewritten, e.Seq, 0, map[string]any{"Seq": cp.Seq, "At": cp.SignedAt, "From": w.goodCP + 1},
				"the checkpoint at seq %d (signed %s) does not match the chain: the chain was rewritten after it was signed, somewhere between seq %d and %d",
				cp.Seq, cp.SignedAt.UTC().Format(time.RFC3339), w.goodCP+1, cp.Seq)
		}
		w.goodCP = cp.Seq
	}
	w.rep.Entries++
	w.rep.LastSeq = e.Seq
	w.prev = e.Hash
	w.next = e.Seq + 1
	return nil
}

// searchSwap looks at the entries after a mismatch for the one whose event, as it is now,
// reproduces the mismatched hash: either the two events exchanged their contents (with
// their ids kept), or the chain entries exchanged their events. The partner must not match
// its own place either, so that two events alike but for their ids are no swap.
func (w *chainWalk) searchSwap(m *pendingMismatch, e model.AuditChainEntry, row *model.SealedAuditRow) error {
	prevStored := m.stored
	m.stored = e.Hash
	if row != nil && !bytes.Equal(auditchain.Hash(prevStored, e.Seq, *row), e.Hash) {
		moved := model.SealedAuditRow{ID: row.ID, Values: append([]*string(nil), row.Values...)}
		moved.Values[0] = &m.idValue
		switch {
		case bytes.Equal(auditchain.Hash(m.prev, m.entry.Seq, moved), m.entry.Hash):
			return w.fail(ChainSwapped, m.entry.Seq, m.entry.EventID,
				map[string]any{"Seq": m.entry.Seq, "Event": m.entry.EventID, "OtherSeq": e.Seq, "Other": e.EventID},
				"events %d (seq %d) and %d (seq %d) were swapped: each now holds the other's content",
				m.entry.EventID, m.entry.Seq, e.EventID, e.Seq)
		case bytes.Equal(auditchain.Hash(m.prev, m.entry.Seq, *row), m.entry.Hash):
			return w.fail(ChainSwapped, m.entry.Seq, e.EventID,
				map[string]any{"Seq": m.entry.Seq, "Event": m.entry.EventID, "OtherSeq": e.Seq, "Other": e.EventID},
				"chain entries %d and %d were swapped: seq %d now names event %d, whose content was sealed at seq %d",
				m.entry.Seq, e.Seq, e.Seq, e.EventID, m.entry.Seq)
		}
	}
	if m.looked++; m.looked >= swapWindow {
		return w.changed()
	}
	return nil
}

func (w *chainWalk) changed() error {
	m := w.mismatch.entry
	return w.fail(ChainChanged, m.Seq, m.EventID, map[string]any{"Event": m.EventID, "Seq": m.Seq}, "event %d (seq %d) was changed after it was sealed", m.EventID, m.Seq)
}

// finish ends a walk that found nothing on the way: a pending mismatch without its swap
// partner is a change; a checkpoint beyond the last entry means the end was cut off.
func (w *chainWalk) finish(cps []model.AuditCheckpoint) {
	if w.mismatch != nil {
		_ = w.changed()
		return
	}
	if w.next == 0 { // an empty chain: retention removed everything up to the last checkpoint
		if len(cps) > 0 {
			w.rep.LastSeq = cps[len(cps)-1].Seq
		}
		return
	}
	for _, cp := range cps {
		if cp.Seq > w.rep.LastSeq {
			_ = w.fail(ChainTruncated, cp.Seq, 0, map[string]any{"Seq": cp.Seq, "At": cp.SignedAt, "Last": w.rep.LastSeq},
				"the checkpoint at seq %d (signed %s) is beyond the end of the chain (seq %d): sealed entries after seq %d were removed, or the chain was rewritten after seq %d",
				cp.Seq, cp.SignedAt.UTC().Format(time.RFC3339), w.rep.LastSeq, w.rep.LastSeq, w.goodCP)
			return
		}
	}
}

// PruneResult says what Prune removed.
type PruneResult struct {
	// UpTo is the checkpoint seq up to which events and chain entries were removed (0:
	// nothing was due).
	UpTo   int64
	Events int64
}

// ErrChainNotIntact refuses retention on a chain that does not verify: pruning would
// destroy the evidence.
var ErrChainNotIntact = errors.New("the audit chain does not verify")

// Prune removes the audit events written before before, and their chain entries, up to
// the last signed checkpoint that covers only such events, after verifying the whole chain
// with keys. The AuditChain must run on the owner's store (the application may not delete
// audit events). What remains verifies from that checkpoint on.
func (c *AuditChain) Prune(ctx context.Context, before time.Time, keys []ed25519.PublicKey, grace time.Duration) (PruneResult, error) {
	var res PruneResult
	if len(keys) == 0 {
		return res, errors.New("service: prune audit events: a key is needed to check the checkpoint retention cuts at")
	}
	rep, err := c.Verify(ctx, keys, grace)
	if err != nil {
		return res, err
	}
	if rep.Problem != nil {
		return res, fmt.Errorf("service: prune audit events: %w: %s", ErrChainNotIntact, rep.Problem.Message)
	}
	err = c.store.Tx(ctx, model.Actor{System: true}, func(tx *store.Tx) error {
		r := tx.AuditChain()
		if err := r.Lock(ctx); err != nil {
			return err
		}
		cut, err := r.PruneCut(ctx, before)
		if err != nil || cut == 0 {
			return err
		}
		n, err := r.Prune(ctx, cut)
		res = PruneResult{UpTo: cut, Events: n}
		return err
	})
	if err != nil {
		return PruneResult{}, fmt.Errorf("service: prune audit events: %w", err)
	}
	return res, nil
}
