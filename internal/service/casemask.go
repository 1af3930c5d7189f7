package service

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// The read model of cases. Every read path (single read, list, search, export, plan) builds
// its CaseViews through caseViews (or caseView, caseLabels): access facts, persons and plan
// for the whole page in one query (store.Cases.Content, or store.Cases.Labels for the
// labels, from the same predicates as the visibility check), then one mask (maskCase).
// Nothing else decides which fields an actor sees.

// accessOf turns the facts of one case into the access description. Full access wins over
// referrals, referrals over a task.
func accessOf(f store.CaseAccessFacts) model.CaseAccess {
	switch {
	case f.Full:
		return model.CaseAccess{Full: true, PersonCategories: slices.Clone(model.DataCategories)}
	case f.Emergency:
		// An emergency access shows the case as its lead organisation reads it, to read only.
		return model.CaseAccess{Full: true, Emergency: true, PersonCategories: slices.Clone(model.DataCategories)}
	case len(f.Referrals) > 0:
		acc := model.CaseAccess{}
		household := map[model.DataCategory]bool{}
		person := map[uuid.UUID]map[model.DataCategory]bool{}
		for _, g := range f.Referrals {
			for _, a := range g.Areas {
				if !slices.Contains(acc.ReferredAreas, a) {
					acc.ReferredAreas = append(acc.ReferredAreas, a)
				}
			}
			// A legal basis releases its configured categories for the whole household,
			// recorded on the referral when it was sent, exactly like a consent's.
			for _, c := range g.BasisCategories {
				if dc := model.DataCategory(c); dc.Valid() {
					household[dc] = true
				}
			}
			for _, c := range g.Categories {
				dc := model.DataCategory(c)
				if !dc.Valid() {
					continue
				}
				if g.PersonID == nil {
					household[dc] = true
					continue
				}
				if person[*g.PersonID] == nil {
					person[*g.PersonID] = map[model.DataCategory]bool{}
				}
				person[*g.PersonID][dc] = true
			}
		}
		slices.Sort(acc.ReferredAreas)
		for _, c := range model.DataCategories {
			if household[c] {
				acc.PersonCategories = append(acc.PersonCategories, c)
			}
		}
		for id, cats := range person {
			for _, c := range model.DataCategories {
				if cats[c] && !household[c] {
					if acc.PersonOnly == nil {
						acc.PersonOnly = map[uuid.UUID][]model.DataCategory{}
					}
					acc.PersonOnly[id] = append(acc.PersonOnly[id], c)
				}
			}
		}
		return acc
	default:
		// Through an open task, or (defensively) nothing the facts can name: the minimum.
		return model.CaseAccess{SummaryOnly: true}
	}
}

