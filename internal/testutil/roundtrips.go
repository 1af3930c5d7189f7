package testutil

import (
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
)

// RoundTrips is a TCP proxy between a Lotse under test and its PostgreSQL server that counts
// the database round trips on the wire: every time a client sends after the server has
// answered (or first on a connection), that is one more round trip, however many statements
// the client packed into the message (a pipeline, BEGIN folded into a statement). It sees
// what no statement tracer sees: BEGIN and COMMIT, prepares of new statements, the pings a
// pool sends before reusing an idle connection. It changes nothing in the code under test;
// only the URL it connects to.
type RoundTrips struct {
	ln     net.Listener
	target string
	n      atomic.Int64
	wg     sync.WaitGroup
	mu     sync.Mutex
	conns  []net.Conn
}

// NewRoundTrips starts a counting proxy to the server of dbURL and returns it with the URL
// that connects through it; it stops when the test ends.
func NewRoundTrips(t testing.TB, dbURL string) (*RoundTrips, string) {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil || u.Host == "" {
		t.Fatalf("testutil: round trips: the database URL needs a host and port")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testutil: round trips: %v", err)
	}
	p := &RoundTrips{ln: ln, target: u.Host}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.close)
	u.Host = ln.Addr().String()
	return p, u.String()
}

// Count is the number of round trips so far.
func (p *RoundTrips) Count() int64 { return p.n.Load() }

// During returns the round trips that fn caused (nothing else may use the database meanwhile).
func (p *RoundTrips) During(fn func()) int64 {
	before := p.Count()
	fn()
	return p.Count() - before
}

// Steady returns the round trips of one steady request fn: after two runs that prepare the
// connection's statements (a one-time cost per connection), the fewest of three counted runs,
// since a pool pings a connection it reuses after a second idle, which is the pool's upkeep,
// not the request's.
func (p *RoundTrips) Steady(fn func()) int64 {
	fn()
	fn()
	best := int64(-1)
	for range 3 {
		if n := p.During(fn); best < 0 || n < best {
			best = n
		}
	}
	return best
}

func (p *RoundTrips) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, s)
		p.mu.Unlock()
		// answered: the server spoke last, so the client's next message starts a round trip.
		answered := &atomic.Bool{}
		answered.Store(true)
		p.wg.Add(2)
		go p.pipe(s, c, func() {
			if answered.Swap(false) {
				p.n.Add(1)
			}
		})
		go p.pipe(c, s, func() { answered.Store(true) })
	}
}

// pipe copies from src to dst, calling seen before forwarding each chunk read.
func (p *RoundTrips) pipe(dst, src net.Conn, seen func()) {
	defer p.wg.Done()
	buf := make([]byte, 32*1024)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			seen()
			if _, werr := dst.Write(buf[:n]); werr != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	// Either side ending ends both.
	_ = dst.Close()
	_ = src.Close()
}

func (p *RoundTrips) close() {
	_ = p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}
