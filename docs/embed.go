// Package docs embeds the generated documents the data protection officer reads in the
// browser: the permission concept (`lotse policy matrix`), the record of processing
// activities and the deletion concept (`lotse privacy record`, `lotse privacy deletion`).
// Tests in internal/app keep the committed copies current, so that the pages show what the
// code enforces.
package docs

import _ "embed"

var (
	// Permissions is docs/permissions.md.
	//go:embed permissions.md
	Permissions string
	// ProcessingRecord is docs/processing-record.md.
	//go:embed processing-record.md
	ProcessingRecord string
	// DeletionConcept is docs/deletion-concept.md.
	//go:embed deletion-concept.md
	DeletionConcept string
)
