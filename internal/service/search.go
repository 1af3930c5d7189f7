package service

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// umlauts spells the German umlauts the German way (Müller → Mueller), as names are often
// written without them.
var umlauts = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue")

// foldOne lowercases s, folds ß to ss, expands the umlauts when expand is set, strips every
// other diacritic (é → e, and ä → a when not expanded) and turns everything that is neither
// letter nor digit into single spaces.
func foldOne(s string, expand bool) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("ß", "ss", "ẞ", "ss").Replace(s)
	if expand {
		s = umlauts.Replace(norm.NFC.String(s))
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	if out, _, err := transform.String(t, s); err == nil {
		s = out
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
}

// FoldName returns the folded forms under which a name is searched: with the umlauts
// spelled out ("Müller" → "mueller") and stripped ("muller"), one form when both agree.
// Search text and query are folded alike, so "Mueller", "Muller" and "Müller" find each
// other.
func FoldName(s string) []string {
	a, b := foldOne(s, true), foldOne(s, false)
	var out []string
	for _, f := range []string{a, b} {
		if f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// SearchText is what name search looks at for a person: the folded forms of the names and
// of every transliteration variant, each word once. The services keep it current on every
// write of a person; the city-scale generator (internal/scale) writes it with its persons.
func SearchText(p *model.Person) string {
	var words []string
	add := func(s string) {
		for _, f := range FoldName(s) {
			for _, w := range strings.Fields(f) {
				if !slices.Contains(words, w) {
					words = append(words, w)
				}
			}
		}
	}
	add(p.FamilyName)
	add(p.GivenNames)
	for _, v := range p.NameVariants {
		add(v)
	}
	return strings.Join(words, " ")
}

// caseKey is the sort key of a case in lists (store.CaseCursor).
func caseKey(c *model.Case) any { return store.CaseCursor{UpdatedAt: c.UpdatedAt, ID: c.ID} }

const (
	maxQueryLength = 200
	// maxExport bounds one export; a larger one asks for a narrower filter.
	maxExport = model.ExportMax
)

// caseQuery validates a case filter into the store's query. activeAreas are the codes of
// the areas in use.
func caseQuery(f model.CaseFilter, activeAreas []string, planScope model.Scope) (store.CaseQuery, []string, error) {
	v := &model.ValidationError{}
	q := store.CaseQuery{PlanScope: planScope, LeadOrgID: f.LeadOrgID}
	var kinds []string // the filter kinds, for the audit trail: never the values
	if s := strings.TrimSpace(f.Q); s != "" {
		kinds = append(kinds, "q")
		if len([]rune(s)) > maxQueryLength {
			v.Add("q", model.CodeTooLong, model.Params{"max": maxQueryLength})
		} else if q.NameFolds = FoldName(s); len(q.NameFolds) == 0 {
			v.Add("q", model.CodeNoLetters)
		}
	}
	if s := strings.TrimSpace(f.Reference); s != "" {
		kinds = append(kinds, "reference")
		if len(s) > 40 {
			v.Add("reference", model.CodeTooLong, model.Params{"max": 40})
		}
		q.ReferencePrefix = strings.ToUpper(s)
	}
	if f.Status != "" {
		kinds = append(kinds, "status")
		if !slices.Contains([]model.CaseStatus{model.CaseOpen, model.CasePaused, model.CaseClosed}, f.Status) {
			v.Add("status", model.CodeNotOneOf, model.Params{"allowed": "open, paused, closed"})
		}
		q.Status = f.Status
	}
	if f.Area != "" {
		kinds = append(kinds, "area")
		if !slices.Contains(activeAreas, f.Area) {
			v.Add("area", model.CodeUnknown, model.Params{"values": f.Area, "allowed": strings.Join(activeAreas, ", ")})
		}
		q.Area = f.Area
	}
	if f.AreaStatus != "" {
		kinds = append(kinds, "area_status")
		if !f.AreaStatus.Valid() {
			v.Add("area_status", model.CodeNotOneOf, model.Params{"allowed": "not_started, in_progress, waiting, achieved, not_needed"})
		}
		if f.Area == "" {
			v.Add("area_status", model.CodeRequires, model.Params{"other": "area"})
		}
		q.AreaStatus = f.AreaStatus
	}
	if f.LeadOrgID != nil {
		kinds = append(kinds, "lead_org")
	}
	var err error
	if q.Limit, err = casePages.limit(f.Limit); err != nil {
		v.Fields = append(v.Fields, err.(*model.ValidationError).Fields...)
	}
	var after store.CaseCursor
	if ok, err := casePages.after(f.Cursor, &after); err != nil {
		v.Fields = append(v.Fields, err.(*model.ValidationError).Fields...)
	} else if ok {
		q.After = &after
	}
	if err := v.Err(); err != nil {
		return q, kinds, fmt.Errorf("service: case filter: %w", err)
	}
	return q, kinds, nil
}
