package web

import (
	"testing"

	"github.com/lotse-project/lotse/internal/testutil"
)

// TestMain stops a throwaway PostgreSQL cluster after the package's tests (internal and
// web_test alike), if the harness had to start one.
func TestMain(m *testing.M) { testutil.Main(m) }
