package service_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

// TestListsReturnExactlyWhatMayBeSeen is the exact-set property test: on random worlds
// (property_oracle_test.go: 8 organisations, 30 users, 520 cases with consents, referrals in
// every state, tasks and notes) every list, search, export and count returns exactly what an
// independent oracle over the generated facts allows, on every page, for every user acting
// in every organisation they belong to; the masks of every listed case (plan areas, person
// fields) match the oracle; and single reads agree with the lists.
func TestListsReturnExactlyWhatMayBeSeen(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			w := newPropWorld(t, seed, 520)
			actors := w.actors()
			for _, pa := range actors {
				w.checkActor(t, pa)
			}
			// The world must have produced every situation the oracle distinguishes, or the
			// test proves less than it claims.
			t.Logf("seed %d: %d actors; seen: %v", seed, len(actors), w.seen)
			if len(actors) < 30 {
				t.Errorf("only %d actors", len(actors))
			}
			for _, k := range []string{"full", "referred", "summary", "person-only category", "person hidden", "district hidden",
				"search hit", "search hides", "note hidden", "note shown", "referral hidden", "task hidden", "tampered consent",
				"task of ended referral hidden, case still shown", "legal basis other than identity", "name sort with hidden names"} {
				if w.seen[k] < 3 {
					t.Errorf("the world of seed %d shows %q only %d times", seed, k, w.seen[k])
				}
			}
			for _, st := range model.ReferralStatuses {
				if w.seen["referral "+string(st)] == 0 {
					t.Errorf("the world of seed %d has no referral in state %s", seed, st)
				}
			}
		})
	}
}

