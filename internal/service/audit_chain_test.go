package service_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lotse-project/lotse/internal/auditchain"
	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// chainFix is a database with audit events written through the store as the application,
// a sealer on the application role, and a superuser connection for tampering.
type chainFix struct {
	t     *testing.T
	ctx   context.Context
	app   *db.DB
	super *db.DB
	owner *db.DB
	st    *store.Store
	chain *service.AuditChain
	key   ed25519.PrivateKey
	pub   ed25519.PublicKey
	now   time.Time
	// serial makes every recorded event's content unique.
	serial int
}

func newChainFix(t *testing.T) *chainFix {
	t.Helper()
	tdb := testutil.NewDatabase(t)
	f := &chainFix{t: t, ctx: context.Background(), now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	f.app = testutil.Open(t, tdb.URL)
	f.owner = testutil.Open(t, tdb.OwnerURL)
	f.super = testutil.Open(t, testutil.Server(t).URL(tdb.Name))
	f.st = store.New(f.app.Gorm, func() time.Time { return f.now })
	var err error
	if f.pub, f.key, err = ed25519.GenerateKey(rand.Reader); err != nil {
		t.Fatal(err)
	}
	f.chain = service.NewAuditChain(f.st, f.key, time.Hour, nil)
	return f
}

// record writes n audit events through the store, each in its own transaction as a
// request does, and returns their ids.
func (f *chainFix) record(n int) []int64 {
	f.t.Helper()
	var ids []int64
	for range n {
		f.serial++
		i := f.serial
		ev := &model.AuditEvent{ActorName: "Test", Role: "caseworker", Action: "case.read", ObjectType: "case",
			ObjectID: fmt.Sprintf("obj-%d", i), Purpose: model.PurposeCaseWork, RequestID: fmt.Sprintf("req-%d", i),
			RemoteAddr: "192.0.2.1", Details: model.JSONMap{"n": i, "fields": []string{"name"}}}
		if err := f.st.Tx(f.ctx, model.Actor{System: true}, func(tx *store.Tx) error { return tx.Audit().Record(f.ctx, ev) }); err != nil {
			f.t.Fatal(err)
		}
		// The event is written with the commit, which does not report its id: it is the
		// newest, since this test writes one at a time.
		var id int64
		if err := f.owner.Pool.QueryRow(f.ctx, `SELECT max(id) FROM audit_events`).Scan(&id); err != nil {
			f.t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func (f *chainFix) seal(force bool) service.SealResult {
	f.t.Helper()
	res, err := f.chain.Seal(f.ctx, force)
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

func (f *chainFix) verify() service.ChainReport {
	f.t.Helper()
	rep, err := f.chain.Verify(f.ctx, []ed25519.PublicKey{f.pub}, time.Hour)
	if err != nil {
		f.t.Fatal(err)
	}
	return rep
}

// tamper runs statements as a database superuser with the append-only triggers switched
// off, as an attacker with full control of the database would.
func (f *chainFix) tamper(stmts ...string) {
	f.t.Helper()
	tx, err := f.super.Pool.Begin(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(f.ctx) }()
	if _, err := tx.Exec(f.ctx, `SET LOCAL session_replication_role = replica`); err != nil {
		f.t.Fatal(err)
	}
	for _, s := range stmts {
		if _, err := tx.Exec(f.ctx, s); err != nil {
			f.t.Fatalf("%s: %v", s, err)
		}
	}
	if err := tx.Commit(f.ctx); err != nil {
		f.t.Fatal(err)
	}
}

func (f *chainFix) count(q string) int {
	f.t.Helper()
	var n int
	if err := f.owner.Pool.QueryRow(f.ctx, q).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

// sealed builds a database with 20 sealed events, a checkpoint at seq 10 and one at 20.
func sealed(t *testing.T) (*chainFix, []int64) {
	f := newChainFix(t)
	ids := f.record(10)
	if res := f.seal(false); res.Sealed != 10 || res.Checkpoint == nil || res.Checkpoint.Seq != 10 {
		t.Fatalf("first seal: %+v", res)
	}
	ids = append(ids, f.record(10)...)
	if res := f.seal(true); res.Sealed != 10 || res.Checkpoint == nil || res.Checkpoint.Seq != 20 {
		t.Fatalf("second seal: %+v", res)
	}
	if rep := f.verify(); rep.Problem != nil || rep.Entries != 20 || rep.Checkpoints != 2 || !rep.KeyChecked {
		t.Fatalf("the untouched chain does not verify: %+v %+v", rep, rep.Problem)
	}
	return f, ids
}

// TestAuditChainSealsEveryEventOnce: the sealer appends committed events in id order with
// consecutive seqs, writes a checkpoint only when the interval passed (or when forced), and
// an untouched chain verifies.
func TestAuditChainSealsEveryEventOnce(t *testing.T) {
	t.Parallel()
	f, ids := sealed(t)
	if res := f.seal(false); res.Sealed != 0 || res.Checkpoint != nil {
		t.Fatalf("a seal without new events did something: %+v", res)
	}
	f.record(3)
	if res := f.seal(false); res.Sealed != 3 || res.Checkpoint != nil {
		t.Fatalf("a checkpoint within the interval: %+v", res)
	}
	f.now = f.now.Add(time.Hour)
	f.record(1)
	if res := f.seal(false); res.Sealed != 1 || res.Checkpoint == nil || res.Checkpoint.Seq != 24 {
		t.Fatalf("no checkpoint after the interval: %+v", res)
	}
	if n := f.count(`SELECT count(*) FROM audit_chain c JOIN audit_events e ON e.id = c.event_id`); n != 24 {
		t.Fatalf("%d events sealed, want 24", n)
	}
	var first int64
	if err := f.owner.Pool.QueryRow(f.ctx, `SELECT event_id FROM audit_chain WHERE seq = 1`).Scan(&first); err != nil || first != ids[0] {
		t.Fatalf("seq 1 is event %d (%v), want %d", first, err, ids[0])
	}
	if rep := f.verify(); rep.Problem != nil || rep.Entries != 24 || rep.Last.Seq != 24 {
		t.Fatalf("%+v %+v", rep, rep.Problem)
	}
}

// TestAuditChainNamesTampering: a database superuser changes, deletes, swaps or inserts
// audit rows or rewrites the chain; verify names the first affected row each time.
func TestAuditChainNamesTampering(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		tamper func(f *chainFix, ids []int64)
		kind   string
		seq    int64 // the seq the problem names
		event  int   // index into ids of the event it names (-1: none)
		words  string
	}{
		{"changed details", func(f *chainFix, ids []int64) {
			f.tamper(fmt.Sprintf(`UPDATE audit_events SET details = '{"n": 99}' WHERE id = %d`, ids[6]))
		}, service.ChainChanged, 7, 6, "was changed after it was sealed"},
		{"deleted row", func(f *chainFix, ids []int64) {
			f.tamper(fmt.Sprintf(`DELETE FROM audit_events WHERE id = %d`, ids[3]))
		}, service.ChainMissing, 4, 3, "is missing"},
		{"swapped contents", func(f *chainFix, ids []int64) {
			f.tamper(fmt.Sprintf(`UPDATE audit_events a SET at = b.at, object_id = b.object_id, request_id = b.request_id, details = b.details
				FROM audit_events b WHERE (a.id, b.id) IN ((%[1]d, %[2]d), (%[2]d, %[1]d))`, ids[4], ids[12]))
		}, service.ChainSwapped, 5, 4, "(seq 5) and"},
		{"swapped chain entries", func(f *chainFix, ids []int64) {
			f.tamper(fmt.Sprintf(`UPDATE audit_chain SET event_id = -1 WHERE event_id = %[1]d`, ids[2]),
				fmt.Sprintf(`UPDATE audit_chain SET event_id = %[1]d WHERE event_id = %[2]d`, ids[2], ids[8]),
				fmt.Sprintf(`UPDATE audit_chain SET event_id = %[1]d WHERE event_id = -1`, ids[8]))
		}, service.ChainSwapped, 3, 2, "chain entries 3 and 9 were swapped"},
		{"deleted chain entry", func(f *chainFix, ids []int64) {
			f.tamper(`DELETE FROM audit_chain WHERE seq = 15`)
		}, service.ChainGap, 15, -1, "chain entries 15 to 15 are missing"},
		{"changed row, chain rewritten", func(f *chainFix, ids []int64) {
			// The superuser changes event 13 and recomputes every later hash, as they could
			// with the published algorithm: only the signed checkpoint at 20 objects.
			f.tamper(fmt.Sprintf(`UPDATE audit_events SET purpose = 'forged' WHERE id = %d`, ids[12]))
			rewrite(f)
		}, service.ChainRewritten, 20, -1, "between seq 11 and 20"},
		{"chain end cut off", func(f *chainFix, ids []int64) {
			f.tamper(`DELETE FROM audit_events WHERE id IN (SELECT event_id FROM audit_chain WHERE seq > 18)`,
				`DELETE FROM audit_chain WHERE seq > 18`)
		}, service.ChainTruncated, 20, -1, "beyond the end of the chain (seq 18)"},
		{"chain start cut off", func(f *chainFix, ids []int64) {
			f.tamper(`DELETE FROM audit_events WHERE id IN (SELECT event_id FROM audit_chain WHERE seq < 5)`,
				`DELETE FROM audit_chain WHERE seq < 5`)
		}, service.ChainCut, 5, 4, "no checkpoint at seq 4"},
		{"forged checkpoint", func(f *chainFix, ids []int64) {
			f.tamper(`UPDATE audit_checkpoints SET hash = decode(repeat('ab', 32), 'hex') WHERE seq = 10`)
		}, service.ChainBadSignature, 10, -1, "invalid signature"},
		{"row inserted outside Lotse", func(f *chainFix, ids []int64) {
			f.tamper(`INSERT INTO audit_events (at, action, object_type) VALUES ('2026-01-01', 'case.read', 'case')`)
		}, service.ChainUnsealed, 0, -1, "is not sealed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, ids := sealed(t)
			tc.tamper(f, ids)
			p := f.verify().Problem
			if p == nil {
				t.Fatal("verify found nothing")
			}
			var event int64
			if tc.event >= 0 {
				event = ids[tc.event]
			}
			if p.Kind != tc.kind || p.Seq != tc.seq || (tc.event >= 0 && p.EventID != event) || !strings.Contains(p.Message, tc.words) {
				t.Fatalf("got %+v, want %s at seq %d, event %d, saying %q", p, tc.kind, tc.seq, event, tc.words)
			}
			// The officer's page words the finding from Params: the positions it names are
			// the ones the command line names.
			if len(p.Params) == 0 {
				t.Error("the finding has no parameters for the officer's page")
			}
			for _, k := range []string{"Seq", "OtherSeq", "From", "To", "Last"} {
				if n, ok := p.Params[k].(int64); ok && !strings.Contains(p.Message, fmt.Sprintf("seq %d", n)) && !strings.Contains(p.Message, fmt.Sprintf(" %d ", n)) {
					t.Errorf("the parameter %s = %d is not in the finding %q", k, n, p.Message)
				}
			}
			if e, ok := p.Params["Event"].(int64); ok && tc.event >= 0 && tc.kind != service.ChainSwapped && e != event {
				t.Errorf("the parameter Event = %d, want %d", e, event)
			}
			if tc.event >= 0 && !strings.Contains(p.Message, fmt.Sprintf("event %d", event)) && !strings.Contains(p.Message, fmt.Sprintf("events %d", event)) && tc.kind != service.ChainSwapped && tc.kind != service.ChainCut {
				t.Errorf("the message does not name event %d: %s", event, p.Message)
			}
		})
	}
}

// TestAuditChainCoversEveryColumn: a change to any single column of a sealed event breaks
// the chain at that event, and the hashed columns are exactly the table's.
func TestAuditChainCoversEveryColumn(t *testing.T) {
	t.Parallel()
	f, ids := sealed(t)
	rows, err := f.owner.Pool.Query(f.ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name = 'audit_events' ORDER BY ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if !slices.Equal(cols, model.AuditRowColumns) {
		t.Fatalf("audit_events has columns %v, the chain hashes %v", cols, model.AuditRowColumns)
	}
	change := map[string]string{
		"at": "at = at + interval '1 microsecond'", "actor_id": "actor_id = gen_random_uuid()",
		"org_id": "org_id = gen_random_uuid()", "case_id": "case_id = gen_random_uuid()", "details": `details = '{"n": -1}'`,
	}
	// Each column on an earlier event than the one before, so that the change just made is
	// always the first the walk meets. (An id cannot be changed in place; a changed id is a
	// missing event, which TestAuditChainNamesTampering covers.)
	pos := len(ids)
	for _, c := range cols[1:] {
		set, ok := change[c]
		if !ok {
			set = c + " = " + c + " || 'x'"
		}
		pos--
		f.tamper(fmt.Sprintf(`UPDATE audit_events SET %s WHERE id = %d`, set, ids[pos-1]))
		if p := f.verify().Problem; p == nil || p.Seq != int64(pos) || p.Kind != service.ChainChanged {
			t.Errorf("%s changed at seq %d: verify says %+v", c, pos, p)
		}
	}
}

// rewrite recomputes every hash of the chain from the events as they are now.
func rewrite(f *chainFix) {
	f.t.Helper()
	var stmts []string
	prev := auditchain.Genesis
	err := f.st.Read(f.ctx, model.Actor{System: true}, func(tx *store.Tx) error {
		return tx.AuditChain().Walk(f.ctx, func(e model.AuditChainEntry, row *model.SealedAuditRow) error {
			prev = auditchain.Hash(prev, e.Seq, *row)
			stmts = append(stmts, fmt.Sprintf(`UPDATE audit_chain SET hash = '\x%x' WHERE seq = %d`, prev, e.Seq))
			return nil
		})
	})
	if err != nil {
		f.t.Fatal(err)
	}
	f.tamper(stmts...)
}

// TestAuditChainWrongKey: verifying with a key that did not sign the checkpoints says so in
// one line and changes nothing.
func TestAuditChainWrongKey(t *testing.T) {
	t.Parallel()
	f, _ := sealed(t)
	before := testutil.Fingerprint(t, f.owner.SQL, "audit_events", "audit_chain", "audit_checkpoints")
	other, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := f.chain.Verify(f.ctx, []ed25519.PublicKey{other}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if p := rep.Problem; p == nil || p.Kind != service.ChainWrongKey || !strings.Contains(p.Message, "were not signed by this key") || strings.Contains(p.Message, "\n") {
		t.Fatalf("got %+v", p)
	}
	if after := testutil.Fingerprint(t, f.owner.SQL, "audit_events", "audit_chain", "audit_checkpoints"); after != before {
		t.Error("a verify run changed the audit tables")
	}
}

// TestAuditChainKeyRotation: after the signing key is replaced, the chain verifies with the
// earlier and the new public key together; leaving the earlier one out names the first
// checkpoint it signed, and the earlier key alone does not pass the new checkpoints either.
func TestAuditChainKeyRotation(t *testing.T) {
	t.Parallel()
	f, _ := sealed(t)
	newPub, newKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f.chain = service.NewAuditChain(f.st, newKey, time.Hour, nil)
	f.record(5)
	if res := f.seal(true); res.Sealed != 5 || res.Checkpoint == nil || res.Checkpoint.KeyID != auditchain.KeyID(newPub) {
		t.Fatalf("seal with the new key: %+v", res)
	}
	verify := func(keys ...ed25519.PublicKey) *service.ChainProblem {
		t.Helper()
		rep, err := f.chain.Verify(f.ctx, keys, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return rep.Problem
	}
	if p := verify(newPub, f.pub); p != nil {
		t.Fatalf("the chain does not verify with both keys: %+v", p)
	}
	if p := verify(newPub); p == nil || p.Kind != service.ChainUnknownKey || p.Seq != 10 || !strings.Contains(p.Message, "names key "+auditchain.KeyID(f.pub)+", which was not given") {
		t.Fatalf("without the earlier key: got %+v", p)
	}
	if p := verify(f.pub); p == nil || p.Kind != service.ChainUnknownKey || p.Seq != 25 {
		t.Fatalf("with the earlier key alone: got %+v", p)
	}
	// Two keys, neither of which signed anything: the wrong keys, named both.
	a, _, _ := ed25519.GenerateKey(rand.Reader)
	b, _, _ := ed25519.GenerateKey(rand.Reader)
	if p := verify(a, b); p == nil || p.Kind != service.ChainWrongKey || !strings.Contains(p.Message, auditchain.KeyID(a)+", "+auditchain.KeyID(b)) {
		t.Fatalf("with two foreign keys: got %+v", p)
	}
}

// TestAuditChainConcurrentWriters: several writers append audit events in their own
// transactions while two sealers (two instances) seal at once; afterwards every event is
// sealed exactly once and the chain verifies.
func TestAuditChainConcurrentWriters(t *testing.T) {
	t.Parallel()
	f := newChainFix(t)
	other := service.NewAuditChain(store.New(f.app.Gorm, f.st.Clock()), f.key, time.Hour, nil)
	const writers, each = 6, 40
	var wg sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, writers+2)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				ev := &model.AuditEvent{Action: "case.read", ObjectType: "case", ObjectID: fmt.Sprintf("%d-%d", w, i)}
				err := f.st.Tx(f.ctx, model.Actor{System: true}, func(tx *store.Tx) error {
					if err := tx.Audit().Record(f.ctx, ev); err != nil {
						return err
					}
					if i%7 == 0 { // a request that takes its id early and commits late
						time.Sleep(3 * time.Millisecond)
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	var sealers sync.WaitGroup
	for _, c := range []*service.AuditChain{f.chain, other} {
		sealers.Add(1)
		go func(c *service.AuditChain) {
			defer sealers.Done()
			for {
				if _, err := c.Seal(f.ctx, true); err != nil {
					errs <- err
					return
				}
				select {
				case <-done:
					return
				default:
				}
			}
		}(c)
	}
	wg.Wait()
	close(done)
	sealers.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	f.seal(true)
	if n, m := f.count(`SELECT count(*) FROM audit_events`), f.count(`SELECT count(DISTINCT event_id) FROM audit_chain`); n != writers*each || m != n {
		t.Fatalf("%d events, %d sealed", n, m)
	}
	if n := f.count(`SELECT count(*) FROM audit_chain`); n != writers*each || f.count(`SELECT max(seq) FROM audit_chain`) != n {
		t.Fatalf("%d chain entries, want %d with consecutive seqs", n, writers*each)
	}
	if rep := f.verify(); rep.Problem != nil || rep.Entries != writers*each {
		t.Fatalf("%+v %+v", rep, rep.Problem)
	}
}

// TestAuditChainPrune: retention removes the events before a date up to the last checkpoint
// that covers only such events, through the owner; the rest still verifies from that
// checkpoint, and the application role may not delete audit events at all.
func TestAuditChainPrune(t *testing.T) {
	t.Parallel()
	f := newChainFix(t)
	f.record(5)
	f.seal(true) // checkpoint at 5
	f.record(5)
	f.seal(true) // checkpoint at 10
	f.now = f.now.AddDate(2, 0, 0)
	cut := f.now
	f.record(5)
	f.seal(true) // checkpoint at 15
	f.record(2)
	f.seal(false) // no checkpoint
	ownerChain := service.NewAuditChain(store.New(f.owner.Gorm, f.st.Clock()), nil, time.Hour, nil)

	if _, err := ownerChain.Prune(f.ctx, cut, nil, time.Hour); err == nil {
		t.Fatal("prune without a key went ahead")
	}
	res, err := ownerChain.Prune(f.ctx, cut, []ed25519.PublicKey{f.pub}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if res.UpTo != 10 || res.Events != 10 {
		t.Fatalf("pruned %+v, want up to seq 10, 10 events", res)
	}
	if n := f.count(`SELECT count(*) FROM audit_events`); n != 7 {
		t.Fatalf("%d events left, want 7", n)
	}
	rep := f.verify()
	if rep.Problem != nil || rep.FirstSeq != 11 || rep.Entries != 7 {
		t.Fatalf("after prune: %+v %+v", rep, rep.Problem)
	}
	f.record(1)
	if res := f.seal(true); res.Sealed != 1 || res.Checkpoint.Seq != 18 {
		t.Fatalf("sealing after prune: %+v", res)
	}
	if p := f.verify().Problem; p != nil {
		t.Fatal(p.Message)
	}
	again, err := ownerChain.Prune(f.ctx, f.now.AddDate(1, 0, 0), []ed25519.PublicKey{f.pub}, time.Hour)
	if err != nil || again.UpTo != 18 || again.Events != 8 {
		t.Fatalf("pruning everything: %+v %v", again, err)
	}
	if p := f.verify().Problem; p != nil {
		t.Fatal(p.Message)
	}
	f.record(1)
	if res := f.seal(true); res.Sealed != 1 || res.Checkpoint.Seq != 19 {
		t.Fatalf("sealing after an empty chain: %+v", res)
	}
	if p := f.verify().Problem; p != nil {
		t.Fatal(p.Message)
	}
	// Outside the retention path nobody deletes: the application lacks the privilege, the
	// owner without the setting meets the trigger, and even with it not after the last checkpoint.
	if _, err := f.app.Pool.Exec(f.ctx, `DELETE FROM audit_events`); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("the application deleted audit events: %v", err)
	}
	if _, err := f.app.Pool.Exec(f.ctx, `DELETE FROM audit_chain`); err == nil || !strings.Contains(err.Error(), "permission denied") {
		t.Errorf("the application deleted chain entries: %v", err)
	}
	if _, err := f.owner.Pool.Exec(f.ctx, `DELETE FROM audit_events`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("the owner deleted audit events outside retention: %v", err)
	}
	f.record(1) // sealed after the last checkpoint
	f.seal(false)
	if _, err := f.owner.Pool.Exec(f.ctx, `BEGIN; SET LOCAL lotse.audit_retention = 'checkpointed'; DELETE FROM audit_events; COMMIT`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("the owner deleted an event after the last checkpoint: %v", err)
	}
	_, _ = f.owner.Pool.Exec(f.ctx, `ROLLBACK`)
	if _, err := f.owner.Pool.Exec(f.ctx, `DELETE FROM audit_checkpoints`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("the owner deleted checkpoints: %v", err)
	}
}

// TestAuditChainPruneRefusesABrokenChain: retention never deletes the evidence of a
// tampered chain.
func TestAuditChainPruneRefusesABrokenChain(t *testing.T) {
	t.Parallel()
	f, ids := sealed(t)
	f.tamper(fmt.Sprintf(`UPDATE audit_events SET actor_name = 'Niemand' WHERE id = %d`, ids[2]))
	ownerChain := service.NewAuditChain(store.New(f.owner.Gorm, f.st.Clock()), nil, time.Hour, nil)
	res, err := ownerChain.Prune(f.ctx, f.now.AddDate(1, 0, 0), []ed25519.PublicKey{f.pub}, time.Hour)
	if !errors.Is(err, service.ErrChainNotIntact) || !strings.Contains(err.Error(), fmt.Sprintf("event %d (seq 3) was changed", ids[2])) || res.UpTo != 0 {
		t.Fatalf("prune of a tampered chain: %+v %v", res, err)
	}
	if n := f.count(`SELECT count(*) FROM audit_events`); n != 20 {
		t.Fatalf("%d events left, want 20", n)
	}
}

// TestVerifyChainIsTheOfficers: the officer's check of the chain (Audit.VerifyChain) refuses
// everyone without audit.verify and a key that is no key, recording nothing either time;
// the officer's run is recorded as audit.verify with its result.
func TestVerifyChainIsTheOfficers(t *testing.T) {
	t.Parallel()
	w := world.NewCity(t)
	ctx := context.Background()
	svc := w.Services(t)
	count := func() int {
		var n int
		if err := w.DB.SQL.QueryRow(`SELECT count(*) FROM audit_events WHERE action = 'audit.verify'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, u := range []*world.User{w.HousingWorker, w.Sysadmin, w.Coordinator} {
		if _, err := svc.Audit.VerifyChain(ctx, w.Actor(t, u), ""); !errors.Is(err, model.ErrForbidden) {
			t.Errorf("%s: %v, want forbidden", u.Name, err)
		}
	}
	dpo := w.Actor(t, w.DPO)
	if _, err := svc.Audit.VerifyChain(ctx, dpo, "-----BEGIN PUBLIC KEY-----\nkaputt\n-----END PUBLIC KEY-----"); !errors.Is(err, model.ErrInvalid) {
		t.Errorf("a broken key: %v, want invalid", err)
	}
	if n := count(); n != 0 {
		t.Fatalf("%d audit.verify events after refusals", n)
	}
	res, err := svc.Audit.VerifyChain(ctx, dpo, "")
	if err != nil || res.Report.Problem != nil || res.Key != service.ChainKeyNone {
		t.Fatalf("the officer's check: %+v, %v", res, err)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d audit.verify events after the officer's check, want 1", n)
	}
}
