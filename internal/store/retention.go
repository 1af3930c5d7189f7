package store

import (
	"context"
	"errors"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// Retention is the repository of the deletion run (service/retention.go): which records are
// due, legal holds, and the deletion that keeps the statistics' counts.
type Retention struct{ db *gorm.DB }

// Retention returns the retention repository.
func (tx *Tx) Retention() Retention { return Retention{tx.db} }

// notHeld is the condition that the case c has no hold lasting today (?).
const notHeld = `NOT EXISTS (SELECT 1 FROM case_holds h WHERE h.case_id = c.id AND (h.until IS NULL OR h.until >= ?))`

// endedStatuses are the states of referrals that ended without being worked.
func endedStatuses() []string {
	out := make([]string, len(model.EndedReferralStatuses))
	for i, s := range model.EndedReferralStatuses {
		out[i] = string(s)
	}
	return out
}

// DueCases returns up to limit closed cases closed before cut.ClosedBefore and not held.
func (r Retention) DueCases(ctx context.Context, cut model.RetentionCutoffs, limit int) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := r.db.WithContext(ctx).Raw(`SELECT c.id FROM cases c
		WHERE c.status = 'closed' AND c.closed_at < ? AND `+notHeld+` ORDER BY c.closed_at, c.id LIMIT ?`,
		cut.ClosedBefore.UTC(), cut.Today, limit).Scan(&ids).Error
	return ids, translate("due cases", err)
}

// DueReferrals returns up to limit referrals that ended without being worked before
// cut.EndedBefore, of cases not held.
func (r Retention) DueReferrals(ctx context.Context, cut model.RetentionCutoffs, limit int) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := r.db.WithContext(ctx).Raw(`SELECT x.id FROM referrals x JOIN cases c ON c.id = x.case_id
		WHERE x.status IN ? AND x.closed_at < ? AND `+notHeld+` ORDER BY x.closed_at, x.id LIMIT ?`,
		endedStatuses(), cut.EndedBefore.UTC(), cut.Today, limit).Scan(&ids).Error
	return ids, translate("due referrals", err)
}

// consentEnded is the condition that consent k ended (revoked or past its last day) before
// the cutoffs ? (instant) and ? (day), with evidence left, on a case not held.
const consentEnded = `k.evidence <> '' AND (k.revoked_at < ? OR k.valid_until < ?::date)
	AND EXISTS (SELECT 1 FROM cases c WHERE c.id = k.case_id AND ` + notHeld + `)`

func consentArgs(cut model.RetentionCutoffs) []any {
	return []any{cut.ConsentEndedBefore.UTC(), model.CalendarDay(cut.ConsentEndedBefore), cut.Today}
}

// Count counts what is due under each rule.
func (r Retention) Count(ctx context.Context, cut model.RetentionCutoffs) (model.RetentionCounts, error) {
	var out model.RetentionCounts
	err := r.db.WithContext(ctx).Raw(`SELECT
		(SELECT count(*) FROM cases c WHERE c.status = 'closed' AND c.closed_at < ? AND `+notHeld+`) AS cases,
		(SELECT count(*) FROM referrals x JOIN cases c ON c.id = x.case_id
			WHERE x.status IN ? AND x.closed_at < ? AND `+notHeld+`) AS referrals,
		(SELECT count(*) FROM consents k WHERE `+consentEnded+`) AS consent_evidence,
		(SELECT count(*) FROM notifications WHERE read_at < ?) AS notifications`,
		append(append([]any{cut.ClosedBefore.UTC(), cut.Today, endedStatuses(), cut.EndedBefore.UTC(), cut.Today},
			consentArgs(cut)...), cut.ReadBefore.UTC())...).Scan(&out).Error
	return out, translate("count due records", err)
}

// ClearConsentEvidence clears the evidence text of the consents that ended before the
// cutoff (on cases not held) and returns their ids.
func (r Retention) ClearConsentEvidence(ctx context.Context, cut model.RetentionCutoffs) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := r.db.WithContext(ctx).Raw(`UPDATE consents k SET evidence = '', version = version + 1
		WHERE `+consentEnded+` RETURNING k.id`, consentArgs(cut)...).Scan(&ids).Error
	return ids, translate("clear consent evidence", err)
}

// DeleteReadNotifications deletes the notifications read before the cutoff and returns how
// many.
func (r Retention) DeleteReadNotifications(ctx context.Context, cut model.RetentionCutoffs) (int64, error) {
	res := r.db.WithContext(ctx).Exec(`DELETE FROM notifications WHERE read_at < ?`, cut.ReadBefore.UTC())
	return res.RowsAffected, translate("delete read notifications", res.Error)
}

// ErrHeldOrGone: the record to delete is held, no longer due, or gone (another run took it).
var ErrHeldOrGone = errors.New("store: the record is held, not due or gone")

