// Package mutation holds the mutation check of Lotse's authorization core: a table of
// hand-written mutants of the scope predicates (internal/store/scopes.go, search.go) and of
// the policy (policies/policy.csv), each a one-line break of one access rule. The test
// builds the service package's exact-set property test with each mutant in place (go test
// -overlay, so the source tree is never touched) and fails for every mutant that survives,
// naming it: a rule that no test pins down.
package mutation
