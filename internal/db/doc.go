// Package db owns the connection to PostgreSQL: one pgx/v5 pool shared by GORM, sessions and
// background jobs, the embedded goose migrations, and the check that the schema is current.
package db
