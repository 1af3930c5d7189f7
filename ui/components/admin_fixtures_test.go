package components

import (
	"strconv"
	"time"

	"github.com/a-h/templ"
)

// Renderings of the statistics, administration and audit log pages (admin.templ) for
// TestNoHardCodedText: every component, with data in every branch (errors, empty lists,
// suppressed counts, read-only views). Data from the database, and names the web layer has
// translated already, are marked ⟦…⟧ like the messages.

func init() {
	now := time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	parentID, orgID, otherID := "⟦org-parent⟧", "⟦org-id⟧", "⟦org-other⟧"
	userA, userB := "⟦user-a⟧", "⟦user-b⟧"
	kinds := []string{"municipal", "jobcenter", "welfare", "school"}
	parent := Option{Value: parentID, Label: "⟦Stadt⟧"}
	orgOpt := Option{Value: orgID, Label: "⟦Fachbereich Wohnen⟧"}

	overview := AdminOverviewView{
		Organisations: []AdminOrgRow{
			{ID: parentID, Name: "⟦Stadt⟧", ShortName: "⟦STADT⟧", Kind: "municipal", Active: true},
			{ID: orgID, Name: "⟦Fachbereich Wohnen⟧", ShortName: "⟦FB-WOHNEN⟧", Kind: "municipal", ParentName: "⟦Stadt⟧", Depth: 1, Active: true},
			{ID: otherID, Name: "⟦Alt⟧", ShortName: "⟦ALT⟧", Kind: "welfare"},
		},
		CanCreate: true, Parents: []Option{parent, orgOpt}, Kinds: kinds,
		New: AdminOrgForm{Name: "⟦Neu⟧", Kind: "school", ParentID: parentID},
		Errors: FormErrors{
			{Field: "name", ID: "org-new-name", Msg: FormMsg{Text: "⟦name⟧"}}, {Field: "short_name", ID: "org-new-short", Msg: FormMsg{Text: "⟦short⟧"}},
			{Field: "kind", ID: "org-new-kind", Msg: FormMsg{Text: "⟦kind⟧"}}, {Field: "parent_id", ID: "org-new-parent", Msg: FormMsg{Text: "⟦parent⟧"}},
			{Field: "contact_email", ID: "org-new-email", Msg: FormMsg{Text: "⟦email⟧"}}, {Field: "contact_phone", ID: "org-new-phone", Msg: FormMsg{Text: "⟦phone⟧"}},
			{Msg: FormMsg{Text: "⟦general⟧"}},
		},
	}

	login := now.Add(-time.Hour)
	members := []AdminMember{
		{ID: "⟦self⟧", Name: "⟦Ich⟧", Email: "⟦ich@stadt.test⟧", Active: true, LastLogin: &login, Self: true,
			Roles: []AdminGrant{{ID: "⟦g1⟧", Role: "org_admin"}}},
		{ID: userA, Name: "⟦Wiebke⟧", Email: "⟦w@stadt.test⟧", Active: true, Version: 2,
			Roles: []AdminGrant{{ID: "⟦g2⟧", Role: "caseworker", Removable: true}}, RolesElsewhere: []AdminRoleAt{{Role: "lead", Org: "⟦Stadt⟧"}},
			RolesToAdd: []string{"lead", "org_admin"}},
		{ID: userB, Name: "⟦Ina⟧", Version: 4, Roles: []AdminGrant{{ID: "⟦g3⟧", Role: "caseworker", Removable: true}}},
	}
	details := AdminOrgDetails{ID: orgID, Name: "⟦Fachbereich Wohnen⟧", ShortName: "⟦FB-WOHNEN⟧", Kind: "municipal",
		ContactEmail: "⟦wohnen@stadt.test⟧", ContactPhone: "⟦0541⟧", ParentName: "⟦Stadt⟧", Active: true}
	full := AdminOrgView{
		Org: details, Members: members, Parents: []Option{parent}, GrantableRoles: []string{"caseworker", "lead", "org_admin"}, Kinds: kinds,
		CanUpdate: true, CanCreateMember: true, CanUpdateMembers: true, CanAllowAdminCasework: true,
		Edit:       AdminOrgForm{Name: "⟦x⟧", Kind: "welfare", ParentID: parentID, Active: true, Version: 3},
		EditErrors: FormErrors{{Msg: FormMsg{Text: "⟦conflict⟧"}}, {Field: "name", ID: "org-edit-name", Msg: FormMsg{Text: "⟦name⟧"}}},
		NewMember:  AdminMemberForm{DisplayName: "⟦Neu⟧", Email: "⟦neu@stadt.test⟧", Role: "lead"},
		MemberErrors: FormErrors{{Field: "display_name", ID: "member-new-name", Msg: FormMsg{Text: "⟦n⟧"}}, {Field: "email", ID: "member-new-email", Msg: FormMsg{Text: "⟦e⟧"}},
			{Field: "role", ID: "member-new-role", Msg: FormMsg{Text: "⟦r⟧"}}},
		AddMember: AdminMemberForm{Email: "⟦da@stadt.test⟧", Role: "caseworker"},
		AddErrors: FormErrors{{Field: "email", ID: "member-add-email", Msg: FormMsg{Text: "⟦e⟧"}}, {Field: "role", ID: "member-add-role", Msg: FormMsg{Text: "⟦r⟧"}}},
		GrantUser: userA, GrantRole: "lead", GrantErrors: FormErrors{{Field: "role", ID: "grant-role-" + userA, Msg: FormMsg{Text: "⟦r⟧"}}},
	}
	root := details
	root.ParentName, root.Root, root.AdminCasework = "", true, true
	readOnly := AdminOrgView{Org: root}

	// table has rows by cols, its cells cycling through vals; a count below 5 is suppressed,
	// the totals are ranges.
	table := func(rows, cols []string, vals ...int) StatTable {
		cell := func(n int) StatCell {
			if n > 0 && n < 5 {
				return StatCell{Text: "<5", Suppressed: true}
			}
			return StatCell{Text: strconv.Itoa(n), N: n}
		}
		t := StatTable{Cols: cols, Total: StatCell{Text: "123–129", N: 123}}
		i := 0
		for _, r := range rows {
			row := StatRow{Label: r, Total: StatCell{Text: "49–52", N: 49}}
			for range cols {
				row.Cells = append(row.Cells, cell(vals[i%len(vals)]))
				i++
			}
			t.Rows = append(t.Rows, row)
		}
		for range cols {
			t.ColTotals = append(t.ColTotals, cell(12))
		}
		return t
	}
	var months []string
	for m := 1; m <= 12; m++ {
		months = append(months, strconv.Itoa(m)+"/2025")
	}
	cases := []string{"⟦Fälle⟧"}
	stats := StatsView{
		At:         now,
		AreaStatus: table([]string{"⟦Wohnen⟧", "⟦work⟧"}, []string{"⟦offen⟧", "⟦in Arbeit⟧", "⟦erledigt⟧"}, 0, 3, 7, 12),
		Districts:  table([]string{"⟦Schinkel⟧", "⟦nicht erfasst⟧"}, cases, 9, 2),
		Referrals:  table([]string{"⟦Jobcenter⟧", "⟦Wohlfahrt⟧"}, []string{"⟦gesendet⟧", "⟦angenommen⟧"}, 5, 0, 1),
		NewCases:   table(months, cases, 0, 4, 8, 20),
	}
	empty := StatsView{At: now}

	rows := []AuditRow{
		{At: now, Actor: "⟦Wiebke⟧", Roles: "caseworker,lead", Action: "⟦Fall angesehen⟧", ObjectType: "⟦Fall⟧",
			ObjectID: "⟦c1⟧", CaseID: orgID, Purpose: "⟦Fallarbeit⟧", RequestID: "⟦rid⟧", Org: "⟦FB Wohnen⟧", CaseReference: "⟦F-2026-00001⟧"},
		{At: now, Actor: "⟦system⟧", Action: "⟦audit.read⟧", ObjectType: "⟦audit⟧", CaseID: "⟦00000000-0000-7000-8000-000000000001⟧"}, // a case deleted meanwhile: shown by id
		{At: now, Actor: "⟦Dana⟧", Action: "⟦audit.read⟧", ObjectType: "⟦audit⟧"},
	}
	groups := []AuditActionGroup{
		{Object: "case", Name: "⟦Fälle⟧", Actions: []Option{{Value: "case.read", Label: "⟦Fall angesehen⟧"}, {Value: "case.create", Label: "⟦Fall angelegt⟧"}}},
		{Object: "audit", Name: "⟦Protokoll⟧", Actions: []Option{{Value: "audit.read", Label: "⟦Protokoll gelesen⟧"}}},
	}
	filter := AuditFilterForm{Case: "⟦F-2026⟧", User: "⟦wiebke⟧", Org: orgID, From: "2026-01-01", To: "⟦gestern⟧", Action: "case"}

	pages["Administration"] = []templ.Component{Administration(overview), Administration(AdminOverviewView{})}
	pages["AdminOrganisation"] = []templ.Component{AdminOrganisation(full), AdminOrganisation(readOnly)}
	pages["AdminConfirm"] = []templ.Component{
		AdminConfirm(AdminConfirmView{Kind: "deactivate", MemberName: "⟦Wiebke⟧", Action: "/x", Back: "/y", Version: 2, ReturnOrg: orgID}),
		AdminConfirm(AdminConfirmView{Kind: "remove_grant", MemberName: "⟦Wiebke⟧", OrgName: "⟦FB Wohnen⟧", Role: "lead", Action: "/x", Back: "/y"}),
	}
	pages["Statistics"] = []templ.Component{Statistics(stats), Statistics(empty)}
	pages["AuditLog"] = []templ.Component{
		AuditLog(AuditView{Filter: filter, Rows: rows, ChainURL: "/protokoll/kette", Orgs: []Option{orgOpt, parent}, ActionGroups: groups,
			NextURL: "/protokoll?before=7", FirstURL: "/protokoll", ExportURL: "/protokoll.csv"}),
		AuditLog(AuditView{Filter: filter, Errors: FormErrors{{Field: "to", ID: "audit-to", Msg: FormMsg{Text: "⟦to⟧"}}, {Msg: FormMsg{Text: "⟦x⟧"}}}}),
		AuditLog(AuditView{}),
	}

	withFlash := frames["signed in"]
	withFlash.Flash = "⟦Gespeichert⟧"
	frames["signed in, with a status message"] = withFlash
}
