// Package demo holds the demo data that `lotse dev` and `lotse seed demo` load: for now the
// demo directory (organisations, one account for every role, their grants) as an embedded
// directory file. Case data follows later.
package demo
