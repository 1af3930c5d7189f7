package model

// ListOrder is how a list page is sorted and which numbered page is asked for. Each list
// names the sort keys it offers (a whitelist in the service); the store sorts in SQL with the
// record's id as the last, stable tie-breaker.
type ListOrder struct {
	// Sort is one of the list's sort keys (e.g. "due", "priority", "changed", "name"); empty
	// is the list's default order.
	Sort string
	// Desc sorts descending.
	Desc bool
	// Page, from 1, asks for a numbered page (offset paging, for "Seite 2 von 7"); 0 pages by
	// the opaque cursor. A cursor goes with the default order only.
	Page int
}

// Numbered is true when the list is to be paged by number rather than by cursor.
func (o ListOrder) Numbered() bool { return o.Page > 0 || o.Sort != "" || o.Desc }

// The sort keys of the lists.
const (
	SortDue       = "due"       // a task's due date, a referral's reply deadline
	SortPriority  = "priority"  // a task's priority
	SortChanged   = "changed"   // the record's last change
	SortName      = "name"      // the main person's name, where the viewer may see it
	SortReference = "reference" // the case's reference number
	SortCreated   = "created"   // a referral's date of sending
)

// ExportMax is the largest number of rows one export writes; a longer list must be narrowed
// by its filters first (the service refuses with CodeTooManyResults).
const ExportMax = 10000
