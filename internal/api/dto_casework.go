package api

import (
	"slices"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/lotse-project/lotse/internal/model"
)

// The mappers of case work. A case arrives from the service already masked (model.CaseView);
// the mapping below leaves out, rather than empties, every field the caller may not see, so
// that a partner's answer simply has no contact data, and an empty value still means empty.

func toCase(v model.CaseView) Case {
	out := Case{
		Id: v.ID, Reference: v.Reference, Status: CaseStatus(v.Status), LeadOrgId: v.LeadOrgID,
		ResponsibleUserId: v.ResponsibleUserID, OpenedAt: v.OpenedAt.UTC(), ClosedAt: utcPtr(v.ClosedAt),
		UpdatedAt: v.UpdatedAt.UTC(), Version: v.Version,
		Persons: make([]Person, 0, len(v.Persons)), Plan: mapAll(v.Plan, toAreaStatus), Access: toAccess(v.Access),
	}
	if v.Access.Full {
		reason := v.StatusReason
		out.StatusReason = &reason
	}
	if v.Access.Full || slices.Contains(v.Access.PersonCategories, model.CategoryResidence) {
		district := v.District
		out.District = &district
	}
	for _, p := range v.Persons {
		out.Persons = append(out.Persons, toPerson(p, v.Access.CategoriesFor(p.ID)))
	}
	return out
}

func caseResponse(v *model.CaseView) CaseJSONResponse {
	return CaseJSONResponse{Body: toCase(*v), Headers: CaseResponseHeaders{ETag: etag(v.Version)}}
}

func toAccess(a model.CaseAccess) CaseAccess {
	out := CaseAccess{Level: Referred, ReferredAreas: make([]AreaCode, 0, len(a.ReferredAreas)), PersonCategories: make([]DataCategory, 0, len(a.PersonCategories))}
	switch {
	case a.Full:
		out.Level = Full
	case a.SummaryOnly:
		out.Level = Summary
	}
	out.ReferredAreas = append(out.ReferredAreas, a.ReferredAreas...)
	for _, c := range a.PersonCategories {
		out.PersonCategories = append(out.PersonCategories, DataCategory(c))
	}
	return out
}

// toPerson copies the fields of the released categories only.
func toPerson(p model.Person, cats []model.DataCategory) Person {
	out := Person{Id: p.ID, IsPrimary: p.IsPrimary, Version: p.Version}
	for _, c := range cats {
		switch c {
		case model.CategoryIdentity:
			out.FamilyName, out.GivenNames = ptr(p.FamilyName), ptr(p.GivenNames)
			out.NameVariants, out.BirthDate = stringList(p.NameVariants), datePtr(p.BirthDate)
		case model.CategoryContact:
			out.Phone, out.Email, out.Address = ptr(p.Phone), ptr(p.Email), ptr(p.Address)
		case model.CategoryResidence:
			out.ResidenceStatus, out.District, out.ArrivalDate = ptr(p.ResidenceStatus), ptr(p.District), datePtr(p.ArrivalDate)
		case model.CategoryLanguages:
			out.Languages = stringList(p.Languages)
		}
	}
	return out
}

// personResponse is a person as its case's lead organisation sees it: every category.
func personResponse(p *model.Person) PersonJSONResponse {
	return PersonJSONResponse{Body: toPerson(*p, model.DataCategories), Headers: PersonResponseHeaders{ETag: etag(p.Version)}}
}

func toPersonInput(b PersonCreate) model.PersonInput {
	return model.PersonInput{
		FamilyName: b.FamilyName, GivenNames: deref(b.GivenNames), NameVariants: derefList(b.NameVariants),
		BirthDate: fromDate(b.BirthDate), Languages: derefList(b.Languages), ArrivalDate: fromDate(b.ArrivalDate),
		ResidenceStatus: deref(b.ResidenceStatus), District: deref(b.District),
		Phone: deref(b.Phone), Email: deref(b.Email), Address: deref(b.Address),
	}
}

func toAreaStatus(s model.AreaStatus) AreaStatus {
	return AreaStatus{
		Area: s.Area, Status: AreaStatusValue(s.Status), ResponsibleOrgId: s.ResponsibleOrgID, Note: s.Note,
		ChangedBy: s.ChangedBy, ChangedAt: s.ChangedAt.UTC(), Version: s.Version,
	}
}

func toArea(a model.Area) Area {
	return Area{Code: a.Code, NameDe: a.NameDE, NameEn: a.NameEN, Position: a.Position}
}

func toNote(n model.Note) Note {
	return Note{
		Id: n.ID, CaseId: n.CaseID, Area: n.Area, OrgId: n.OrgID, AuthorId: n.AuthorID,
		Visibility: NoteVisibility(n.Visibility), Body: n.Body, CreatedAt: n.CreatedAt.UTC(),
	}
}

