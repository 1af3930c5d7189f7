package privacy_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/privacy"
	"github.com/lotse-project/lotse/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// TestCatalogueCoversSchema: every column of every table of the migrated schema is classified
// in the catalogue, and the catalogue lists nothing the schema no longer has. A new column
// (or table) fails here until someone says whose data it is, what kind, why and until when.
func TestCatalogueCoversSchema(t *testing.T) {
	t.Parallel()
	tdb := testutil.NewDatabase(t)
	d := testutil.Open(t, tdb.URL)
	rows, err := d.Pool.Query(context.Background(), `SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	schema := map[string][]string{}
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			t.Fatal(err)
		}
		schema[table] = append(schema[table], column)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(schema) < 20 {
		t.Fatalf("only %d tables in the migrated schema: is it the right one?", len(schema))
	}
	for table, columns := range schema {
		ct, ok := privacy.Lookup(table)
		if !ok {
			t.Errorf("table %s is not in the data catalogue (internal/privacy/catalogue.go)", table)
			continue
		}
		for _, c := range columns {
			if _, ok := ct.Column(c); !ok {
				t.Errorf("column %s.%s is not classified in the data catalogue (internal/privacy/catalogue.go)", table, c)
			}
		}
		if !ct.External {
			for _, c := range ct.Columns {
				if !slices.Contains(columns, c.Name) {
					t.Errorf("the catalogue lists %s.%s, which the schema does not have", table, c.Name)
				}
			}
		}
	}
	seen := map[string]bool{}
	for _, ct := range privacy.Catalogue {
		if seen[ct.Name] {
			t.Errorf("the catalogue lists table %s twice", ct.Name)
		}
		seen[ct.Name] = true
		if _, ok := schema[ct.Name]; !ok {
			t.Errorf("the catalogue lists table %s, which the schema does not have", ct.Name)
		}
	}
}

// TestCatalogueIsComplete: every table has a purpose, a legal basis and a known retention
// rule; every column is listed once, with a subject exactly when it holds personal data.
func TestCatalogueIsComplete(t *testing.T) {
	for _, ct := range privacy.Catalogue {
		if ct.Purpose == "" || ct.LegalBasis == "" {
			t.Errorf("%s: purpose or legal basis missing", ct.Name)
		}
		if _, ok := privacy.RuleInfos[ct.Retention]; !ok || !slices.Contains(privacy.Rules, ct.Retention) {
			t.Errorf("%s: unknown retention rule %q", ct.Name, ct.Retention)
		}
		if ct.Personal() && ct.Retention == privacy.RuleNone {
			t.Errorf("%s holds personal data but has no retention rule", ct.Name)
		}
		names := map[string]bool{}
		for _, c := range ct.Columns {
			if names[c.Name] {
				t.Errorf("%s.%s is listed twice", ct.Name, c.Name)
			}
			names[c.Name] = true
			if c.Personal() != (c.Subject != privacy.NoSubject) {
				t.Errorf("%s.%s: category %q with subject %q", ct.Name, c.Name, c.Category, c.Subject)
			}
			if _, ok := privacy.CategoryNames[c.Category]; !ok {
				t.Errorf("%s.%s: unknown category %q", ct.Name, c.Name, c.Category)
			}
		}
	}
	for _, r := range privacy.Rules {
		if info := privacy.RuleInfos[r]; info.Name == "" || info.Period == "" || info.Mechanism == "" {
			t.Errorf("rule %s is not fully described", r)
		}
	}
}

// TestPersonFieldsAreClientData: the fields that identify or reach a person are a client's
// personal data, so that the subject access export (which takes privacy.ClientColumns)
// cannot leave them out.
func TestPersonFieldsAreClientData(t *testing.T) {
	got := privacy.ClientColumns("persons")
	for _, want := range []string{"family_name", "given_names", "name_variants", "birth_date", "languages", "arrival_date",
		"residence_status", "district", "phone", "email", "address"} {
		if !slices.Contains(got, want) {
			t.Errorf("persons.%s is not a client's personal data in the catalogue", want)
		}
	}
	for table, want := range map[string]string{"notes": "body", "referrals": "message", "tasks": "title", "consents": "evidence", "task_comments": "body"} {
		if !slices.Contains(privacy.ClientColumns(table), want) {
			t.Errorf("%s.%s (free text about a person) is not a client's personal data", table, want)
		}
	}
	if cols := privacy.ClientColumns("users"); len(cols) != 0 {
		t.Errorf("accounts are staff data, not a client's: %v", cols)
	}
	if !strings.Contains(privacy.Record(), "`persons`") || !strings.Contains(privacy.DeletionConcept(), "`family_name`") {
		t.Error("the documents do not list the person's data")
	}
}
