package app

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/lotse-project/lotse/internal/auditchain"
	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/db"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/internal/store"
)

// AuditCmd groups the commands of the tamper-evident audit (docs/audit.md).
type AuditCmd struct {
	Verify AuditVerifyCmd `cmd:"" help:"Walk the audit chain and name the first changed, missing or reordered event; exit 1 when there is one."`
	Seal   AuditSealCmd   `cmd:"" help:"Seal the audit events written so far and sign a checkpoint now (serve does this by itself)."`
	Prune  AuditPruneCmd  `cmd:"" help:"Delete the audit events written before a date, up to a signed checkpoint (as the owner, LOTSE_MIGRATION_DATABASE_URL)."`
	Keygen AuditKeygenCmd `cmd:"" help:"Write a new Ed25519 key pair for the checkpoints: FILE (private, for LOTSE_AUDIT_SIGNING_KEY_FILE) and FILE.pub."`
}

// auditChain builds the sealer of the process from the configuration.
func auditChain(cfg *config.Config, st *store.Store, log *slog.Logger) (*service.AuditChain, error) {
	var key ed25519.PrivateKey
	if cfg.AuditSigningKey != "" {
		k, err := auditchain.ParsePrivateKey(cfg.AuditSigningKey)
		if err != nil {
			return nil, fmt.Errorf("LOTSE_AUDIT_SIGNING_KEY: %w", err)
		}
		key = k
	}
	return service.NewAuditChain(st, key, cfg.AuditCheckpointEvery, log), nil
}

// verificationKeys are the public keys of each --public-key FILE, else the public half of
// the configured signing key and the keys of LOTSE_AUDIT_EARLIER_KEYS_FILE, else none.
func verificationKeys(cfg *config.Config, files []string) ([]ed25519.PublicKey, error) {
	read := func(what, file string) ([]ed25519.PublicKey, error) {
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("%s: cannot read %s: %w", what, file, errors.Unwrap(err))
		}
		keys, err := auditchain.ParsePublicKeys(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %s %w", what, file, err)
		}
		return keys, nil
	}
	var keys []ed25519.PublicKey
	if len(files) > 0 {
		for _, f := range files {
			k, err := read("--public-key", f)
			if err != nil {
				return nil, err
			}
			keys = append(keys, k...)
		}
		return keys, nil
	}
	if cfg.AuditSigningKey != "" {
		k, err := auditchain.ParsePrivateKey(cfg.AuditSigningKey)
		if err != nil {
			return nil, fmt.Errorf("LOTSE_AUDIT_SIGNING_KEY: %w", err)
		}
		keys = append(keys, k.Public().(ed25519.PublicKey))
	}
	if cfg.AuditEarlierKeysFile != "" {
		k, err := read("LOTSE_AUDIT_EARLIER_KEYS_FILE", cfg.AuditEarlierKeysFile)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k...)
	}
	return keys, nil
}

// AuditVerifyCmd verifies the chain.
type AuditVerifyCmd struct {
	PublicKey []string      `name:"public-key" sep:"none" placeholder:"FILE" help:"The installation's public key (PEM, as lotse audit keygen writes FILE.pub); repeat it, or put several keys in the file, for the keys used before a rotation. Default: the public half of LOTSE_AUDIT_SIGNING_KEY and the keys of LOTSE_AUDIT_EARLIER_KEYS_FILE."`
	Unsealed  time.Duration `name:"unsealed-grace" default:"1h" help:"Events older than this that are not sealed are a finding."`
}

// Run prints a summary and returns nil when the chain is intact, else the finding (exit 1).
func (c AuditVerifyCmd) Run(cfg *config.Config, e *Env) error {
	keys, err := verificationKeys(cfg, c.PublicKey)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	a, err := OpenTool(cfg, e)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := a.chain.Verify(e.Ctx, keys, c.Unsealed)
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	if rep.Problem != nil {
		return fmt.Errorf("audit chain: %s", rep.Problem.Message)
	}
	_, err = fmt.Fprintln(e.Stdout, chainSummary(rep))
	return err
}

// chainSummary is the one line of an intact chain.
func chainSummary(rep service.ChainReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "chain intact: %d events", rep.Entries)
	if rep.Entries > 0 {
		fmt.Fprintf(&b, " (seq %d to %d)", rep.FirstSeq, rep.LastSeq)
	}
	switch {
	case rep.Last == nil:
		b.WriteString(", no checkpoint yet")
	default:
		fmt.Fprintf(&b, ", %d checkpoints, last at seq %d signed %s by key %s", rep.Checkpoints, rep.Last.Seq,
			rep.Last.SignedAt.In(model.Berlin).Format(time.DateTime), rep.Last.KeyID)
	}
	if !rep.KeyChecked && rep.Last != nil {
		b.WriteString("; signatures not checked: no key given (--public-key or LOTSE_AUDIT_SIGNING_KEY)")
	}
	return b.String()
}

