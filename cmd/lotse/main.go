// Command lotse is the one binary of Lotse: server, development setup, migrations and
// administration tools. See `lotse --help`.
package main

import "github.com/lotse-project/lotse/internal/app"

func main() { app.Run() }
