// Package migrations embeds the goose SQL migrations that own Lotse's database schema.
// The rules for writing them are in README.md beside this file.
package migrations

import "embed"

// FS holds every NNNNN_verb_object.sql file of this directory.
//
//go:embed *.sql
var FS embed.FS
