// Command lotse-dev is the development variant of lotse (what `make run` runs): every
// production command plus `dev` (local PostgreSQL, development identity provider, demo data)
// and `seed demo`. Never deploy it; the production binary is cmd/lotse. See `lotse-dev --help`.
package main

import (
	_ "time/tzdata" // Europe/Berlin also where the system has no zone files

	"github.com/lotse-project/lotse/internal/app"
	"github.com/lotse-project/lotse/internal/devapp"
)

func main() { app.Run(devapp.Commands()...) }
