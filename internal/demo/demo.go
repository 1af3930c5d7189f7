package demo

import (
	_ "embed"
	"fmt"

	"github.com/lotse-project/lotse/internal/directory"
	"github.com/lotse-project/lotse/internal/model"
)

// DirectoryName is the name the demo directory goes by in messages.
const DirectoryName = "internal/demo/directory.yaml"

// Directory is the demo directory file (see docs/directory.md for its format).
//
//go:embed directory.yaml
var Directory []byte

// Account is one demo account as a login page lists it. Every demo account holds exactly one
// role; Role and Org are that grant.
type Account struct {
	Email       string
	DisplayName string
	Role        model.Role
	// Org is the short name of the organisation the role is held in.
	Org string
}

// Accounts lists the demo accounts in file order. The embedded file is checked by the
// package's tests, so a parse failure here is a programming error and panics.
func Accounts() []Account {
	f, err := directory.Parse(DirectoryName, Directory)
	if err != nil {
		panic(fmt.Sprintf("demo: the embedded directory is invalid: %v", err))
	}
	out := make([]Account, 0, len(f.Users))
	for _, u := range f.Users {
		a := Account{Email: u.Email, DisplayName: u.DisplayName}
		if len(u.Grants) > 0 {
			a.Role, a.Org = u.Grants[0].Role, u.Grants[0].Org
		}
		out = append(out, a)
	}
	return out
}
