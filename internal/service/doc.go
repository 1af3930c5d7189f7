// Package service owns the business rules: validation, state machines, object-level access
// through authz scopes, transactions and audit events. Handlers call exactly one service
// method per request. It never imports Echo or GORM.
package service