// checkActor runs every property for one actor.
func (w *pwWorld) checkActor(t *testing.T, pa pwActor) {
	t.Helper()
	who := w.actorName(pa)
	r := rand.New(rand.NewPCG(w.seed, uint64(pa.user*100+pa.org)))
	w.checkWorklist(t, pa, who)
	if !pa.caseContent() {
		w.checkNoCaseContent(t, pa, who)
		return
	}
	visible := map[uuid.UUID]bool{}
	var visibleIdx, hiddenIdx []int
	for ci, c := range w.cases {
		if w.access(pa, ci).visible {
			visible[c.id] = true
			visibleIdx = append(visibleIdx, ci)
		} else {
			hiddenIdx = append(hiddenIdx, ci)
		}
	}

	// Cases: the whole list, page by page, with the masks of every case on it.
	views := w.listCases(t, pa, who, model.CaseFilter{Limit: 37}, visible, "case list")
	for _, v := range views {
		w.checkView(t, pa, who, v)
	}
	// Filters narrow, never widen: a plan area in a state (through the plan rows the actor
	// may read), and the status or the lead organisation.
	area, as := pick(r, pwAreas), pick(r, model.AreaStatusValues)
	w.listCases(t, pa, who, model.CaseFilter{Limit: 100, Area: area, AreaStatus: as}, w.caseSet(pa, func(ci int, acc pwAccess) bool {
		return slices.Contains(acc.areas, area) && w.cases[ci].plan[area] == as
	}), "case list, area "+area+" "+string(as))
	if r.IntN(2) == 0 {
		status := pick(r, []model.CaseStatus{model.CasePaused, model.CaseClosed})
		w.listCases(t, pa, who, model.CaseFilter{Limit: 100, Status: status}, w.caseSet(pa, func(ci int, _ pwAccess) bool {
			return w.cases[ci].status == status
		}), "case list, status "+string(status))
	} else {
		lead := r.IntN(4)
		leadID := w.orgs[lead].id
		w.listCases(t, pa, who, model.CaseFilter{Limit: 100, LeadOrgID: &leadID}, w.caseSet(pa, func(ci int, _ pwAccess) bool {
			return w.cases[ci].lead == lead
		}), "case list, lead "+w.orgs[lead].short)
	}
	// The export holds the same cases as the list (for every other actor: it is a full pass).
	if (pa.user+pa.org)%2 == 0 {
		exported, err := w.svc.Cases.Export(w.ctx, pa.a, model.CaseFilter{})
		if err != nil {
			t.Fatalf("%s: export: %v", who, err)
		}
		w.sameSet(t, who, "case export", visible, viewIDs(exported))
	}

	// Name search: exactly the visible cases with a person whose names the actor may see and
	// match. Queries: whole names and parts of names, of visible and of hidden cases.
	for _, q := range w.queries(r, visibleIdx, hiddenIdx) {
		want := w.caseSet(pa, func(ci int, acc pwAccess) bool {
			for pi, p := range w.cases[ci].persons {
				if slices.Contains(acc.categoriesOf(pi), model.CategoryIdentity) && nameMatch(p, q) {
					return true
				}
			}
			return false
		})
		matching := 0 // cases of the world with a matching name, seen or not
		for _, c := range w.cases {
			if slices.ContainsFunc(c.persons, func(p pwPerson) bool { return nameMatch(p, q) }) {
				matching++
			}
		}
		if len(want) > 0 {
			w.seen["search hit"]++
		}
		if matching > len(want) {
			w.seen["search hides"]++
		}
		w.listCases(t, pa, who, model.CaseFilter{Limit: 13, Q: q}, want, fmt.Sprintf("name search %q", q))
	}

	// Single reads agree with the list: a sample of visible cases reads, hidden ones are
	// not found.
	for _, ci := range sample(r, visibleIdx, 6) {
		v, err := w.svc.Cases.Get(w.ctx, pa.a, w.cases[ci].id)
		if err != nil {
			t.Errorf("%s: case %s is listed but cannot be read: %v", who, w.cases[ci].ref, err)
			continue
		}
		w.checkView(t, pa, who, *v)
	}
	for _, ci := range sample(r, hiddenIdx, 6) {
		if _, err := w.svc.Cases.Get(w.ctx, pa.a, w.cases[ci].id); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("%s: hidden case %s: read gives %v, want not found", who, w.cases[ci].ref, err)
		}
	}

	// Notes of a sample of visible cases; hidden cases have none to show.
	for _, ci := range sample(r, visibleIdx, 6) {
		notes, err := w.svc.Notes.List(w.ctx, pa.a, w.cases[ci].id)
		if err != nil {
			t.Errorf("%s: notes of %s: %v", who, w.cases[ci].ref, err)
			continue
		}
		want := map[uuid.UUID]bool{}
		for _, ni := range w.cases[ci].notes {
			if w.noteVisible(pa, w.notes[ni]) {
				want[w.notes[ni].id] = true
				w.seen["note shown"]++
			} else {
				w.seen["note hidden"]++
			}
		}
		got := make([]uuid.UUID, len(notes))
		for i, n := range notes {
			got[i] = n.ID
		}
		w.sameSet(t, who, "notes of "+w.cases[ci].ref, want, got)
	}
	for _, ci := range sample(r, hiddenIdx, 2) {
		if _, err := w.svc.Notes.List(w.ctx, pa.a, w.cases[ci].id); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("%s: notes of hidden case %s: %v, want not found", who, w.cases[ci].ref, err)
		}
	}

	w.checkReferrals(t, pa, who, r)
	w.checkTeamReferrals(t, pa, who)
	w.checkTeamTasks(t, pa, who, r)
	w.checkTasks(t, pa, who, r)
	w.checkSortedLists(t, pa, who, r, visible)
}

// caseSet is the set of visible cases for which keep holds.
func (w *pwWorld) caseSet(pa pwActor, keep func(ci int, acc pwAccess) bool) map[uuid.UUID]bool {
	out := map[uuid.UUID]bool{}
	for ci, c := range w.cases {
		if acc := w.access(pa, ci); acc.visible && keep(ci, acc) {
			out[c.id] = true
		}
	}
	return out
}

