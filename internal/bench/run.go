package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Config is one run of the harness.
type Config struct {
	// BaseURL is the running Lotse (its LOTSE_BASE_URL).
	BaseURL string
	// Pool is the database Lotse serves from, for the accounts, the routes' parameters and
	// the floor.
	Pool *pgxpool.Pool
	// Accounts yields the accounts to sign in; nil: DBAccounts on Pool.
	Accounts AccountSource
	// PerKind is how many accounts of every kind sign in.
	PerKind int
	// Rate is requests per second, Duration how long the load (and then the floor) runs.
	Rate     float64
	Duration time.Duration
	// Mix is the weight of every route by name; nil: the routes' default weights. A route
	// missing from a given mix, or with weight 0, is not requested.
	Mix map[string]float64
	// NoFloor skips the floor phase.
	NoFloor bool
	// Probe is how many requests per route measure statements per request (one at a time,
	// before the load); 0: 3.
	Probe int
	// Seed makes the sequence of requests repeatable.
	Seed uint64
	// Log receives progress lines; nil: none.
	Log io.Writer
}

// ParseMix reads a mix like "start=2,tasks=3,note=0.5".
func ParseMix(s string) (map[string]float64, error) {
	out := map[string]float64{}
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, w, ok := strings.Cut(part, "=")
		var weight float64
		if _, err := fmt.Sscanf(w, "%g", &weight); !ok || err != nil || weight < 0 {
			return nil, fmt.Errorf("mix: %q is not route=weight with a weight of 0 or more", part)
		}
		if !slices.Contains(RouteNames(), name) {
			return nil, fmt.Errorf("mix: unknown route %q (routes: %s)", name, strings.Join(RouteNames(), ", "))
		}
		out[name] = weight
	}
	if len(out) == 0 {
		return nil, errors.New("mix: no route given")
	}
	return out, nil
}

// active is a route of this run with the sessions that request it.
type active struct {
	Route
	weight   float64
	sessions []*Session
	n        uint64
}

// picker draws the next request: a route by weight, then the route's sessions in turn.
type picker struct {
	mu     sync.Mutex
	rng    *rand.Rand
	routes []*active
	total  float64
}

type pick struct {
	route      *active
	s          *Session
	path, arg  string
	body       []byte
	contentTyp string
}

func newPicker(routes []*active, seed uint64) *picker {
	p := &picker{rng: rand.New(rand.NewPCG(seed, 0x6c6f747365)), routes: routes}
	for _, r := range routes {
		r.n = 0
		p.total += r.weight
	}
	return p
}

func (p *picker) next() pick {
	p.mu.Lock()
	defer p.mu.Unlock()
	x := p.rng.Float64() * p.total
	r := p.routes[len(p.routes)-1]
	for _, c := range p.routes {
		if x < c.weight {
			r = c
			break
		}
		x -= c.weight
	}
	s := r.sessions[r.n%uint64(len(r.sessions))]
	i := r.n / uint64(len(r.sessions))
	r.n++
	path, form, arg, _ := r.call(s, i)
	pk := pick{route: r, s: s, path: path, arg: arg}
	if form != nil {
		pk.body, pk.contentTyp = []byte(form.Encode()), "application/x-www-form-urlencoded"
	}
	return pk
}

// Run signs in, measures statements per request, runs the load and then the floor, and
// reports.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	base := strings.TrimSuffix(cfg.BaseURL, "/")
	logf := func(format string, a ...any) {
		if cfg.Log != nil {
			fmt.Fprintf(cfg.Log, format+"\n", a...)
		}
	}
	if cfg.Rate <= 0 || cfg.Duration <= 0 {
		return nil, errors.New("bench: rate and duration must be positive")
	}
	if cfg.PerKind <= 0 {
		cfg.PerKind = 10
	}
	if cfg.Probe <= 0 {
		cfg.Probe = 3
	}
	src := cfg.Accounts
	if src == nil {
		src = DBAccounts{Pool: cfg.Pool}
	}
	accounts, err := src.Accounts(ctx, cfg.PerKind)
	if err != nil {
		return nil, err
	}
	if len(accounts) == 0 {
		return nil, errors.New("bench: no accounts to sign in (is the database seeded?)")
	}
	logf("signing in %d accounts at %s", len(accounts), base)
	sessions, failed, err := signInAll(ctx, base, cfg.Pool, accounts)
	if err != nil {
		return nil, err
	}

	rep := &Report{Target: base, Rate: cfg.Rate, Duration: cfg.Duration.String(), Accounts: map[Kind]int{}, Seed: cfg.Seed, SignInErrors: failed}
	for _, s := range sessions {
		rep.Accounts[s.Account.Kind]++
	}
	var routes []*active
	for _, r := range Routes {
		w := r.Weight
		if cfg.Mix != nil {
			w = cfg.Mix[r.Name]
		}
		if w <= 0 {
			continue
		}
		a := &active{Route: r, weight: w}
		for _, s := range sessions {
			if _, _, _, ok := r.call(s, 0); ok && slices.Contains(r.Kinds, s.Account.Kind) {
				a.sessions = append(a.sessions, s)
			}
		}
		if len(a.sessions) == 0 {
			rep.Skipped = append(rep.Skipped, r.Name+": no signed-in account of kind "+kindList(r.Kinds)+" with what it needs")
			continue
		}
		routes = append(routes, a)
	}
	if len(routes) == 0 {
		return nil, errors.New("bench: no route of the mix has an account")
	}
	byName := map[string]*RouteReport{}
	rep.Routes = make([]RouteReport, 0, len(routes)) // no growth: byName points into it
	for _, r := range routes {
		rep.Routes = append(rep.Routes, RouteReport{Name: r.Name, Request: r.Method + " " + r.Pattern, Weight: r.weight, Floor: r.Floor})
		byName[r.Name] = &rep.Routes[len(rep.Routes)-1]
	}

	logf("counting SQL statements per request (%d requests per route, one at a time)", cfg.Probe)
	if err := probe(ctx, base, routes, cfg.Probe, byName); err != nil {
		return nil, err
	}

	logf("load: %g requests/s for %s", cfg.Rate, cfg.Duration)
	if err := load(ctx, base, cfg, routes, byName, rep); err != nil {
		return nil, err
	}
	if !cfg.NoFloor {
		logf("floor: the same mix by bare pgx, %g/s for %s", cfg.Rate, cfg.Duration)
		floorPhase(ctx, cfg, routes, byName)
	}
	rep.finish()
	return rep, nil
}

