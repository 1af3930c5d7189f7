package authn

import (
	"net/url"
	"strings"
	"testing"
)

func TestSafeReturn(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "/"},
		{"root", "/", "/"},
		{"local path", "/cases", "/cases"},
		{"query kept, fragment dropped", "/ok?a=b#frag", "/ok?a=b"},
		{"escaped path kept", "/f%C3%A4lle/a%20b", "/f%C3%A4lle/a%20b"},
		{"escaped slashes stay escaped", "/%2F%2Fevil.example", "/%2F%2Fevil.example"},
		{"protocol-relative", "//evil.example/x", "/"},
		{"protocol-relative, three slashes", "///evil.example", "/"},
		{"backslash after slash", "/\\evil.example", "/"},
		{"backslashes only", "\\\\evil.example", "/"},
		{"backslash later in path", "/a\\b", "/"},
		{"absolute https", "https://evil.example", "/"},
		{"absolute http with path", "http://evil.example/login", "/"},
		{"scheme without slashes", "https:evil.example", "/"},
		{"javascript", "javascript:alert(1)", "/"},
		{"data URL", "data:text/html,<script>alert(1)</script>", "/"},
		{"escaped protocol-relative", "%2F%2Fevil.example", "/"},
		{"relative path", "cases/1", "/"},
		{"tab", "/\t/evil.example", "/"},
		{"newline (header injection)", "/x\r\nSet-Cookie: a=b", "/"},
		{"NUL", "/x\x00y", "/"},
		{"user info lookalike stays a path", "/@evil.example", "/@evil.example"},
		{"unicode slash lookalike is a path", "/\u2215evil.example", "/%E2%88%95evil.example"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := SafeReturn(tc.in)
			if got != tc.want {
				t.Fatalf("SafeReturn(%q) = %q, want %q", tc.in, got, tc.want)
			}
			// Whatever comes out resolves to this host.
			base, _ := url.Parse("https://lotse.stadt.example/start")
			u, err := base.Parse(got)
			if err != nil || u.Host != base.Host || u.Scheme != base.Scheme || strings.ContainsAny(got, "\\\r\n\t\x00") {
				t.Fatalf("SafeReturn(%q) = %q leaves the host", tc.in, got)
			}
			if again := SafeReturn(got); again != got {
				t.Fatalf("not idempotent: %q -> %q -> %q", tc.in, got, again)
			}
		})
	}
}

// FuzzSafeReturn: for any input, the result is a local path that a browser resolves on
// Lotse's own host.
func FuzzSafeReturn(f *testing.F) {
	for _, s := range []string{"", "/", "//x", "/\\x", "https://x", "/a?b#c", "/%2F%2Fx", "\\/x", "/./x", "/..//x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := SafeReturn(in)
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.HasPrefix(got, "/\\") || strings.ContainsAny(got, "\\\r\n\t") {
			t.Fatalf("SafeReturn(%q) = %q", in, got)
		}
		base, _ := url.Parse("https://lotse.stadt.example/")
		if u, err := base.Parse(got); err != nil || u.Host != base.Host {
			t.Fatalf("SafeReturn(%q) = %q leaves the host", in, got)
		}
	})
}