// maskPerson copies the fields of p that the categories release. It copies by allow-list,
// so that a field added to Person later stays hidden until it is given a category here.
func maskPerson(p model.Person, cats []model.DataCategory) model.Person {
	out := model.Person{ID: p.ID, CaseID: p.CaseID, IsPrimary: p.IsPrimary, Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	for _, c := range cats {
		switch c {
		case model.CategoryIdentity:
			out.FamilyName, out.GivenNames, out.NameVariants, out.BirthDate = p.FamilyName, p.GivenNames, p.NameVariants, p.BirthDate
		case model.CategoryContact:
			out.Phone, out.Email, out.Address = p.Phone, p.Email, p.Address
		case model.CategoryResidence:
			out.ResidenceStatus, out.ArrivalDate, out.District = p.ResidenceStatus, p.ArrivalDate, p.District
		case model.CategoryLanguages:
			out.Languages = p.Languages
		}
	}
	return out
}

// maskCase builds the view of one case for an access level: the summary for everyone who
// reaches the case; persons with the released categories (a person with none is left out);
// plan rows of the referred areas, all of them with full access, none for a summary.
func maskCase(c model.Case, acc model.CaseAccess, persons []model.Person, plan []model.AreaStatus) model.CaseView {
	v := model.CaseView{
		ID: c.ID, Reference: c.Reference, Status: c.Status, LeadOrgID: c.LeadOrgID,
		ResponsibleUserID: c.ResponsibleUserID, OpenedAt: c.OpenedAt, ClosedAt: c.ClosedAt,
		UpdatedAt: c.UpdatedAt, Version: c.Version, Access: acc,
		Persons: []model.Person{}, Plan: []model.AreaStatus{},
	}
	if acc.Full {
		v.StatusReason = c.StatusReason
	}
	if acc.Full || slices.Contains(acc.PersonCategories, model.CategoryResidence) {
		v.District = c.District
	}
	if acc.SummaryOnly {
		return v
	}
	for _, p := range persons {
		cats := acc.CategoriesFor(p.ID)
		if len(cats) == 0 {
			continue
		}
		v.Persons = append(v.Persons, maskPerson(p, cats))
	}
	for _, s := range plan {
		if acc.Full || slices.Contains(acc.ReferredAreas, s.Area) {
			v.Plan = append(v.Plan, s)
		}
	}
	return v
}

// caseViews builds the views of a page of cases that sc (the actor's "case" read scope)
// reaches, in the order given: one statement for the whole page (their access, persons and
// plan: Cases.Content), whatever its size. A case of cases that sc does not reach (none,
// where cases is a list of sc) shows its summary.
func (b base) caseViews(ctx context.Context, tx *store.Tx, a model.Actor, sc model.Scope, cases []model.Case) ([]model.CaseView, error) {
	if len(cases) == 0 {
		return []model.CaseView{}, nil
	}
	ids := make([]uuid.UUID, len(cases))
	for i, c := range cases {
		ids[i] = c.ID
	}
	rows, err := b.caseContent(ctx, tx, a, sc, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[uuid.UUID]store.CaseContent, len(rows))
	for _, r := range rows {
		byID[r.Case.ID] = r
	}
	out := make([]model.CaseView, len(cases))
	for i, c := range cases {
		r := byID[c.ID]
		out[i] = maskCase(c, accessOf(r.Facts), r.Persons, r.Plan)
	}
	return out, nil
}

// caseView reads the case id that the case read scope sc reaches, as the actor may see it
// (caseViews), or ErrNotFound: the case, its access facts, persons and plan are one
// statement (Cases.Content, held equal to visible, Access, the persons and the plan read
// apart), where they were four on every case page and case read.
func (b base) caseView(ctx context.Context, tx *store.Tx, a model.Actor, sc model.Scope, id uuid.UUID) (*model.CaseView, error) {
	rows, err := b.caseContent(ctx, tx, a, sc, []uuid.UUID{id})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("service: case %s: %w", id, model.ErrNotFound)
	}
	v := maskCase(rows[0].Case, accessOf(rows[0].Facts), rows[0].Persons, rows[0].Plan)
	return &v, nil
}

// caseContent reads the cases of ids that sc reaches with their access facts, persons and
// the plan rows of the actor's plan read scope (Cases.Content).
func (b base) caseContent(ctx context.Context, tx *store.Tx, a model.Actor, sc model.Scope, ids []uuid.UUID) ([]store.CaseContent, error) {
	planScope, err := b.scope(a, objPlan, actRead)
	if err != nil {
		return nil, err
	}
	return tx.Cases().Content(ctx, sc, planScope, ids)
}

// caseLabels names the cases ids as the actor may see them (model.CaseView.Label), for the
// lists of tasks and referrals: the visible cases with their access facts and their persons'
// names, one statement whatever the page size (Cases.Labels), masked as a case view is. A
// case the actor's case scope does not reach has no label; without case.read at all, none
// has.
func (b base) caseLabels(ctx context.Context, tx *store.Tx, a model.Actor, ids []uuid.UUID) (map[uuid.UUID]*model.CaseLabel, error) {
	out := map[uuid.UUID]*model.CaseLabel{}
	if len(ids) == 0 {
		return out, nil
	}
	sc, err := b.scope(a, objCase, actRead)
	if err != nil || !sc.Allowed() {
		return out, err
	}
	rows, err := tx.Cases().Labels(ctx, sc, ids)
	if err != nil {
		return nil, err
	}
	for _, c := range rows {
		// A label shows the reference, the main person's name and the household's size:
		// the case's other columns are not read, and stay empty in the view.
		l := maskCase(model.Case{ID: c.ID, Reference: c.Reference}, accessOf(c.Facts), c.Persons, nil).Label()
		out[c.ID] = &l
	}
	return out, nil
}

// accessLevel names an access level for the audit trail.
func accessLevel(acc model.CaseAccess) string {
	switch {
	case acc.Emergency:
		return "emergency"
	case acc.Full:
		return "full"
	case acc.SummaryOnly:
		return "summary"
	default:
		return "referred"
	}
}
