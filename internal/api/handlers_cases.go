package api

import (
	"context"

	"github.com/lotse-project/lotse/internal/model"
)

// The handlers of cases, persons, plans and notes. Each calls exactly one service method;
// the service checks the record-level access, masks what the caller may not see and writes
// the audit event.

// ListAreas implements GET /areas.
func (h *Handlers) ListAreas(ctx context.Context, _ ListAreasRequestObject) (ListAreasResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	areas, err := h.cases.Areas(ctx, a)
	if err != nil {
		return nil, err
	}
	return ListAreas200JSONResponse{Items: mapAll(areas, toArea)}, nil
}

// ListCases implements GET /cases.
func (h *Handlers) ListCases(ctx context.Context, r ListCasesRequestObject) (ListCasesResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	p := r.Params
	f := model.CaseFilter{Q: deref(p.Q), Reference: deref(p.Reference), Area: deref(p.Area), Cursor: deref(p.Cursor)}
	if p.Status != nil {
		f.Status = model.CaseStatus(*p.Status)
	}
	if p.AreaStatus != nil {
		f.AreaStatus = model.AreaStatusValue(*p.AreaStatus)
	}
	if p.Limit != nil {
		f.Limit = *p.Limit
	}
	page, err := h.cases.List(ctx, a, f)
	if err != nil {
		return nil, err
	}
	items, total, next := listOf(page, toCase)
	return ListCases200JSONResponse{Items: items, Total: total, NextCursor: next}, nil
}

// CreateCase implements POST /cases.
func (h *Handlers) CreateCase(ctx context.Context, r CreateCaseRequestObject) (CreateCaseResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	b := r.Body
	in := model.CaseCreate{ResponsibleUserID: b.ResponsibleUserId, District: deref(b.District), Primary: toPersonInput(b.Primary)}
	if b.Members != nil {
		in.Members = mapAll(*b.Members, toPersonInput)
	}
	v, err := h.cases.Create(ctx, a, in)
	if err != nil {
		return nil, err
	}
	return CreateCase201JSONResponse{caseResponse(v)}, nil
}

// GetCase implements GET /cases/{id}.
func (h *Handlers) GetCase(ctx context.Context, r GetCaseRequestObject) (GetCaseResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	v, err := h.cases.Get(ctx, a, r.Id)
	if err != nil {
		return nil, err
	}
	return GetCase200JSONResponse{caseResponse(v)}, nil
}

// UpdateCase implements PATCH /cases/{id}.
func (h *Handlers) UpdateCase(ctx context.Context, r UpdateCaseRequestObject) (UpdateCaseResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(r.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := r.Body
	p := model.CasePatch{StatusReason: b.StatusReason, ResponsibleUserID: b.ResponsibleUserId, District: b.District}
	if b.Status != nil {
		st := model.CaseStatus(*b.Status)
		p.Status = &st
	}
	v, err := h.cases.Update(ctx, a, r.Id, p, version)
	if err != nil {
		return nil, err
	}
	return UpdateCase200JSONResponse{caseResponse(v)}, nil
}

// AddPerson implements POST /cases/{id}/persons.
func (h *Handlers) AddPerson(ctx context.Context, r AddPersonRequestObject) (AddPersonResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	p, err := h.cases.AddPerson(ctx, a, r.Id, toPersonInput(*r.Body))
	if err != nil {
		return nil, err
	}
	return AddPerson201JSONResponse{personResponse(p)}, nil
}

// UpdatePerson implements PATCH /cases/{id}/persons/{personId}.
func (h *Handlers) UpdatePerson(ctx context.Context, r UpdatePersonRequestObject) (UpdatePersonResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(r.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := r.Body
	pp := model.PersonPatch{
		FamilyName: b.FamilyName, GivenNames: b.GivenNames, NameVariants: b.NameVariants, BirthDate: fromDate(b.BirthDate),
		Languages: b.Languages, ArrivalDate: fromDate(b.ArrivalDate), ResidenceStatus: b.ResidenceStatus,
		District: b.District, Phone: b.Phone, Email: b.Email, Address: b.Address,
	}
	p, err := h.cases.UpdatePerson(ctx, a, r.Id, r.PersonId, pp, version)
	if err != nil {
		return nil, err
	}
	return UpdatePerson200JSONResponse{personResponse(p)}, nil
}

// GetPlan implements GET /cases/{id}/plan.
func (h *Handlers) GetPlan(ctx context.Context, r GetPlanRequestObject) (GetPlanResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := h.cases.Plan(ctx, a, r.Id)
	if err != nil {
		return nil, err
	}
	return GetPlan200JSONResponse{Items: mapAll(rows, toAreaStatus)}, nil
}

// UpdatePlanArea implements PATCH /cases/{id}/plan/{area}.
func (h *Handlers) UpdatePlanArea(ctx context.Context, r UpdatePlanAreaRequestObject) (UpdatePlanAreaResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(r.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := r.Body
	p := model.AreaStatusPatch{ResponsibleOrgID: b.ResponsibleOrgId, Note: b.Note}
	if b.Status != nil {
		st := model.AreaStatusValue(*b.Status)
		p.Status = &st
	}
	row, err := h.cases.UpdateArea(ctx, a, r.Id, r.Area, p, version)
	if err != nil {
		return nil, err
	}
	return UpdatePlanArea200JSONResponse{AreaStatusJSONResponse{Body: toAreaStatus(*row), Headers: AreaStatusResponseHeaders{ETag: etag(row.Version)}}}, nil
}

// ListNotes implements GET /cases/{id}/notes.
func (h *Handlers) ListNotes(ctx context.Context, r ListNotesRequestObject) (ListNotesResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	notes, err := h.notes.List(ctx, a, r.Id)
	if err != nil {
		return nil, err
	}
	return ListNotes200JSONResponse{Items: mapAll(notes, toNote)}, nil
}

// CreateNote implements POST /cases/{id}/notes.
func (h *Handlers) CreateNote(ctx context.Context, r CreateNoteRequestObject) (CreateNoteResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	b := r.Body
	in := model.NoteCreate{Area: deref(b.Area), Body: b.Body}
	if b.Visibility != nil {
		in.Visibility = model.NoteVisibility(*b.Visibility)
	}
	n, err := h.notes.Create(ctx, a, r.Id, in)
	if err != nil {
		return nil, err
	}
	return CreateNote201JSONResponse(toNote(*n)), nil
}
