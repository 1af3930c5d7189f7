package testutil

import (
	"io"
	"strings"
	"sync"
)

// LogBuffer collects log output safely from many goroutines (the server's logger writes while
// the test reads). Tests hand it to slog or to an app's stdout/stderr and read it with String.
type LogBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

var _ io.Writer = (*LogBuffer)(nil)

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
