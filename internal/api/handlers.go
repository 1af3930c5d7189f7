package api

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
)

// Handlers implement the generated StrictServerInterface. Each binds its request object into
// a model create or patch type, calls exactly one service method with the actor of the
// request, and maps the result to the API's types. Errors are returned as they are: the web
// layer's one error handler renders them.
type Handlers struct {
	access    *service.Access
	dir       *service.Directory
	cases     *service.Cases
	notes     *service.Notes
	consents  *service.Consents
	referrals *service.Referrals
	tasks     *service.Tasks
	// notifications is the notification centre (handlers_notifications.go).
	notifications *service.Notifications
}

var _ StrictServerInterface = (*Handlers)(nil)

// NewServer returns the generated Echo wrapper around the strict handlers. Its methods are
// the Echo handlers of the operations; internal/web/routes.go registers each one with its
// permission.
func NewServer(svc *service.Services) *ServerInterfaceWrapper {
	h := &Handlers{access: svc.Access, dir: svc.Directory, cases: svc.Cases, notes: svc.Notes,
		consents: svc.Consents, referrals: svc.Referrals, tasks: svc.Tasks, notifications: svc.Notifications}
	return &ServerInterfaceWrapper{Handler: NewStrictHandler(h, nil)}
}

// GetMe implements GET /me.
func (h *Handlers) GetMe(ctx context.Context, _ GetMeRequestObject) (GetMeResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	ms := h.access.Memberships(a)
	me := Me{Id: a.UserID, DisplayName: a.Name, Organisations: make([]Membership, 0, len(ms))}
	for _, m := range ms {
		d := Membership{Id: m.Org.ID, Name: m.Org.Name, ShortName: m.Org.ShortName, Kind: OrgKind(m.Org.Kind), Roles: make([]Role, 0, len(m.Roles))}
		for _, r := range m.Roles {
			d.Roles = append(d.Roles, Role(r))
		}
		me.Organisations = append(me.Organisations, d)
		if m.Org.ID == a.OrgID {
			cur := d
			me.Organisation = &cur
		}
	}
	noStore := "no-store"
	return GetMe200JSONResponse{Body: me, Headers: GetMe200ResponseHeaders{CacheControl: &noStore}}, nil
}

// actor returns who acts, as set by the web layer's sign-in middleware.
func actor(ctx context.Context) (model.Actor, error) {
	a, ok := model.ActorFrom(ctx)
	if !ok {
		return model.Actor{}, fmt.Errorf("api: no actor in the request: %w", model.ErrUnauthenticated)
	}
	return a, nil
}

// etag renders a record version as an entity tag.
func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// ifMatch reads the version from an If-Match header ("3", also W/"3" or 3).
func ifMatch(h string) (int, error) {
	s := strings.TrimPrefix(strings.TrimSpace(h), "W/")
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		s = s[1 : len(s)-1]
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, model.Invalid("If-Match", model.CodeVersionMissing)
	}
	return n, nil
}

// ListOrganisations implements GET /organisations.
func (h *Handlers) ListOrganisations(ctx context.Context, _ ListOrganisationsRequestObject) (ListOrganisationsResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	orgs, err := h.dir.ListOrganisations(ctx, a)
	if err != nil {
		return nil, err
	}
	return ListOrganisations200JSONResponse{Items: mapAll(orgs, toOrganisation)}, nil
}

// CreateOrganisation implements POST /organisations.
func (h *Handlers) CreateOrganisation(ctx context.Context, r CreateOrganisationRequestObject) (CreateOrganisationResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	b := r.Body
	o, err := h.dir.CreateOrganisation(ctx, a, model.OrganisationCreate{
		ParentID: b.ParentId, Kind: model.OrgKind(b.Kind), Name: b.Name, ShortName: b.ShortName,
		ContactEmail: deref(b.ContactEmail), ContactPhone: deref(b.ContactPhone),
	})
	if err != nil {
		return nil, err
	}
	return CreateOrganisation201JSONResponse{organisationResponse(o)}, nil
}

