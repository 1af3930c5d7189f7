package store

import (
	"context"
	"time"

	"gorm.io/gorm"
)

// Statistics is the repository of the city-wide counts of one transaction. Its queries
// aggregate over every case on purpose: the coordination staff's permission statistics.read
// has the scope "all", and only counts leave this repository, never a row of case data. The
// service applies the small-number rule before anything is shown.
type Statistics struct{ db *gorm.DB }

// Statistics returns the statistics repository.
func (tx *Tx) Statistics() Statistics { return Statistics{tx.db} }

// StatCount is one group of a count: up to two keys and the number of records.
type StatCount struct {
	A, B string
	N    int
}

func (r Statistics) counts(ctx context.Context, op, q string, args ...any) ([]StatCount, error) {
	var out []StatCount
	err := r.db.WithContext(ctx).Raw(q, args...).Scan(&out).Error
	return out, translate(op, err)
}

// CasesByAreaStatus counts the running (not closed) cases by area (A) and the status of the
// area in their plan (B).
func (r Statistics) CasesByAreaStatus(ctx context.Context) ([]StatCount, error) {
	return r.counts(ctx, "count cases by area and status", `
		SELECT s.area AS a, s.status AS b, count(*) AS n
		FROM area_statuses s JOIN cases c ON c.id = s.case_id
		WHERE c.status <> 'closed'
		GROUP BY s.area, s.status`)
}

// RunningCasesByDistrict counts the running (not closed) cases by district (A; empty when
// none is recorded).
func (r Statistics) RunningCasesByDistrict(ctx context.Context) ([]StatCount, error) {
	return r.counts(ctx, "count cases by district", `
		SELECT btrim(district) AS a, '' AS b, count(*) AS n
		FROM cases WHERE status <> 'closed'
		GROUP BY btrim(district)`)
}

// ReferralsByKindStatus counts all referrals by the kind of the receiving organisation (A)
// and their status (B), with those the retention run deleted (statistics_archive).
func (r Statistics) ReferralsByKindStatus(ctx context.Context) ([]StatCount, error) {
	return r.counts(ctx, "count referrals by kind and status", `
		SELECT a, b, sum(n)::bigint AS n FROM (
			SELECT o.kind AS a, r.status AS b, count(*) AS n
			FROM referrals r JOIN organisations o ON o.id = r.to_org_id
			GROUP BY o.kind, r.status
			UNION ALL
			SELECT a, b, n FROM statistics_archive WHERE kind = 'referrals'
		) x GROUP BY a, b`)
}

// NewCasesByMonth counts the cases opened since since (an instant), by the month of their
// opening in Europe/Berlin (A, "2006-01"), with those the retention run deleted (counted by
// month: a month counts whole when since falls within it).
func (r Statistics) NewCasesByMonth(ctx context.Context, since time.Time) ([]StatCount, error) {
	return r.counts(ctx, "count new cases by month", `
		SELECT a, '' AS b, sum(n)::bigint AS n FROM (
			SELECT to_char(opened_at AT TIME ZONE 'Europe/Berlin', 'YYYY-MM') AS a, count(*) AS n
			FROM cases WHERE opened_at >= ?
			GROUP BY 1
			UNION ALL
			SELECT a, n FROM statistics_archive
			WHERE kind = 'cases_opened' AND a >= to_char(?::timestamptz AT TIME ZONE 'Europe/Berlin', 'YYYY-MM')
		) x GROUP BY a`, since.UTC(), since.UTC())
}
