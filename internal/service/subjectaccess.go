package service

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/privacy"
	"github.com/lotse-project/lotse/internal/store"
)

// SubjectAccess answers a person's request for access (GDPR Art. 15, § 83 SGB X; issue 14,
// docs/subject-access.md). The data protection officer finds the person by family name,
// given names and date of birth (seeing only how many records match, their case references
// and lead organisations), starts a request for the records of that person, the lead
// organisation of each of their cases confirms it (a department head: the second pair of
// eyes), and the officer then exports everything Lotse holds about the person: every column
// the data catalogue (internal/privacy) names as a client's personal data, of the person's
// record, their cases, plan, consents, referrals, handovers, tasks, task comments and notes,
// and the access history: every audit event about their cases or records, with the
// organisation, role, action and purpose. Free texts that name another person of the same
// household are marked for the officer's review before release. A household member's own
// person record is theirs and is not exported.
//
// Every step is audited (subject_access.find, .start, .confirm, .export) with counts and
// ids, no content.
type SubjectAccess struct{ base }

const (
	objSubjectAccess = "subject_access"
	actConfirm       = "confirm"
	// maxSubjectAccessPersons bounds the records of one request (the schema's check).
	maxSubjectAccessPersons = 20
)

// Find returns the person records whose family name, given names and date of birth match
// exactly after normalisation (FoldName's: case, umlauts, diacritics, punctuation), with
// their case reference and lead organisation only.
func (s *SubjectAccess) Find(ctx context.Context, a model.Actor, in model.SubjectAccessFind) ([]model.SubjectAccessMatch, error) {
	if err := refuseBadText(in); err != nil {
		return nil, err
	}
	if _, err := s.require(a, objSubjectAccess, actCreate, false); err != nil {
		return nil, err
	}
	v := &model.ValidationError{}
	family, given := foldOne(in.FamilyName, true), foldOne(in.GivenNames, true)
	if family == "" {
		v.Add("family_name", model.CodeRequired)
	}
	if given == "" {
		v.Add("given_names", model.CodeRequired)
	}
	if in.BirthDate == nil {
		v.Add("birth_date", model.CodeRequired)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out []model.SubjectAccessMatch
	err := s.store.Tx(ctx, a, func(tx *store.Tx) error {
		cands, err := tx.SubjectAccess().Candidates(ctx, civilDay(*in.BirthDate))
		if err != nil {
			return err
		}
		for _, c := range cands {
			if foldOne(c.FamilyName, true) == family && foldOne(c.GivenNames, true) == given {
				out = append(out, model.SubjectAccessMatch{PersonID: c.PersonID, CaseReference: c.CaseReference, LeadOrgName: c.LeadOrgName})
			}
		}
		return tx.Audit().Record(ctx, event(a, "subject_access.find", objSubjectAccess, uuid.Nil, model.JSONMap{"matches": len(out)}))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Start starts a request for the person records (of one human being) under the officer's
// reference; each lead organisation of their cases is to confirm it.
func (s *SubjectAccess) Start(ctx context.Context, a model.Actor, in model.SubjectAccessStart) (*model.SubjectAccessRequest, error) {
	if err := refuseBadText(in); err != nil {
		return nil, err
	}
	if _, err := s.require(a, objSubjectAccess, actCreate, false); err != nil {
		return nil, err
	}
	in.Reference = strings.TrimSpace(in.Reference)
	v := &model.ValidationError{}
	checkLength(v, "reference", in.Reference, true, 200)
	ids := slices.Compact(slices.SortedFunc(slices.Values(in.PersonIDs), func(x, y uuid.UUID) int { return strings.Compare(x.String(), y.String()) }))
	switch {
	case len(ids) == 0:
		v.Add("persons", model.CodeRequired)
	case len(ids) > maxSubjectAccessPersons:
		v.Add("persons", model.CodeTooMany, model.Params{"max": maxSubjectAccessPersons})
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	req := &model.SubjectAccessRequest{PersonIDs: ids, Reference: in.Reference, RequestedBy: a.UserID}
	err := s.store.Tx(ctx, a, func(tx *store.Tx) error {
		persons, err := tx.SubjectAccess().PersonCases(ctx, ids)
		if err != nil {
			return err
		}
		if len(persons) != len(ids) {
			v.Add("persons", model.CodeUnknown)
			return v.Err()
		}
		var orgs []uuid.UUID
		for _, p := range persons {
			if !slices.Contains(orgs, p.LeadOrgID) {
				orgs = append(orgs, p.LeadOrgID)
			}
		}
		if err := tx.SubjectAccess().Create(ctx, req, orgs); err != nil {
			return err
		}
		return tx.Audit().Record(ctx, event(a, "subject_access.start", objSubjectAccess, req.ID,
			model.JSONMap{"persons": len(ids), "organisations": len(orgs)}))
	})
	if err != nil {
		return nil, err
	}
	return req, nil
}

// List returns the newest requests for the officer.
func (s *SubjectAccess) List(ctx context.Context, a model.Actor) ([]model.SubjectAccessRequest, error) {
	if _, err := s.require(a, objSubjectAccess, actRead, false); err != nil {
		return nil, err
	}
	var out []model.SubjectAccessRequest
	err := s.store.Read(ctx, a, func(tx *store.Tx) error {
		var err error
		out, err = tx.SubjectAccess().List(ctx, 200)
		return err
	})
	return out, err
}

// Get returns one request for the officer.
func (s *SubjectAccess) Get(ctx context.Context, a model.Actor, id uuid.UUID) (*model.SubjectAccessRequest, error) {
	if _, err := s.require(a, objSubjectAccess, actRead, true); err != nil {
		return nil, err
	}
	var out *model.SubjectAccessRequest
	err := s.store.Read(ctx, a, func(tx *store.Tx) error {
		var err error
		out, err = tx.SubjectAccess().Get(ctx, id)
		return err
	})
	return out, err
}

// Pending returns the requests that wait for the confirmation of the actor's organisation
// (a department head's), with the references of the cases concerned that it leads.
func (s *SubjectAccess) Pending(ctx context.Context, a model.Actor) ([]model.SubjectAccessPending, error) {
	sc, err := s.require(a, objSubjectAccess, actConfirm, false)
	if err != nil {
		return nil, err
	}
	orgs := confirmOrgs(sc)
	var out []model.SubjectAccessPending
	err = s.store.Read(ctx, a, func(tx *store.Tx) error {
		reqs, err := tx.SubjectAccess().Pending(ctx, orgs)
		if err != nil {
			return err
		}
		for _, r := range reqs {
			persons, err := tx.SubjectAccess().PersonCases(ctx, r.PersonIDs)
			if err != nil {
				return err
			}
			p := model.SubjectAccessPending{Request: r}
			for _, c := range persons {
				if slices.Contains(orgs, c.LeadOrgID) && !slices.Contains(p.CaseReferences, c.CaseReference) {
					p.CaseReferences = append(p.CaseReferences, c.CaseReference)
				}
			}
			out = append(out, p)
		}
		return nil
	})
	return out, err
}

// Confirm records the confirmation of the actor's organisation (and of the units below it,
// for a department head). A request that does not wait for one of them is not found (a
// member of another organisation learns nothing of it).
func (s *SubjectAccess) Confirm(ctx context.Context, a model.Actor, id uuid.UUID) error {
	sc, err := s.require(a, objSubjectAccess, actConfirm, true)
	if err != nil {
		return err
	}
	return s.store.Tx(ctx, a, func(tx *store.Tx) error {
		n, err := tx.SubjectAccess().Confirm(ctx, id, confirmOrgs(sc), a.UserID)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("service: confirm subject access: %w", model.ErrNotFound)
		}
		return tx.Audit().Record(ctx, event(a, "subject_access.confirm", objSubjectAccess, id, model.JSONMap{"organisations": n}))
	})
}

// confirmOrgs are the organisations whose confirmations the scope sc gives: the acting one,
// and for org_tree every one below it.
func confirmOrgs(sc model.Scope) []uuid.UUID {
	if sc.Has(model.ScopeOrgTree) {
		return sc.OrgTree
	}
	return []uuid.UUID{sc.OrgID}
}

// Export returns everything Lotse holds about the persons of the request, with the access
// history, once every lead organisation has confirmed; before, it refuses with
// CodeNotConfirmed and changes nothing.
func (s *SubjectAccess) Export(ctx context.Context, a model.Actor, id uuid.UUID) (*model.SubjectAccessExport, error) {
	if _, err := s.require(a, objSubjectAccess, actExport, true); err != nil {
		return nil, err
	}
	var out *model.SubjectAccessExport
	err := s.store.Tx(ctx, a, func(tx *store.Tx) error {
		req, err := tx.SubjectAccess().Get(ctx, id)
		if err != nil {
			return err
		}
		if !req.Confirmed() {
			return model.Invalid("request", model.CodeNotConfirmed)
		}
		if out, err = subjectAccessExport(ctx, tx, req); err != nil {
			return err
		}
		if out.ExportedAt, err = tx.SubjectAccess().MarkExported(ctx, id); err != nil {
			return err
		}
		return tx.Audit().Record(ctx, event(a, "subject_access.export", objSubjectAccess, id,
			model.JSONMap{"sections": len(out.Sections), "history": len(out.History)}))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// subjectAccessContext are columns that are not a client's personal data but make a record
// readable (which area a plan entry or note is about); they come first.
var subjectAccessContext = map[string][]string{"area_statuses": {"area"}, "tasks": {"area"}, "notes": {"area"}}

// subjectAccessExport reads the export of req: per table of store.SubjectAccessTables the
// records about the persons, each with exactly the table's client columns of the catalogue.
func subjectAccessExport(ctx context.Context, tx *store.Tx, req *model.SubjectAccessRequest) (*model.SubjectAccessExport, error) {
	r := tx.SubjectAccess()
	persons, err := r.PersonCases(ctx, req.PersonIDs)
	if err != nil {
		return nil, err
	}
	var cases, ids []uuid.UUID
	own := map[string]bool{}
	for _, p := range persons {
		ids = append(ids, p.PersonID)
		if !slices.Contains(cases, p.CaseID) {
			cases = append(cases, p.CaseID)
		}
		for _, n := range []string{p.FamilyName, p.GivenNames} {
			for _, w := range strings.Fields(foldOne(n, true)) {
				own[w] = true
			}
		}
	}
	household, err := r.Household(ctx, cases, ids)
	if err != nil {
		return nil, err
	}
	others := otherNames(household, own)
	out := &model.SubjectAccessExport{RequestID: req.ID, Reference: req.Reference, RequestedAt: req.RequestedAt}
	for _, c := range req.Confirmations {
		if c.ConfirmedAt != nil {
			out.Confirmed = append(out.Confirmed, model.SubjectAccessConfirmedBy{Organisation: c.OrgName, At: *c.ConfirmedAt})
		}
	}
	for _, table := range store.SubjectAccessTables {
		columns := slices.Concat(subjectAccessContext[table], privacy.ClientColumns(table))
		t, _ := privacy.Lookup(table)
		recs, err := r.Records(ctx, table, cases, ids)
		if err != nil {
			return nil, err
		}
		sec := model.SubjectAccessSection{Table: table, Columns: columns, Rows: []model.SubjectAccessRow{}}
		for _, rec := range recs {
			row := model.SubjectAccessRow{Fields: make(map[string]any, len(columns))}
			for _, col := range columns {
				row.Fields[col] = rec[col]
				if c, _ := t.Column(col); c.Category == privacy.FreeText {
					if text, ok := rec[col].(string); ok {
						if names := mentions(text, others); len(names) > 0 {
							if row.Review == nil {
								row.Review = map[string][]string{}
							}
							row.Review[col] = names
						}
					}
				}
			}
			sec.Rows = append(sec.Rows, row)
		}
		out.Sections = append(out.Sections, sec)
	}
	if out.History, err = r.History(ctx, cases, ids); err != nil {
		return nil, err
	}
	return out, nil
}

// otherNames are the name words of the household's other members (family name, given
// names, variants) that are not also the person's own, folded, with the word as written.
func otherNames(household []model.Person, own map[string]bool) map[string]string {
	out := map[string]string{}
	for _, p := range household {
		for _, n := range append([]string{p.FamilyName, p.GivenNames}, p.NameVariants...) {
			for _, w := range strings.Fields(n) {
				f := foldOne(w, true)
				if f != "" && !own[f] && !strings.Contains(f, " ") {
					out[f] = w
				}
			}
		}
	}
	return out
}

// mentions returns the names of others (as written in the person record) that text
// contains as whole words after folding, sorted.
func mentions(text string, others map[string]string) []string {
	if len(others) == 0 {
		return nil
	}
	var out []string
	for _, w := range strings.Fields(foldOne(text, true)) {
		if name, ok := others[w]; ok && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
