package service_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

// cfSeen summarises what a view shows, for table comparisons.
type cfSeen struct {
	full, summary bool
	areas         []string // plan rows
	persons       int
	names         bool // identity of the primary person
	contact       bool
	residence     bool
	languages     bool
}

func cfSummarise(v *model.CaseView) cfSeen {
	s := cfSeen{full: v.Access.Full, summary: v.Access.SummaryOnly, persons: len(v.Persons)}
	for _, p := range v.Plan {
		s.areas = append(s.areas, p.Area)
	}
	for _, p := range v.Persons {
		if p.SearchText != "" {
			panic("a view shows the search text")
		}
		s.names = s.names || p.FamilyName != ""
		s.contact = s.contact || p.Phone != "" || p.Email != "" || p.Address != ""
		s.residence = s.residence || p.ResidenceStatus != "" || p.ArrivalDate != nil || p.District != ""
		s.languages = s.languages || len(p.Languages) > 0
	}
	return s
}

var cfAllAreas = []string{"housing", "work", "schooling", "language", "health", "residence"}

// TestCaseAccessAndMasks: who sees a case, and how much of it, through every relation the
// authorization layer knows; and that ending the relation ends the access on the next call.
func TestCaseAccessAndMasks(t *testing.T) {
	t.Parallel()
	f := newCaseFixture(t)
	c := f.newCase(f.worker(), cfPerson("Müller", "Anna"), cfPerson("Müller", "Ben"))
	northCase := f.newCase(f.as(f.northWorker, f.north), cfPerson("Nord", "Nina"))
	_, consent := f.refer(c.ID, cfReferral{from: f.housing, to: f.jobcenter, areas: []string{"work"}, categories: []string{"identity"}})
	f.task(c.ID, f.diakonie, model.TaskOpen)

	full := cfSeen{full: true, areas: cfAllAreas, persons: 2, names: true, contact: true, residence: true, languages: true}
	for _, tc := range []struct {
		name    string
		user    uuid.UUID
		org     uuid.UUID
		caseID  uuid.UUID
		wantErr error
		want    cfSeen
	}{
		{"lead caseworker sees everything", f.housingWorker, f.housing, c.ID, nil, full},
		{"department head sees the case of the own department", f.housingLead, f.housing, c.ID, nil, full},
		{"department head sees the case of a unit below", f.housingLead, f.housing, northCase.ID, nil,
			cfSeen{full: true, areas: cfAllAreas, persons: 1, names: true, contact: true, residence: true, languages: true}},
		{"unit caseworker does not see the parent's case", f.northWorker, f.north, c.ID, model.ErrNotFound, cfSeen{}},
		{"recipient with consent for work and identity sees work and names", f.jobcenterWorker, f.jobcenter, c.ID, nil,
			cfSeen{areas: []string{"work"}, persons: 2, names: true}},
		{"recipient does not see another case", f.jobcenterWorker, f.jobcenter, northCase.ID, model.ErrNotFound, cfSeen{}},
		{"unrelated partner sees nothing", f.caritasWorker, f.caritas, c.ID, model.ErrNotFound, cfSeen{}},
		{"task holder sees a summary only", f.diakonieWorker, f.diakonie, c.ID, nil, cfSeen{summary: true}},
		{"system administrator sees no case content", f.sysadmin, f.city, c.ID, model.ErrNotFound, cfSeen{}},
		{"data protection officer sees no case content", f.dpo, f.city, c.ID, model.ErrNotFound, cfSeen{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := f.svc.Cases.Get(f.ctx, f.as(tc.user, tc.org), tc.caseID)
			cfWantErr(t, "get", err, tc.wantErr)
			if err != nil {
				return
			}
			if got := cfSummarise(v); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("sees %+v, want %+v", got, tc.want)
			}
			if v.Reference == "" || v.LeadOrgID == uuid.Nil || v.Status != model.CaseOpen {
				t.Errorf("the summary is incomplete: %+v", v)
			}
			if !v.Access.Full && (v.StatusReason != "" || v.District != "") {
				t.Errorf("a partner sees the reason or district: %+v", v)
			}
		})
	}

	t.Run("administrators cannot list cases", func(t *testing.T) {
		for _, u := range []uuid.UUID{f.sysadmin, f.dpo} {
			_, err := f.svc.Cases.List(f.ctx, f.as(u, f.city), model.CaseFilter{})
			cfWantErr(t, "list", err, model.ErrForbidden)
		}
	})

	jc := func() (*model.CaseView, error) {
		return f.svc.Cases.Get(f.ctx, f.as(f.jobcenterWorker, f.jobcenter), c.ID)
	}
	t.Run("revoking the consent ends access on the next call", func(t *testing.T) {
		if _, err := jc(); err != nil {
			t.Fatal(err)
		}
		f.exec(`UPDATE consents SET revoked_at = now() WHERE id = $1`, consent)
		_, err := jc()
		cfWantErr(t, "get after revocation", err, model.ErrNotFound)
		p, err := f.svc.Cases.List(f.ctx, f.as(f.jobcenterWorker, f.jobcenter), model.CaseFilter{})
		if err != nil || p.Total != 0 || len(p.Items) != 0 {
			t.Fatalf("list after revocation: %+v, %v", p, err)
		}
	})

	for _, tc := range []struct {
		status model.ReferralStatus
		sees   bool
	}{
		{model.ReferralSent, true}, {model.ReferralAccepted, true}, {model.ReferralInProgress, true},
		{model.ReferralDeclined, false}, {model.ReferralCompleted, false}, {model.ReferralWithdrawn, false},
		{model.ReferralExpired, false}, {model.ReferralRevoked, false},
	} {
		t.Run("referral "+string(tc.status), func(t *testing.T) {
			ref, _ := f.refer(c.ID, cfReferral{from: f.housing, to: f.caritas, areas: []string{"housing"}, status: tc.status, categories: []string{"identity", "contact"}})
			defer f.exec(`DELETE FROM referrals WHERE id = $1`, ref)
			v, err := f.svc.Cases.Get(f.ctx, f.as(f.caritasWorker, f.caritas), c.ID)
			if !tc.sees {
				cfWantErr(t, "get", err, model.ErrNotFound)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := cfSeen{areas: []string{"housing"}, persons: 2, names: true, contact: true}
			if got := cfSummarise(v); !reflect.DeepEqual(got, want) {
				t.Errorf("sees %+v, want %+v", got, want)
			}
		})
	}

	t.Run("consent out of its validity ends access", func(t *testing.T) {
		_, cons := f.refer(c.ID, cfReferral{from: f.housing, to: f.caritas, areas: []string{"housing"}, categories: []string{"identity"}})
		f.exec(`UPDATE consents SET valid_from = current_date - 30, valid_until = current_date - 1 WHERE id = $1`, cons)
		_, err := f.svc.Cases.Get(f.ctx, f.as(f.caritasWorker, f.caritas), c.ID)
		cfWantErr(t, "get", err, model.ErrNotFound)
		f.exec(`UPDATE referrals SET status = 'withdrawn' WHERE consent_id = $1`, cons)
	})

	t.Run("consent naming another recipient does not cover", func(t *testing.T) {
		_, cons := f.refer(c.ID, cfReferral{from: f.housing, to: f.caritas, areas: []string{"housing"}, categories: []string{"identity"}})
		f.exec(`UPDATE consent_recipients SET org_id = $1 WHERE consent_id = $2`, f.diakonie, cons)
		_, err := f.svc.Cases.Get(f.ctx, f.as(f.caritasWorker, f.caritas), c.ID)
		cfWantErr(t, "get", err, model.ErrNotFound)
		f.exec(`UPDATE referrals SET status = 'withdrawn' WHERE consent_id = $1`, cons)
	})

	t.Run("legal basis without consent releases the identity only", func(t *testing.T) {
		ref, _ := f.refer(c.ID, cfReferral{from: f.housing, to: f.caritas, areas: []string{"residence"}, legalBasis: "§ 71 AufenthG"})
		defer f.exec(`UPDATE referrals SET status = 'withdrawn' WHERE id = $1`, ref)
		v, err := f.svc.Cases.Get(f.ctx, f.as(f.caritasWorker, f.caritas), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := cfSeen{areas: []string{"residence"}, persons: 2, names: true}
		if got := cfSummarise(v); !reflect.DeepEqual(got, want) {
			t.Errorf("sees %+v, want %+v", got, want)
		}
		if !slices.Equal(v.Access.PersonCategories, []model.DataCategory{model.CategoryIdentity}) {
			t.Errorf("categories %v", v.Access.PersonCategories)
		}
	})

	t.Run("a consent for one person releases that person only", func(t *testing.T) {
		lead, err := f.svc.Cases.Get(f.ctx, f.worker(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		ben := lead.Persons[1].ID
		ref, _ := f.refer(c.ID, cfReferral{from: f.housing, to: f.caritas, areas: []string{"schooling"}, categories: []string{"identity", "languages"}, personID: &ben})
		defer f.exec(`UPDATE referrals SET status = 'withdrawn' WHERE id = $1`, ref)
		v, err := f.svc.Cases.Get(f.ctx, f.as(f.caritasWorker, f.caritas), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Persons) != 1 || v.Persons[0].ID != ben || v.Persons[0].GivenNames != "Ben" || len(v.Persons[0].Languages) == 0 || v.Persons[0].Phone != "" {
			t.Errorf("persons %+v", v.Persons)
		}
	})

	t.Run("a finished task ends the summary", func(t *testing.T) {
		f.exec(`UPDATE tasks SET status = 'done' WHERE org_id = $1`, f.diakonie)
		_, err := f.svc.Cases.Get(f.ctx, f.as(f.diakonieWorker, f.diakonie), c.ID)
		cfWantErr(t, "get", err, model.ErrNotFound)
	})
}

// TestCaseListsMatchSingleReads: for every actor, the list (all pages) holds exactly the
// cases a single read returns, the count agrees, and each item is masked exactly like the
// single read.
func TestCaseListsMatchSingleReads(t *testing.T) {
	t.Parallel()
	f := newCaseFixture(t)
	var housingCases, northCases []*model.CaseView
	for i := range 7 {
		housingCases = append(housingCases, f.newCase(f.worker(), cfPerson("Haus", string(rune('A'+i)))))
	}
	for i := range 4 {
		northCases = append(northCases, f.newCase(f.as(f.northWorker, f.north), cfPerson("Nord", string(rune('A'+i)))))
	}
	statuses := []model.ReferralStatus{model.ReferralSent, model.ReferralAccepted, model.ReferralInProgress, model.ReferralDeclined, model.ReferralCompleted}
	for i, c := range housingCases {
		f.refer(c.ID, cfReferral{from: f.housing, to: f.jobcenter, areas: []string{cfAllAreas[i%len(cfAllAreas)]}, status: statuses[i%len(statuses)], categories: []string{"identity", "contact"}[:1+i%2]})
	}
	f.refer(northCases[0].ID, cfReferral{from: f.north, to: f.jobcenter, areas: []string{"work", "language"}, legalBasis: "§ 16 SGB II"})
	f.refer(northCases[1].ID, cfReferral{from: f.north, to: f.caritas, areas: []string{"housing"}, categories: []string{"residence"}})
	f.task(housingCases[0].ID, f.diakonie, model.TaskOpen)
	f.task(housingCases[1].ID, f.diakonie, model.TaskDone)
	f.task(northCases[2].ID, f.diakonie, model.TaskWaiting)
	f.task(northCases[3].ID, f.jobcenter, model.TaskOpen)
	// A change, so that the sort key is not the creation order.
	if _, err := f.svc.Cases.Update(f.ctx, f.worker(), housingCases[2].ID, model.CasePatch{District: cfPtr("Wüste")}, 1); err != nil {
		t.Fatal(err)
	}

	all := f.allCaseIDs()
	for _, tc := range []struct {
		name      string
		user, org uuid.UUID
		want      int
	}{
		{"housing caseworker", f.housingWorker, f.housing, 7},
		{"housing department head", f.housingLead, f.housing, 11},
		{"unit caseworker", f.northWorker, f.north, 4},
		{"jobcenter", f.jobcenterWorker, f.jobcenter, 7}, // 5 active referrals, a legal basis, a task
		{"caritas", f.caritasWorker, f.caritas, 1},
		{"diakonie", f.diakonieWorker, f.diakonie, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := f.as(tc.user, tc.org)
			items, total := f.listAll(a, model.CaseFilter{})
			listed := map[uuid.UUID]model.CaseView{}
			for _, v := range items {
				if _, dup := listed[v.ID]; dup {
					t.Errorf("case %s listed twice", v.Reference)
				}
				listed[v.ID] = v
			}
			if int(total) != len(items) || len(items) != tc.want {
				t.Errorf("listed %d, total %d, want %d", len(items), total, tc.want)
			}
			for i := 1; i < len(items); i++ {
				prev, cur := items[i-1], items[i]
				if prev.UpdatedAt.Before(cur.UpdatedAt) || (prev.UpdatedAt.Equal(cur.UpdatedAt) && prev.ID.String() < cur.ID.String()) {
					t.Errorf("order broken at %d", i)
				}
			}
			gettable := 0
			for _, id := range all {
				v, err := f.svc.Cases.Get(f.ctx, a, id)
				l, inList := listed[id]
				switch {
				case err != nil && inList:
					t.Errorf("case %s is listed but not readable: %v", l.Reference, err)
				case err == nil && !inList:
					t.Errorf("case %s is readable but not listed", v.Reference)
				case err == nil:
					gettable++
					if !reflect.DeepEqual(*v, l) {
						t.Errorf("case %s: list and single read differ:\nlist %+v\nget  %+v", v.Reference, l, *v)
					}
				}
			}
			if gettable != len(items) {
				t.Errorf("%d readable, %d listed", gettable, len(items))
			}
			exported, err := f.svc.Cases.Export(f.ctx, a, model.CaseFilter{})
			if err != nil {
				t.Fatal(err)
			}
			if len(items) > 0 && !reflect.DeepEqual(exported, items) {
				t.Errorf("the export differs from the list:\nexport %+v\nlist   %+v", exported, items)
			}
		})
	}
}

func cfPtr[T any](v T) *T { return &v }
