package store

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestStoreReadsOnlyTheOneClock: the store takes every time and every calendar day from the
// clock it was given (New, Services.SetClock), which Store.run hands to each transaction's
// handle. A wall-clock read in Go, or the database's own clock in the SQL it sends
// (berlin_today(), now(), CURRENT_DATE and the like), would let a clock set for a test or for
// backdated demo data disagree with the services and the pages. The test reads the
// package's source.
func TestStoreReadsOnlyTheOneClock(t *testing.T) {
	t.Parallel()
	forbidden := regexp.MustCompile(`time\.Now\(|time\.Since\(|(?:^|[^.\w])(now|NOW)\(\)|(?i:berlin_today\(|current_date|current_timestamp|localtimestamp|statement_timestamp|clock_timestamp|transaction_timestamp)`)
	for _, name := range sources(t) {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			code, _, _ := strings.Cut(line, "//")
			// The one exception: a read replica's lag is the servers' wall clock against
			// its last replayed transaction (replication, not business time).
			if strings.Contains(code, "now() - pg_last_xact_replay_timestamp()") {
				continue
			}
			if forbidden.MatchString(code) {
				t.Errorf("%s:%d reads a clock other than the store's: %s", name, i+1, strings.TrimSpace(line))
			}
		}
	}
}
