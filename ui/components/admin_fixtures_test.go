package components

import (
	"time"

	"github.com/a-h/templ"
	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

// Renderings of the statistics, administration and audit log pages (admin.templ) for
// TestNoHardCodedText: every component, with data in every branch (errors, empty lists,
// suppressed counts, read-only views). Data from the database is marked ⟦…⟧ like the messages.

func init() {
	now := time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	parentID, orgID, otherID := uuid.New(), uuid.New(), uuid.New()
	self, userA, userB := uuid.New(), uuid.New(), uuid.New()
	parent := model.Organisation{ID: parentID, Name: "⟦Stadt⟧", ShortName: "⟦STADT⟧", Kind: model.OrgMunicipal, Active: true, Version: 1}
	org := model.Organisation{ID: orgID, ParentID: &parentID, Name: "⟦Fachbereich Wohnen⟧", ShortName: "⟦FB-WOHNEN⟧", Kind: model.OrgMunicipal,
		ContactEmail: "⟦wohnen@stadt.test⟧", ContactPhone: "⟦0541⟧", Active: true, Version: 3}
	inactive := model.Organisation{ID: otherID, Name: "⟦Alt⟧", ShortName: "⟦ALT⟧", Kind: model.OrgWelfare, Active: false}

	overview := model.AdminOverview{
		Organisations: []model.AdminOrgEntry{{Organisation: parent}, {Organisation: org, Depth: 1}, {Organisation: inactive}},
		CanCreate:     true, Parents: []model.Organisation{parent, org},
	}
	orgErrs := FormErrors{
		{Field: "name", ID: "org-new-name", Msg: FormMsg{Text: "⟦name⟧"}}, {Field: "short_name", ID: "org-new-short", Msg: FormMsg{Text: "⟦short⟧"}},
		{Field: "kind", ID: "org-new-kind", Msg: FormMsg{Text: "⟦kind⟧"}}, {Field: "parent_id", ID: "org-new-parent", Msg: FormMsg{Text: "⟦parent⟧"}},
		{Field: "contact_email", ID: "org-new-email", Msg: FormMsg{Text: "⟦email⟧"}}, {Field: "contact_phone", ID: "org-new-phone", Msg: FormMsg{Text: "⟦phone⟧"}},
		{Msg: FormMsg{Text: "⟦general⟧"}},
	}

	login := now.Add(-time.Hour)
	members := []model.Member{
		{User: model.User{ID: self, DisplayName: "⟦Ich⟧", Email: "⟦ich@stadt.test⟧", Active: true, LastLoginAt: &login},
			Grants: []model.Grant{{ID: uuid.New(), UserID: self, OrgID: orgID, Role: model.RoleOrgAdmin}}},
		{User: model.User{ID: userA, DisplayName: "⟦Wiebke⟧", Email: "⟦w@stadt.test⟧", Active: true, Version: 2},
			Grants: []model.Grant{{ID: uuid.New(), UserID: userA, OrgID: orgID, Role: model.RoleCaseworker}, {ID: uuid.New(), UserID: userA, OrgID: parentID, Role: model.RoleLead}}},
		{User: model.User{ID: userB, DisplayName: "⟦Ina⟧", Active: false, Version: 4},
			Grants: []model.Grant{{ID: uuid.New(), UserID: userB, OrgID: orgID, Role: model.RoleCaseworker}}},
	}
	page := model.AdminOrganisation{
		Org: org, Parent: &parent, Members: members, OrgNames: map[uuid.UUID]string{parentID: "⟦Stadt⟧", orgID: "⟦Fachbereich Wohnen⟧"},
		CanUpdate: true, Parents: []model.Organisation{parent}, CanCreateMember: true, CanUpdateMembers: true,
		GrantableRoles: []model.Role{model.RoleCaseworker, model.RoleLead, model.RoleOrgAdmin},
	}
	full := AdminOrgView{
		Page: page, Self: self, Edit: AdminOrgForm{Name: "⟦x⟧", Kind: "welfare", ParentID: parentID.String(), Active: true, Version: 3},
		EditErrors: FormErrors{{Msg: FormMsg{Text: "⟦conflict⟧"}}, {Field: "name", ID: "org-edit-name", Msg: FormMsg{Text: "⟦name⟧"}}},
		NewMember:  AdminMemberForm{DisplayName: "⟦Neu⟧", Email: "⟦neu@stadt.test⟧", Role: "lead"},
		MemberErrors: FormErrors{{Field: "display_name", ID: "member-new-name", Msg: FormMsg{Text: "⟦n⟧"}}, {Field: "email", ID: "member-new-email", Msg: FormMsg{Text: "⟦e⟧"}},
			{Field: "role", ID: "member-new-role", Msg: FormMsg{Text: "⟦r⟧"}}},
		AddMember: AdminMemberForm{Email: "⟦da@stadt.test⟧", Role: "caseworker"},
		AddErrors: FormErrors{{Field: "email", ID: "member-add-email", Msg: FormMsg{Text: "⟦e⟧"}}, {Field: "role", ID: "member-add-role", Msg: FormMsg{Text: "⟦r⟧"}}},
		GrantUser: userA, GrantRole: "lead", GrantErrors: FormErrors{{Field: "role", ID: "grant-role-" + userA.String(), Msg: FormMsg{Text: "⟦r⟧"}}},
	}
	root := org
	root.ParentID = nil
	readOnly := AdminOrgView{Page: model.AdminOrganisation{Org: root, OrgNames: map[uuid.UUID]string{}}, Self: self, Edit: AdminOrgForm{}}

	raw := func(rows, cols []model.StatLabel, vals ...int) model.StatTable {
		t := model.StatTable{Rows: rows, Cols: cols}
		i := 0
		for range rows {
			var line []model.Count
			for range cols {
				line = append(line, model.NewCount(vals[i%len(vals)]))
				i++
			}
			t.Cells = append(t.Cells, line)
			t.RowTotals = append(t.RowTotals, model.SumCount(48, 1))
		}
		for range cols {
			t.ColTotals = append(t.ColTotals, model.NewCount(12))
		}
		t.Total = model.SumCount(120, 3)
		return t
	}
	var statusCols, refCols, kindRows, monthRows []model.StatLabel
	for _, v := range model.AreaStatusValues {
		statusCols = append(statusCols, model.StatLabel{Code: string(v)})
	}
	for _, v := range model.ReferralStatuses {
		refCols = append(refCols, model.StatLabel{Code: string(v)})
	}
	for _, k := range model.OrgKinds {
		kindRows = append(kindRows, model.StatLabel{Code: string(k)})
	}
	for m := 1; m <= 12; m++ {
		monthRows = append(monthRows, model.StatLabel{Code: time.Date(2025, time.Month(m), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")})
	}
	cases := []model.StatLabel{{Code: "cases"}}
	stats := model.CityStatistics{
		AreaStatus: raw([]model.StatLabel{{Code: "housing", NameDE: "⟦Wohnen⟧", NameEN: "⟦Housing⟧"}, {Code: "⟦work⟧"}}, statusCols, 0, 3, 7, 12),
		Districts:  raw([]model.StatLabel{{Code: "⟦Schinkel⟧"}, {Code: ""}}, cases, 9, 2),
		Referrals:  raw(kindRows, refCols, 5, 0, 1),
		NewCases:   raw(monthRows, cases, 0, 4, 8, 20),
		At:         now,
	}
	empty := model.CityStatistics{At: now}

	goneCase := uuid.MustParse("00000000-0000-7000-8000-000000000001") // a case deleted meanwhile: shown by id
	rows := []model.AuditRow{
		{AuditEvent: model.AuditEvent{ID: 9, At: now, ActorName: "⟦Wiebke⟧", Role: "caseworker,lead", Action: "⟦case.read⟧", ObjectType: "⟦case⟧",
			ObjectID: "⟦c1⟧", CaseID: &orgID, Purpose: "⟦case work⟧", RequestID: "⟦rid⟧"}, OrgName: "⟦FB Wohnen⟧", CaseReference: "⟦F-2026-00001⟧"},
		{AuditEvent: model.AuditEvent{ID: 8, At: now, ActorName: "⟦system⟧", Action: "⟦audit.read⟧", ObjectType: "⟦audit⟧", CaseID: &goneCase}},
		{AuditEvent: model.AuditEvent{ID: 7, At: now, ActorName: "⟦Dana⟧", Action: "⟦audit.read⟧", ObjectType: "⟦audit⟧"}},
	}
	filter := AuditFilterForm{Case: "⟦F-2026⟧", User: "⟦wiebke⟧", Org: orgID.String(), From: "2026-01-01", To: "⟦gestern⟧", Action: "⟦case⟧"}

	pages["Administration"] = []templ.Component{
		Administration(AdminOverviewView{Overview: overview, New: AdminOrgForm{Name: "⟦Neu⟧", Kind: "school", ParentID: parentID.String()}, Errors: orgErrs}),
		Administration(AdminOverviewView{}),
	}
	pages["AdminOrganisation"] = []templ.Component{AdminOrganisation(full), AdminOrganisation(readOnly)}
	pages["AdminConfirm"] = []templ.Component{
		AdminConfirm(AdminConfirmView{Kind: "deactivate", Member: members[1].User, Action: "/x", Back: "/y", Version: 2, ReturnOrg: orgID.String()}),
		AdminConfirm(AdminConfirmView{Kind: "remove_grant", Member: members[1].User, OrgName: "⟦FB Wohnen⟧", Role: "lead", Action: "/x", Back: "/y"}),
	}
	pages["Statistics"] = []templ.Component{Statistics(StatsView{Stats: stats}), Statistics(StatsView{Stats: empty})}
	pages["AuditLog"] = []templ.Component{
		AuditLog(AuditView{Filter: filter, Rows: rows, Orgs: []model.Organisation{org, parent}, NextURL: "/protokoll?before=7", FirstURL: "/protokoll", ExportURL: "/protokoll.csv"}),
		AuditLog(AuditView{Filter: filter, Errors: FormErrors{{Field: "to", ID: "audit-to", Msg: FormMsg{Text: "⟦to⟧"}}, {Msg: FormMsg{Text: "⟦x⟧"}}}}),
		AuditLog(AuditView{}),
	}

	withFlash := frames["signed in"]
	withFlash.Flash = "⟦Gespeichert⟧"
	frames["signed in, with a status message"] = withFlash
}
