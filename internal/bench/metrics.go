package bench

import (
	"context"
	"fmt"
	"net/http"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape is one reading of the server's /metrics.
type scrape struct {
	queriesTotal float64
	// perRequest is lotse_db_queries_per_request's sum and count by "METHOD pattern".
	perRequest map[string][2]float64
	rss, heap  float64
}

func readMetrics(ctx context.Context, base string) (*scrape, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("bench: /metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("bench: /metrics answered %d (is LOTSE_METRICS off?)", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("bench: /metrics: %w", err)
	}
	s := &scrape{perRequest: map[string][2]float64{}}
	one := func(name string) float64 {
		f := fams[name]
		if f == nil || len(f.Metric) == 0 {
			return 0
		}
		m := f.Metric[0]
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		}
		return 0
	}
	s.queriesTotal = one("lotse_db_queries_total")
	s.rss = one("process_resident_memory_bytes")
	s.heap = one("go_memstats_heap_inuse_bytes")
	if f := fams["lotse_db_queries_per_request"]; f != nil {
		for _, m := range f.Metric {
			s.perRequest[label(m, "method")+" "+label(m, "url")] = [2]float64{m.Histogram.GetSampleSum(), float64(m.Histogram.GetSampleCount())}
		}
	}
	return s, nil
}

func label(m *dto.Metric, name string) string {
	for _, l := range m.Label {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}
