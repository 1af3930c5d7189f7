package app

import (
	"io"

	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/privacy"
)

// PrivacyCmd groups the data protection documents generated from the data catalogue
// (internal/privacy).
type PrivacyCmd struct {
	Record   PrivacyRecordCmd   `cmd:"" help:"Print the record of processing activities (GDPR Art. 30) as Markdown; docs/processing-record.md is its output."`
	Deletion PrivacyDeletionCmd `cmd:"" help:"Print the deletion concept (Löschkonzept) as Markdown; docs/deletion-concept.md is its output."`
}

// PrivacyRecordCmd prints the record of processing activities.
type PrivacyRecordCmd struct{}

// Run renders the catalogue; it needs no database.
func (PrivacyRecordCmd) Run(_ *config.Config, e *Env) error {
	_, err := io.WriteString(e.Stdout, privacy.Record())
	return err
}

// PrivacyDeletionCmd prints the deletion concept.
type PrivacyDeletionCmd struct{}

// Run renders the catalogue's retention rules; it needs no database.
func (PrivacyDeletionCmd) Run(_ *config.Config, e *Env) error {
	_, err := io.WriteString(e.Stdout, privacy.DeletionConcept())
	return err
}