// GetOrganisation implements GET /organisations/{id}.
func (h *Handlers) GetOrganisation(ctx context.Context, r GetOrganisationRequestObject) (GetOrganisationResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	o, err := h.dir.GetOrganisation(ctx, a, r.Id)
	if err != nil {
		return nil, err
	}
	return GetOrganisation200JSONResponse{organisationResponse(o)}, nil
}

// UpdateOrganisation implements PATCH /organisations/{id}.
func (h *Handlers) UpdateOrganisation(ctx context.Context, r UpdateOrganisationRequestObject) (UpdateOrganisationResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(r.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := r.Body
	o, err := h.dir.UpdateOrganisation(ctx, a, r.Id, model.OrganisationPatch{
		ParentID: b.ParentId, Kind: (*model.OrgKind)(b.Kind), Name: b.Name, ShortName: b.ShortName,
		ContactEmail: b.ContactEmail, ContactPhone: b.ContactPhone, Active: b.Active, AllowAdminCasework: b.AllowAdminCasework,
	}, version)
	if err != nil {
		return nil, err
	}
	return UpdateOrganisation200JSONResponse{organisationResponse(o)}, nil
}

// ListMembers implements GET /members.
func (h *Handlers) ListMembers(ctx context.Context, r ListMembersRequestObject) (ListMembersResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	ms, err := h.dir.ListMembers(ctx, a, r.Params.OrgId)
	if err != nil {
		return nil, err
	}
	return ListMembers200JSONResponse{Items: mapAll(ms, toMember)}, nil
}

// CreateMember implements POST /members.
func (h *Handlers) CreateMember(ctx context.Context, r CreateMemberRequestObject) (CreateMemberResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	b := r.Body
	m, err := h.dir.CreateMember(ctx, a, model.MemberCreate{
		Issuer: deref(b.Issuer), Subject: deref(b.Subject), Email: deref(b.Email), DisplayName: b.DisplayName,
		Service: b.Service != nil && *b.Service, OrgID: b.OrgId, Role: model.Role(b.Role),
	})
	if err != nil {
		return nil, err
	}
	return CreateMember201JSONResponse{memberResponse(m)}, nil
}

// GetMember implements GET /members/{id}.
func (h *Handlers) GetMember(ctx context.Context, r GetMemberRequestObject) (GetMemberResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	m, err := h.dir.GetMember(ctx, a, r.Id)
	if err != nil {
		return nil, err
	}
	return GetMember200JSONResponse{memberResponse(m)}, nil
}

// UpdateMember implements PATCH /members/{id}.
func (h *Handlers) UpdateMember(ctx context.Context, r UpdateMemberRequestObject) (UpdateMemberResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	version, err := ifMatch(r.Params.IfMatch)
	if err != nil {
		return nil, err
	}
	b := r.Body
	m, err := h.dir.UpdateMember(ctx, a, r.Id, model.MemberPatch{DisplayName: b.DisplayName, Email: b.Email, Active: b.Active}, version)
	if err != nil {
		return nil, err
	}
	return UpdateMember200JSONResponse{memberResponse(m)}, nil
}

// CreateGrant implements POST /grants.
func (h *Handlers) CreateGrant(ctx context.Context, r CreateGrantRequestObject) (CreateGrantResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	b := r.Body
	g, err := h.dir.CreateGrant(ctx, a, model.GrantCreate{UserID: b.UserId, OrgID: b.OrgId, Role: model.Role(b.Role)})
	if err != nil {
		return nil, err
	}
	return CreateGrant201JSONResponse(toGrant(*g)), nil
}

// DeleteGrant implements DELETE /grants/{id}.
func (h *Handlers) DeleteGrant(ctx context.Context, r DeleteGrantRequestObject) (DeleteGrantResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if err := h.dir.DeleteGrant(ctx, a, r.Id); err != nil {
		return nil, err
	}
	return DeleteGrant204Response{}, nil
}