// listCases pages through a case list and checks it against want: the same set, the total
// on every page, no case twice, in list order (newest change first, ties by id).
func (w *pwWorld) listCases(t *testing.T, pa pwActor, who string, f model.CaseFilter, want map[uuid.UUID]bool, what string) []model.CaseView {
	t.Helper()
	var all []model.CaseView
	for page := 0; ; page++ {
		p, err := w.svc.Cases.List(w.ctx, pa.a, f)
		if err != nil {
			t.Fatalf("%s: %s, page %d: %v", who, what, page, err)
		}
		if p.Total != int64(len(want)) {
			t.Errorf("%s: %s, page %d: total %d, oracle %d", who, what, page, p.Total, len(want))
		}
		all = append(all, p.Items...)
		if p.NextCursor == "" {
			break
		}
		if len(p.Items) != f.Limit || page > len(w.cases) {
			t.Fatalf("%s: %s: page %d has %d items and a next page", who, what, page, len(p.Items))
		}
		f.Cursor = p.NextCursor
	}
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.UpdatedAt.Before(b.UpdatedAt) || (a.UpdatedAt.Equal(b.UpdatedAt) && bytes.Compare(a.ID[:], b.ID[:]) <= 0) {
			t.Errorf("%s: %s: out of order at %d: %s (%s) before %s (%s)", who, what, i, a.Reference, a.UpdatedAt, b.Reference, b.UpdatedAt)
			break
		}
	}
	w.sameSet(t, who, what, want, viewIDs(all))
	return all
}

func viewIDs(vs []model.CaseView) []uuid.UUID {
	out := make([]uuid.UUID, len(vs))
	for i, v := range vs {
		out[i] = v.ID
	}
	return out
}

// sameSet compares a list with the oracle's set: no duplicates, nothing missing, nothing
// extra; a difference names the records and the seed.
func (w *pwWorld) sameSet(t *testing.T, who, what string, want map[uuid.UUID]bool, got []uuid.UUID) {
	t.Helper()
	seen := map[uuid.UUID]bool{}
	extra := map[uuid.UUID]bool{}
	for _, id := range got {
		if seen[id] {
			t.Errorf("%s: %s lists %s twice", who, what, w.describe(id))
		}
		seen[id] = true
		if !want[id] {
			extra[id] = true
		}
	}
	missing := map[uuid.UUID]bool{}
	for id := range want {
		if !seen[id] {
			missing[id] = true
		}
	}
	if len(extra) == 0 && len(missing) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s: %d listed, oracle %d", who, what, len(seen), len(want))
	for _, set := range []struct {
		name string
		ids  map[uuid.UUID]bool
	}{{"listed but not allowed", extra}, {"allowed but not listed", missing}} {
		for i, id := range sortedIDs(set.ids) {
			if i == 5 {
				fmt.Fprintf(&b, "\n  %s: ... %d in all", set.name, len(set.ids))
				break
			}
			fmt.Fprintf(&b, "\n  %s: %s", set.name, w.describe(uuid.MustParse(id)))
		}
	}
	t.Error(b.String())
}

// describe names a record of the world for failure messages, with the facts that decide
// its visibility.
func (w *pwWorld) describe(id uuid.UUID) string {
	org := func(i int) string { return w.orgs[i].short }
	for _, c := range w.cases {
		if c.id == id {
			var refs []string
			for _, ri := range c.referrals {
				rf := w.referrals[ri]
				refs = append(refs, fmt.Sprintf("%s→%s %s %v covered=%v", org(rf.from), org(rf.to), rf.status, rf.areas, w.coveredToday(rf)))
			}
			var tasks []string
			for _, ti := range c.tasks {
				tasks = append(tasks, fmt.Sprintf("%s %s", org(w.tasks[ti].org), w.tasks[ti].status))
			}
			return fmt.Sprintf("case %s (lead %s, %s; referrals %v; tasks %v)", c.ref, org(c.lead), c.status, refs, tasks)
		}
	}
	for _, rf := range w.referrals {
		if rf.id == id {
			cons := "none"
			if rf.consent >= 0 {
				cn := w.consents[rf.consent]
				cons = fmt.Sprintf("%s..%s revoked=%v", cn.from.Format(time.DateOnly), cn.until.Format(time.DateOnly), cn.revoked)
			}
			return fmt.Sprintf("referral %s of %s (%s→%s, %s, consent %s, legal basis %q)", rf.ref, w.cases[rf.caseIdx].ref,
				org(rf.from), org(rf.to), rf.status, cons, rf.legalBasis)
		}
	}
	for _, tk := range w.tasks {
		if tk.id == id {
			c := "no case"
			if tk.caseIdx >= 0 {
				c = fmt.Sprintf("case %s led by %s", w.cases[tk.caseIdx].ref, org(w.cases[tk.caseIdx].lead))
			}
			return fmt.Sprintf("task %s of %s (%s, %s)", id, org(tk.org), tk.status, c)
		}
	}
	for _, n := range w.notes {
		if n.id == id {
			return fmt.Sprintf("note of %s (area %q, shared %v)", org(n.org), n.area, n.shared)
		}
	}
	return id.String()
}

