package api

import (
	"strings"
	"testing"
)

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
