package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// CaseListsQuery asks for the lists of one case's page, each through its own read scope. A
// list whose scope is the zero Scope is not read (the caller decides what the reader may see
// of the case; a scope that reaches nothing reads nothing).
type CaseListsQuery struct {
	CaseID                            uuid.UUID
	Notes, Referrals, Tasks, Consents model.Scope
	// Limit bounds the referrals (the newest first) and the tasks (by due date, undated
	// last).
	Limit int
	// FollowUpOf is the member whose open follow-up on the case is read; uuid.Nil: none.
	FollowUpOf uuid.UUID
}

// CaseLists are the lists of a case's page (CaseListsQuery).
type CaseLists struct {
	Notes     []model.Note
	Referrals []model.Referral
	Tasks     []model.Task
	Consents  []model.Consent
	FollowUp  *model.FollowUp
}

// Lists reads the lists of q in one statement: each as a JSON array of its rows
// (decodeRows), from the same queries as the reads of one list (Notes.List, the newest
// referrals and the tasks by due date of a case as Referrals.List and Tasks.List give them,
// Consents.ForCase with the recipients, Notifications.OpenFollowUp), where the case page
// sent one statement per list.
func (r Cases) Lists(ctx context.Context, q CaseListsQuery) (CaseLists, error) {
	db := r.db.WithContext(ctx)
	var cols []string
	var args []any
	list := func(name string, asked bool, query func() *gorm.DB) {
		if !asked {
			cols = append(cols, `NULL::text AS `+name)
			return
		}
		cols = append(cols, `(SELECT json_agg(x) FROM (?) x)::text AS `+name)
		args = append(args, query())
	}
	list("notes", q.Notes.Object != "", func() *gorm.DB { return notesOfCase(db, q.Notes, q.CaseID) })
	list("referrals", q.Referrals.Object != "", func() *gorm.DB {
		return visible(db.Model(&model.Referral{}), q.Referrals).Where("referrals.case_id = ?", q.CaseID).
			Order("referrals.created_at DESC, referrals.id DESC").Limit(q.Limit)
	})
	list("tasks", q.Tasks.Object != "", func() *gorm.DB {
		return visible(db.Model(&model.Task{}), q.Tasks).Where("tasks.case_id = ?", q.CaseID).
			Order("tasks.due_date ASC NULLS LAST, tasks.id").Limit(q.Limit)
	})
	list("consents", q.Consents.Object != "", func() *gorm.DB {
		return consentsOfCase(db, q.Consents, q.CaseID).Select(consentColumns)
	})
	followUpCol, _ := followUpColumn(model.ObjectCase)
	list("follow_up", q.FollowUpOf != uuid.Nil, func() *gorm.DB { return openFollowUp(db, followUpCol, q.FollowUpOf, q.CaseID) })
	var row struct {
		Notes, Referrals, Tasks, Consents, FollowUp *string
	}
	if err := db.Raw(`SELECT `+strings.Join(cols, ", "), args...).Scan(&row).Error; err != nil {
		return CaseLists{}, translate("case lists", err)
	}
	var out CaseLists
	var err error
	if out.Notes, err = decodeRows[model.Note](r.db, row.Notes, nil); err != nil {
		return CaseLists{}, err
	}
	if out.Referrals, err = decodeRows[model.Referral](r.db, row.Referrals, nil); err != nil {
		return CaseLists{}, err
	}
	if out.Tasks, err = decodeRows[model.Task](r.db, row.Tasks, nil); err != nil {
		return CaseLists{}, err
	}
	recipients := map[int][]uuid.UUID{}
	if out.Consents, err = decodeRows[model.Consent](r.db, row.Consents, func(i int, col string, raw json.RawMessage) error {
		if col != "lotse_recipients" {
			return fmt.Errorf("store: case lists: consents have no column %q", col)
		}
		var ids []uuid.UUID
		err := json.Unmarshal(raw, &ids)
		recipients[i] = ids
		return err
	}); err != nil {
		return CaseLists{}, err
	}
	for i := range out.Consents {
		out.Consents[i].Recipients = recipients[i]
		if out.Consents[i].Recipients == nil {
			out.Consents[i].Recipients = []uuid.UUID{}
		}
	}
	follow, err := decodeRows[model.FollowUp](r.db, row.FollowUp, nil)
	if err != nil {
		return CaseLists{}, err
	}
	if len(follow) > 0 {
		out.FollowUp = &follow[0]
	}
	return out, nil
}
