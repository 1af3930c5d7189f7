package api

import "github.com/lotse-project/lotse/internal/model"

// The mappers below turn model entities into the API's generated types field by field, so
// that a new column never leaks into the API unnoticed.

func toOrganisation(o model.Organisation) Organisation {
	return Organisation{
		Id: o.ID, ParentId: o.ParentID, Kind: OrgKind(o.Kind), Name: o.Name, ShortName: o.ShortName,
		ContactEmail: o.ContactEmail, ContactPhone: o.ContactPhone, Active: o.Active, AllowAdminCasework: o.AllowAdminCasework, Version: o.Version,
		CreatedAt: o.CreatedAt.UTC(), UpdatedAt: o.UpdatedAt.UTC(),
	}
}

func organisationResponse(o *model.Organisation) OrganisationJSONResponse {
	return OrganisationJSONResponse{Body: toOrganisation(*o), Headers: OrganisationResponseHeaders{ETag: etag(o.Version)}}
}

func toGrant(g model.Grant) Grant {
	return Grant{Id: g.ID, UserId: g.UserID, OrgId: g.OrgID, Role: Role(g.Role), GrantedBy: g.GrantedBy, CreatedAt: g.CreatedAt.UTC()}
}

func toMember(m model.Member) Member {
	u := m.User
	out := Member{
		Id: u.ID, DisplayName: u.DisplayName, Email: u.Email, Issuer: u.Issuer, Subject: u.Subject,
		Active: u.Active, Service: u.Service, LastLoginAt: u.LastLoginAt, Version: u.Version,
		CreatedAt: u.CreatedAt.UTC(), UpdatedAt: u.UpdatedAt.UTC(), Grants: mapAll(m.Grants, toGrant),
	}
	if out.LastLoginAt != nil {
		t := out.LastLoginAt.UTC()
		out.LastLoginAt = &t
	}
	return out
}

func memberResponse(m *model.Member) MemberJSONResponse {
	return MemberJSONResponse{Body: toMember(*m), Headers: MemberResponseHeaders{ETag: etag(m.User.Version)}}
}

// mapAll maps a slice; an empty input gives an empty (not null) JSON array.
func mapAll[T, U any](in []T, f func(T) U) []U {
	out := make([]U, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
