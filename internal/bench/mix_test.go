package bench

import "testing"

// TestParseMix: a mix names known routes with weights of 0 or more; anything else is refused
// with a message naming the part.
func TestParseMix(t *testing.T) {
	t.Parallel()
	m, err := ParseMix("start=2, tasks=0.5,note=0")
	if err != nil || len(m) != 3 || m["start"] != 2 || m["tasks"] != 0.5 || m["note"] != 0 {
		t.Errorf("ParseMix = %v, %v", m, err)
	}
	for _, bad := range []string{"", "start", "start=x", "start=-1", "nosuch=1", "start=1,=2"} {
		if m, err := ParseMix(bad); err == nil {
			t.Errorf("ParseMix(%q) = %v, want an error", bad, m)
		}
	}
}
