// Package testutil owns the test harness: real PostgreSQL databases for tests (one per test,
// cloned from a template migrated once), and the helpers later tests build on. It is imported
// by _test.go files only.
package testutil
