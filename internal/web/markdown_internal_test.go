package web

import (
	"strings"
	"testing"

	"github.com/lotse-project/lotse/docs"
	"github.com/lotse-project/lotse/internal/locale"
	"github.com/lotse-project/lotse/internal/service"
	"github.com/lotse-project/lotse/ui"
)

// TestRenderDocument: a generated document becomes KERN HTML: its editors' comment and any
// raw HTML gone, headings, paragraphs, lists, links and tables with their KERN classes, every
// table in a scrollable region a keyboard reaches, named after the heading above it.
func TestRenderDocument(t *testing.T) {
	md := "<!-- Generated; do not edit. -->\n\n# Titel\n\nText mit [Link](https://example.org) und <b>roh</b>.\n\n" +
		"- eins\n- zwei\n\n## Spalten & Regeln\n\n| A | B |\n| --- | --- |\n| `x` | y |\n\n### Danach\n\n1. erst\n"
	got, err := renderDocument(md, "Tabelle: %s")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`<h1 id="titel" class="kern-heading-large">Titel</h1>`,
		`<p class="kern-body">Text mit <a href="https://example.org" class="kern-link">Link</a>`,
		`<ul class="kern-list kern-list--bullet">`,
		`<h2 id="spalten--regeln" class="kern-heading-medium">Spalten &amp; Regeln</h2>`,
		`<div class="kern-table-responsive" role="region" tabindex="0" aria-label="Tabelle: Spalten &amp; Regeln"><table class="kern-table kern-table--small">`,
		`<tr class="kern-table__row">`,
		`<th scope="col" class="kern-table__header">A</th>`,
		`<td class="kern-table__cell"><code>x</code></td>`,
		"</table></div>",
		`<h3 id="danach" class="kern-heading-small">Danach</h3>`,
		`<ol class="kern-list kern-list--number">`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in\n%s", want, got)
		}
	}
	for _, bad := range []string{"Generated", "<b>", "do not edit"} {
		if strings.Contains(got, bad) {
			t.Errorf("%q passed into\n%s", bad, got)
		}
	}
	for name, d := range map[string]string{"permissions": docs.Permissions, "record": docs.ProcessingRecord, "deletion": docs.DeletionConcept} {
		got, err := renderDocument(d, "Tabelle: %s")
		if err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(got, "<h1"); n != 1 {
			t.Errorf("%s: %d h1, want 1", name, n)
		}
		if strings.Count(got, "<table") != strings.Count(got, `<div class="kern-table-responsive"`) || !strings.Contains(got, "<table") {
			t.Errorf("%s: a table without its region, or none", name)
		}
	}
}

// TestOfficerMessages: every page of the officer's start page and every finding of the chain
// check has its words in every language (their keys are built at run time, which the
// catalogue test of ui cannot see).
func TestOfficerMessages(t *testing.T) {
	cat, err := locale.Load(ui.Locales)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, l := range officerLinks {
		keys = append(keys, "officer.link."+l.name+".title", "officer.link."+l.name+".text")
	}
	keys = append(keys, service.ChainKinds...)
	for _, k := range []string{service.ChainKeyConfigured, service.ChainKeyGiven, service.ChainKeyNone} {
		keys = append(keys, "chain.signatures."+k)
	}
	for _, tag := range locale.Supported {
		l := cat.For(tag)
		for _, k := range keys {
			if !l.Has(k) {
				t.Errorf("%s: no message %q", tag, k)
			}
		}
	}
	if len(keys) < 20 {
		t.Fatalf("only %d keys checked", len(keys))
	}
}
