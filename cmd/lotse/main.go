// Command lotse is the one binary of Lotse: server, development setup, migrations and
// administration tools. See `lotse --help`.
package main

import (
	_ "time/tzdata" // Europe/Berlin also where the system has no zone files

	"github.com/lotse-project/lotse/internal/app"
)

func main() { app.Run() }
