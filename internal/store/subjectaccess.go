package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// SubjectAccess is the repository of subject access requests (service/subjectaccess.go): the
// requests and their confirmations, and the reads an export needs. It holds no access check
// of its own.
type SubjectAccess struct{ db *gorm.DB }

// SubjectAccess returns the subject access repository.
func (tx *Tx) SubjectAccess() SubjectAccess { return SubjectAccess{tx.db} }

// SubjectAccessCandidate is a person record born on the day asked for, with the names the
// service compares after normalisation, its case and the case's lead organisation.
type SubjectAccessCandidate struct {
	PersonID      uuid.UUID
	CaseID        uuid.UUID
	FamilyName    string
	GivenNames    string
	CaseReference string
	LeadOrgID     uuid.UUID
	LeadOrgName   string
}

const candidateSelect = `SELECT p.id AS person_id, p.case_id, p.family_name, p.given_names,
		c.reference AS case_reference, c.lead_org_id, o.name AS lead_org_name
	FROM persons p JOIN cases c ON c.id = p.case_id JOIN organisations o ON o.id = c.lead_org_id`

// Candidates returns the person records born on day.
func (r SubjectAccess) Candidates(ctx context.Context, day time.Time) ([]SubjectAccessCandidate, error) {
	var out []SubjectAccessCandidate
	err := r.db.WithContext(ctx).Raw(candidateSelect+` WHERE p.birth_date = ?::date ORDER BY c.reference, p.id`,
		day.Format("2006-01-02")).Scan(&out).Error
	return out, translate("subject access candidates", err)
}

// PersonCases returns the person records with their case and its lead organisation, of the
// ids that exist.
func (r SubjectAccess) PersonCases(ctx context.Context, ids []uuid.UUID) ([]SubjectAccessCandidate, error) {
	var out []SubjectAccessCandidate
	err := r.db.WithContext(ctx).Raw(candidateSelect+` WHERE p.id = ANY(?::uuid[]) ORDER BY c.reference, p.id`,
		uuids(ids)).Scan(&out).Error
	return out, translate("subject access persons", err)
}

// Create inserts the request with a new id and a pending confirmation per organisation.
func (r SubjectAccess) Create(ctx context.Context, req *model.SubjectAccessRequest, orgs []uuid.UUID) error {
	req.ID = model.NewID()
	req.RequestedAt = dbNow(r.db)
	db := r.db.WithContext(ctx)
	if err := db.Exec(`INSERT INTO subject_access_requests (id, person_ids, reference, requested_by, requested_at)
		VALUES (?, ?::uuid[], ?, ?, ?)`, req.ID, uuids(req.PersonIDs), req.Reference, req.RequestedBy, req.RequestedAt).Error; err != nil {
		return translate("create subject access request", err)
	}
	for _, org := range orgs {
		if err := db.Exec(`INSERT INTO subject_access_confirmations (request_id, org_id) VALUES (?, ?)`, req.ID, org).Error; err != nil {
			return translate("create subject access confirmation", err)
		}
		req.Confirmations = append(req.Confirmations, model.SubjectAccessConfirmation{RequestID: req.ID, OrgID: org})
	}
	return nil
}

type sarRow struct {
	ID          uuid.UUID
	PersonIDs   string
	Reference   string
	RequestedBy uuid.UUID
	RequestedAt time.Time
	ExportedAt  *time.Time
}

const sarSelect = `SELECT id, person_ids::text AS person_ids, reference, requested_by, requested_at, exported_at FROM subject_access_requests`

