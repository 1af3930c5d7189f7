// Package app is the composition root of Lotse: it turns the command line and configuration
// into a database, migrator, services and HTTP server, wires them together, and starts and
// stops them. It holds no business logic; cmd/lotse only calls Run, and cmd/lotse-dev calls it
// with the development commands of package devapp.
package app