// checkView compares the mask of one case view with the oracle: access level, referred
// areas, plan rows, district, and every person field by category.
func (w *pwWorld) checkView(t *testing.T, pa pwActor, who string, v model.CaseView) {
	t.Helper()
	ci := slices.IndexFunc(w.cases, func(c pwCase) bool { return c.id == v.ID })
	if ci < 0 {
		t.Errorf("%s: unknown case %s", who, v.ID)
		return
	}
	c := w.cases[ci]
	acc := w.access(pa, ci)
	switch {
	case acc.full:
		w.seen["full"]++
	case acc.summary:
		w.seen["summary"]++
	default:
		w.seen["referred"]++
		if len(acc.person) > 0 {
			w.seen["person-only category"]++
		}
		if len(v.Persons) < len(c.persons) {
			w.seen["person hidden"]++
		}
		if v.District == "" {
			w.seen["district hidden"]++
		}
	}
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf("%s: %s: %s", who, w.describe(c.id), fmt.Sprintf(format, args...))
	}
	if v.Access.Full != acc.full || v.Access.SummaryOnly != acc.summary {
		fail("access full=%v summary=%v, oracle full=%v summary=%v", v.Access.Full, v.Access.SummaryOnly, acc.full, acc.summary)
		return
	}
	var plan, wantPlan []string
	for _, row := range v.Plan {
		plan = append(plan, row.Area+"="+string(row.Status))
	}
	if !acc.summary {
		for _, a := range acc.areas {
			wantPlan = append(wantPlan, a+"="+string(c.plan[a]))
		}
	}
	if !slices.Equal(plan, wantPlan) {
		fail("plan %v, oracle %v", plan, wantPlan)
	}
	if !acc.full && !acc.summary {
		got := slices.Clone(v.Access.ReferredAreas)
		want := slices.Clone(acc.areas)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			fail("referred areas %v, oracle %v", got, want)
		}
	}
	wantDistrict := ""
	if acc.full || acc.household[model.CategoryResidence] {
		wantDistrict = c.district
	}
	if v.District != wantDistrict {
		fail("district %q, oracle %q", v.District, wantDistrict)
	}
	if v.StatusReason != "" && !acc.full {
		fail("status reason shown without full access")
	}
	var want []string
	if !acc.summary {
		for pi, p := range c.persons {
			if cats := acc.categoriesOf(pi); len(cats) > 0 {
				want = append(want, renderPerson(p.id, p.family, p.given, p.variants, p.birth, p.languages, p.arrival,
					p.residence, p.district, p.phone, p.email, p.address, cats))
			}
		}
	}
	var got []string
	for _, p := range v.Persons {
		if p.SearchText != "" {
			fail("a person's search text is shown")
		}
		got = append(got, renderPerson(p.ID, p.FamilyName, p.GivenNames, p.NameVariants, p.BirthDate, p.Languages, p.ArrivalDate,
			p.ResidenceStatus, p.District, p.Phone, p.Email, p.Address, nil))
	}
	if !slices.Equal(got, want) {
		fail("persons\n  shown:  %v\n  oracle: %v", got, want)
	}
}

