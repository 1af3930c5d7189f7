package components

import "strconv"

// Subject access (GDPR Art. 15, docs/subject-access.md): the officer's page, the department
// head's confirmations, and the document of an export.

// SARFindForm is the officer's search for a person and the reference of a request.
type SARFindForm struct {
	FamilyName, GivenNames, BirthDate, Reference string
}

// SARMatch is a matching person record: the case's reference and lead organisation only.
type SARMatch struct {
	PersonID, CaseReference, LeadOrg string
}

// SARConfirmation is one lead organisation's confirmation of a request.
type SARConfirmation struct {
	Org, At string
	Done    bool
}

// SARRequestRow is a request in the officer's list.
type SARRequestRow struct {
	ID, Reference, RequestedAt, Status string
	Confirmations                      []SARConfirmation
	Exportable                         bool
}

// SARView is the officer's page.
type SARView struct {
	Find     SARFindForm
	Searched bool
	Matches  []SARMatch
	Requests []SARRequestRow
	Errors   FormErrors
}

// SARPendingRow is a request that waits for the department head's confirmation.
type SARPendingRow struct {
	ID, Reference, RequestedAt string
	Cases                      []string
}

// SARConfirmView is the department head's page of requests to confirm.
type SARConfirmView struct {
	Pending []SARPendingRow
}

// SARTextPart is a piece of a field's text; Mark highlights the name of another person.
type SARTextPart struct {
	Text string
	Mark bool
}

// SARDocField is one field of a record with its German label.
type SARDocField struct {
	Label  string
	Parts  []SARTextPart
	Review string // the names to review, "" when none
}

// SARDocRecord is one record of a section.
type SARDocRecord struct {
	Fields []SARDocField
	Review bool
}

// SARDocSection is one section of the document.
type SARDocSection struct {
	Title   string
	Records []SARDocRecord
}

// SARDocHistory is one line of the access history.
type SARDocHistory struct {
	At, Org, Role, Action, Purpose string
}

// SARDocView is the document of an export, made for printing to PDF.
type SARDocView struct {
	Reference, RequestedAt, ExportedAt string
	Confirmed                          []string
	Sections                           []SARDocSection
	History                            []SARDocHistory
}

// itoa formats a counter for ids and headings.
func itoa(i int) string { return strconv.Itoa(i) }
