package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Report is the outcome of a run. Latencies are in milliseconds.
type Report struct {
	Target   string       `json:"target"`
	Rate     float64      `json:"rate"`
	Duration string       `json:"duration"`
	Seed     uint64       `json:"seed"`
	Accounts map[Kind]int `json:"accounts"`
	// Routes are per route: the load, the floor, statements per request.
	Routes []RouteReport `json:"routes"`
	// Overall is the whole load; its Statements are all the process's statements (background
	// jobs included) divided by the requests.
	Overall Overall `json:"overall"`
	Memory  Memory  `json:"memory"`
	// Skipped names the routes of the mix no signed-in account could request.
	Skipped []string `json:"skipped,omitempty"`
	// SignInErrors are the accounts that could not sign in (left out of the run).
	SignInErrors []string `json:"sign_in_errors,omitempty"`
}

// RouteReport is one route's line.
type RouteReport struct {
	Name     string  `json:"name"`
	Request  string  `json:"request"`
	Weight   float64 `json:"weight"`
	Requests uint64  `json:"requests"`
	// Errors are the responses other than the route's success status (200, or 303 for a
	// write) and failed requests.
	Errors  uint64    `json:"errors"`
	Latency Latencies `json:"latency_ms"`
	// Floor says what the floor fetches; FloorLatency is its latencies (nil: no floor run).
	Floor         string     `json:"floor"`
	FloorRequests uint64     `json:"floor_requests"`
	FloorErrors   uint64     `json:"floor_errors"`
	FloorLatency  *Latencies `json:"floor_latency_ms,omitempty"`
	// FloorRows is the rows one floor transaction read, on average (a floor of no rows
	// measures nothing).
	FloorRows float64 `json:"floor_rows"`
	// P95Ratio is the route's p95 over its floor's p95.
	P95Ratio float64 `json:"p95_ratio,omitempty"`
	// Statements is the SQL statements one request ran (BEGIN and COMMIT included), from
	// lotse_db_queries_per_request.
	Statements float64 `json:"statements_per_request"`
	// ResponseKB is the size of the response body in KiB (of the requests that count the
	// statements).
	ResponseKB float64 `json:"response_kb"`
	FirstError string  `json:"first_error,omitempty"`
}

// Latencies are quantiles in milliseconds.
type Latencies struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// Overall is the whole load.
type Overall struct {
	Requests   uint64    `json:"requests"`
	Throughput float64   `json:"throughput"` // successful requests per second
	Latency    Latencies `json:"latency_ms"`
	Statements float64   `json:"statements_per_request"`
}

// Memory is the server's memory from /metrics, in MiB.
type Memory struct {
	RSSBeforeMB float64 `json:"rss_before_mb"`
	RSSMaxMB    float64 `json:"rss_max_mb"`
	RSSAfterMB  float64 `json:"rss_after_mb"`
	HeapAfterMB float64 `json:"heap_inuse_after_mb"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func latencies(l vegeta.LatencyMetrics) Latencies {
	return Latencies{P50: ms(l.P50), P95: ms(l.P95), P99: ms(l.P99), Max: ms(l.Max)}
}

func (r *Report) finish() {
	for i := range r.Routes {
		rr := &r.Routes[i]
		rr.ResponseKB = float64(int(rr.ResponseKB*10+0.5)) / 10
		if rr.FloorLatency != nil && rr.FloorLatency.P95 > 0 {
			rr.P95Ratio = float64(int(rr.Latency.P95/rr.FloorLatency.P95*10+0.5)) / 10
		}
	}
}

// WriteJSON writes the report as JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	return e.Encode(r)
}

// WriteTable writes the report as a table for people.
func (r *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "Lotse load harness: %s, %g requests/s for %s, accounts", r.Target, r.Rate, r.Duration)
	for _, k := range Kinds {
		fmt.Fprintf(w, " %s=%d", k, r.Accounts[k])
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "route\trequest\tn\terrors\tp50 ms\tp95 ms\tp99 ms\tfloor p50\tfloor p95\tfloor p99\tp95/floor\tfloor rows\tstmts/req\tKiB\t")
	for _, rr := range r.Routes {
		fp50, fp95, fp99, ratio, rows := "-", "-", "-", "-", "-"
		if f := rr.FloorLatency; f != nil {
			fp50, fp95, fp99, rows = num(f.P50), num(f.P95), num(f.P99), fmt.Sprintf("%.1f", rr.FloorRows)
			if rr.P95Ratio > 0 {
				ratio = fmt.Sprintf("%.1f×", rr.P95Ratio)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t%.1f\t\n", rr.Name, rr.Request, rr.Requests, rr.Errors+rr.FloorErrors,
			num(rr.Latency.P50), num(rr.Latency.P95), num(rr.Latency.P99), fp50, fp95, fp99, ratio, rows, rr.Statements, rr.ResponseKB)
	}
	o := r.Overall
	fmt.Fprintf(tw, "all\t\t%d\t\t%s\t%s\t%s\t\t\t\t\t\t%.1f\t\t\n", o.Requests, num(o.Latency.P50), num(o.Latency.P95), num(o.Latency.P99), o.Statements)
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nthroughput %.1f successful requests/s; server memory (RSS) %.1f MiB before, %.1f MiB max, %.1f MiB after; Go heap in use after %.1f MiB\n",
		o.Throughput, r.Memory.RSSBeforeMB, r.Memory.RSSMaxMB, r.Memory.RSSAfterMB, r.Memory.HeapAfterMB)
	fmt.Fprintln(w, "floor: what each route's floor fetches (bare pgx, one transaction)")
	for _, rr := range r.Routes {
		fmt.Fprintf(w, "  %-7s %s\n", rr.Name, rr.Floor)
	}
	for _, rr := range r.Routes {
		if rr.FirstError != "" {
			fmt.Fprintf(w, "first error of %s: %s\n", rr.Name, rr.FirstError)
		}
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(w, "skipped %s\n", s)
	}
	for _, e := range r.SignInErrors {
		fmt.Fprintf(w, "not signed in: %s\n", e)
	}
	return nil
}

func num(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}
