package testutil

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"
)

// Fingerprint summarises every row of the given tables (an md5 of the rows in text form) and
// the number of audit events, as "table=sum ... audit_events=n": two equal fingerprints mean
// nothing in those tables was changed and nothing was recorded. Tests take one before and one
// after an operation that must change nothing.
func Fingerprint(t testing.TB, db *sql.DB, tables ...string) string {
	t.Helper()
	sums := make([]string, len(tables))
	dst := make([]any, len(tables)+1)
	parts := make([]string, len(tables))
	for i, table := range tables {
		parts[i] = fmt.Sprintf(`(SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM %s x)`, table)
		dst[i] = &sums[i]
	}
	var audits int64
	dst[len(tables)] = &audits
	q := `SELECT ` + strings.Join(append(parts, `(SELECT count(*) FROM audit_events)`), ", ")
	if err := db.QueryRow(q).Scan(dst...); err != nil {
		t.Fatalf("testutil: fingerprint: %v", err)
	}
	var b strings.Builder
	for i, table := range tables {
		fmt.Fprintf(&b, "%s=%s ", table, sums[i])
	}
	fmt.Fprintf(&b, "audit_events=%d", audits)
	return b.String()
}

// DataOnly drops the count of audit events from a fingerprint, for operations that change no
// data but are audited (a read, a refused form shown again).
func DataOnly(fingerprint string) string {
	s, _, _ := strings.Cut(fingerprint, "audit_events=")
	return strings.TrimSuffix(s, " ")
}
