package authz_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/authz"
	"github.com/lotse-project/lotse/internal/model"
)

// The size of the city the benchmarks model: 300 organisations, 5,000 users.
const (
	benchOrgs  = 300
	benchUsers = 5000
)

// request is one permission question as a handler would ask it.
type request struct {
	user, org uuid.UUID
	obj, act  string
}

// citySnapshot builds a city in memory: one city administration with 30 departments of 5
// units each, 20 partner organisations with 99 local offices between them (300 in all), and
// 5,000 users with one or two grants each, most of them caseworkers. The seed is fixed, so
// every run measures the same city.
func citySnapshot() (authz.Snapshot, []request) {
	rng := rand.New(rand.NewPCG(1, 2))
	id := func() uuid.UUID {
		var u uuid.UUID
		for i := range u {
			u[i] = byte(rng.UintN(256))
		}
		u[6], u[8] = u[6]&0x0f|0x40, u[8]&0x3f|0x80
		return u
	}
	var snap authz.Snapshot
	add := func(kind model.OrgKind, parent *uuid.UUID) uuid.UUID {
		o := model.Organisation{ID: id(), ParentID: parent, Kind: kind, Active: true}
		snap.Orgs = append(snap.Orgs, o)
		return o.ID
	}
	city := add(model.OrgMunicipal, nil)
	for range 30 {
		dept := add(model.OrgMunicipal, &city)
		for range 5 {
			add(model.OrgMunicipal, &dept)
		}
	}
	partnerKinds := []model.OrgKind{model.OrgJobcenter, model.OrgWelfare, model.OrgSchool, model.OrgCivilSociety}
	var partners []uuid.UUID
	for i := range 20 {
		partners = append(partners, add(partnerKinds[i%len(partnerKinds)], nil))
	}
	for i := 0; len(snap.Orgs) < benchOrgs; i++ {
		p := partners[i%len(partners)]
		add(partnerKinds[i%len(partnerKinds)], &p)
	}
	role := func() model.Role {
		switch n := rng.IntN(100); {
		case n < 80:
			return model.RoleCaseworker
		case n < 92:
			return model.RoleLead
		case n < 97:
			return model.RoleOrgAdmin
		case n < 99:
			return model.RoleCoordinator
		case rng.IntN(2) == 0:
			return model.RoleSysadmin
		default:
			return model.RoleDPO
		}
	}
	questions := [][2]string{
		{"case", "read"}, {"case", "create"}, {"task", "read"}, {"task", "update"}, {"referral", "read"},
		{"referral", "answer"}, {"note", "create"}, {"member", "read"}, {"organisation", "read"}, {"audit", "read"},
	}
	var reqs []request
	for range benchUsers {
		u := id()
		orgs := []uuid.UUID{snap.Orgs[rng.IntN(len(snap.Orgs))].ID}
		if rng.IntN(4) == 0 { // a quarter also hold a role in a second organisation
			orgs = append(orgs, snap.Orgs[rng.IntN(len(snap.Orgs))].ID)
		}
		for _, o := range orgs {
			g := model.Grant{ID: id(), UserID: u, OrgID: o, Role: role()}
			snap.Grants = append(snap.Grants, g)
			for range 2 {
				q := questions[rng.IntN(len(questions))]
				reqs = append(reqs, request{user: u, org: o, obj: q[0], act: q[1]})
			}
		}
	}
	rng.Shuffle(len(reqs), func(i, j int) { reqs[i], reqs[j] = reqs[j], reqs[i] })
	return snap, reqs
}

func benchEnforcer(b *testing.B) (*authz.Enforcer, []request) {
	b.Helper()
	snap, reqs := citySnapshot()
	en, err := authz.New(context.Background(), func(context.Context) (authz.Snapshot, error) { return snap, nil })
	if err != nil {
		b.Fatal(err)
	}
	return en, reqs
}

// warmCity is the benchmark city's enforcer with every question answered once, built once
// per test process: warming the cache costs seconds, and the cached benchmarks share it.
var warmCity = sync.OnceValues(func() (*authz.Enforcer, []request) {
	snap, reqs := citySnapshot()
	en, err := authz.New(context.Background(), func(context.Context) (authz.Snapshot, error) { return snap, nil })
	if err != nil {
		panic(err)
	}
	for _, r := range reqs {
		if _, err := en.Scope(r.user, r.org, r.obj, r.act); err != nil {
			panic(err)
		}
	}
	return en, reqs
})

// BenchmarkScopeCached: one Scope call (six Casbin decisions, one per scope kind) with a
// warm cache, cycling through about 12,500 questions of different users.
func BenchmarkScopeCached(b *testing.B) {
	en, reqs := warmCity()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := reqs[i%len(reqs)]
		if _, err := en.Scope(r.user, r.org, r.obj, r.act); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkScopeCachedParallel is BenchmarkScopeCached from all cores at once, as under load.
func BenchmarkScopeCachedParallel(b *testing.B) {
	en, reqs := warmCity()
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := rand.IntN(len(reqs))
		for pb.Next() {
			r := reqs[i%len(reqs)]
			if _, err := en.Scope(r.user, r.org, r.obj, r.act); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
}

// BenchmarkScopeUncached: the same questions with the decision cache switched off, i.e. the
// first question after a reload.
func BenchmarkScopeUncached(b *testing.B) {
	en, reqs := benchEnforcer(b)
	en.EnableCache(false)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		r := reqs[i%len(reqs)]
		if _, err := en.Scope(r.user, r.org, r.obj, r.act); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkReload: replacing the whole policy (300 organisations, about 6,250 grants) as the
// watcher does on every grant change; the database read is not included.
func BenchmarkReload(b *testing.B) {
	en, _ := benchEnforcer(b)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := en.Reload(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
