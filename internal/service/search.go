package service

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
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

// searchText is what name search looks at for a person: the folded forms of the names and
// of every transliteration variant, each word once.
func searchText(p *model.Person) string {
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

// encodeCursor renders a list position as an opaque token.
func encodeCursor(c model.Case) string {
	raw := strconv.FormatInt(c.UpdatedAt.UnixMicro(), 10) + "." + c.ID.String()
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// decodeCursor reads a token of encodeCursor; anything else is ErrInvalid on "cursor".
func decodeCursor(s string) (*store.CaseCursor, error) {
	bad := model.Invalid("cursor", "is not a cursor of this list")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) > 100 {
		return nil, bad
	}
	ts, id, ok := strings.Cut(string(raw), ".")
	if !ok {
		return nil, bad
	}
	micros, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, bad
	}
	uid, err := uuid.Parse(id)
	if err != nil {
		return nil, bad
	}
	return &store.CaseCursor{UpdatedAt: time.UnixMicro(micros).UTC(), ID: uid}, nil
}

// Page sizes of case lists.
const (
	DefaultPageSize = 25
	MaxPageSize     = 100
	maxQueryLength  = 200
	// maxExport bounds one export; a larger one asks for a narrower filter.
	maxExport = 10000
)

// caseQuery validates a case filter into the store's query. activeAreas are the codes of
// the areas in use.
func caseQuery(f model.CaseFilter, activeAreas []string, planScope model.Scope) (store.CaseQuery, []string, error) {
	v := &model.ValidationError{}
	q := store.CaseQuery{PlanScope: planScope, LeadOrgID: f.LeadOrgID, Limit: f.Limit}
	var kinds []string // the filter kinds, for the audit trail: never the values
	if s := strings.TrimSpace(f.Q); s != "" {
		kinds = append(kinds, "q")
		if len([]rune(s)) > maxQueryLength {
			v.Add("q", "is too long (at most %d characters)", maxQueryLength)
		} else if q.NameFolds = FoldName(s); len(q.NameFolds) == 0 {
			v.Add("q", "contains no letters or digits")
		}
	}
	if s := strings.TrimSpace(f.Reference); s != "" {
		kinds = append(kinds, "reference")
		if len(s) > 40 {
			v.Add("reference", "is too long (at most 40 characters)")
		}
		q.ReferencePrefix = strings.ToUpper(s)
	}
	if f.Status != "" {
		kinds = append(kinds, "status")
		if !slices.Contains([]model.CaseStatus{model.CaseOpen, model.CasePaused, model.CaseClosed}, f.Status) {
			v.Add("status", "must be one of open, paused, closed")
		}
		q.Status = f.Status
	}
	if f.Area != "" {
		kinds = append(kinds, "area")
		if !slices.Contains(activeAreas, f.Area) {
			v.Add("area", "is not an area in use (%s)", strings.Join(activeAreas, ", "))
		}
		q.Area = f.Area
	}
	if f.AreaStatus != "" {
		kinds = append(kinds, "area_status")
		if !f.AreaStatus.Valid() {
			v.Add("area_status", "must be one of not_started, in_progress, waiting, achieved, not_needed")
		}
		if f.Area == "" {
			v.Add("area_status", "needs an area")
		}
		q.AreaStatus = f.AreaStatus
	}
	if f.LeadOrgID != nil {
		kinds = append(kinds, "lead_org")
	}
	switch {
	case f.Limit == 0:
		q.Limit = DefaultPageSize
	case f.Limit < 1 || f.Limit > MaxPageSize:
		v.Add("limit", "must be between 1 and %d", MaxPageSize)
	}
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor)
		if err != nil {
			v.Fields = append(v.Fields, err.(*model.ValidationError).Fields...)
		}
		q.After = c
	}
	if err := v.Err(); err != nil {
		return q, kinds, fmt.Errorf("service: case filter: %w", err)
	}
	return q, kinds, nil
}
