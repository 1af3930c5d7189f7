// Package e2e holds Lotse's browser tests: the real server (as `lotse-dev dev` runs it: a fresh
// database, the development identity provider with the demo accounts, the demo data) driven
// through Debian's chromium with chromedp. Every demo role signs in through the identity
// provider's real form and walks its pages; the stories of the issue (recording a consent,
// referring a case by keyboard alone, the partner accepting and sharing a note back, the
// department head reassigning an overdue task, the partner never seeing an unrelated case)
// are played through the UI. Every page is checked with axe-core for WCAG 2.1 A and AA
// violations, and a screenshot of every page per role is written to screenshots/<role>/ at the
// repository root (git-ignored), so that a person can look at them.
//
// The package has tests only. axe-core is vendored into testdata/vendor by `make vendor`
// (ui/internal/vendoring), which records its version in testdata/vendor/VERSIONS.
package e2e