func kindList(ks []Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, "/")
}

// signInAll signs the accounts in, four at a time, and reads what their routes need.
// Accounts that fail (e.g. unknown to the identity provider) are left out and their errors
// returned as failed; none signed in is an error.
func signInAll(ctx context.Context, base string, pool *pgxpool.Pool, accounts []Account) ([]*Session, []string, error) {
	out := make([]*Session, len(accounts))
	errs := make([]error, len(accounts))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, a := range accounts {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			s, err := signIn(ctx, base, a)
			if err == nil {
				s.params, err = loadParams(ctx, pool, a)
			}
			out[i], errs[i] = s, err
		})
	}
	wg.Wait()
	var ok []*Session
	var failed []string
	for i, s := range out {
		if s != nil {
			ok = append(ok, s)
		} else {
			failed = append(failed, errs[i].Error())
		}
	}
	if len(ok) == 0 {
		return nil, nil, errors.Join(errs...)
	}
	return ok, failed, nil
}

// request builds the HTTP request of a pick.
func (pk pick) target(base string) vegeta.Target {
	h := http.Header{"Cookie": {pk.s.Cookie}}
	if pk.contentTyp != "" {
		h.Set("Content-Type", pk.contentTyp)
	}
	return vegeta.Target{Method: pk.route.Method, URL: base + pk.path, Body: pk.body, Header: h}
}

// probe sends every route's request n times, one at a time, and reads from /metrics how many
// statements they ran.
func probe(ctx context.Context, base string, routes []*active, n int, byName map[string]*RouteReport) error {
	c := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, r := range routes {
		before, err := readMetrics(ctx, base)
		if err != nil {
			return err
		}
		one := &picker{routes: []*active{r}, total: 1, rng: rand.New(rand.NewPCG(1, 2))}
		for range n {
			t := one.next().target(base)
			req, err := t.Request()
			if err != nil {
				return err
			}
			resp, body, err := do(c, req.WithContext(ctx))
			if err != nil {
				return fmt.Errorf("bench: %s: %w", r.Name, err)
			}
			if resp.StatusCode != r.Want {
				return fmt.Errorf("bench: %s %s answered %d, want %d", r.Method, t.URL, resp.StatusCode, r.Want)
			}
			byName[r.Name].ResponseKB += float64(len(body)) / 1024 / float64(n)
		}
		after, err := readMetrics(ctx, base)
		if err != nil {
			return err
		}
		key := r.Method + " " + r.Pattern
		if cnt := after.perRequest[key][1] - before.perRequest[key][1]; cnt > 0 {
			byName[r.Name].Statements = (after.perRequest[key][0] - before.perRequest[key][0]) / cnt
		}
	}
	return nil
}

