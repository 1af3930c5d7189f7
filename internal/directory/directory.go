package directory

import (
	"errors"
	"io"
	"net/mail"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/lotse-project/lotse/internal/model"
)

// File is a parsed directory file. Every entry keeps the line it starts on, so that checks
// done later (against the database) can still name it.
type File struct {
	// Name is the file name used in messages.
	Name          string
	Organisations []Organisation
	Users         []User
}

// Organisation is one organisation of the file, matched to the database by short name.
type Organisation struct {
	Line      int
	ShortName string
	Name      string
	Kind      model.OrgKind
	// Parent is the short name of the parent organisation, empty for a root.
	Parent       string
	ParentLine   int
	ContactEmail string
	ContactPhone string
	Active       bool
}

// User is one account of the file, matched to the database by issuer and subject when given,
// else by e-mail address.
type User struct {
	Line        int
	DisplayName string
	Email       string
	Issuer      string
	Subject     string
	Active      bool
	// Grants are exactly the roles the account holds once the file is applied.
	Grants []Grant
}

// Grant is one role in one organisation (by short name).
type Grant struct {
	Line int
	Org  string
	Role model.Role
}

// Label names the account in messages and change lists: its e-mail address, else its
// subject.
func (u User) Label() string {
	if u.Email != "" {
		return u.Email
	}
	return u.Subject
}

// Existing describes the organisations already stored: short name -> the short name of its
// parent ("" for a root). File.Check resolves references and finds cycles against it.
type Existing map[string]string

