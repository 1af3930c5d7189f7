// Package deploycheck holds only tests: they read the deployment files in deploy/ (the
// compose trial installation, its Keycloak realm, providers and directory files, initdb.sql)
// and check that they agree with Lotse's configuration, login routes, claim mappings and
// database roles, since no Docker daemon runs them in the test suite.
package deploycheck
