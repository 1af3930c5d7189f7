// Package demo holds the demo data that `lotse-dev dev` and `lotse-dev seed demo` load: the demo
// directory (organisations, one account for every role, their grants) as an embedded
// directory file, and the demo cases: about 60 generated households (households.go) whose
// stories SeedCases plays through the services as the demo accounts (cases.go).
package demo
