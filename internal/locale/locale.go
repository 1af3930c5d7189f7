package locale

import (
	"fmt"
	"io/fs"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Supported languages, default first.
var Supported = []language.Tag{language.German, language.English}

// Catalog holds every message in every supported language.
type Catalog struct {
	bundle  *i18n.Bundle
	matcher language.Matcher
	keys    map[language.Tag][]string
	has     map[language.Tag]map[string]bool
	// plain holds per language the messages that are fixed text (no template action): T
	// returns them without go-i18n's lookup and template execution, which took
	// about a twelfth of the server's CPU under load (a page asks for hundreds).
	plain map[language.Tag]map[string]string
}

// Load reads every locales/<part>.<lang>.toml for every supported language from fsys. The
// catalogue is split by part of the UI (active.de.toml for the frame, cases.de.toml, …) so
// that each part's texts live beside each other; a key must be unique across parts.
func Load(fsys fs.FS) (*Catalog, error) {
	b := i18n.NewBundle(Supported[0])
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	keys := map[language.Tag][]string{}
	plain := map[language.Tag]map[string]string{}
	for _, tag := range Supported {
		plain[tag] = map[string]string{}
		names, err := fs.Glob(fsys, fmt.Sprintf("locales/*.%s.toml", tag))
		if err != nil || len(names) == 0 {
			return nil, fmt.Errorf("locale: no message files for %s", tag)
		}
		seen := map[string]string{}
		for _, name := range names {
			f, err := b.LoadMessageFileFS(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("locale: load %s: %w", name, err)
			}
			for _, m := range f.Messages {
				if prev, dup := seen[m.ID]; dup {
					return nil, fmt.Errorf("locale: %q is defined in %s and in %s", m.ID, prev, name)
				}
				seen[m.ID] = name
				keys[tag] = append(keys[tag], m.ID)
				if fixedText(m) {
					plain[tag][m.ID] = m.Other
				}
			}
		}
	}
	has := map[language.Tag]map[string]bool{}
	for tag, ids := range keys {
		has[tag] = map[string]bool{}
		for _, id := range ids {
			has[tag][id] = true
		}
	}
	return &Catalog{bundle: b, matcher: language.NewMatcher(Supported), keys: keys, has: has, plain: plain}, nil
}

// fixedText reports whether m reads the same whatever the data: no template action with
// the standard delimiters. (T passes no plural count, so go-i18n always renders the form
// "other"; the catalogue has no other forms.)
func fixedText(m *i18n.Message) bool {
	return m.LeftDelim == "" && m.RightDelim == "" && !strings.Contains(m.Other, "{{")
}

// Match picks the supported language for an explicit choice (may be empty) and an
// Accept-Language header, German when nothing matches.
func (c *Catalog) Match(choice, acceptLanguage string) language.Tag {
	var prefs []language.Tag
	if t, err := language.Parse(choice); err == nil && choice != "" {
		prefs = append(prefs, t)
	}
	if tags, _, err := language.ParseAcceptLanguage(acceptLanguage); err == nil {
		prefs = append(prefs, tags...)
	}
	_, idx, conf := c.matcher.Match(prefs...)
	if conf == language.No {
		return Supported[0]
	}
	return Supported[idx]
}

// Localizer translates message keys into one language.
type Localizer struct {
	Lang  language.Tag
	l     *i18n.Localizer
	has   map[string]bool
	plain map[string]string
}

// For returns the localizer for lang.
func (c *Catalog) For(lang language.Tag) *Localizer {
	return &Localizer{Lang: lang, l: i18n.NewLocalizer(c.bundle, lang.String()), has: c.has[lang], plain: c.plain[lang]}
}

// T translates id with optional template data. A missing key returns the key itself, which a
// test prevents from ever reaching a user.
func (l *Localizer) T(id string, data ...map[string]any) string {
	if s, ok := l.plain[id]; ok {
		return s
	}
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(data) > 0 {
		cfg.TemplateData = data[0]
	}
	s, err := l.l.Localize(cfg)
	if err != nil {
		return id
	}
	return s
}

// Has reports whether id is defined in the localizer's language: for a chain of keys from
// the most specific to the general one (validation.<field>.<code>, validation.<code>).
func (l *Localizer) Has(id string) bool { return l.has[id] }

// Keys lists the message ids defined for lang, for completeness tests.
func (c *Catalog) Keys(lang language.Tag) []string {
	return append([]string(nil), c.keys[lang]...)
}
