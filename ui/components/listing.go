package components

import (
	"net/url"
	"strconv"

	"github.com/a-h/templ"
)

// ListingView is the state of a sortable, paged list as it lives in the URL: the list's path,
// its filters (the query without sort, direction and page), the order, the page and its size,
// and the total. The sort headers, the pagination and the download links all build their
// links from it, so that a filter survives sorting, paging and downloading.
type ListingView struct {
	// Path is the list's page ("/aufgaben"); the downloads are Path+".csv" and Path+".xlsx".
	Path string
	// Filters are the list's filter parameters as they came (without sort, dir, seite).
	Filters url.Values
	// Sort and Desc are the order in force; DefaultSort and DefaultDesc the list's order
	// without a choice (its links then name no order).
	Sort, DefaultSort string
	Desc, DefaultDesc bool
	// Page (from 1) of Pages; Size rows per page; Sizes the sizes offered.
	Page, Pages, Size int
	Sizes             []int
	Total             int64
	// ExportMax is the most rows a download may hold; a longer list offers no download and
	// says so.
	ExportMax int64
	// Label names the list for the pagination's and downloads' landmarks ("Aufgaben").
	Label string
	// Anchor, when set, is the id of the list's section on a longer page ("aufgaben-liste"):
	// the sort and page links lead back to it.
	Anchor string
	// DownloadPath is where the downloads are when not at Path (the team page's task list:
	// /team/aufgaben.csv).
	DownloadPath string
}

// ListParamSort, ListParamDir, ListParamPage and ListParamSize are the query parameters of a
// list's order and page.
const (
	ListParamSort = "sort"
	ListParamDir  = "dir"
	ListParamPage = "seite"
	ListParamSize = "pro_seite"
)

// query is the list's query with the order and the page given.
func (v ListingView) query(sort string, desc bool, page int) url.Values {
	q := url.Values{}
	for k, vs := range v.Filters {
		q[k] = append([]string(nil), vs...)
	}
	if sort != "" && (sort != v.DefaultSort || desc != v.DefaultDesc) {
		q.Set(ListParamSort, sort)
		if desc {
			q.Set(ListParamDir, "desc")
		} else {
			q.Set(ListParamDir, "asc")
		}
	}
	if v.Size != 0 && v.Size != v.defaultSize() {
		q.Set(ListParamSize, strconv.Itoa(v.Size))
	}
	if page > 1 {
		q.Set(ListParamPage, strconv.Itoa(page))
	}
	return q
}

func (v ListingView) defaultSize() int {
	if len(v.Sizes) > 0 {
		return v.Sizes[0]
	}
	return 25
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

// at is u with the list's anchor.
func (v ListingView) at(u string) string {
	if v.Anchor == "" {
		return u
	}
	return u + "#" + v.Anchor
}

// activeSort is the sort key in force (the default when none is set).
func (v ListingView) activeSort() string {
	if v.Sort == "" {
		return v.DefaultSort
	}
	return v.Sort
}

// SortURL is the link of a column header: sorting by key, ascending first (the list's own
// direction for its default key), and the other direction when the list is already sorted
// by key; back to page 1.
func (v ListingView) SortURL(key string) string {
	desc := key == v.DefaultSort && v.DefaultDesc
	if v.activeSort() == key {
		desc = !v.Desc
	}
	return v.at(withQuery(v.Path, v.query(key, desc, 1)))
}

// AriaSort is the header's aria-sort: "ascending"/"descending" on the sorted column, empty
// (no attribute) elsewhere.
func (v ListingView) AriaSort(key string) string {
	if v.activeSort() != key {
		return ""
	}
	if v.Desc {
		return "descending"
	}
	return "ascending"
}

// PageURL is the link of page n in the current order.
func (v ListingView) PageURL(n int) string {
	return v.at(withQuery(v.Path, v.query(v.activeSort(), v.Desc, n)))
}

// DownloadURL is the download of the whole list in the current order: format "csv" or "xlsx".
func (v ListingView) DownloadURL(format string) string {
	path := v.Path
	if v.DownloadPath != "" {
		path = v.DownloadPath
	}
	return withQuery(path+"."+format, v.query(v.activeSort(), v.Desc, 1))
}

// OrderInputs are the hidden inputs that keep the list's order and page size in its filter
// form (a new filter starts at page 1).
func (v ListingView) OrderInputs() [][2]string {
	var out [][2]string
	q := v.query(v.activeSort(), v.Desc, 1)
	for _, k := range []string{ListParamSort, ListParamDir, ListParamSize} {
		if x := q.Get(k); x != "" {
			out = append(out, [2]string{k, x})
		}
	}
	return out
}

// StateInputs are the hidden inputs that keep the whole state of the list (filters, order,
// page and size) in a form that changes one of its rows, so that the page after the change
// is the page before it.
func (v ListingView) StateInputs() [][2]string {
	var out [][2]string
	for k, vs := range v.query(v.activeSort(), v.Desc, v.Page) {
		for _, x := range vs {
			out = append(out, [2]string{k, x})
		}
	}
	sortPairs(out)
	return out
}

// Capped is true when the list is longer than a download may be.
func (v ListingView) Capped() bool { return v.ExportMax > 0 && v.Total > v.ExportMax }

// hiddenFilters are the hidden inputs that keep the filters and the order in the page-size
// form.
func (v ListingView) hiddenFilters() [][2]string {
	var out [][2]string
	q := v.query(v.activeSort(), v.Desc, 1)
	q.Del(ListParamSize)
	for k, vs := range q {
		for _, x := range vs {
			out = append(out, [2]string{k, x})
		}
	}
	sortPairs(out)
	return out
}

func sortPairs(p [][2]string) {
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && (p[j][0] < p[j-1][0] || p[j][0] == p[j-1][0] && p[j][1] < p[j-1][1]); j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
}

// pageWindow is the page numbers shown around the current one (first and last always).
func (v ListingView) pageWindow() []int {
	var out []int
	for n := 1; n <= v.Pages; n++ {
		if n == 1 || n == v.Pages || (n >= v.Page-2 && n <= v.Page+2) {
			out = append(out, n)
		} else if len(out) > 0 && out[len(out)-1] != 0 {
			out = append(out, 0) // a gap
		}
	}
	return out
}

// sortAttrs is the header's aria-sort attribute, none on a column the list is not sorted by.
func (v ListingView) sortAttrs(key string) templ.Attributes {
	if a := v.AriaSort(key); a != "" {
		return templ.Attributes{"aria-sort": a}
	}
	return templ.Attributes{}
}
