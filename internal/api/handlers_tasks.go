package api

import (
	"context"

	"github.com/lotse-project/lotse/internal/model"
)

// The handlers of tasks and their comments.

// ListTasks implements GET /tasks.
func (h *Handlers) ListTasks(ctx context.Context, r ListTasksRequestObject) (ListTasksResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	p := r.Params
	f := model.TaskFilter{
		Mine: flag(p.Mine), AssigneeID: p.AssigneeId, OrgID: p.OrgId, Subtree: flag(p.Subtree),
		DueBefore: fromDate(p.DueBefore), DueAfter: fromDate(p.DueAfter), Overdue: flag(p.Overdue),
		Area: p.Area, CaseID: p.CaseId, ReferralID: p.ReferralId, Cursor: deref(p.Cursor),
	}
	if p.Status != nil {
		for _, st := range *p.Status {
			f.Status = append(f.Status, model.TaskStatus(st))
		}
	}
	if p.Limit != nil {
		f.Limit = *p.Limit
	}
	page, err := h.tasks.List(ctx, a, f)
	if err != nil {
		return nil, err
	}
	items, total, next := listOf(page, toTask)
	return ListTasks200JSONResponse{Items: items, Total: total, NextCursor: next}, nil
}

// CreateTask implements POST /tasks.
func (h *Handlers) CreateTask(ctx context.Context, r CreateTaskRequestObject) (CreateTaskResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	b := r.Body
	in := model.TaskCreate{
		OrgID: b.OrgId, AssigneeID: b.AssigneeId, CaseID: b.CaseId, Area: b.Area, ReferralID: b.ReferralId,
		Title: b.Title, Description: deref(b.Description), DueDate: fromDate(b.DueDate),
	}
	if b.Priority != nil {
		in.Priority = model.TaskPriority(*b.Priority)
	}
	t, err := h.tasks.Create(ctx, a, in)
	if err != nil {
		return nil, err
	}
	return CreateTask201JSONResponse{taskResponse(t)}, nil
}

// GetTask implements GET /tasks/{id}.
func (h *Handlers) GetTask(ctx context.Context, r GetTaskRequestObject) (GetTaskResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	t, err := h.tasks.Get(ctx, a, r.Id)
	if err != nil {
		return nil, err
	}
	return GetTask200JSONResponse{taskResponse(t)}, nil
}

// UpdateTask implements PATCH /tasks/{id}.
func (h *Handlers) UpdateTask(ctx context.Context, r UpdateTaskRequestObject) (UpdateTaskResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(r.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := r.Body
	p := model.TaskPatch{Title: b.Title, Description: b.Description, DueDate: fromDate(b.DueDate), ClearDueDate: flag(b.ClearDueDate)}
	if b.Priority != nil {
		pr := model.TaskPriority(*b.Priority)
		p.Priority = &pr
	}
	if b.Status != nil {
		st := model.TaskStatus(*b.Status)
		p.Status = &st
	}
	t, err := h.tasks.Update(ctx, a, r.Id, version, p)
	if err != nil {
		return nil, err
	}
	return UpdateTask200JSONResponse{taskResponse(t)}, nil
}

// ReassignTask implements POST /tasks/{id}/reassign.
func (h *Handlers) ReassignTask(ctx context.Context, r ReassignTaskRequestObject) (ReassignTaskResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(r.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	t, err := h.tasks.Reassign(ctx, a, r.Id, version, model.TaskReassign{OrgID: r.Body.OrgId, AssigneeID: r.Body.AssigneeId})
	if err != nil {
		return nil, err
	}
	return ReassignTask200JSONResponse{taskResponse(t)}, nil
}

// ListTaskComments implements GET /tasks/{id}/comments.
func (h *Handlers) ListTaskComments(ctx context.Context, r ListTaskCommentsRequestObject) (ListTaskCommentsResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	cs, err := h.tasks.Comments(ctx, a, r.Id)
	if err != nil {
		return nil, err
	}
	return ListTaskComments200JSONResponse{Items: mapAll(cs, toTaskComment)}, nil
}

// CreateTaskComment implements POST /tasks/{id}/comments.
func (h *Handlers) CreateTaskComment(ctx context.Context, r CreateTaskCommentRequestObject) (CreateTaskCommentResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	c, err := h.tasks.AddComment(ctx, a, r.Id, r.Body.Body)
	if err != nil {
		return nil, err
	}
	return CreateTaskComment201JSONResponse(toTaskComment(*c)), nil
}

func flag(b *bool) bool { return b != nil && *b }
