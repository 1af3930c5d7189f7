// Package ui embeds what the browser gets: the static files (KERN's CSS and fonts and htmx,
// vendored from npm into static/vendor, plus Lotse's own CSS) and the message catalogues
// (locales, German first, English second). The pages are templ components in ui/components.
package ui

import "embed"

// Locales holds the message catalogues, <part>.<lang>.toml (active.de.toml, cases.en.toml, …).
//
//go:embed locales/*.toml
var Locales embed.FS

// Static holds the files served under /static/ (with content-hashed names, see
// internal/web/assets.go). Everything under static/vendor comes from `make vendor`.
//
//go:embed static
var Static embed.FS
