package demo

import (
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/directory"
	"github.com/lotse-project/lotse/internal/model"
)

// TestDirectoryParses: the embedded file is valid on its own and against an empty database
// (every parent and grant organisation is defined in the file).
func TestDirectoryParses(t *testing.T) {
	f, err := directory.Parse(DirectoryName, Directory)
	if err != nil {
		t.Fatalf("the demo directory does not parse: %v", err)
	}
	e := directory.NewError(f.Name)
	f.Check(e, nil)
	if err := e.Err(); err != nil {
		t.Fatalf("the demo directory refers to organisations it does not define: %v", err)
	}
	kinds := map[model.OrgKind]bool{}
	for _, o := range f.Organisations {
		kinds[o.Kind] = true
		if o.ContactEmail != "" && !strings.HasSuffix(o.ContactEmail, ".example") {
			t.Errorf("%s: contact %q is not on a reserved .example domain", o.ShortName, o.ContactEmail)
		}
	}
	for _, k := range model.OrgKinds {
		if !kinds[k] {
			t.Errorf("no demo organisation of kind %s", k)
		}
	}
	for _, u := range f.Users {
		if u.Issuer != "" || u.Subject != "" {
			t.Errorf("%s: demo accounts are pre-provisioned by e-mail only, for linking at the first sign-in", u.Email)
		}
	}
}

// TestAccounts: an account for every role the issue names, in the right organisations.
func TestAccounts(t *testing.T) {
	accounts := Accounts()
	want := []struct {
		role model.Role
		org  string
	}{
		{model.RoleCaseworker, "FB-WOHNEN"},
		{model.RoleLead, "FB-WOHNEN"},
		{model.RoleCaseworker, "FD-MIGRATION"},
		{model.RoleCaseworker, "JOBCENTER"},
		{model.RoleCaseworker, "CARITAS"},
		{model.RoleOrgAdmin, "CARITAS"},
		{model.RoleCoordinator, "FB-INTEGRATION"},
		{model.RoleSysadmin, "STADT"},
		{model.RoleDPO, "STADT"},
	}
	for _, w := range want {
		found := false
		for _, a := range accounts {
			found = found || (a.Role == w.role && a.Org == w.org)
		}
		if !found {
			t.Errorf("no demo account is %s in %s", w.role, w.org)
		}
	}
	roles := map[model.Role]bool{}
	emails := map[string]bool{}
	for _, a := range accounts {
		roles[a.Role] = true
		if a.DisplayName == "" || !strings.HasSuffix(a.Email, ".example") {
			t.Errorf("account %+v: needs a name and an address on a reserved .example domain", a)
		}
		if emails[a.Email] {
			t.Errorf("account %s listed twice", a.Email)
		}
		emails[a.Email] = true
	}
	for _, r := range model.Roles {
		if !roles[r] {
			t.Errorf("no demo account holds the role %s", r)
		}
	}
}
