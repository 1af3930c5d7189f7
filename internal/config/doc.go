// Package config owns Lotse's runtime configuration: one typed Config read from LOTSE_*
// environment variables (secrets also from LOTSE_*_FILE) and command-line flags, and its
// validation, which reports every problem at once.
//
// The README's configuration table is checked against this struct by a test, so the two
// cannot drift apart.
package config