// renderPerson renders every field of a person, blank where cats (when not nil) does not
// release it: a field shown without its category shows up as a difference.
func renderPerson(id uuid.UUID, family, given string, variants []string, birth *time.Time, langs []string, arrival *time.Time,
	residence, district, phone, email, address string, cats []model.DataCategory,
) string {
	date := func(d *time.Time) string {
		if d == nil {
			return ""
		}
		return d.Format(time.DateOnly)
	}
	has := func(c model.DataCategory) bool { return cats == nil || slices.Contains(cats, c) }
	if !has(model.CategoryIdentity) {
		family, given, variants, birth = "", "", nil, nil
	}
	if !has(model.CategoryContact) {
		phone, email, address = "", "", ""
	}
	if !has(model.CategoryResidence) {
		residence, arrival, district = "", nil, ""
	}
	if !has(model.CategoryLanguages) {
		langs = nil
	}
	return fmt.Sprintf("%s name=%s,%s,%s born=%s contact=%s|%s|%s residence=%s|%s|%s languages=%s", id.String()[:8],
		family, given, strings.Join(variants, "/"), date(birth), phone, email, address, residence, date(arrival), district,
		strings.Join(langs, "/"))
}

// queries picks two name-search words that fuzzy matching cannot make ambiguous: a family
// name (or a part of one) of a visible case, and any name (or part) of a hidden case.
func (w *pwWorld) queries(r *rand.Rand, visible, hidden []int) []string {
	var out []string
	for tries := 0; len(out) < 2 && tries < 40; tries++ {
		from, family := visible, true
		if len(out) == 1 || len(from) == 0 {
			from, family = hidden, false
		}
		if len(from) == 0 {
			continue
		}
		p := pick(r, w.cases[pick(r, from)].persons)
		words := strings.Fields(p.searchText)
		if family {
			words = strings.Fields(pwSearchText(p.family, "", nil))
		}
		word := pick(r, words)
		if len(word) < 4 {
			continue
		}
		if r.IntN(2) == 0 && len(word) > 5 {
			start := r.IntN(len(word) - 4)
			word = word[start : start+4+r.IntN(len(word)-start-3)]
		}
		if strings.IndexFunc(word, func(r rune) bool { return r > 'z' || r < 'a' }) >= 0 || slices.Contains(out, word) || !w.unambiguous(word) {
			continue
		}
		out = append(out, word)
	}
	return out
}

// sample picks up to n elements of xs.
func sample(r *rand.Rand, xs []int, n int) []int {
	xs = slices.Clone(xs)
	r.Shuffle(len(xs), func(i, j int) { xs[i], xs[j] = xs[j], xs[i] })
	if len(xs) > n {
		xs = xs[:n]
	}
	return xs
}

// checkNoCaseContent: administrators, the coordination staff and the data protection
// officer see no case content at all.
func (w *pwWorld) checkNoCaseContent(t *testing.T, pa pwActor, who string) {
	t.Helper()
	if _, err := w.svc.Cases.List(w.ctx, pa.a, model.CaseFilter{}); !errors.Is(err, model.ErrForbidden) {
		t.Errorf("%s: case list gives %v, want forbidden", who, err)
	}
	if _, err := w.svc.Referrals.List(w.ctx, pa.a, model.ReferralFilter{}); !errors.Is(err, model.ErrForbidden) {
		t.Errorf("%s: referral list gives %v, want forbidden", who, err)
	}
	if _, err := w.svc.Tasks.List(w.ctx, pa.a, model.TaskFilter{}); !errors.Is(err, model.ErrForbidden) {
		t.Errorf("%s: task list gives %v, want forbidden", who, err)
	}
	for _, c := range w.cases[:5] {
		if _, err := w.svc.Cases.Get(w.ctx, pa.a, c.id); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("%s: case %s: %v, want not found", who, c.ref, err)
		}
		if _, err := w.svc.Notes.List(w.ctx, pa.a, c.id); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("%s: notes of %s: %v, want not found", who, c.ref, err)
		}
	}
	for _, rf := range w.referrals[:5] {
		if _, err := w.svc.Referrals.Get(w.ctx, pa.a, rf.id); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("%s: referral %s: %v, want not found", who, rf.ref, err)
		}
	}
}

