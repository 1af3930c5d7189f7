package model

// Page is one page of a list in a stable order: every list of the service (cases, referrals,
// tasks, the audit log) answers with it, and the API and the pages map it alike.
type Page[T any] struct {
	Items []T
	// Total counts every record of the list the caller may see, on all pages.
	Total int64
	// NextCursor continues the list after this page (pass it as the filter's Cursor); it is
	// opaque and bound to its kind of list. Empty on the last page.
	NextCursor string
}
