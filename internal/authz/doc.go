// Package authz owns the first authorization question, "may this role do this action on this
// kind of object, and with which scope?": a synced, cached Casbin enforcer over the embedded
// policies (policies/model.conf, policies/policy.csv) and the role grants stored in
// PostgreSQL, kept current on every instance by a LISTEN/NOTIFY watcher. The second question,
// "which records?", is answered by the store, which turns each scope into one SQL predicate.
package authz
