package service_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/lotse-project/lotse/internal/directory"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestServicesRefuseBadText: every service method that takes text refuses a NUL (and any
// other control character or invalid UTF-8, model.TextOK) in any of it, naming the field,
// before it reads or writes anything, whoever calls it (the forms, `lotse directory apply`).
func TestServicesRefuseBadText(t *testing.T) {
	t.Parallel()
	w := world.New(t)
	cw := w.CaseWorkFor(t, world.CaseSetup{Lead: w.HousingWorker, Partner: w.CaritasWorker, Status: model.ReferralAccepted})
	svc := w.Services(t)
	ctx := context.Background()
	worker, partner, admin := w.Actor(t, w.HousingWorker), w.Actor(t, w.CaritasWorker), w.Actor(t, w.Sysadmin)
	lead, dpo := w.Actor(t, w.HousingLead), w.Actor(t, w.DPO)
	const nul = "a\x00b"
	bad := nul
	person := w.NewPerson()
	person.NameVariants = []string{"ok", nul}
	ignore := func(_ any, err error) error { return err }
	for _, tc := range []struct {
		name, field string
		call        func() error
	}{
		{"case create", "primary.name_variants", func() error { return ignore(svc.Cases.Create(ctx, worker, model.CaseCreate{Primary: person})) }},
		{"case create member", "members[0].family_name", func() error {
			return ignore(svc.Cases.Create(ctx, worker, model.CaseCreate{Primary: w.NewPerson(), Members: []model.PersonInput{{FamilyName: nul}}}))
		}},
		{"case update", "status_reason", func() error {
			return ignore(svc.Cases.Update(ctx, worker, cw.Case.ID, model.CasePatch{StatusReason: &bad}, cw.Case.Version))
		}},
		{"add person", "address", func() error {
			p := w.NewPerson()
			p.Address = nul
			return ignore(svc.Cases.AddPerson(ctx, worker, cw.Case.ID, p))
		}},
		{"update person", "family_name", func() error {
			return ignore(svc.Cases.UpdatePerson(ctx, worker, cw.Case.ID, cw.Person.ID, model.PersonPatch{FamilyName: &bad}, cw.Person.Version))
		}},
		{"case list", "q", func() error { return ignore(svc.Cases.List(ctx, worker, model.CaseFilter{Q: nul})) }},
		{"case export", "reference", func() error { return ignore(svc.Cases.Export(ctx, worker, model.CaseFilter{Reference: nul})) }},
		{"plan area", "note", func() error {
			return ignore(svc.Cases.UpdateArea(ctx, worker, cw.Case.ID, "housing", model.AreaStatusPatch{Note: &bad}, 1))
		}},
		{"plan area name", "area", func() error {
			return ignore(svc.Cases.UpdateArea(ctx, worker, cw.Case.ID, nul, model.AreaStatusPatch{}, 1))
		}},
		{"consent", "evidence", func() error {
			return ignore(svc.Consents.Create(ctx, worker, cw.Case.ID, model.ConsentCreate{Evidence: nul}))
		}},
		{"note", "body", func() error { return ignore(svc.Notes.Create(ctx, worker, cw.Case.ID, model.NoteCreate{Body: nul})) }},
		{"referral", "message", func() error {
			return ignore(svc.Referrals.Create(ctx, worker, cw.Case.ID, model.ReferralCreate{ToOrgID: w.Jobcenter.ID, Areas: []string{"work"}, Message: nul}))
		}},
		{"referral areas", "areas", func() error {
			return ignore(svc.Referrals.Create(ctx, worker, cw.Case.ID, model.ReferralCreate{ToOrgID: w.Jobcenter.ID, Areas: []string{nul}}))
		}},
		{"decline", "reason", func() error {
			return ignore(svc.Referrals.Decline(ctx, partner, cw.Referral.ID, cw.Referral.Version, nul))
		}},
		{"complete", "outcome", func() error {
			return ignore(svc.Referrals.Complete(ctx, partner, cw.Referral.ID, cw.Referral.Version, nul))
		}},
		{"referral list", "cursor", func() error { return ignore(svc.Referrals.List(ctx, partner, model.ReferralFilter{Cursor: nul})) }},
		{"task", "title", func() error {
			return ignore(svc.Tasks.Create(ctx, worker, model.TaskCreate{OrgID: w.Housing.ID, Title: nul}))
		}},
		{"task update", "description", func() error {
			return ignore(svc.Tasks.Update(ctx, worker, cw.Task.ID, cw.Task.Version, model.TaskPatch{Description: &bad}))
		}},
		{"task comment", "body", func() error { return ignore(svc.Tasks.AddComment(ctx, worker, cw.Task.ID, nul)) }},
		{"task list", "area", func() error { return ignore(svc.Tasks.List(ctx, worker, model.TaskFilter{Area: &bad})) }},
		{"team", "area", func() error { return ignore(svc.Dashboard.Team(ctx, lead, service.TeamFilter{Area: &bad})) }},
		{"audit list", "user", func() error { return ignore(svc.Audit.List(ctx, dpo, model.AuditFilter{User: nul})) }},
		{"audit export", "case", func() error {
			return svc.Audit.Export(ctx, dpo, model.AuditFilter{Case: nul}, func(model.AuditRow) error { return nil })
		}},
		{"organisation", "name", func() error {
			return ignore(svc.Directory.CreateOrganisation(ctx, admin, model.OrganisationCreate{Kind: model.OrgWelfare, Name: nul, ShortName: "AWO"}))
		}},
		{"organisation update", "contact_phone", func() error {
			return ignore(svc.Directory.UpdateOrganisation(ctx, admin, w.Caritas.ID, model.OrganisationPatch{ContactPhone: &bad}, 1))
		}},
		{"member", "display_name", func() error {
			return ignore(svc.Directory.CreateMember(ctx, admin, model.MemberCreate{DisplayName: nul, OrgID: w.Caritas.ID, Role: model.RoleCaseworker}))
		}},
		{"member update", "email", func() error {
			return ignore(svc.Directory.UpdateMember(ctx, admin, w.CaritasWorker.ID, model.MemberPatch{Email: &bad}, 1))
		}},
		{"grant", "role", func() error {
			return ignore(svc.Directory.CreateGrant(ctx, admin, model.GrantCreate{UserID: w.NoRole.ID, OrgID: w.Caritas.ID, Role: model.Role(nul)}))
		}},
		{"grant by e-mail", "email", func() error {
			return ignore(svc.Directory.GrantByEmail(ctx, admin, w.Caritas.ID, nul, model.RoleCaseworker))
		}},
		{"sign-in", "name", func() error {
			return ignore(svc.Access.SignIn(ctx, service.SignIn{Issuer: "https://idp.example", Subject: "s-1", Name: nul, Email: "neu@example.test"}))
		}},
		{"directory file", "users[0].grants[0].org", func() error {
			f := &directory.File{Name: "d.yaml", Users: []directory.User{{DisplayName: "X", Email: "x@example.test", Grants: []directory.Grant{{Org: nul, Role: model.RoleCaseworker}}}}}
			return ignore(svc.Directory.Apply(ctx, model.Actor{System: true, Name: "directory"}, f, false))
		}},
		{"idempotency key", "Idempotency-Key", func() error {
			return ignore(svc.Idempotency.Check(ctx, w.Actor(t, w.HousingWorker), &model.RequestKey{Key: nul, Hash: "h"}))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := w.Fingerprint(t)
			err := tc.call()
			var ve *model.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("error %v, want a validation error", err)
			}
			if !slices.ContainsFunc(ve.Fields, func(f model.FieldError) bool { return f.Field == tc.field && f.Code == model.CodeBadCharacters }) {
				t.Errorf("error %v does not name %s for its characters", err, tc.field)
			}
			if after := w.Fingerprint(t); after != before {
				t.Errorf("the refused call changed data:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
	t.Run("bearer identity", func(t *testing.T) {
		if _, err := svc.Access.SignInBearer(ctx, "https://idp.example", nul); !errors.Is(err, model.ErrUnauthenticated) {
			t.Errorf("error %v, want unauthenticated", err)
		}
	})
}
