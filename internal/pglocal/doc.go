// Package pglocal finds or starts a PostgreSQL server for `lotse-dev dev` and the
// test harness. It owns the decision of which server to use (an already
// running local one, or a private throw-away cluster built from the installed
// server binaries), the lifecycle of that private cluster, and creating
// databases on it. It is development tooling: production deployments always
// get their database URL from configuration, and the production binary does
// not contain this package.
package pglocal
