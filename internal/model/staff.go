package model

import "github.com/google/uuid"

// StaffContact is how a member of staff may be reached for work: their name, their
// organisation and their business phone and e-mail. It is staff data, not case content: it
// names no person of a case. Where the member has no business phone or e-mail recorded, the
// organisation's contact data stands in (OrgPhone, OrgEmail); the sign-in e-mail is never shown.
type StaffContact struct {
	UserID  uuid.UUID
	Name    string
	OrgID   uuid.UUID
	OrgName string
	Phone   string
	Email   string
	// OrgPhone and OrgEmail are the organisation's general contact data.
	OrgPhone string
	OrgEmail string
}

// ReferralContacts are the contact persons of a referral: on the sending side the member who
// sent it (or, when unknown, the case's responsible caseworker), on the receiving side the
// member who answers it (its assignee, else who answered it). A side is nil while nobody is
// named there; the organisation's own contact data is then in SenderOrg or RecipientOrg.
type ReferralContacts struct {
	Sender, Recipient *StaffContact
	// SenderOrg and RecipientOrg always name the two organisations with their contact data.
	SenderOrg, RecipientOrg StaffContact
}
