package service_test

import (
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
)

func TestFoldName(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Müller", []string{"mueller", "muller"}},
		{"MUELLER", []string{"mueller"}},
		{"Strauß", []string{"strauss"}},
		{"Özdemir-Şahin", []string{"oezdemir sahin", "ozdemir sahin"}},
		{"José  Núñez", []string{"jose nunez"}},
		{"Шевченко", []string{"шевченко"}},
		{"--", nil},
	} {
		if got := service.FoldName(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("FoldName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestCaseNameSearch: names are found across umlaut spellings, transliteration variants and
// a typo; a partner finds by name only cases whose names it may see, by reference every
// case it sees.
func TestCaseNameSearch(t *testing.T) {
	t.Parallel()
	f := newCaseFixture(t)
	a := f.worker()
	mueller := f.newCase(a, cfPerson("Müller", "Anna"))
	muhammad := f.newCase(a, cfPerson("Muhammad", "Ali", "Mohammed", "Mohamed"))
	shevchenko := f.newCase(a, cfPerson("Шевченко", "Олена", "Shevchenko Olena"))
	schmidt := f.newCase(a, cfPerson("Schmidt", "Peter"))
	household := f.newCase(a, cfPerson("Rahimi", "Sara"), cfPerson("Karimi", "Omid"))
	_ = schmidt

	ids := func(items []model.CaseView) []uuid.UUID {
		var out []uuid.UUID
		for _, v := range items {
			out = append(out, v.ID)
		}
		slices.SortFunc(out, func(x, y uuid.UUID) int { return slices.Compare(x[:], y[:]) })
		return out
	}
	want := func(vs ...*model.CaseView) []uuid.UUID {
		var out []model.CaseView
		for _, v := range vs {
			out = append(out, *v)
		}
		return ids(out)
	}
	for _, tc := range []struct {
		name string
		q    string
		want []uuid.UUID
	}{
		{"with umlaut", "Müller", want(mueller)},
		{"umlaut spelled out", "Mueller", want(mueller)},
		{"umlaut dropped", "Muller", want(mueller)},
		{"lower case", "müller", want(mueller)},
		{"one letter missing", "Müler", want(mueller)},
		{"one letter wrong", "Mueler", want(mueller)},
		{"given and family name", "Anna Müller", want(mueller)},
		{"transliteration variant", "Mohammed", want(muhammad)},
		{"other variant with a typo", "Muhamad", want(muhammad)},
		{"Cyrillic", "Шевченко", want(shevchenko)},
		{"Latin variant of a Cyrillic name", "Shevchenko", want(shevchenko)},
		{"second person of a household", "Karimi", want(household)},
		{"beginning of a name", "Schmi", want(schmidt)},
		{"nobody", "Zylinski", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items, total := f.listAll(a, model.CaseFilter{Q: tc.q})
			if got := ids(items); !slices.Equal(got, tc.want) || int(total) != len(tc.want) {
				t.Errorf("q=%q found %d (total %d), want %d", tc.q, len(got), total, len(tc.want))
			}
		})
	}

	t.Run("a changed name is found under the new name", func(t *testing.T) {
		p := schmidt.Persons[0]
		if _, err := f.svc.Cases.UpdatePerson(f.ctx, a, schmidt.ID, p.ID, model.PersonPatch{FamilyName: cfPtr("Schmitt-Öztürk")}, p.Version); err != nil {
			t.Fatal(err)
		}
		for q, n := range map[string]int{"Oeztuerk": 1, "Ozturk": 1, "Schmitt": 1, "Peter Schmitt": 1, "Zylinski": 0} {
			if _, total := f.listAll(a, model.CaseFilter{Q: q}); int(total) != n {
				t.Errorf("q=%q found %d, want %d", q, total, n)
			}
		}
	})

	// The job center holds a referral for Müller without the identity category, and one for
	// Muhammad with it.
	f.refer(mueller.ID, cfReferral{from: f.housing, to: f.jobcenter, areas: []string{"work"}, categories: []string{"contact", "languages"}})
	f.refer(muhammad.ID, cfReferral{from: f.housing, to: f.jobcenter, areas: []string{"work"}, categories: []string{"identity"}})
	f.task(schmidt.ID, f.jobcenter, model.TaskOpen)
	jc := f.as(f.jobcenterWorker, f.jobcenter)
	for _, tc := range []struct {
		name   string
		filter model.CaseFilter
		want   []uuid.UUID
	}{
		{"partner without identity cannot find by name", model.CaseFilter{Q: "Müller"}, nil},
		{"nor by a fuzzy name", model.CaseFilter{Q: "Mueler"}, nil},
		{"nor by the task's case name", model.CaseFilter{Q: "Peter"}, nil},
		{"partner with identity finds by name", model.CaseFilter{Q: "Mohammed"}, want(muhammad)},
		{"partner finds by reference", model.CaseFilter{Reference: mueller.Reference}, want(mueller)},
		{"partner finds the task's case by reference", model.CaseFilter{Reference: schmidt.Reference}, want(schmidt)},
		{"partner does not find an unrelated case by reference", model.CaseFilter{Reference: household.Reference}, nil},
		// References run F-YYYY-00001 to 00005: the prefix without the last digit matches
		// every case, of which the partner sees three.
		{"reference prefix", model.CaseFilter{Reference: mueller.Reference[:len(mueller.Reference)-1]}, want(mueller, muhammad, schmidt)},
		{"partner sees no area it was not referred", model.CaseFilter{Area: "housing"}, nil},
		{"partner filters by its referred area", model.CaseFilter{Area: "work", AreaStatus: model.AreaNotStarted}, want(mueller, muhammad)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			items, total := f.listAll(jc, tc.filter)
			if got := ids(items); !slices.Equal(got, tc.want) || int(total) != len(tc.want) {
				t.Errorf("found %d (total %d), want %d", len(got), total, len(tc.want))
			}
		})
	}

	t.Run("lead filters by area status", func(t *testing.T) {
		if _, err := f.svc.Cases.UpdateArea(f.ctx, a, household.ID, "housing", model.AreaStatusPatch{Status: cfPtr(model.AreaWaiting)}, 1); err != nil {
			t.Fatal(err)
		}
		items, total := f.listAll(a, model.CaseFilter{Area: "housing", AreaStatus: model.AreaWaiting})
		if got := ids(items); !slices.Equal(got, want(household)) || total != 1 {
			t.Errorf("found %d", len(got))
		}
		items, _ = f.listAll(a, model.CaseFilter{Status: model.CaseOpen, Q: "Rahimi"})
		if got := ids(items); !slices.Equal(got, want(household)) {
			t.Errorf("found %d", len(got))
		}
	})
}
