package locale

import (
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/lotse-project/lotse/ui"
)

// TestFixedTextsAsGoI18n: for every message of every language, with and without template
// data, T gives what go-i18n gives, so the texts T takes from its own map (fixed text) read
// exactly as go-i18n would render them; and the map holds most messages, or it saves nothing.
func TestFixedTextsAsGoI18n(t *testing.T) {
	cat, err := Load(ui.Locales)
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{"Count": 3, "Name": "Aylin Demir", "Area": "Wohnen", "Reference": "F-2026-0001", "Days": 2, "Max": 500}
	for _, tag := range Supported {
		l := cat.For(tag)
		fixed := 0
		for _, id := range cat.Keys(tag) {
			if _, ok := l.plain[id]; ok {
				fixed++
			}
			for _, d := range []map[string]any{nil, data} {
				want, err := l.l.Localize(&i18n.LocalizeConfig{MessageID: id, TemplateData: d})
				if err != nil {
					want = id
				}
				var got string
				if d == nil {
					got = l.T(id)
				} else {
					got = l.T(id, d)
				}
				if got != want {
					t.Errorf("%s %s (data %v): T gives %q, go-i18n %q", tag, id, d != nil, got, want)
				}
			}
		}
		if fixed*2 < len(cat.Keys(tag)) {
			t.Errorf("%s: only %d of %d messages are taken as fixed text", tag, fixed, len(cat.Keys(tag)))
		}
	}
}

// BenchmarkT translates a fixed text (from T's own map, and as go-i18n did it) and a text
// with template data, as a page does hundreds of times.
func BenchmarkT(b *testing.B) {
	cat, err := Load(ui.Locales)
	if err != nil {
		b.Fatal(err)
	}
	l := cat.For(Supported[0])
	b.Run("fixed", func(b *testing.B) {
		for b.Loop() {
			l.T("cases.plan.edit_col")
		}
	})
	b.Run("fixed, through go-i18n", func(b *testing.B) { // what T did before
		for b.Loop() {
			_, _ = l.l.Localize(&i18n.LocalizeConfig{MessageID: "cases.plan.edit_col"})
		}
	})
	b.Run("template", func(b *testing.B) {
		for b.Loop() {
			l.T("cases.plan.edit", map[string]any{"Area": "Wohnen"})
		}
	})
}
