// Package bench is the load harness of Lotse (`lotse-dev bench`, `make bench`): it signs in
// accounts of several kinds (caseworkers, leads, partner caseworkers) through the real
// sign-in of a running Lotse, drives a fixed-rate mix of its pages with vegeta, and measures
// in the same run the floor of every route: the rows the route shows fetched by bare pgx and,
// for an audited read, those rows plus the audit insert in one transaction. It also reads the
// server's /metrics for the SQL statements per request and the server's memory.
// docs/performance.md ("Load harness") explains the commands and every column of the report.
package bench
