package app

import (
	"fmt"
	"os"

	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/directory"
	"github.com/lotse-project/lotse/internal/model"
)

// DirectoryCmd groups the directory tools.
type DirectoryCmd struct {
	Apply DirectoryApplyCmd `cmd:"" help:"Make the database match a directory file (idempotent; see docs/directory.md)."`
}

// DirectoryApplyCmd applies a directory file.
type DirectoryApplyCmd struct {
	File   string `arg:"" name:"file" help:"The directory file (YAML)."`
	DryRun bool   `name:"dry-run" help:"Print the changes without applying them."`
}

// directoryActor is who the directory tool acts as in the audit trail ("system: directory").
var directoryActor = model.Actor{System: true, Name: "directory"}

// Run checks the file, then applies it in one transaction and prints every change and a
// summary. A file with problems is rejected whole, listing each problem with its line.
func (c DirectoryApplyCmd) Run(cfg *config.Config, e *Env) error {
	if err := cfg.Validate(true); err != nil {
		return err
	}
	data, err := os.ReadFile(c.File)
	if err != nil {
		return fmt.Errorf("cannot read the directory file: %w", err)
	}
	f, err := directory.Parse(c.File, data)
	if err != nil {
		return fmt.Errorf("nothing applied: %w", err)
	}
	log := NewLogger(cfg, "text", e.Stderr)
	a, err := New(e.Ctx, cfg, log, false, Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	changes, err := a.services.Directory.Apply(e.Ctx, directoryActor, f, c.DryRun)
	if err != nil {
		return fmt.Errorf("nothing applied: %w", err)
	}
	for _, ch := range changes {
		fmt.Fprintln(e.Stdout, ch)
	}
	if c.DryRun {
		_, err = fmt.Fprintf(e.Stdout, "dry run: %s, nothing applied\n", plural(len(changes), "change"))
	} else {
		_, err = fmt.Fprintf(e.Stdout, "applied %s\n", plural(len(changes), "change"))
	}
	return err
}

// plural renders "1 change", "2 changes".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
