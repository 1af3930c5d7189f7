// Package ui embeds what the browser gets: page templates, static files and the message
// catalogues (ui/locales, German first, English second).
package ui

import "embed"

// Locales holds active.de.toml and active.en.toml.
//
//go:embed locales/*.toml
var Locales embed.FS

// Templates holds the HTML page templates.
//
//go:embed templates/*.html
var Templates embed.FS
