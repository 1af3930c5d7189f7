// Package devapp is the development variant of the lotse command (cmd/lotse-dev, what
// `make run` runs): every production command plus `dev` (a local PostgreSQL, the development
// identity provider, the demo data, the server) and `seed demo`. It holds everything the
// production binary must not carry: the identity provider that signs anyone in with one
// click (internal/devidp and its OpenID provider library), the private PostgreSQL starter
// (internal/pglocal) and the demo accounts and cases (internal/demo). cmd/lotse does not
// import it; a test there keeps it that way.
package devapp
