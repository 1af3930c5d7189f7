// Package service owns the business rules: validation, state machines, object-level access
// through authz scopes, transactions and audit events. Handlers call exactly one service
// method per request. It never imports Echo or GORM. Besides model, store and authz it
// imports internal/directory, the parsed declarative directory file, which is model-like
// (it depends only on model and YAML) and is applied by Directory.Apply.
package service