// checkReferrals pages through the referral lists (all, incoming, outgoing, by status) and
// reads a sample one by one.
func (w *pwWorld) checkReferrals(t *testing.T, pa pwActor, who string, r *rand.Rand) {
	t.Helper()
	want := func(keep func(rf pwReferral) bool) map[uuid.UUID]bool {
		out := map[uuid.UUID]bool{}
		for _, rf := range w.referrals {
			if w.referralVisible(pa, rf) && keep(rf) {
				out[rf.id] = true
			} else if keep(rf) {
				w.seen["referral hidden"]++
			}
		}
		return out
	}
	statuses := someOf(r, model.ReferralStatuses)
	for _, tc := range []struct {
		name string
		f    model.ReferralFilter
		keep func(pwReferral) bool
	}{
		{"referrals", model.ReferralFilter{}, func(pwReferral) bool { return true }},
		{"incoming referrals", model.ReferralFilter{Box: model.ReferralsIncoming}, func(rf pwReferral) bool { return rf.to == pa.org }},
		{"outgoing referrals", model.ReferralFilter{Box: model.ReferralsOutgoing}, func(rf pwReferral) bool { return rf.from == pa.org }},
		{fmt.Sprintf("referrals %v", statuses), model.ReferralFilter{Status: statuses, Limit: 100}, func(rf pwReferral) bool { return slices.Contains(statuses, rf.status) }},
	} {
		wantSet := want(tc.keep)
		f := tc.f
		if f.Limit == 0 {
			f.Limit = 37
		}
		var got []model.Referral
		for page := 0; ; page++ {
			p, err := w.svc.Referrals.List(w.ctx, pa.a, f)
			if err != nil {
				t.Fatalf("%s: %s, page %d: %v", who, tc.name, page, err)
			}
			if p.Total != int64(len(wantSet)) {
				t.Errorf("%s: %s, page %d: total %d, oracle %d", who, tc.name, page, p.Total, len(wantSet))
			}
			got = append(got, p.Items...)
			if p.NextCursor == "" {
				break
			}
			if page > len(w.referrals) {
				t.Fatalf("%s: %s does not end", who, tc.name)
			}
			f.Cursor = p.NextCursor
		}
		for i := 1; i < len(got); i++ {
			a, b := got[i-1], got[i]
			var ordered bool
			if tc.f.Box == model.ReferralsIncoming {
				ordered = a.ReplyDue.Before(b.ReplyDue) || (a.ReplyDue.Equal(b.ReplyDue) && bytes.Compare(a.ID[:], b.ID[:]) < 0)
			} else {
				ordered = a.CreatedAt.After(b.CreatedAt) || (a.CreatedAt.Equal(b.CreatedAt) && bytes.Compare(a.ID[:], b.ID[:]) > 0)
			}
			if !ordered {
				t.Errorf("%s: %s: out of order at %d", who, tc.name, i)
				break
			}
		}
		ids := make([]uuid.UUID, len(got))
		for i, rf := range got {
			ids[i] = rf.ID
		}
		w.sameSet(t, who, tc.name, wantSet, ids)
	}
	idx := make([]int, len(w.referrals))
	for i := range idx {
		idx[i] = i
	}
	for _, ri := range sample(r, idx, 8) {
		rf := w.referrals[ri]
		_, err := w.svc.Referrals.Get(w.ctx, pa.a, rf.id)
		if vis := w.referralVisible(pa, rf); vis && err != nil {
			t.Errorf("%s: %s is listed but cannot be read: %v", who, w.describe(rf.id), err)
		} else if !vis && !errors.Is(err, model.ErrNotFound) {
			t.Errorf("%s: hidden %s: read gives %v, want not found", who, w.describe(rf.id), err)
		}
	}
}