func toConsent(c model.Consent) Consent {
	out := Consent{
		Id: c.ID, CaseId: c.CaseID, PersonId: c.PersonID, Recipients: append([]openapi_types.UUID{}, c.Recipients...),
		Areas: append([]AreaCode{}, c.Areas...), DataCategories: make([]DataCategory, 0, len(c.DataCategories)),
		Purpose: c.Purpose, ValidFrom: toDate(c.ValidFrom), ValidUntil: toDate(c.ValidUntil), Evidence: c.Evidence,
		Language: c.Language, RecordedBy: c.RecordedBy, RecordedOrgId: c.RecordedOrgID, RecordedAt: c.RecordedAt.UTC(),
		RevokedAt: utcPtr(c.RevokedAt), RevokedBy: c.RevokedBy, Version: c.Version,
	}
	for _, dc := range c.DataCategories {
		out.DataCategories = append(out.DataCategories, DataCategory(dc))
	}
	return out
}

func consentResponse(c *model.Consent) ConsentJSONResponse {
	return ConsentJSONResponse{Body: toConsent(*c), Headers: ConsentResponseHeaders{ETag: etag(c.Version)}}
}

func toReferral(r model.Referral) Referral {
	return Referral{
		Id: r.ID, Reference: r.Reference, CaseId: r.CaseID, FromOrgId: r.FromOrgID, ToOrgId: r.ToOrgID,
		Areas: append([]AreaCode{}, r.Areas...), Message: r.Message, ReplyDue: toDate(r.ReplyDue),
		Status: ReferralStatus(r.Status), ConsentId: r.ConsentID, LegalBasis: r.LegalBasis, Reply: r.Reply,
		LegalBasisCategories: toDataCategories(r.LegalBasisCategories),
		Outcome:              r.Outcome, SentBy: r.SentBy, AnsweredBy: r.AnsweredBy, AnsweredAt: utcPtr(r.AnsweredAt),
		ClosedAt: utcPtr(r.ClosedAt), Version: r.Version, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		Case: toCaseLabel(r.Case),
	}
}

// toCaseLabel is the case's name in lists; nil (left out) where the caller does not reach it.
func toCaseLabel(l *model.CaseLabel) *CaseLabel {
	if l == nil {
		return nil
	}
	return &CaseLabel{Reference: l.Reference, Name: l.Name, NameHidden: l.NameHidden, HouseholdSize: l.HouseholdSize}
}

func referralResponse(r *model.Referral) ReferralJSONResponse {
	return ReferralJSONResponse{Body: toReferral(*r), Headers: ReferralResponseHeaders{ETag: etag(r.Version)}}
}

func toTask(t model.Task) Task {
	return Task{
		Id: t.ID, OrgId: t.OrgID, AssigneeId: t.AssigneeID, CaseId: t.CaseID, Area: t.Area, ReferralId: t.ReferralID,
		Title: t.Title, Description: t.Description, DueDate: datePtr(t.DueDate), Priority: TaskPriority(t.Priority),
		Status: TaskStatus(t.Status), StatusReason: TaskStatusReason(t.StatusReason), CreatedBy: t.CreatedBy, DoneAt: utcPtr(t.DoneAt), Version: t.Version,
		CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC(), Case: toCaseLabel(t.Case),
	}
}

func taskResponse(t *model.Task) TaskJSONResponse {
	return TaskJSONResponse{Body: toTask(*t), Headers: TaskResponseHeaders{ETag: etag(t.Version)}}
}

func toTaskComment(c model.TaskComment) TaskComment {
	return TaskComment{Id: c.ID, TaskId: c.TaskID, AuthorId: c.AuthorID, OrgId: c.OrgID, Body: c.Body, CreatedAt: c.CreatedAt.UTC()}
}

// listOf maps a page to the fields of the API's lists: items (an empty array, never null),
// total, and next_cursor (null on the last page).
func listOf[T, U any](p *model.Page[T], f func(T) U) (items []U, total int64, next *string) {
	if p.NextCursor != "" {
		next = &p.NextCursor
	}
	return mapAll(p.Items, f), p.Total, next
}

func ptr[T any](v T) *T { return &v }

func stringList(l model.StringList) *[]string {
	out := append([]string{}, l...)
	return &out
}

func derefList(l *[]string) []string {
	if l == nil {
		return nil
	}
	return *l
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// toDate renders a calendar day (stored as midnight UTC) as an API date.
func toDate(d model.Date) openapi_types.Date {
	return openapi_types.Date{Time: time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)}
}

func datePtr(d *model.Date) *openapi_types.Date {
	if d == nil {
		return nil
	}
	out := toDate(*d)
	return &out
}

// fromDate reads an API date as a calendar day at midnight UTC.
func fromDate(d *openapi_types.Date) *model.Date {
	if d == nil {
		return nil
	}
	t := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	return &t
}

func toDataCategories(cs []string) []DataCategory {
	out := make([]DataCategory, len(cs))
	for i, c := range cs {
		out[i] = DataCategory(c)
	}
	return out
}