// load is the HTTP phase: vegeta at a constant rate, results by route, the server's memory
// sampled every second.
func load(ctx context.Context, base string, cfg Config, routes []*active, byName map[string]*RouteReport, rep *Report) error {
	before, err := readMetrics(ctx, base)
	if err != nil {
		return err
	}
	rep.Memory.RSSBeforeMB = mb(before.rss)
	var names sync.Map // "METHOD URL" -> route name
	p := newPicker(routes, cfg.Seed)
	targeter := func(t *vegeta.Target) error {
		pk := p.next()
		*t = pk.target(base)
		names.Store(t.Method+" "+t.URL, pk.route.Name)
		return nil
	}
	atk := vegeta.NewAttacker(vegeta.Redirects(vegeta.NoFollow), vegeta.Timeout(30*time.Second), vegeta.MaxBody(0), vegeta.KeepAlive(true))
	sampleCtx, stopSampling := context.WithCancel(ctx)
	var maxRSS float64
	var sampled sync.WaitGroup
	sampled.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-sampleCtx.Done():
				return
			case <-tick.C:
				if m, err := readMetrics(sampleCtx, base); err == nil && m.rss > maxRSS {
					maxRSS = m.rss
				}
			}
		}
	})
	metrics := map[string]*vegeta.Metrics{}
	var all vegeta.Metrics
	results := atk.Attack(targeter, vegeta.Rate{Freq: int(cfg.Rate*100 + 0.5), Per: 100 * time.Second}, cfg.Duration, "lotse")
	for res := range results {
		if ctx.Err() != nil {
			atk.Stop()
		}
		v, _ := names.Load(res.Method + " " + res.URL)
		name, _ := v.(string)
		rr := byName[name]
		if rr == nil {
			continue
		}
		if metrics[name] == nil {
			metrics[name] = &vegeta.Metrics{}
		}
		metrics[name].Add(res)
		all.Add(res)
		rr.Requests++
		if want := routeWant(routes, name); int(res.Code) != want {
			rr.Errors++
			if rr.FirstError == "" {
				rr.FirstError = fmt.Sprintf("%s: status %d %s", res.URL, res.Code, res.Error)
			}
		}
	}
	stopSampling()
	sampled.Wait()
	after, err := readMetrics(ctx, base)
	if err != nil {
		return err
	}
	for name, m := range metrics {
		m.Close()
		byName[name].Latency = latencies(m.Latencies)
	}
	all.Close()
	rep.Overall = Overall{Requests: all.Requests, Throughput: all.Throughput, Latency: latencies(all.Latencies)}
	if all.Requests > 0 {
		rep.Overall.Statements = (after.queriesTotal - before.queriesTotal) / float64(all.Requests)
	}
	rep.Memory.RSSMaxMB, rep.Memory.RSSAfterMB, rep.Memory.HeapAfterMB = mb(max(before.rss, maxRSS, after.rss)), mb(after.rss), mb(after.heap)
	return nil
}

func routeWant(routes []*active, name string) int {
	for _, r := range routes {
		if r.Name == name {
			return r.Want
		}
	}
	return 0
}

// floorPhase runs the same mix at the same rate by bare pgx on the pool.
func floorPhase(ctx context.Context, cfg Config, routes []*active, byName map[string]*RouteReport) {
	warmUp(ctx, cfg.Pool, routes)
	p := newPicker(routes, cfg.Seed)
	n := int(cfg.Rate * cfg.Duration.Seconds())
	interval := time.Duration(float64(time.Second) / cfg.Rate)
	var mu sync.Mutex
	metrics := map[string]*vegeta.Metrics{}
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		if d := time.Until(start.Add(time.Duration(i) * interval)); d > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
		if ctx.Err() != nil {
			break
		}
		pk := p.next()
		wg.Go(func() {
			t0 := time.Now()
			rows, err := pk.route.floor(ctx, cfg.Pool, pk.s, pk.arg)
			res := &vegeta.Result{Timestamp: t0, Latency: time.Since(t0), Code: 200}
			if err != nil {
				res.Code, res.Error = 0, err.Error()
			}
			mu.Lock()
			defer mu.Unlock()
			if metrics[pk.route.Name] == nil {
				metrics[pk.route.Name] = &vegeta.Metrics{}
			}
			metrics[pk.route.Name].Add(res)
			rr := byName[pk.route.Name]
			rr.FloorRequests++
			rr.FloorRows += float64(rows)
			if err != nil {
				rr.FloorErrors++
				if rr.FirstError == "" {
					rr.FirstError = "floor: " + err.Error()
				}
			}
		})
	}
	wg.Wait()
	for name, m := range metrics {
		m.Close()
		l := latencies(m.Latencies)
		rr := byName[name]
		rr.FloorLatency = &l
		rr.FloorRows = float64(int(rr.FloorRows/float64(rr.FloorRequests)*10+0.5)) / 10
	}
}

// warmUp opens the floor pool's connections and runs every route's floor once, unmeasured,
// so that the floor is not charged with connecting and planning for the first time (the
// server's pool is warm from the probe and the load).
func warmUp(ctx context.Context, pool *pgxpool.Pool, routes []*active) {
	var conns []*pgxpool.Conn
	for range pool.Config().MaxConns {
		c, err := pool.Acquire(ctx)
		if err != nil {
			break
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.Release()
	}
	for _, r := range routes {
		for _, s := range r.sessions {
			_, _, arg, _ := r.call(s, 0)
			_, _ = r.floor(ctx, pool, s, arg)
		}
	}
}

func mb(b float64) float64 { return float64(int(b/(1<<20)*10+0.5)) / 10 }