// AuditSealCmd seals now and forces a checkpoint.
type AuditSealCmd struct{}

// Run seals and prints what it did.
func (AuditSealCmd) Run(cfg *config.Config, e *Env) error {
	a, err := OpenTool(cfg, e)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.chain.Seal(e.Ctx, true)
	if err != nil {
		return fmt.Errorf("audit seal: %w", err)
	}
	fmt.Fprintf(e.Stdout, "sealed %d events\n", res.Sealed)
	if cp := res.Checkpoint; cp != nil {
		fmt.Fprintf(e.Stdout, "checkpoint at seq %d signed by key %s\n", cp.Seq, cp.KeyID)
	} else if cfg.AuditSigningKey == "" {
		fmt.Fprintln(e.Stdout, "no checkpoint: LOTSE_AUDIT_SIGNING_KEY is not set")
	}
	return nil
}

// AuditPruneCmd removes old audit events up to a checkpoint.
type AuditPruneCmd struct {
	Before    string        `required:"" placeholder:"YYYY-MM-DD" help:"Delete events written before this day (00:00 Europe/Berlin)."`
	PublicKey []string      `name:"public-key" sep:"none" placeholder:"FILE" help:"The installation's public keys, as for verify; default: the public half of LOTSE_AUDIT_SIGNING_KEY and the keys of LOTSE_AUDIT_EARLIER_KEYS_FILE."`
	Unsealed  time.Duration `name:"unsealed-grace" default:"1h" help:"As for verify: the chain must verify before anything is deleted."`
}

// Run verifies the chain, then deletes as the owner.
func (c AuditPruneCmd) Run(cfg *config.Config, e *Env) error {
	before, err := time.ParseInLocation(time.DateOnly, c.Before, model.Berlin)
	if err != nil {
		return fmt.Errorf("audit prune: --before must be a day as YYYY-MM-DD, got %q", c.Before)
	}
	if before.After(time.Now()) {
		return fmt.Errorf("audit prune: --before %s is in the future", c.Before)
	}
	keys, err := verificationKeys(cfg, c.PublicKey)
	if err != nil {
		return fmt.Errorf("audit prune: %w", err)
	}
	if len(keys) == 0 {
		return errors.New("audit prune: a key is needed to check the checkpoint the cut rests on: give --public-key or LOTSE_AUDIT_SIGNING_KEY")
	}
	var res service.PruneResult
	err = withOwner(cfg, e, func(d *db.DB, m *db.Migrator, log *slog.Logger) error {
		if err := m.Check(e.Ctx); err != nil {
			return err
		}
		chain := service.NewAuditChain(store.New(d.Gorm, nil), nil, 0, log)
		res, err = chain.Prune(e.Ctx, before, keys, c.Unsealed)
		if err != nil {
			return fmt.Errorf("audit prune: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if res.UpTo == 0 {
		_, err = fmt.Fprintln(e.Stdout, "nothing to delete: no checkpoint covers only events before", c.Before)
		return err
	}
	_, err = fmt.Fprintf(e.Stdout, "deleted %d audit events up to the checkpoint at seq %d; verification starts there\n", res.Events, res.UpTo)
	return err
}

// AuditKeygenCmd writes a new key pair.
type AuditKeygenCmd struct {
	Out string `arg:"" name:"file" help:"Where to write the private key (mode 0600); the public key goes to FILE.pub."`
}

// Run writes both files; it refuses to overwrite either and needs no database.
func (c AuditKeygenCmd) Run(_ *config.Config, e *Env) error {
	for _, p := range []string{c.Out, c.Out + ".pub"} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("audit keygen: %s exists: a key is never overwritten", p)
		}
	}
	priv, pub, id, err := auditchain.GenerateKey()
	if err != nil {
		return fmt.Errorf("audit keygen: %w", err)
	}
	for _, f := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{{c.Out, priv, 0o600}, {c.Out + ".pub", pub, 0o644}} {
		fh, err := os.OpenFile(f.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, f.mode)
		if err != nil {
			return fmt.Errorf("audit keygen: %w", err)
		}
		if _, err := fh.Write(f.data); err != nil {
			fh.Close()
			return fmt.Errorf("audit keygen: %w", err)
		}
		if err := fh.Close(); err != nil {
			return fmt.Errorf("audit keygen: %w", err)
		}
	}
	_, err = fmt.Fprintf(e.Stdout, "wrote %s (private: LOTSE_AUDIT_SIGNING_KEY_FILE=%s) and %s.pub (public, for lotse audit verify --public-key); key id %s\n", c.Out, c.Out, c.Out, id)
	return err
}