// Get returns the request with its confirmations, else ErrNotFound.
func (r SubjectAccess) Get(ctx context.Context, id uuid.UUID) (*model.SubjectAccessRequest, error) {
	out, err := r.list(ctx, sarSelect+` WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("store: get subject access request: %w", model.ErrNotFound)
	}
	return &out[0], nil
}

// List returns the newest requests, at most limit.
func (r SubjectAccess) List(ctx context.Context, limit int) ([]model.SubjectAccessRequest, error) {
	return r.list(ctx, sarSelect+` ORDER BY requested_at DESC, id LIMIT ?`, limit)
}

// Pending returns the requests that wait for the confirmation of one of orgs, oldest first.
func (r SubjectAccess) Pending(ctx context.Context, orgs []uuid.UUID) ([]model.SubjectAccessRequest, error) {
	return r.list(ctx, sarSelect+` WHERE id IN (SELECT request_id FROM subject_access_confirmations
		WHERE org_id = ANY(?::uuid[]) AND confirmed_at IS NULL) ORDER BY requested_at, id`, uuids(orgs))
}

func (r SubjectAccess) list(ctx context.Context, q string, args ...any) ([]model.SubjectAccessRequest, error) {
	var rows []sarRow
	if err := r.db.WithContext(ctx).Raw(q, args...).Scan(&rows).Error; err != nil {
		return nil, translate("list subject access requests", err)
	}
	out := make([]model.SubjectAccessRequest, len(rows))
	ids := make([]uuid.UUID, len(rows))
	at := map[uuid.UUID]int{}
	for i, row := range rows {
		persons, err := parseUUIDs(row.PersonIDs)
		if err != nil {
			return nil, fmt.Errorf("store: subject access request %s: %w", row.ID, err)
		}
		out[i] = model.SubjectAccessRequest{ID: row.ID, PersonIDs: persons, Reference: row.Reference,
			RequestedBy: row.RequestedBy, RequestedAt: row.RequestedAt, ExportedAt: row.ExportedAt}
		ids[i] = row.ID
		at[row.ID] = i
	}
	if len(ids) == 0 {
		return out, nil
	}
	var confs []model.SubjectAccessConfirmation
	err := r.db.WithContext(ctx).Raw(`SELECT k.request_id, k.org_id, k.confirmed_by, k.confirmed_at, o.name AS org_name
		FROM subject_access_confirmations k JOIN organisations o ON o.id = k.org_id
		WHERE k.request_id = ANY(?::uuid[]) ORDER BY o.name, k.org_id`, uuids(ids)).Scan(&confs).Error
	if err != nil {
		return nil, translate("list subject access confirmations", err)
	}
	for _, c := range confs {
		i := at[c.RequestID]
		out[i].Confirmations = append(out[i].Confirmations, c)
	}
	return out, nil
}

// parseUUIDs reads a Postgres uuid[] in its text form ({a,b}).
func parseUUIDs(s string) ([]uuid.UUID, error) {
	var out []uuid.UUID
	if len(s) < 2 {
		return nil, fmt.Errorf("bad uuid array %q", s)
	}
	body := s[1 : len(s)-1]
	if body == "" {
		return out, nil
	}
	for start := 0; start <= len(body); {
		end := start
		for end < len(body) && body[end] != ',' {
			end++
		}
		id, err := uuid.Parse(body[start:end])
		if err != nil {
			return nil, err
		}
		out = append(out, id)
		start = end + 1
	}
	return out, nil
}

// Confirm records the confirmation by user of each pending confirmation of the request whose
// organisation is one of orgs, and returns how many it confirmed.
func (r SubjectAccess) Confirm(ctx context.Context, id uuid.UUID, orgs []uuid.UUID, user uuid.UUID) (int64, error) {
	res := r.db.WithContext(ctx).Exec(`UPDATE subject_access_confirmations SET confirmed_by = ?, confirmed_at = ?
		WHERE request_id = ? AND org_id = ANY(?::uuid[]) AND confirmed_at IS NULL`, user, dbNow(r.db), id, uuids(orgs))
	return res.RowsAffected, translate("confirm subject access request", res.Error)
}

// MarkExported records the time of the (latest) export.
func (r SubjectAccess) MarkExported(ctx context.Context, id uuid.UUID) (time.Time, error) {
	at := dbNow(r.db)
	err := r.db.WithContext(ctx).Exec(`UPDATE subject_access_requests SET exported_at = ? WHERE id = ?`, at, id).Error
	return at, translate("mark subject access export", err)
}

// subjectAccessTasks are the tasks of the cases ids.cases (on the case or on one of its referrals).
const subjectAccessTasks = `SELECT t.id FROM tasks t WHERE t.case_id = ANY(ids.cases)
	OR t.referral_id IN (SELECT x.id FROM referrals x WHERE x.case_id = ANY(ids.cases))`

// subjectAccessRecords are, per table, which records are about the persons ids.persons of
// the cases ids.cases, and their order. A household member's person record is not the person's;
// a consent that names another member of the household is theirs.
var subjectAccessRecords = map[string]struct{ where, order string }{
	"persons":        {"t.id = ANY(ids.persons)", "t.created_at, t.id"},
	"cases":          {"t.id = ANY(ids.cases)", "t.opened_at, t.id"},
	"area_statuses":  {"t.case_id = ANY(ids.cases)", "t.case_id, t.area"},
	"consents":       {"t.case_id = ANY(ids.cases) AND (t.person_id IS NULL OR t.person_id = ANY(ids.persons))", "t.recorded_at, t.id"},
	"referrals":      {"t.case_id = ANY(ids.cases)", "t.created_at, t.id"},
	"case_handovers": {"t.case_id = ANY(ids.cases)", "t.created_at, t.id"},
	"tasks":          {"t.id IN (" + subjectAccessTasks + ")", "t.created_at, t.id"},
	"task_comments":  {"t.task_id IN (" + subjectAccessTasks + ")", "t.created_at, t.id"},
	"notes":          {"t.case_id = ANY(ids.cases)", "t.created_at, t.id"},
}

// SubjectAccessTables are the tables an export reads, in the order of the document.
var SubjectAccessTables = []string{"persons", "cases", "area_statuses", "consents", "referrals", "case_handovers", "tasks", "task_comments", "notes"}

// Records returns the records of table about the persons of the cases, each as its columns
// by name (to_jsonb: every column, so that the service picks what the catalogue names).
func (r SubjectAccess) Records(ctx context.Context, table string, cases, persons []uuid.UUID) ([]map[string]any, error) {
	q, ok := subjectAccessRecords[table]
	if !ok {
		return nil, fmt.Errorf("store: subject access: no query for table %q", table)
	}
	var raw []string
	err := r.db.WithContext(ctx).Raw(`WITH ids AS (SELECT ?::uuid[] AS cases, ?::uuid[] AS persons)
		SELECT to_jsonb(t)::text FROM `+table+` t, ids WHERE `+q.where+` ORDER BY `+q.order,
		uuids(cases), uuids(persons)).Scan(&raw).Error
	if err != nil {
		return nil, translate("subject access records of "+table, err)
	}
	out := make([]map[string]any, len(raw))
	for i, s := range raw {
		if err := json.Unmarshal([]byte(s), &out[i]); err != nil {
			return nil, fmt.Errorf("store: subject access record of %s: %w", table, err)
		}
	}
	return out, nil
}

// Household returns the other person records of the cases (not in persons): whose names a
// free text about the person may mention.
func (r SubjectAccess) Household(ctx context.Context, cases, persons []uuid.UUID) ([]model.Person, error) {
	var out []model.Person
	err := r.db.WithContext(ctx).Where("case_id = ANY(?::uuid[]) AND NOT id = ANY(?::uuid[])", uuids(cases), uuids(persons)).
		Order("created_at, id").Find(&out).Error
	return out, translate("subject access household", err)
}

// History returns every audit event about the cases or the person records, oldest first:
// when, the organisation's name, the role, the action and the purpose.
func (r SubjectAccess) History(ctx context.Context, cases, persons []uuid.UUID) ([]model.SubjectAccessHistoryEntry, error) {
	var out []model.SubjectAccessHistoryEntry
	err := r.db.WithContext(ctx).Raw(`SELECT e.at, coalesce(o.name, '') AS organisation, e.role, e.action, e.purpose
		FROM audit_events e LEFT JOIN organisations o ON o.id = e.org_id
		WHERE e.case_id = ANY(?::uuid[]) OR e.object_id = ANY(?::text[]) ORDER BY e.at, e.id`,
		uuids(cases), uuids(persons)).Scan(&out).Error
	return out, translate("subject access history", err)
}
