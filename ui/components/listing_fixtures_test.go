package components

import (
	"net/url"

	"github.com/a-h/templ"
)

// Renderings of the list controls (listing.templ) for TestNoHardCodedText: sorted either
// way, the first, a middle and the last page, a capped download, an empty list.

func init() {
	base := ListingView{Path: "/aufgaben", Filters: url.Values{"status": {"⟦done⟧"}}, DefaultSort: "due", Size: 25, Sizes: []int{25, 50, 100},
		Total: 400, Pages: 16, Page: 8, ExportMax: 10000, Label: "⟦Aufgaben⟧"}
	first, last, capped, empty := base, base, base, base
	first.Page, first.Sort, first.Desc = 1, "priority", true
	last.Page = 16
	capped.Total, capped.ExportMax = 20000, 10000
	empty.Total, empty.Pages, empty.Page = 0, 1, 1
	for name, comps := range map[string][]templ.Component{
		"SortHeader":  {SortHeader(base, "due", "lists.col.due"), SortHeader(first, "priority", "lists.col.priority"), SortHeader(first, "due", "lists.col.due")},
		"SortChoices": {SortChoices(base, "due", "priority", "changed", "name"), SortChoices(first, "due", "priority")},
		"ListTotal":   {ListTotal(base), ListTotal(empty)},
		"Pagination":  {Pagination(base), Pagination(first), Pagination(last), Pagination(empty)},
		"Downloads":   {Downloads(base), Downloads(capped), Downloads(empty)},
	} {
		pages[name] = comps
	}
}
