package migrations

import (
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// contractMarker names the earlier migration that a contracting migration completes:
// "-- contract: completes 00035, unread since the release that shipped 00036".
var contractMarker = regexp.MustCompile(`(?m)^--\s*contract:\s*completes\s+(\d{5}),\s*\S`)

// contracting are the statements of an Up section that break the release before it, which
// still runs beside it during a rolling update: it reads and writes the old shape.
var contracting = []struct {
	what string
	re   *regexp.Regexp
}{
	{"drops a table", regexp.MustCompile(`(?i)\bDROP\s+TABLE\b`)},
	{"drops a column", regexp.MustCompile(`(?i)\bDROP\s+COLUMN\b`)},
	{"drops a view, function or type", regexp.MustCompile(`(?i)\bDROP\s+(MATERIALIZED\s+VIEW|VIEW|FUNCTION|TYPE)\b`)},
	{"renames a table or column", regexp.MustCompile(`(?i)\bRENAME\b`)},
	{"changes a column's type", regexp.MustCompile(`(?i)\bALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE\b`)},
	{"makes a column NOT NULL", regexp.MustCompile(`(?i)\bALTER\s+COLUMN\s+\S+\s+SET\s+NOT\s+NULL\b`)},
	{"takes a privilege away", regexp.MustCompile(`(?i)\bREVOKE\b`)},
}

// addColumn starts an ADD COLUMN clause, clauseEnd ends it: the next clause or the statement's end.
var (
	addColumn = regexp.MustCompile(`(?i)\bADD\s+COLUMN\b`)
	clauseEnd = regexp.MustCompile(`(?i),\s*(ADD|DROP|ALTER)\b|;`)
)

var (
	notNull    = regexp.MustCompile(`(?i)\bNOT\s+NULL\b`)
	hasDefault = regexp.MustCompile(`(?i)\b(DEFAULT|GENERATED)\b`)
	lineNote   = regexp.MustCompile(`--[^\n]*`)
	blockNote  = regexp.MustCompile(`(?s)/\*.*?\*/`)
)

// upSection is the SQL of the Up section without comments.
func upSection(src string) string {
	up := src
	if i := strings.Index(up, "-- +goose Up"); i >= 0 {
		up = up[i:]
	}
	if i := strings.Index(up, "-- +goose Down"); i >= 0 {
		up = up[:i]
	}
	return lineNote.ReplaceAllString(blockNote.ReplaceAllString(up, ""), "")
}

// contractions lists what the Up section of src does that the release before cannot live with.
func contractions(src string) []string {
	up := upSection(src)
	var out []string
	for _, c := range contracting {
		if c.re.MatchString(up) {
			out = append(out, c.what)
		}
	}
	for _, m := range addColumn.FindAllStringIndex(up, -1) {
		clause := up[m[1]:]
		if e := clauseEnd.FindStringIndex(clause); e != nil {
			clause = clause[:e[0]]
		}
		if notNull.MatchString(clause) && !hasDefault.MatchString(clause) {
			// The older release inserts rows without the column: they would fail.
			out = append(out, "adds a NOT NULL column without a default")
		}
	}
	return out
}

// checkExpand returns the problems of migration version v with source src.
func checkExpand(v int, src string) []string {
	found := contractions(src)
	if len(found) == 0 {
		return nil
	}
	m := contractMarker.FindStringSubmatch(src)
	if m == nil {
		return []string{strings.Join(found, ", ") + ": a contracting change needs its expand step in an earlier release and the line \"-- contract: completes NNNNN, ...\" naming it (migrations/README.md, \"Expand, then contract\")"}
	}
	if n, _ := strconv.Atoi(m[1]); n >= v || n <= 0 {
		return []string{"the contract line names " + m[1] + ", which is not an earlier migration"}
	}
	return nil
}

// TestExpandThenContract: every migration only expands the schema, so that
// version N and N+1 of Lotse run side by side on it during a rolling update, unless it is
// marked as the contract step of an earlier expand.
func TestExpandThenContract(t *testing.T) {
	names, err := fs.Glob(FS, "*.sql")
	if err != nil || len(names) < 20 {
		t.Fatalf("migrations: %v (%d files)", err, len(names))
	}
	for _, name := range names {
		v, err := strconv.Atoi(name[:5])
		if err != nil {
			t.Errorf("%s: no version number", name)
			continue
		}
		b, err := fs.ReadFile(FS, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range checkExpand(v, string(b)) {
			t.Errorf("%s: %s", name, p)
		}
	}
}

// TestExpandCheckFindsContractions: the check itself, on statements that break the release
// before and on ones that do not.
func TestExpandCheckFindsContractions(t *testing.T) {
	up := func(sql string) string { return "-- +goose Up\n" + sql + "\n-- +goose Down\nDROP TABLE x;\n" }
	for _, tc := range []struct {
		sql  string
		want bool
	}{
		{"CREATE TABLE x (id uuid PRIMARY KEY);", false},
		{"ALTER TABLE cases ADD COLUMN note text;", false},
		{"ALTER TABLE cases ADD COLUMN flag boolean NOT NULL DEFAULT false;", false},
		{"CREATE INDEX CONCURRENTLY cases_x ON cases (x);", false},
		{"-- we no longer DROP COLUMN here\nALTER TABLE cases ADD COLUMN n int;", false},
		{"ALTER TABLE cases DROP COLUMN district;", true},
		{"DROP TABLE old_things;", true},
		{"ALTER TABLE cases RENAME COLUMN district TO area;", true},
		{"ALTER TABLE cases RENAME TO dossiers;", true},
		{"ALTER TABLE cases ALTER COLUMN district TYPE varchar(50);", true},
		{"ALTER TABLE cases ALTER COLUMN district SET NOT NULL;", true},
		{"ALTER TABLE cases ADD COLUMN n int NOT NULL;", true},
		{"ALTER TABLE cases ADD COLUMN a text, ADD COLUMN n int NOT NULL;", true},
		{"REVOKE UPDATE ON cases FROM lotse_app;", true},
	} {
		if got := len(checkExpand(40, up(tc.sql))) > 0; got != tc.want {
			t.Errorf("%q: refused %v, want %v", tc.sql, got, tc.want)
		}
	}
	marked := "-- contract: completes 00035, unread since the release that shipped 00036\n" + up("ALTER TABLE cases DROP COLUMN district;")
	if p := checkExpand(40, marked); p != nil {
		t.Errorf("a marked contract step was refused: %v", p)
	}
	if p := checkExpand(35, marked); p == nil {
		t.Error("a contract step naming itself (not an earlier migration) was accepted")
	}
	if p := checkExpand(40, "-- contract: completes 00035\n"+up("DROP TABLE x;")); p == nil {
		t.Error("a contract line without its reason was accepted")
	}
}
