package api

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedCodeIsCurrent regenerates the server code from openapi.yaml into a temporary
// file and fails when api.gen.go differs: run `go generate ./internal/api` after changing the
// spec.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	cfg, err := os.ReadFile("oapi-codegen.yaml")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "api.gen.go")
	if !bytes.Contains(cfg, []byte("\noutput: api.gen.go\n")) {
		t.Fatal("oapi-codegen.yaml no longer writes api.gen.go; adjust this test")
	}
	tmpCfg := filepath.Join(t.TempDir(), "oapi-codegen.yaml")
	if err := os.WriteFile(tmpCfg, bytes.Replace(cfg, []byte("\noutput: api.gen.go\n"), []byte("\noutput: "+out+"\n"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "tool", "oapi-codegen", "-config", tmpCfg, "openapi.yaml")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("oapi-codegen: %v\n%s", err, b)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("api.gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("api.gen.go is stale: run `go generate ./internal/api` (first difference at line %d)", firstDiffLine(got, want))
	}
}

func firstDiffLine(a, b []byte) int {
	al, bl := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return i + 1
		}
	}
	return min(len(al), len(bl)) + 1
}

func TestIfMatch(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
		ok   bool
	}{
		{`"3"`, 3, true},
		{`W/"12"`, 12, true},
		{`7`, 7, true},
		{` "4" `, 4, true},
		{`*`, 0, false},
		{`"0"`, 0, false},
		{`"-1"`, 0, false},
		{`"abc"`, 0, false},
		{`"3", "4"`, 0, false},
		{``, 0, false},
	} {
		got, err := ifMatch(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ifMatch(%q) = %d, %v; want %d, ok=%t", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestSpecAndEchoPaths(t *testing.T) {
	doc, err := LoadSpec()
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Servers) != 1 || doc.Servers[0].URL != BasePath {
		t.Fatalf("openapi.yaml servers must be exactly %s", BasePath)
	}
	if got := EchoPath("/organisations/{id}"); got != "/api/v1/organisations/:id" {
		t.Fatalf("EchoPath: %s", got)
	}
	seen := map[string]bool{}
	for _, op := range Operations(doc) {
		if op.ID == "" || seen[op.ID] {
			t.Errorf("operation %s %s has no or a repeated operationId", op.Method, op.Path)
		}
		seen[op.ID] = true
	}
	// Every request body rejects unknown properties, so that server-owned fields (id,
	// version, timestamps) cannot be set.
	for name, s := range doc.Components.Schemas {
		if strings.HasSuffix(name, "Create") || strings.HasSuffix(name, "Patch") {
			if ap := s.Value.AdditionalProperties.Has; ap == nil || *ap {
				t.Errorf("schema %s must have additionalProperties: false", name)
			}
		}
	}
}