// checkTasks pages through the task lists (all, mine, overdue, of one organisation's
// subtree) and reads a sample one by one.
func (w *pwWorld) checkTasks(t *testing.T, pa pwActor, who string, r *rand.Rand) {
	t.Helper()
	want := func(keep func(tk pwTask) bool) map[uuid.UUID]bool {
		out := map[uuid.UUID]bool{}
		for _, tk := range w.tasks {
			if w.taskVisible(pa, tk) && keep(tk) {
				out[tk.id] = true
			} else if keep(tk) {
				w.seen["task hidden"]++
				if pa.relOrgs[tk.org] && tk.caseIdx >= 0 && w.access(pa, tk.caseIdx).visible {
					// The organisation's own task of an ended referral, while another
					// referral still shows it the case.
					w.seen["task of ended referral hidden, case still shown"]++
				}
			}
		}
		return out
	}
	sub := r.IntN(len(w.orgs))
	subID := w.orgs[sub].id
	subtree := w.subtree(sub)
	for _, tc := range []struct {
		name string
		f    model.TaskFilter
		keep func(pwTask) bool
	}{
		{"tasks", model.TaskFilter{}, func(pwTask) bool { return true }},
		{"my tasks", model.TaskFilter{Mine: true}, func(tk pwTask) bool { return tk.assignee == pa.user }},
		{"overdue tasks", model.TaskFilter{Overdue: true}, func(tk pwTask) bool {
			return tk.due != nil && tk.due.Before(w.today) && !tk.status.Closed()
		}},
		{"tasks of the subtree of " + w.orgs[sub].short, model.TaskFilter{OrgID: &subID, Subtree: true}, func(tk pwTask) bool { return subtree[tk.org] }},
	} {
		wantSet := want(tc.keep)
		f := tc.f
		f.Limit = 37
		var got []model.Task
		for page := 0; ; page++ {
			p, err := w.svc.Tasks.List(w.ctx, pa.a, f)
			if err != nil {
				t.Fatalf("%s: %s, page %d: %v", who, tc.name, page, err)
			}
			if p.Total != int64(len(wantSet)) {
				t.Errorf("%s: %s, page %d: total %d, oracle %d", who, tc.name, page, p.Total, len(wantSet))
			}
			got = append(got, p.Items...)
			if p.NextCursor == "" {
				break
			}
			if page > len(w.tasks) {
				t.Fatalf("%s: %s does not end", who, tc.name)
			}
			f.Cursor = p.NextCursor
		}
		for i := 1; i < len(got); i++ {
			a, b := got[i-1], got[i]
			var ordered bool
			switch {
			case a.DueDate != nil && b.DueDate != nil:
				ordered = a.DueDate.Before(*b.DueDate) || (a.DueDate.Equal(*b.DueDate) && bytes.Compare(a.ID[:], b.ID[:]) < 0)
			case a.DueDate == nil && b.DueDate == nil:
				ordered = bytes.Compare(a.ID[:], b.ID[:]) < 0
			default:
				ordered = b.DueDate == nil
			}
			if !ordered {
				t.Errorf("%s: %s: out of order at %d", who, tc.name, i)
				break
			}
		}
		ids := make([]uuid.UUID, len(got))
		for i, tk := range got {
			ids[i] = tk.ID
		}
		w.sameSet(t, who, tc.name, wantSet, ids)
	}
	idx := make([]int, len(w.tasks))
	for i := range idx {
		idx[i] = i
	}
	for _, ti := range sample(r, idx, 8) {
		tk := w.tasks[ti]
		_, err := w.svc.Tasks.Get(w.ctx, pa.a, tk.id)
		if vis := w.taskVisible(pa, tk); vis && err != nil {
			t.Errorf("%s: %s is listed but cannot be read: %v", who, w.describe(tk.id), err)
		} else if !vis && !errors.Is(err, model.ErrNotFound) {
			t.Errorf("%s: hidden %s: read gives %v, want not found", who, w.describe(tk.id), err)
		}
	}
}
