package config

import (
	"slices"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
)

// TestLegalBasesFile: the configuration file is read, defaults to identity, and rejects
// unknown categories and duplicates with line numbers.
func TestLegalBasesFile(t *testing.T) {
	bases, err := ParseLegalBases([]byte("legal_bases:\n  - name: A\n  - name: B\n    categories: [identity, contact]\n  - name: C\n    categories: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(bases) != 3 || !slices.Equal(bases[0].Categories, []model.DataCategory{"identity"}) || len(bases[1].Categories) != 2 || len(bases[2].Categories) != 0 {
		t.Errorf("parsed: %+v", bases)
	}
	_, err = ParseLegalBases([]byte("legal_bases:\n  - name: A\n    categories: [secrets]\n  - name: A\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), `"secrets"`) || !strings.Contains(err.Error(), "line 4") {
		t.Errorf("bad file: %v", err)
	}
}
