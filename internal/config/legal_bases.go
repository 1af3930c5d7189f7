package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"

	"github.com/lotse-project/lotse/internal/model"
)

// LoadLegalBases reads the legal bases from path, or returns model.DefaultLegalBases when path is
// empty. The file is YAML:
//
//	legal_bases:
//	  - name: "SGB II § 50"
//	    categories: [identity, contact]
//	  - name: "SGB X § 69"            # no categories: identity only
//
// Every problem is reported at once, with line numbers.
func LoadLegalBases(path string) ([]model.LegalBasis, error) {
	if path == "" {
		return model.DefaultLegalBases(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("LOTSE_LEGAL_BASES_FILE: %w", err)
	}
	return ParseLegalBases(b)
}

// ParseLegalBases parses the legal bases file (see LoadLegalBases).
func ParseLegalBases(b []byte) ([]model.LegalBasis, error) {
	var doc struct {
		LegalBases []struct {
			Name       string    `yaml:"name"`
			Categories *[]string `yaml:"categories"`
		} `yaml:"legal_bases"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("LOTSE_LEGAL_BASES_FILE: %w", err)
	}
	var root yaml.Node
	_ = yaml.Unmarshal(b, &root) // decoded above already; only the line numbers are read here
	var lines []int              // the line of each entry, for messages
	if len(root.Content) == 1 {
		m := root.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == "legal_bases" {
				for _, e := range m.Content[i+1].Content {
					lines = append(lines, e.Line)
				}
			}
		}
	}
	var errs []error
	if len(doc.LegalBases) == 0 {
		errs = append(errs, errors.New("LOTSE_LEGAL_BASES_FILE: legal_bases lists no legal basis"))
	}
	var out []model.LegalBasis
	for i, e := range doc.LegalBases {
		line := 0
		if i < len(lines) {
			line = lines[i]
		}
		bad := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("LOTSE_LEGAL_BASES_FILE line %d: %s", line, fmt.Sprintf(format, args...)))
		}
		name := strings.TrimSpace(e.Name)
		switch {
		case name == "":
			bad("name is required")
		case len([]rune(name)) > 100:
			bad("name is longer than 100 characters")
		case strings.ContainsFunc(name, unicode.IsControl):
			bad("name contains control characters")
		case slices.ContainsFunc(out, func(l model.LegalBasis) bool { return l.Name == name }):
			bad("%q is listed twice", name)
		}
		lb := model.LegalBasis{Name: name, Categories: []model.DataCategory{model.CategoryIdentity}}
		if e.Categories != nil {
			lb.Categories = []model.DataCategory{}
			for _, c := range *e.Categories {
				dc := model.DataCategory(c)
				if !dc.Valid() {
					bad("unknown category %q (known: identity, contact, residence, languages)", c)
					continue
				}
				if !slices.Contains(lb.Categories, dc) {
					lb.Categories = append(lb.Categories, dc)
				}
			}
		}
		out = append(out, lb)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}
