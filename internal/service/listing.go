package service

import (
	"slices"
	"strings"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// The sort keys each list offers (a whitelist: anything else is ErrInvalid on "sort").
var (
	taskSorts     = []string{model.SortDue, model.SortPriority, model.SortChanged, model.SortName}
	caseSorts     = []string{model.SortChanged, model.SortName, model.SortReference}
	referralSorts = []string{model.SortDue, model.SortChanged, model.SortCreated, model.SortName}
)

// maxPageNumber bounds a numbered page (beyond it a list must be narrowed by its filters).
const maxPageNumber = 1000

// listSort validates o against the list's sort keys and turns it into the store's order for
// pages of limit rows; nameScope is the viewer's case read scope (names sort only where it
// sees them). A cursor goes with the default order only.
func listSort(v *model.ValidationError, o model.ListOrder, keys []string, limit int, cursor string, nameScope model.Scope) store.ListSort {
	if o.Sort != "" && !slices.Contains(keys, o.Sort) {
		v.Add("sort", model.CodeNotOneOf, model.Params{"allowed": strings.Join(keys, ", ")})
	}
	if o.Page < 0 || o.Page > maxPageNumber {
		v.Add("page", model.CodeOutOfRange, model.Params{"min": 1, "max": maxPageNumber})
	}
	if o.Numbered() && cursor != "" {
		v.Add("cursor", model.CodeExclusive, model.Params{"other": "page"})
	}
	s := store.ListSort{Key: o.Sort, Desc: o.Desc, NameScope: nameScope}
	if o.Page > 1 && o.Page <= maxPageNumber {
		s.Offset = (o.Page - 1) * limit
	}
	return s
}