// DeleteCase deletes the closed case id, if still due and not held, with everything of it
// (the foreign keys cascade: persons, plan, consents, referrals, tasks and their comments,
// notes, handovers, follow-ups) and the notifications that point at any of it, after adding
// its referrals (by recipient kind and status) and its opening month to the statistics'
// archive. It locks the case first, so a concurrent hold or run waits.
func (r Retention) DeleteCase(ctx context.Context, id uuid.UUID, cut model.RetentionCutoffs) error {
	db := r.db.WithContext(ctx)
	var n int64
	if err := db.Raw(`SELECT count(*) FROM (SELECT 1 FROM cases c WHERE c.id = ? AND c.status = 'closed' AND c.closed_at < ? AND `+notHeld+` FOR UPDATE) x`,
		id, cut.ClosedBefore.UTC(), cut.Today).Scan(&n).Error; err != nil {
		return translate("lock due case", err)
	}
	if n == 0 {
		return ErrHeldOrGone
	}
	if err := db.Exec(`INSERT INTO statistics_archive (kind, a, b, n)
		SELECT 'referrals', o.kind, x.status, count(*) FROM referrals x JOIN organisations o ON o.id = x.to_org_id
		WHERE x.case_id = ? GROUP BY o.kind, x.status
		UNION ALL
		SELECT 'cases_opened', to_char(opened_at AT TIME ZONE 'Europe/Berlin', 'YYYY-MM'), '', 1 FROM cases WHERE id = ?
		ON CONFLICT (kind, a, b) DO UPDATE SET n = statistics_archive.n + EXCLUDED.n`, id, id).Error; err != nil {
		return translate("archive the case's counts", err)
	}
	if err := db.Exec(deleteCaseNotifications, id, id, id, id).Error; err != nil {
		return translate("delete the case's notifications", err)
	}
	return translate("delete case", db.Exec(`DELETE FROM cases WHERE id = ?`, id).Error)
}

// DeleteReferral deletes the ended referral id, if still due and its case not held, after
// adding it to the statistics' archive; its tasks stay with the case (their link is cleared
// by the foreign key), notifications about it go.
func (r Retention) DeleteReferral(ctx context.Context, id uuid.UUID, cut model.RetentionCutoffs) error {
	db := r.db.WithContext(ctx)
	res := db.Exec(`INSERT INTO statistics_archive (kind, a, b, n)
		SELECT 'referrals', o.kind, x.status, 1 FROM referrals x JOIN organisations o ON o.id = x.to_org_id JOIN cases c ON c.id = x.case_id
		WHERE x.id = ? AND x.status IN ? AND x.closed_at < ? AND `+notHeld+`
		ON CONFLICT (kind, a, b) DO UPDATE SET n = statistics_archive.n + EXCLUDED.n`,
		id, endedStatuses(), cut.EndedBefore.UTC(), cut.Today)
	if res.Error != nil {
		return translate("archive the referral's count", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrHeldOrGone
	}
	if err := db.Exec(deleteRecordNotifications, id).Error; err != nil {
		return translate("delete the referral's notifications", err)
	}
	return translate("delete referral", db.Exec(`DELETE FROM referrals WHERE id = ?`, id).Error)
}

// The deletions of the notifications about a removed referral, and about a removed case and
// its tasks, referrals and consents. Both find them by notifications_object_idx (migration
// 00036): one IN over the records, not "= OR IN", which Postgres can only answer by reading
// every notification (TestRecordNotificationsByIndex).
const (
	deleteRecordNotifications = `DELETE FROM notifications WHERE object_id = ?`
	deleteCaseNotifications   = `DELETE FROM notifications WHERE object_id IN (
		SELECT ?::uuid UNION ALL SELECT id FROM tasks WHERE case_id = ? UNION ALL SELECT id FROM referrals WHERE case_id = ?
		UNION ALL SELECT id FROM consents WHERE case_id = ?)`
)

// Holds returns every hold with its case's reference and whether the case would be due
// without it, newest first.
func (r Retention) Holds(ctx context.Context, cut model.RetentionCutoffs) ([]model.CaseHold, error) {
	var out []model.CaseHold
	err := r.db.WithContext(ctx).Raw(`SELECT h.*, c.reference, (c.status = 'closed' AND c.closed_at < ?) AS due
		FROM case_holds h JOIN cases c ON c.id = h.case_id ORDER BY h.held_at DESC, h.case_id`, cut.ClosedBefore.UTC()).Scan(&out).Error
	return out, translate("holds", err)
}

// CaseByReference returns the id of the case with reference (ErrNotFound when none).
func (r Retention) CaseByReference(ctx context.Context, reference string) (uuid.UUID, error) {
	var ids []uuid.UUID
	if err := r.db.WithContext(ctx).Raw(`SELECT id FROM cases WHERE reference = ?`, reference).Scan(&ids).Error; err != nil {
		return uuid.Nil, translate("case by reference", err)
	}
	if len(ids) == 0 {
		return uuid.Nil, model.ErrNotFound
	}
	return ids[0], nil
}

// PutHold sets (or replaces) the hold of h.CaseID.
func (r Retention) PutHold(ctx context.Context, h *model.CaseHold) error {
	return translate("put hold", r.db.WithContext(ctx).Exec(`INSERT INTO case_holds (case_id, reason, held_by, held_at, until)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (case_id) DO UPDATE SET reason = EXCLUDED.reason, held_by = EXCLUDED.held_by,
		held_at = EXCLUDED.held_at, until = EXCLUDED.until`, h.CaseID, h.Reason, h.HeldBy, h.HeldAt, h.Until).Error)
}

// ReleaseHold removes the hold of the case and says whether there was one.
func (r Retention) ReleaseHold(ctx context.Context, caseID uuid.UUID) (bool, error) {
	res := r.db.WithContext(ctx).Exec(`DELETE FROM case_holds WHERE case_id = ?`, caseID)
	return res.RowsAffected > 0, translate("release hold", res.Error)
}
