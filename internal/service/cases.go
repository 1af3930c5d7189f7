package service

import (
	"context"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Cases manages cases, the persons of their households and their integration plans.
type Cases struct{ base }

const (
	objCase   = "case"
	objPlan   = "plan"
	objNote   = "note"
	objPerson = "person"

	// referencePrefix starts the readable reference numbers of cases (F-2026-00123).
	referencePrefix = "F"
)

// Limits of person and case fields.
const (
	maxNameLength     = 200
	maxVariants       = 20
	maxLanguages      = 20
	maxShortText      = 100
	maxPhoneLength    = 50
	maxAddressLength  = 500
	maxReasonLength   = 500
	maxHouseholdSize  = 30
	earliestBirthYear = 1900
)

var languagePattern = regexp.MustCompile(`^[a-z]{2,3}$`)

// calendarDay is the calendar day of t (dates are scanned as midnight UTC).
func calendarDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// tooLong reports whether s has more than n characters.
func tooLong(s string, n int) bool { return utf8.RuneCountInString(s) > n }

// checkLength checks a text's length in characters: required (not empty) and at most max.
// A missing text names the limit too, so that its message can say how much fits.
func checkLength(v *model.ValidationError, field, s string, required bool, max int) {
	switch {
	case required && s == "":
		v.Add(field, model.CodeRequired, model.Params{"max": max})
	case tooLong(s, max):
		v.Add(field, model.CodeTooLong, model.Params{"max": max})
	}
}

// checkPerson checks and normalises the fields of a person and computes its search text;
// prefix names the person in field names ("primary.", "members[1].", "").
func (b base) checkPerson(v *model.ValidationError, prefix string, p *model.Person) {
	today := b.today()
	earliest := time.Date(earliestBirthYear, 1, 1, 0, 0, 0, 0, time.UTC)
	p.FamilyName, p.GivenNames = strings.TrimSpace(p.FamilyName), strings.TrimSpace(p.GivenNames)
	checkLength(v, prefix+"family_name", p.FamilyName, true, maxNameLength)
	if tooLong(p.GivenNames, maxNameLength) {
		v.Add(prefix+"given_names", model.CodeTooLong, model.Params{"max": maxNameLength})
	}
	variants := model.StringList{}
	for _, n := range p.NameVariants {
		n = strings.TrimSpace(n)
		switch {
		case n == "" || tooLong(n, maxNameLength):
			v.Add(prefix+"name_variants", model.CodeLength, model.Params{"min": 1, "max": maxNameLength})
		case !slices.Contains(variants, n):
			variants = append(variants, n)
		}
	}
	if len(variants) > maxVariants {
		v.Add(prefix+"name_variants", model.CodeTooMany, model.Params{"max": maxVariants})
	}
	p.NameVariants = variants
	langs := model.StringList{}
	for _, l := range p.Languages {
		l = strings.ToLower(strings.TrimSpace(l))
		switch {
		case !languagePattern.MatchString(l):
			v.Add(prefix+"languages", model.CodeLanguageCode, model.Params{"value": l})
		case !slices.Contains(langs, l):
			langs = append(langs, l)
		}
	}
	if len(langs) > maxLanguages {
		v.Add(prefix+"languages", model.CodeTooMany, model.Params{"max": maxLanguages})
	}
	p.Languages = langs
	if p.BirthDate != nil {
		d := calendarDay(*p.BirthDate)
		p.BirthDate = &d
		if d.After(today) || d.Before(earliest) {
			v.Add(prefix+"birth_date", model.CodeDateRange, model.Params{"from": earliest.Format(time.DateOnly)})
		}
	}
	if p.ArrivalDate != nil {
		d := calendarDay(*p.ArrivalDate)
		p.ArrivalDate = &d
		switch {
		case d.After(today) || d.Before(earliest):
			v.Add(prefix+"arrival_date", model.CodeDateRange, model.Params{"from": earliest.Format(time.DateOnly)})
		case p.BirthDate != nil && d.Before(*p.BirthDate):
			v.Add(prefix+"arrival_date", model.CodeBefore, model.Params{"other": "birth_date"})
		}
	}
	p.ResidenceStatus, p.District = strings.TrimSpace(p.ResidenceStatus), strings.TrimSpace(p.District)
	if tooLong(p.ResidenceStatus, maxShortText) {
		v.Add(prefix+"residence_status", model.CodeTooLong, model.Params{"max": maxShortText})
	}
	if tooLong(p.District, maxShortText) {
		v.Add(prefix+"district", model.CodeTooLong, model.Params{"max": maxShortText})
	}
	p.Phone, p.Email, p.Address = strings.TrimSpace(p.Phone), strings.TrimSpace(p.Email), strings.TrimSpace(p.Address)
	if tooLong(p.Phone, maxPhoneLength) {
		v.Add(prefix+"phone", model.CodeTooLong, model.Params{"max": maxPhoneLength})
	}
	if p.Email != "" {
		if a, err := mail.ParseAddress(p.Email); err != nil || a.Address != p.Email || tooLong(p.Email, 254) {
			v.Add(prefix+"email", model.CodeNotEmail)
		}
	}
	if tooLong(p.Address, maxAddressLength) {
		v.Add(prefix+"address", model.CodeTooLong, model.Params{"max": maxAddressLength})
	}
	p.SearchText = SearchText(p)
}

func personFrom(in model.PersonInput) model.Person {
	return model.Person{
		FamilyName: in.FamilyName, GivenNames: in.GivenNames, NameVariants: in.NameVariants,
		BirthDate: in.BirthDate, Languages: in.Languages, ArrivalDate: in.ArrivalDate,
		ResidenceStatus: in.ResidenceStatus, District: in.District, Phone: in.Phone, Email: in.Email, Address: in.Address,
	}
}

// leadOnly reports whether a case scope acts as lead organisation (org or org_tree): only
// those create cases, which the actor's own organisation then leads.
func leadOnly(sc model.Scope) bool { return sc.Has(model.ScopeOrg) || sc.Has(model.ScopeOrgTree) }

// Create opens a case led by the actor's organisation, with its household and a plan row
// (not started) for every area in use. The reference is the next of the year in Berlin.
func (s *Cases) Create(ctx context.Context, a model.Actor, in model.CaseCreate) (*model.CaseView, error) {
	if err := refuseBadText(in); err != nil {
		return nil, err
	}
	sc, err := s.require(a, objCase, actCreate, false)
	if err != nil {
		return nil, err
	}
	if !leadOnly(sc) {
		return nil, fmt.Errorf("service: create case: %w", model.ErrForbidden)
	}
	v := &model.ValidationError{}
	primary := personFrom(in.Primary)
	primary.IsPrimary = true
	s.checkPerson(v, "primary.", &primary)
	if len(in.Members) > maxHouseholdSize {
		v.Add("members", model.CodeTooMany, model.Params{"max": maxHouseholdSize})
	}
	members := make([]model.Person, len(in.Members))
	for i, m := range in.Members {
		members[i] = personFrom(m)
		s.checkPerson(v, fmt.Sprintf("members[%d].", i), &members[i])
	}
	district := strings.TrimSpace(in.District)
	if district == "" {
		district = primary.District
	}
	if tooLong(district, maxShortText) {
		v.Add("district", model.CodeTooLong, model.Params{"max": maxShortText})
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	c := &model.Case{LeadOrgID: a.OrgID, Status: model.CaseOpen, District: district, OpenedAt: now}
	if in.ResponsibleUserID != nil {
		c.ResponsibleUserID = in.ResponsibleUserID
	} else if a.UserID != uuid.Nil {
		id := a.UserID
		c.ResponsibleUserID = &id
	}
	var out *model.CaseView
	replayed, err := s.keyed(ctx, a, created, objCase, &c.ID, func(tx *store.Tx) error {
		if in.ResponsibleUserID != nil {
			ok, err := tx.Cases().IsOrgMember(ctx, *in.ResponsibleUserID, a.OrgID)
			if err != nil {
				return err
			}
			if !ok {
				return model.Invalid("responsible_user_id", model.CodeNotMember)
			}
		}
		if c.Reference, err = tx.NextReference(ctx, referencePrefix, now.In(model.Berlin).Year()); err != nil {
			return err
		}
		c.CreatedAt, c.UpdatedAt = s.now().UTC(), s.now().UTC() // the services' clock, so that backdated demo data is consistent
		if err := tx.Cases().Create(ctx, c); err != nil {
			return err
		}
		for _, p := range append([]model.Person{primary}, members...) {
			p.CaseID = c.ID
			if err := tx.Persons().Create(ctx, &p); err != nil {
				return err
			}
		}
		areas, err := tx.Areas().Active(ctx)
		if err != nil {
			return err
		}
		codes := make([]string, len(areas))
		for i, ar := range areas {
			codes[i] = ar.Code
		}
		if err := tx.Plan().CreateRows(ctx, c.ID, codes, a.UserID); err != nil {
			return err
		}
		if err := tx.Audit().Record(ctx, caseEvent(a, "case.create", objCase, c.ID, c.ID, model.JSONMap{"persons": 1 + len(members)})); err != nil {
			return err
		}
		out, err = s.viewAfterWrite(ctx, tx, a, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	if replayed {
		return s.Get(ctx, a, c.ID)
	}
	return out, nil
}

// viewAfterWrite is the view of a case just written, through the actor's read scope (no
// read event: the write's event covers it).
func (s *Cases) viewAfterWrite(ctx context.Context, tx *store.Tx, a model.Actor, c *model.Case) (*model.CaseView, error) {
	rsc, err := s.scope(a, objCase, actRead)
	if err != nil {
		return nil, err
	}
	views, err := s.caseViews(ctx, tx, a, rsc, []model.Case{*c})
	if err != nil {
		return nil, err
	}
	return &views[0], nil
}

// Get returns one case as the actor may see it, or ErrNotFound when it is missing or hidden.
// It writes one "case.read" audit event.
func (s *Cases) Get(ctx context.Context, a model.Actor, id uuid.UUID) (*model.CaseView, error) {
	sc, err := s.require(a, objCase, actRead, true)
	if err != nil {
		return nil, err
	}
	var out *model.CaseView
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		var err error
		if out, err = s.caseView(ctx, tx, a, sc, id); err != nil {
			return err
		}
		ev := caseEvent(a, "case.read", objCase, out.ID, out.ID, model.JSONMap{"access": accessLevel(out.Access)})
		if _, err := s.emergencyRead(ctx, tx, a, out.Access, out.ID, ev); err != nil {
			return err
		}
		return tx.Audit().Record(ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Update changes a case if version is still current (else ErrConflict): its status along
// the allowed transitions (closing needs a reason), the responsible caseworker (a member of
// the lead organisation) and the district. It writes one "case.update" audit event.
func (s *Cases) Update(ctx context.Context, a model.Actor, id uuid.UUID, p model.CasePatch, version int) (*model.CaseView, error) {
	if err := refuseBadText(p); err != nil {
		return nil, err
	}
	sc, err := s.require(a, objCase, actUpdate, true)
	if err != nil {
		return nil, err
	}
	var out *model.CaseView
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		c, err := tx.Cases().Get(ctx, sc, id)
		if err != nil {
			return err
		}
		if c.Version != version {
			return fmt.Errorf("service: update case: stale version: %w", model.ErrConflict)
		}
		changed, err := s.applyCasePatch(ctx, tx, c, p)
		if err != nil {
			return err
		}
		if err := tx.Cases().Update(ctx, c, version); err != nil {
			return err
		}
		details := model.JSONMap{"fields": changed}
		if p.Status != nil {
			details["status"] = string(c.Status)
		}
		if err := tx.Audit().Record(ctx, caseEvent(a, "case.update", objCase, c.ID, c.ID, details)); err != nil {
			return err
		}
		out, err = s.viewAfterWrite(ctx, tx, a, c)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// applyCasePatch applies p to c and names the changed fields.
func (s *Cases) applyCasePatch(ctx context.Context, tx *store.Tx, c *model.Case, p model.CasePatch) ([]string, error) {
	var changed []string
	v := &model.ValidationError{}
	reason := c.StatusReason
	if p.StatusReason != nil {
		reason = strings.TrimSpace(*p.StatusReason)
		if tooLong(reason, maxReasonLength) {
			v.Add("status_reason", model.CodeTooLong, model.Params{"max": maxReasonLength})
		}
		changed = append(changed, "status_reason")
	}
	switch {
	case p.Status != nil:
		to := *p.Status
		if !to.Valid() {
			return nil, model.Invalid("status", model.CodeNotOneOf, model.Params{"allowed": "open, paused, closed"})
		}
		if !c.Status.CanTransition(to) {
			return nil, model.RefuseTransition("case", string(c.Status), string(to))
		}
		switch to {
		case model.CaseClosed:
			if reason == "" || p.StatusReason == nil {
				v.Add("status_reason", model.CodeRequired)
			}
			now := s.now().UTC().Truncate(time.Microsecond)
			c.ClosedAt = &now
		case model.CasePaused:
			c.ClosedAt = nil
		case model.CaseOpen:
			c.ClosedAt, reason = nil, ""
		}
		c.Status = to
		changed = append(changed, "status")
	case p.StatusReason != nil && c.Status == model.CaseOpen:
		v.Add("status_reason", model.CodeNotApplicable)
	}
	c.StatusReason = reason
	if p.ResponsibleUserID != nil {
		ok, err := tx.Cases().IsOrgMember(ctx, *p.ResponsibleUserID, c.LeadOrgID)
		if err != nil {
			return nil, err
		}
		if !ok {
			v.Add("responsible_user_id", model.CodeNotMember)
		}
		id := *p.ResponsibleUserID
		c.ResponsibleUserID = &id
		changed = append(changed, "responsible_user_id")
	}
	if p.District != nil {
		c.District = strings.TrimSpace(*p.District)
		if tooLong(c.District, maxShortText) {
			v.Add("district", model.CodeTooLong, model.Params{"max": maxShortText})
		}
		changed = append(changed, "district")
	}
	if len(changed) == 0 {
		v.Add("body", model.CodeNothingChanged)
	}
	return changed, v.Err()
}

// AddPerson adds a person to the household of a case the actor may update. It writes one
// "person.create" audit event.
func (s *Cases) AddPerson(ctx context.Context, a model.Actor, caseID uuid.UUID, in model.PersonInput) (*model.Person, error) {
	if err := refuseBadText(in); err != nil {
		return nil, err
	}
	sc, err := s.require(a, objCase, actUpdate, true)
	if err != nil {
		return nil, err
	}
	p := personFrom(in)
	v := &model.ValidationError{}
	s.checkPerson(v, "", &p)
	if err := v.Err(); err != nil {
		return nil, err
	}
	replayed, err := s.keyed(ctx, a, created, objPerson, &p.ID, func(tx *store.Tx) error {
		c, err := tx.Cases().Get(ctx, sc, caseID)
		if err != nil {
			return err
		}
		p.CaseID = c.ID
		if err := tx.Persons().Create(ctx, &p); err != nil {
			return err
		}
		return tx.Audit().Record(ctx, caseEvent(a, "person.create", objPerson, p.ID, c.ID, nil))
	})
	if err != nil {
		return nil, err
	}
	if replayed {
		return s.person(ctx, a, caseID, p.ID)
	}
	p.SearchText = ""
	return &p, nil
}

// UpdatePerson changes a person of a case the actor may update, if version is still current
// (else ErrConflict). It writes one "person.update" audit event naming the changed fields.
func (s *Cases) UpdatePerson(ctx context.Context, a model.Actor, caseID, personID uuid.UUID, pp model.PersonPatch, version int) (*model.Person, error) {
	if err := refuseBadText(pp); err != nil {
		return nil, err
	}
	sc, err := s.require(a, objCase, actUpdate, true)
	if err != nil {
		return nil, err
	}
	var out *model.Person
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		c, err := tx.Cases().Get(ctx, sc, caseID)
		if err != nil {
			return err
		}
		p, err := tx.Persons().Get(ctx, c.ID, personID)
		if err != nil {
			return err
		}
		if p.Version != version {
			return fmt.Errorf("service: update person: stale version: %w", model.ErrConflict)
		}
		changed := applyPersonPatch(p, pp)
		v := &model.ValidationError{}
		if len(changed) == 0 {
			v.Add("body", model.CodeNothingChanged)
		}
		s.checkPerson(v, "", p)
		if err := v.Err(); err != nil {
			return err
		}
		if err := tx.Persons().Update(ctx, p, version); err != nil {
			return err
		}
		out = p
		return tx.Audit().Record(ctx, caseEvent(a, "person.update", objPerson, p.ID, c.ID, model.JSONMap{"fields": changed}))
	})
	if err != nil {
		return nil, err
	}
	out.SearchText = ""
	return out, nil
}

func applyPersonPatch(p *model.Person, pp model.PersonPatch) []string {
	var changed []string
	set := func(name string, dst *string, src *string) {
		if src != nil {
			*dst = *src
			changed = append(changed, name)
		}
	}
	set("family_name", &p.FamilyName, pp.FamilyName)
	set("given_names", &p.GivenNames, pp.GivenNames)
	set("residence_status", &p.ResidenceStatus, pp.ResidenceStatus)
	set("district", &p.District, pp.District)
	set("phone", &p.Phone, pp.Phone)
	set("email", &p.Email, pp.Email)
	set("address", &p.Address, pp.Address)
	if pp.NameVariants != nil {
		p.NameVariants = *pp.NameVariants
		changed = append(changed, "name_variants")
	}
	if pp.Languages != nil {
		p.Languages = *pp.Languages
		changed = append(changed, "languages")
	}
	date := func(name string, dst **model.Date, src *model.Date) {
		if src == nil {
			return
		}
		if src.IsZero() {
			*dst = nil
		} else {
			d := *src
			*dst = &d
		}
		changed = append(changed, name)
	}
	date("birth_date", &p.BirthDate, pp.BirthDate)
	date("arrival_date", &p.ArrivalDate, pp.ArrivalDate)
	return changed
}

// List returns one page of the cases the actor may see that match f, newest change first,
// each masked like a single read, with the total over all pages. A name search (f.Q) finds
// only cases whose names the actor may see. It writes one "case.list" audit event with the
// count and the kinds of filter used, never their values.
func (s *Cases) List(ctx context.Context, a model.Actor, f model.CaseFilter) (*model.Page[model.CaseView], error) {
	if err := refuseBadText(f); err != nil {
		return nil, err
	}
	sc, err := s.require(a, objCase, actRead, false)
	if err != nil {
		return nil, err
	}
	planScope, err := s.scope(a, objPlan, actRead)
	if err != nil {
		return nil, err
	}
	var out *model.Page[model.CaseView]
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		q, kinds, err := s.caseQuery(ctx, tx, f, planScope, sc)
		if err != nil {
			return err
		}
		page := &model.Page[model.CaseView]{}
		rows, total, err := tx.Cases().Page(ctx, sc, q)
		if err != nil {
			return err
		}
		page.Total = total
		rows, page.NextCursor = cut(casePages, rows, q.Limit, caseKey)
		if q.Numbered {
			page.NextCursor = ""
		}
		if page.Items, err = s.caseViews(ctx, tx, a, sc, rows); err != nil {
			return err
		}
		out = page
		ev := caseEvent(a, "case.list", objCase, uuid.Nil, uuid.Nil, model.JSONMap{"total": page.Total, "returned": len(rows), "filters": kinds})
		ev.ObjectID = ""
		return tx.Audit().Record(ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Export returns every case the actor may see that matches f (f.Cursor, f.Limit and f.Page
// are ignored), in f's order, masked exactly like List, for a download. More than
// model.ExportMax cases is ErrInvalid: the filter must be narrower. It writes one
// "case.export" audit event with the kinds of filter and the row count.
func (s *Cases) Export(ctx context.Context, a model.Actor, f model.CaseFilter) ([]model.CaseView, error) {
	if err := refuseBadText(f); err != nil {
		return nil, err
	}
	sc, err := s.require(a, objCase, actRead, false)
	if err != nil {
		return nil, err
	}
	planScope, err := s.scope(a, objPlan, actRead)
	if err != nil {
		return nil, err
	}
	f.Cursor, f.Limit, f.Page = "", 0, 0
	var out []model.CaseView
	err = s.store.Heavy(ctx, a, func(tx *store.Tx) error {
		q, kinds, err := s.caseQuery(ctx, tx, f, planScope, sc)
		if err != nil {
			return err
		}
		total, err := tx.Cases().Count(ctx, sc, q)
		if err != nil {
			return err
		}
		if total > maxExport {
			return model.Invalid("filter", model.CodeTooManyResults, model.Params{"total": total, "max": maxExport})
		}
		// One ordered read of all rows (no limit), masked in batches.
		q.Numbered, q.Limit, q.Sort.Offset = true, 0, 0
		rows, err := tx.Cases().List(ctx, sc, q)
		if err != nil {
			return err
		}
		out = make([]model.CaseView, 0, len(rows))
		for batch := range slices.Chunk(rows, 500) {
			views, err := s.caseViews(ctx, tx, a, sc, batch)
			if err != nil {
				return err
			}
			out = append(out, views...)
		}
		ev := caseEvent(a, "case.export", objCase, uuid.Nil, uuid.Nil, model.JSONMap{"total": len(out), "filters": kinds, "sort": f.Sort, "desc": f.Desc})
		ev.ObjectID = ""
		return tx.Audit().Record(ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// caseQuery validates f against the areas in use; sc is the actor's case read scope (names
// sort only where it sees them).
func (s *Cases) caseQuery(ctx context.Context, tx *store.Tx, f model.CaseFilter, planScope, sc model.Scope) (store.CaseQuery, []string, error) {
	areas, err := s.areas(ctx, tx)
	if err != nil {
		return store.CaseQuery{}, nil, err
	}
	codes := make([]string, len(areas))
	for i, ar := range areas {
		codes[i] = ar.Code
	}
	q, kinds, err := caseQuery(f, codes, planScope)
	if err != nil {
		return q, kinds, err
	}
	v := &model.ValidationError{}
	q.Sort, q.Numbered = listSort(v, f.ListOrder, caseSorts, q.Limit, f.Cursor, sc), f.Numbered()
	if err := v.Err(); err != nil {
		return q, kinds, fmt.Errorf("service: case filter: %w", err)
	}
	return q, kinds, nil
}
