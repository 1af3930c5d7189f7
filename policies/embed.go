// Package policies embeds Lotse's permission model: model.conf (Casbin RBAC with domains) and
// policy.csv (every role permission with its scope, as code). Their tests are in
// internal/authz, which loads them.
package policies

import _ "embed"

// Model is the Casbin model.
//
//go:embed model.conf
var Model string

// Policy is the role permission table.
//
//go:embed policy.csv
var Policy string