// ShortNamePattern is what a short name may look like; the database checks the same.
var ShortNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$`)

var (
	orgKeys   = []string{"short_name", "name", "kind", "parent", "contact_email", "contact_phone", "active"}
	userKeys  = []string{"display_name", "email", "issuer", "subject", "active", "grants"}
	grantKeys = []string{"org", "role"}
	rootKeys  = []string{"organisations", "users"}
)

// Parse reads and checks a directory file on its own: YAML syntax, known keys only, values,
// duplicates, and the organisation tree as far as the file defines it. It returns every
// problem at once, each with its line. References to organisations the file does not define
// (parents, grant organisations) are left to Check, which knows the database.
func Parse(name string, data []byte) (*File, error) {
	e := NewError(name)
	root := document(e, data)
	if root == nil {
		return nil, e.Err()
	}
	p := &parser{e: e}
	f := &File{Name: name}
	top := p.fields(root, "the file", rootKeys)
	for _, n := range p.list(top["organisations"], "organisations") {
		if o, ok := p.organisation(n); ok {
			f.Organisations = append(f.Organisations, o)
		}
	}
	for _, n := range p.list(top["users"], "users") {
		if u, ok := p.user(n); ok {
			f.Users = append(f.Users, u)
		}
	}
	f.duplicates(e)
	f.cycles(e, nil)
	if err := e.Err(); err != nil {
		return nil, err
	}
	return f, nil
}

// Check adds to e the problems that need the stored organisations: a parent or grant
// organisation defined neither in the file nor in existing, and a cycle that appears only
// together with the stored tree. The file's own entries take precedence over existing ones
// of the same short name (case-insensitively), as they will once applied.
func (f *File) Check(e *Error, existing Existing) {
	g := f.graph(existing)
	for _, o := range f.Organisations {
		if o.Parent != "" {
			if _, ok := g[strings.ToLower(o.Parent)]; !ok {
				e.Add(o.ParentLine, "organisation %q: parent %q is not defined in the file or the database", o.ShortName, o.Parent)
			}
		}
	}
	for _, u := range f.Users {
		for _, gr := range u.Grants {
			if _, ok := g[strings.ToLower(gr.Org)]; !ok {
				e.Add(gr.Line, "user %q: grant organisation %q is not defined in the file or the database", u.Label(), gr.Org)
			}
		}
	}
	f.cycles(e, existing)
}

// yamlLine matches yaml.v3's syntax errors, "yaml: line 3: did not find expected key".
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// document parses the YAML text into its root node, or records why it cannot.
func document(e *Error, data []byte) *yaml.Node {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			e.Add(0, "the file is empty")
			return nil
		}
		line, msg := syntaxError(data, err)
		e.Add(line, "malformed YAML: %s", msg)
		return nil
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		line := next.Line
		if err != nil {
			if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
				line, _ = strconv.Atoi(m[1])
			}
		}
		e.Add(line, "the file must hold one YAML document, not several")
		return nil
	}
	if len(doc.Content) == 0 {
		e.Add(0, "the file is empty")
		return nil
	}
	return doc.Content[0]
}

// syntaxError finds the line of a YAML syntax error. yaml.v3 names the line where the
// enclosing block starts, counted from 0, which points above the mistake; so look for the
// first line at which the text stops parsing with the same complaint, by bisecting over
// prefixes of whole lines.
func syntaxError(data []byte, err error) (int, string) {
	problem := func(err error) string {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
			msg = m[2]
		}
		return msg
	}
	want := problem(err)
	lines := strings.SplitAfter(string(data), "\n")
	fails := func(k int) bool {
		var n yaml.Node
		err := yaml.Unmarshal([]byte(strings.Join(lines[:k], "")), &n)
		return err != nil && problem(err) == want
	}
	lo, hi := 0, len(lines) // the empty prefix parses; the whole text fails
	if !fails(hi) {
		return 0, want
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi, want
}

// parser walks the node tree, recording problems instead of stopping at the first.
type parser struct{ e *Error }

// resolve follows an alias to its anchored node.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// fields reads a mapping with the known keys only; unknown and repeated keys are problems.
func (p *parser) fields(n *yaml.Node, what string, known []string) map[string]*yaml.Node {
	line := n.Line
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		p.e.Add(line, "%s must be a mapping of keys (%s)", what, strings.Join(known, ", "))
		return nil
	}
	out := map[string]*yaml.Node{}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.e.Add(k.Line, "%s: a key must be a plain word", what)
			continue
		}
		if prev, dup := seen[k.Value]; dup {
			p.e.Add(k.Line, "%s: key %q repeats line %d", what, k.Value, prev)
			continue
		}
		seen[k.Value] = k.Line
		if !contains(known, k.Value) {
			p.e.Add(k.Line, "%s: unknown key %q (known keys: %s)", what, k.Value, strings.Join(known, ", "))
			continue
		}
		out[k.Value] = v
	}
	return out
}

// peek returns the first plain value of key in mapping n, to name the entry in messages
// before its keys are checked.
func peek(n *yaml.Node, key string) string {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k, v := n.Content[i], resolve(n.Content[i+1]); k.Value == key && v != nil && v.Kind == yaml.ScalarNode && !isNull(v) {
			return strings.TrimSpace(v.Value)
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// list reads a sequence; an absent or empty value is an empty list.
func (p *parser) list(n *yaml.Node, what string) []*yaml.Node {
	if n == nil {
		return nil
	}
	line := n.Line
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.e.Add(line, "%s must be a list (entries starting with \"- \")", what)
		return nil
	}
	return n.Content
}

// str reads a single value as text (numbers such as phone numbers stay as written) and its
// line; absent or null is "".
func (p *parser) str(m map[string]*yaml.Node, key, what string) (string, int) {
	n, ok := m[key]
	if !ok {
		return "", 0
	}
	line := n.Line
	n = resolve(n)
	if n.Kind != yaml.ScalarNode {
		p.e.Add(line, "%s: %s must be a single value", what, key)
		return "", line
	}
	if isNull(n) {
		return "", line
	}
	// YAML's escapes ("\0", "\x07") write what PostgreSQL or the record must not hold.
	if !model.TextOK(n.Value) {
		p.e.Add(line, "%s: %s %s", what, key, model.MsgBadCharacters)
	}
	return strings.TrimSpace(n.Value), line
}

// boolean reads true or false (nothing else), def when absent.
func (p *parser) boolean(m map[string]*yaml.Node, key, what string, def bool) bool {
	n, ok := m[key]
	if !ok {
		return def
	}
	line := n.Line
	n = resolve(n)
	if isNull(n) {
		return def
	}
	var b bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
		p.e.Add(line, "%s: %s must be true or false", what, key)
		return def
	}
	return b
}

// organisation reads one organisation entry; false when it is not even a mapping.
func (p *parser) organisation(n *yaml.Node) (Organisation, bool) {
	o := Organisation{Line: n.Line}
	what := "organisation"
	if s := peek(n, "short_name"); s != "" {
		what = "organisation " + strconv.Quote(s)
	}
	m := p.fields(n, what, orgKeys)
	if m == nil {
		return o, false
	}
	var line int
	o.ShortName, line = p.str(m, "short_name", what)
	switch {
	case o.ShortName == "":
		p.e.Add(o.Line, "organisation: short_name is required")
	case !ShortNamePattern.MatchString(o.ShortName):
		p.e.Add(line, "organisation %q: short_name must be 1 to 40 letters, digits, dots, dashes or underscores, starting with a letter or digit", o.ShortName)
	}
	o.Name, line = p.str(m, "name", what)
	if o.Name == "" {
		p.e.Add(o.Line, "%s: name is required", what)
	} else if utf8.RuneCountInString(o.Name) > 200 {
		p.e.Add(line, "%s: name is too long (at most 200 characters)", what)
	}
	var kind string
	kind, line = p.str(m, "kind", what)
	o.Kind = model.OrgKind(kind)
	if kind == "" {
		p.e.Add(o.Line, "%s: kind is required (%s)", what, kinds())
	} else if !o.Kind.Valid() {
		p.e.Add(line, "%s: unknown kind %q (%s)", what, kind, kinds())
	}
	o.Parent, o.ParentLine = p.str(m, "parent", what)
	if o.ParentLine == 0 {
		o.ParentLine = o.Line
	}
	o.ContactEmail, line = p.str(m, "contact_email", what)
	if o.ContactEmail != "" && !validEmail(o.ContactEmail) {
		p.e.Add(line, "%s: contact_email %q is not an e-mail address", what, o.ContactEmail)
	}
	o.ContactPhone, line = p.str(m, "contact_phone", what)
	if utf8.RuneCountInString(o.ContactPhone) > 50 {
		p.e.Add(line, "%s: contact_phone is too long (at most 50 characters)", what)
	}
	o.Active = p.boolean(m, "active", what, true)
	return o, true
}

// user reads one account entry with its grants; false when it is not even a mapping.
func (p *parser) user(n *yaml.Node) (User, bool) {
	u := User{Line: n.Line}
	what := "user"
	if l := (User{Email: peek(n, "email"), Subject: peek(n, "subject")}).Label(); l != "" {
		what = "user " + strconv.Quote(l)
	}
	m := p.fields(n, what, userKeys)
	if m == nil {
		return u, false
	}
	var emailLine, subjectLine, issuerLine, line int
	u.Email, emailLine = p.str(m, "email", what)
	u.Issuer, issuerLine = p.str(m, "issuer", what)
	u.Subject, subjectLine = p.str(m, "subject", what)
	if u.Email != "" && !validEmail(u.Email) {
		p.e.Add(emailLine, "%s: email %q is not an e-mail address", what, u.Email)
	}
	switch {
	case u.Email == "" && u.Subject == "" && u.Issuer == "":
		p.e.Add(u.Line, "%s: needs an email, or an issuer and a subject, to link the sign-in", what)
	case u.Subject != "" && u.Issuer == "":
		p.e.Add(subjectLine, "%s: subject needs an issuer", what)
	case u.Issuer != "" && u.Subject == "":
		p.e.Add(issuerLine, "%s: issuer needs a subject (leave both out to link the account by e-mail)", what)
	}
	if u.Issuer != "" {
		if iu, err := url.Parse(u.Issuer); err != nil || (iu.Scheme != "https" && iu.Scheme != "http") || iu.Host == "" {
			p.e.Add(issuerLine, "%s: issuer %q is not an http(s) URL", what, u.Issuer)
		} else if len(u.Issuer) > 500 {
			p.e.Add(issuerLine, "%s: issuer is too long (at most 500 characters)", what)
		}
	}
	if len(u.Subject) > 255 {
		p.e.Add(subjectLine, "%s: subject is too long (at most 255 characters)", what)
	}
	u.DisplayName, line = p.str(m, "display_name", what)
	if u.DisplayName == "" {
		p.e.Add(u.Line, "%s: display_name is required", what)
	} else if utf8.RuneCountInString(u.DisplayName) > 200 {
		p.e.Add(line, "%s: display_name is too long (at most 200 characters)", what)
	}
	u.Active = p.boolean(m, "active", what, true)
	seen := map[string]int{}
	for _, gn := range p.list(m["grants"], what+": grants") {
		g := Grant{Line: gn.Line}
		gm := p.fields(gn, what+": grant", grantKeys)
		if gm == nil {
			continue
		}
		g.Org, _ = p.str(gm, "org", what+": grant")
		var role string
		role, line = p.str(gm, "role", what+": grant")
		g.Role = model.Role(role)
		if g.Org == "" {
			p.e.Add(g.Line, "%s: grant: org is required", what)
		}
		if role == "" {
			p.e.Add(g.Line, "%s: grant: role is required (%s)", what, roles())
		} else if !g.Role.Valid() {
			p.e.Add(line, "%s: grant: unknown role %q (%s)", what, role, roles())
		}
		if g.Org == "" || role == "" {
			continue
		}
		key := strings.ToLower(g.Org) + "\x00" + role
		if prev, dup := seen[key]; dup {
			p.e.Add(g.Line, "%s: grant %s in %s repeats line %d", what, role, g.Org, prev)
			continue
		}
		seen[key] = g.Line
		u.Grants = append(u.Grants, g)
	}
	return u, true
}

// validEmail accepts a plain address ("anna@example.org"), not "Anna <anna@example.org>".
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

func kinds() string {
	s := make([]string, len(model.OrgKinds))
	for i, k := range model.OrgKinds {
		s[i] = string(k)
	}
	return "one of " + strings.Join(s, ", ")
}

func roles() string {
	s := make([]string, len(model.Roles))
	for i, r := range model.Roles {
		s[i] = string(r)
	}
	return "one of " + strings.Join(s, ", ")
}

// duplicates reports a short name, e-mail address or sign-in listed twice.
func (f *File) duplicates(e *Error) {
	orgs := map[string]int{}
	for _, o := range f.Organisations {
		if o.ShortName == "" {
			continue
		}
		k := strings.ToLower(o.ShortName)
		if prev, dup := orgs[k]; dup {
			e.Add(o.Line, "organisation %q is defined twice (first at line %d)", o.ShortName, prev)
			continue
		}
		orgs[k] = o.Line
	}
	emails, identities := map[string]int{}, map[string]int{}
	for _, u := range f.Users {
		if u.Email != "" {
			k := strings.ToLower(u.Email)
			if prev, dup := emails[k]; dup {
				e.Add(u.Line, "user %q is defined twice: the same email as line %d", u.Label(), prev)
				continue
			}
			emails[k] = u.Line
		}
		if u.Subject != "" {
			k := u.Issuer + "\x00" + u.Subject
			if prev, dup := identities[k]; dup {
				e.Add(u.Line, "user %q is defined twice: the same issuer and subject as line %d", u.Label(), prev)
				continue
			}
			identities[k] = u.Line
		}
	}
}

// node is one organisation of the combined tree: the file's entries over the stored ones.
type node struct {
	name   string // as spelled in the file or the database
	parent string // lower-case short name of the parent, "" for a root
	stored bool   // known only from the database
}

// graph combines the stored tree with the file's entries, keyed by lower-case short name.
func (f *File) graph(existing Existing) map[string]node {
	g := map[string]node{}
	for name, parent := range existing {
		g[strings.ToLower(name)] = node{name: name, parent: strings.ToLower(parent), stored: true}
	}
	seen := map[string]bool{}
	for _, o := range f.Organisations {
		k := strings.ToLower(o.ShortName)
		if k == "" || seen[k] {
			continue // a missing short name or a duplicate, reported by Parse
		}
		seen[k] = true
		g[k] = node{name: o.ShortName, parent: strings.ToLower(o.Parent)}
	}
	return g
}

// cycles reports every cycle through an organisation of the file, once, at the parent line
// of the first of its organisations in the file. Parents that are unknown end the walk.
func (f *File) cycles(e *Error, existing Existing) {
	g := f.graph(existing)
	reported := map[string]bool{}
	for _, o := range f.Organisations {
		start := strings.ToLower(o.ShortName)
		if start == "" || reported[start] {
			continue
		}
		path := []string{start}
		index := map[string]int{start: 0}
		for cur := start; ; {
			n, ok := g[cur]
			if !ok || n.parent == "" {
				break
			}
			next := n.parent
			if i, seen := index[next]; seen {
				if i == 0 { // the cycle runs through o; others are reported from their own entries
					for _, k := range path {
						reported[k] = true
					}
					if len(path) == 1 {
						e.Add(o.ParentLine, "organisation %q: an organisation cannot be its own parent", o.ShortName)
					} else {
						names := make([]string, 0, len(path)+1)
						for _, k := range append(path, start) {
							s := g[k].name
							if g[k].stored {
								s += " (database)"
							}
							names = append(names, s)
						}
						e.Add(o.ParentLine, "organisation %q: parent %q makes a cycle in the organisation tree: %s", o.ShortName, o.Parent, strings.Join(names, " → "))
					}
				}
				break
			}
			index[next] = len(path)
			path = append(path, next)
			cur = next
		}
	}
}
