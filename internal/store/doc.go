// Package store owns persistence: GORM repositories, one file per aggregate, and the scope
// predicates that turn a model.Scope into SQL. It is the only package that imports GORM.
// Every call runs inside Store.Tx or Store.Read, the one entry point that knows the actor, so
// that row-level security can later be added as a second wall without touching callers.
package store
