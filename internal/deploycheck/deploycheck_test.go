package deploycheck

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/lotse-project/lotse/internal/app"
	"github.com/lotse-project/lotse/internal/authn"
	"github.com/lotse-project/lotse/internal/demo"
	"github.com/lotse-project/lotse/internal/directory"
	"github.com/lotse-project/lotse/internal/model"
)

const (
	root       = "../.."
	composeDir = root + "/deploy/compose"
)

// compose is the part of compose.yaml the checks read.
type compose struct {
	Services map[string]service `yaml:"services"`
}

type service struct {
	Image       string            `yaml:"image"`
	Build       *build            `yaml:"build"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Volumes     []string          `yaml:"volumes"`
	Ports       []string          `yaml:"ports"`
	NetworkMode string            `yaml:"network_mode"`
	ReadOnly    bool              `yaml:"read_only"`
	DependsOn   yaml.Node         `yaml:"depends_on"`
	Networks    map[string]struct {
		Aliases []string `yaml:"aliases"`
	} `yaml:"networks"`
}

type build struct {
	Context    string `yaml:"context"`
	Dockerfile string `yaml:"dockerfile"`
}

func readCompose(t *testing.T) compose {
	t.Helper()
	var c compose
	if err := yaml.Unmarshal(mustRead(t, filepath.Join(composeDir, "compose.yaml")), &c); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	if len(c.Services) == 0 {
		t.Fatal("compose.yaml has no services")
	}
	return c
}

// condition is what s waits for of the service dep: depends_on is a list (started) or a map
// with a condition; "" when s does not depend on it.
func (s service) condition(t *testing.T, dep string) string {
	t.Helper()
	switch s.DependsOn.Kind {
	case 0:
		return ""
	case yaml.SequenceNode:
		var list []string
		if err := s.DependsOn.Decode(&list); err != nil {
			t.Fatal(err)
		}
		if slices.Contains(list, dep) {
			return "service_started"
		}
		return ""
	}
	var m map[string]struct {
		Condition string `yaml:"condition"`
	}
	if err := s.DependsOn.Decode(&m); err != nil {
		t.Fatal(err)
	}
	if d, ok := m[dep]; ok {
		if d.Condition == "" {
			return "service_started"
		}
		return d.Condition
	}
	return ""
}

// lotseEnv lists every environment variable the production command reads: the env tags of
// its grammar (config.Config and the commands' own flags), and NAME_FILE for the secrets.
func lotseEnv() map[string]bool {
	out := map[string]bool{}
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || seen[t] {
			return
		}
		seen[t] = true
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if env, ok := f.Tag.Lookup("env"); ok {
				for _, e := range strings.Split(env, ",") {
					out[e] = true
					if _, secret := f.Tag.Lookup("secret"); secret {
						out[e+"_FILE"] = true
					}
				}
			}
			walk(f.Type)
		}
	}
	walk(reflect.TypeOf(app.CLI{}))
	return out
}

// readmeEnv lists the variables of README's configuration table.
func readmeEnv(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	start, end := strings.Index(text, "<!-- config-table:start -->"), strings.Index(text, "<!-- config-table:end -->")
	if start < 0 || end < start {
		t.Fatal("README.md has no config-table markers")
	}
	out := map[string]bool{}
	for _, m := range regexp.MustCompile("(?m)^\\| `(LOTSE_[A-Z0-9_]+)` \\|").FindAllStringSubmatch(text[start:end], -1) {
		out[m[1]] = true
	}
	return out
}

var lotseVar = regexp.MustCompile(`LOTSE_[A-Z0-9_]+`)

// Every LOTSE_* variable that compose.yaml names (as a key or inside a value) is one that
// Lotse reads and README's configuration table explains.
func TestComposeUsesOnlyKnownSettings(t *testing.T) {
	t.Parallel()
	known, documented := lotseEnv(), readmeEnv(t)
	if !known["LOTSE_DATABASE_URL"] || !known["LOTSE_DATABASE_URL_FILE"] || !known["LOTSE_MIGRATE"] {
		t.Fatalf("the grammar's variables are not found (%d): the walk is broken", len(known))
	}
	b, err := os.ReadFile(filepath.Join(composeDir, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	used := lotseVar.FindAllString(string(b), -1)
	if len(used) < 5 {
		t.Fatalf("compose.yaml names only %v", used)
	}
	for _, v := range used {
		if !known[v] {
			t.Errorf("compose.yaml sets %s, which Lotse does not read (internal/config)", v)
		}
		if !documented[v] {
			t.Errorf("compose.yaml sets %s, which README's configuration table does not explain", v)
		}
	}
}

// initRoles reads initdb.sql's roles: name -> (login, password, member of).
type role struct {
	login            bool
	password, member string
}

func readInitdb(t *testing.T) (map[string]role, map[string]string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(composeDir, "initdb.sql"))
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]role{}
	dbs := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^CREATE ROLE (\w+) (LOGIN|NOLOGIN)(?: PASSWORD '([^']*)')?(?: IN ROLE (\w+))?;`).FindAllStringSubmatch(string(b), -1) {
		roles[m[1]] = role{login: m[2] == "LOGIN", password: m[3], member: m[4]}
	}
	for _, m := range regexp.MustCompile(`(?m)^CREATE DATABASE (\w+) OWNER (\w+);`).FindAllStringSubmatch(string(b), -1) {
		dbs[m[1]] = m[2]
	}
	return roles, dbs
}

// The database roles of README "Database roles": migrate runs `lotse migrate up` as the owner
// of the database, directory and serve run as a login member of lotse_app that owns nothing,
// each with the password initdb.sql gives it; serve waits for both one-shot services, and
// every Lotse service runs the image of deploy/Dockerfile with a read-only root file system.
func TestComposeRunsMigrationsAsTheOwnerAndServesAsTheApplicationRole(t *testing.T) {
	t.Parallel()
	c := readCompose(t)
	roles, dbs := readInitdb(t)
	if r, ok := roles["lotse_app"]; !ok || r.login {
		t.Errorf("initdb.sql does not create lotse_app as a NOLOGIN group role: %+v", r)
	}
	dbUser := func(svc, env string) (user, pass, db string) {
		s := c.Services[svc]
		raw, ok := s.Environment[env]
		if !ok {
			t.Fatalf("service %s has no %s", svc, env)
		}
		u, err := url.Parse(raw)
		if err != nil || u.User == nil {
			t.Fatalf("service %s: %s is not a URL with a user", svc, env)
		}
		p, _ := u.User.Password()
		return u.User.Username(), p, strings.TrimPrefix(u.Path, "/")
	}

	mig := c.Services["migrate"]
	if !slices.Equal(mig.Command, []string{"migrate", "up"}) {
		t.Errorf("migrate runs %q, want [migrate up]", mig.Command)
	}
	if _, has := mig.Environment["LOTSE_DATABASE_URL"]; has {
		t.Error("migrate has LOTSE_DATABASE_URL: it needs only the owner's URL")
	}
	owner, ownerPass, ownerDB := dbUser("migrate", "LOTSE_MIGRATION_DATABASE_URL")
	if dbs[ownerDB] != owner {
		t.Errorf("migrate connects to %s as %s, but initdb.sql makes %q its owner", ownerDB, owner, dbs[ownerDB])
	}
	if r := roles[owner]; !r.login || r.password != ownerPass || r.member != "" {
		t.Errorf("the owner %s: initdb.sql has %+v, compose uses password %q", owner, r, ownerPass)
	}

	for _, svc := range []string{"directory", "lotse"} {
		s := c.Services[svc]
		if _, has := s.Environment["LOTSE_MIGRATION_DATABASE_URL"]; has {
			t.Errorf("%s has the owner's URL: instances must not hold it", svc)
		}
		user, pass, db := dbUser(svc, "LOTSE_DATABASE_URL")
		if db != ownerDB {
			t.Errorf("%s serves database %s, migrate migrates %s", svc, db, ownerDB)
		}
		if r := roles[user]; !r.login || r.member != "lotse_app" || r.password != pass || dbs[db] == user {
			t.Errorf("%s connects as %s: initdb.sql has %+v (owner of %s: %s); want a login member of lotse_app with the same password that owns nothing", svc, user, r, db, dbs[db])
		}
		if s.condition(t, "migrate") != "service_completed_successfully" && s.condition(t, "directory") != "service_completed_successfully" {
			t.Errorf("%s does not wait for the migrations to complete", svc)
		}
	}
	if c.Services["directory"].condition(t, "migrate") != "service_completed_successfully" || c.Services["lotse"].condition(t, "directory") != "service_completed_successfully" {
		t.Error("directory does not wait for migrate, or lotse for directory, to complete successfully")
	}
	if cmd := c.Services["lotse"].Command; !slices.Equal(cmd, []string{"serve"}) {
		t.Errorf("lotse runs %q, want [serve] (no --migrate: the owner's password stays with migrate)", cmd)
	}
	for _, svc := range []string{"migrate", "directory", "lotse"} {
		s := c.Services[svc]
		if s.Build == nil || s.Build.Dockerfile != "deploy/Dockerfile" || filepath.Clean(filepath.Join(composeDir, s.Build.Context)) != filepath.Clean(root) {
			t.Errorf("%s is not built from deploy/Dockerfile in the repository's root: %+v", svc, s.Build)
		}
		if s.Image != c.Services["lotse"].Image || !s.ReadOnly {
			t.Errorf("%s: image %q (lotse's is %q), read_only %v; want the same image, read-only", svc, s.Image, c.Services["lotse"].Image, s.ReadOnly)
		}
	}
	// Every file compose.yaml mounts from here exists.
	for name, s := range c.Services {
		for _, v := range s.Volumes {
			if src, _, _ := strings.Cut(v, ":"); strings.HasPrefix(src, "./") {
				if _, err := os.Stat(filepath.Join(composeDir, src)); err != nil {
					t.Errorf("service %s mounts %s, which is missing", name, src)
				}
			}
		}
	}
	if _, err := directory.Parse("directory.yaml", mustRead(t, filepath.Join(composeDir, "directory.yaml"))); err != nil {
		t.Errorf("deploy/compose/directory.yaml: %v", err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// realm is the part of realm-lotse.json the checks read.
type realm struct {
	Realm                      string   `json:"realm"`
	DefaultDefaultClientScopes []string `json:"defaultDefaultClientScopes"`
	ClientScopes               []struct {
		Name            string `json:"name"`
		ProtocolMappers []struct {
			ProtocolMapper string            `json:"protocolMapper"`
			Config         map[string]string `json:"config"`
		} `json:"protocolMappers"`
	} `json:"clientScopes"`
	Clients []struct {
		ClientID            string            `json:"clientId"`
		PublicClient        bool              `json:"publicClient"`
		Secret              string            `json:"secret"`
		StandardFlowEnabled bool              `json:"standardFlowEnabled"`
		ImplicitFlowEnabled bool              `json:"implicitFlowEnabled"`
		DirectAccessGrants  bool              `json:"directAccessGrantsEnabled"`
		RedirectURIs        []string          `json:"redirectUris"`
		Attributes          map[string]string `json:"attributes"`
		DefaultClientScopes []string          `json:"defaultClientScopes"`
	} `json:"clients"`
	Groups []struct {
		Name string `json:"name"`
		Path string `json:"path"`
	} `json:"groups"`
	Users []struct {
		Email         string   `json:"email"`
		EmailVerified bool     `json:"emailVerified"`
		Enabled       bool     `json:"enabled"`
		FirstName     string   `json:"firstName"`
		LastName      string   `json:"lastName"`
		Groups        []string `json:"groups"`
	} `json:"users"`
}

func readRealm(t *testing.T) realm {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(mustRead(t, filepath.Join(composeDir, "realm-lotse.json")))))
	var r realm
	if err := dec.Decode(&r); err != nil {
		t.Fatalf("realm-lotse.json: %v", err)
	}
	return r
}

// loginPaths reads the redirect and post-logout paths from docs/login.md
// (<LOTSE_BASE_URL>/auth/callback, <LOTSE_BASE_URL>/logged-out) and checks that the web
// routes serve them.
func loginPaths(t *testing.T) (callback, loggedOut string) {
	t.Helper()
	doc := string(mustRead(t, filepath.Join(root, "docs", "login.md")))
	cb := regexp.MustCompile("redirect URI `<LOTSE_BASE_URL>(/[^`]+)`").FindStringSubmatch(doc)
	lo := regexp.MustCompile("post-logout redirect URI\\s+`<LOTSE_BASE_URL>(/[^`]+)`").FindStringSubmatch(doc)
	if cb == nil || lo == nil {
		t.Fatal("docs/login.md no longer names the redirect URI and the post-logout redirect URI as `<LOTSE_BASE_URL>/...`")
	}
	routes := string(mustRead(t, filepath.Join(root, "internal", "web", "routes.go")))
	for _, p := range []string{cb[1], lo[1]} {
		if !strings.Contains(routes, fmt.Sprintf("s.handle(e, http.MethodGet, %q,", p)) {
			t.Errorf("docs/login.md names %s, which internal/web/routes.go does not serve by GET", p)
		}
	}
	return cb[1], lo[1]
}

// Keycloak's client for Lotse is confidential, uses the code flow with PKCE S256 only, and
// redirects to the callback and the logged-out page that docs/login.md names and the web
// routes serve, under the LOTSE_BASE_URL that Lotse has; Lotse's provider entry names this
// realm (the issuer Keycloak announces), this client and its secret.
func TestRealmClientMatchesLotsesLogin(t *testing.T) {
	t.Parallel()
	r, c := readRealm(t), readCompose(t)
	callback, loggedOut := loginPaths(t)
	if len(r.Clients) != 1 {
		t.Fatalf("realm-lotse.json has %d clients, want 1 (lotse)", len(r.Clients))
	}
	cl := r.Clients[0]
	if cl.PublicClient || cl.Secret == "" || !cl.StandardFlowEnabled || cl.ImplicitFlowEnabled || cl.DirectAccessGrants {
		t.Errorf("client %s: want a confidential client with the code flow only: %+v", cl.ClientID, cl)
	}
	if cl.Attributes["pkce.code.challenge.method"] != "S256" {
		t.Errorf("client %s does not require PKCE S256: %q", cl.ClientID, cl.Attributes["pkce.code.challenge.method"])
	}
	base := c.Services["lotse"].Environment["LOTSE_BASE_URL"]
	if base == "" || c.Services["keycloak"].Environment["LOTSE_BASE_URL"] != base {
		t.Errorf("LOTSE_BASE_URL: lotse has %q, keycloak (for the realm's placeholders) %q", base, c.Services["keycloak"].Environment["LOTSE_BASE_URL"])
	}
	if want := []string{"${LOTSE_BASE_URL}" + callback}; !slices.Equal(cl.RedirectURIs, want) {
		t.Errorf("redirect URIs %q, want exactly %q", cl.RedirectURIs, want)
	}
	if got, want := cl.Attributes["post.logout.redirect.uris"], "${LOTSE_BASE_URL}"+loggedOut; got != want {
		t.Errorf("post-logout redirect URIs %q, want %q", got, want)
	}
	u, err := url.Parse(base)
	if err != nil || u.Port() == "" || !slices.Contains(c.Services["lotse"].Ports, "127.0.0.1:"+u.Port()+":8080") {
		t.Errorf("LOTSE_BASE_URL %s: its port is not the one lotse publishes (%q)", base, c.Services["lotse"].Ports)
	}

	providers := loadProviders(t)
	if len(providers) != 1 {
		t.Fatalf("providers.yaml has %d providers, want 1", len(providers))
	}
	p := providers[0]
	kcHost := c.Services["keycloak"].Environment["KC_HOSTNAME"]
	if want := kcHost + "/realms/" + r.Realm; p.Issuer != want {
		t.Errorf("providers.yaml's issuer %s, but Keycloak announces %s (KC_HOSTNAME + /realms/ + realm)", p.Issuer, want)
	}
	ku, err := url.Parse(kcHost)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(c.Services["keycloak"].Networks["default"].Aliases, ku.Hostname()) {
		t.Errorf("Lotse cannot reach Keycloak as %s: no such network alias", ku.Hostname())
	}
	if !slices.Contains(c.Services["keycloak"].Ports, "127.0.0.1:"+ku.Port()+":"+c.Services["keycloak"].Environment["KC_HTTP_PORT"]) {
		t.Errorf("the browser cannot reach Keycloak at %s: ports %q", kcHost, c.Services["keycloak"].Ports)
	}
	if p.ClientID != cl.ClientID || p.ClientSecret != cl.Secret {
		t.Errorf("providers.yaml names client %q with another secret than the realm's client %q", p.ClientID, cl.ClientID)
	}
}

func loadProviders(t *testing.T) []authn.ProviderConfig {
	t.Helper()
	ps, err := authn.LoadProvidersFile(filepath.Join(composeDir, "providers.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// The claims: the realm's client scopes that the client gets put the groups into the claim
// that the claim mappings of providers.yaml read (docs/login.md), every group of the realm has
// a mapping to an organisation of directory.yaml and a valid role, and the realm's users are
// the demo city's accounts, each in the group that gives them their demo grant.
func TestRealmClaimsMatchTheClaimMappings(t *testing.T) {
	t.Parallel()
	r := readRealm(t)
	providers := loadProviders(t)
	cl := r.Clients[0]

	mapped := map[string]bool{} // claim names the client's scopes emit in the ID token
	for _, cs := range r.ClientScopes {
		if !slices.Contains(cl.DefaultClientScopes, cs.Name) {
			continue
		}
		for _, m := range cs.ProtocolMappers {
			if m.Config["id.token.claim"] == "true" && m.Config["claim.name"] != "" {
				mapped[m.Config["claim.name"]] = true
			}
		}
	}
	if !mapped["email"] || !mapped["email_verified"] {
		t.Errorf("the client's scopes do not put email and email_verified into the ID token: %v", mapped)
	}
	groupScopeMapper := ""
	for _, cs := range r.ClientScopes {
		for _, m := range cs.ProtocolMappers {
			if m.ProtocolMapper == "oidc-group-membership-mapper" && slices.Contains(cl.DefaultClientScopes, cs.Name) {
				groupScopeMapper = m.Config["claim.name"]
				if m.Config["full.path"] != "false" {
					t.Errorf("the groups mapper of %s sends full paths (/group); the claim mappings compare plain names", cs.Name)
				}
			}
		}
	}

	file, err := directory.Parse("directory.yaml", mustRead(t, filepath.Join(composeDir, "directory.yaml")))
	if err != nil {
		t.Fatal(err)
	}
	orgs := map[string]bool{}
	for _, o := range file.Organisations {
		orgs[o.ShortName] = true
	}
	for _, o := range demoOrganisations(t) {
		if !orgs[o] {
			t.Errorf("deploy/compose/directory.yaml lacks the demo organisation %s", o)
		}
	}
	realmGroups := map[string]bool{}
	for _, g := range r.Groups {
		realmGroups[g.Name] = true
		if g.Path != "/"+g.Name {
			t.Errorf("the realm's group %s has the path %q, want a top-level group", g.Name, g.Path)
		}
	}
	grantOf := map[string]string{} // group -> "ORG role"
	for _, m := range providers[0].ClaimMappings {
		if !mapped[m.Claim] || m.Claim != groupScopeMapper {
			t.Errorf("providers.yaml maps the claim %q, which the realm's client scopes do not send in the ID token (groups mapper: %q, claims: %v)", m.Claim, groupScopeMapper, mapped)
		}
		if !realmGroups[m.Value] {
			t.Errorf("providers.yaml maps the group %q, which the realm does not have", m.Value)
		}
		if !orgs[m.Org] {
			t.Errorf("providers.yaml grants in %s, which directory.yaml does not create", m.Org)
		}
		if !model.Role(m.Role).Valid() {
			t.Errorf("providers.yaml grants the unknown role %q", m.Role)
		}
		grantOf[m.Value] = m.Org + " " + m.Role
	}
	for g := range realmGroups {
		if _, ok := grantOf[g]; !ok {
			t.Errorf("the realm's group %s has no claim mapping: its members could not sign in", g)
		}
	}

	accounts := demo.Accounts()
	if len(r.Users) != len(accounts) {
		t.Errorf("the realm has %d users, the demo city %d accounts", len(r.Users), len(accounts))
	}
	byEmail := map[string]int{}
	for i, u := range r.Users {
		byEmail[u.Email] = i
	}
	for _, a := range accounts {
		i, ok := byEmail[a.Email]
		if !ok {
			t.Errorf("the realm lacks the demo account %s", a.Email)
			continue
		}
		u := r.Users[i]
		if !u.Enabled || !u.EmailVerified || u.FirstName+" "+u.LastName != a.DisplayName {
			t.Errorf("realm user %s: enabled %v, verified %v, name %q; want enabled, verified, %q", u.Email, u.Enabled, u.EmailVerified, u.FirstName+" "+u.LastName, a.DisplayName)
		}
		var grants []string
		for _, g := range u.Groups {
			grants = append(grants, grantOf[strings.TrimPrefix(g, "/")])
		}
		if want := []string{a.Org + " " + string(a.Role)}; !slices.Equal(grants, want) {
			t.Errorf("realm user %s gets %q at the first sign-in, the demo account has %q", u.Email, grants, want)
		}
	}
}

func demoOrganisations(t *testing.T) []string {
	t.Helper()
	f, err := directory.Parse(demo.DirectoryName, demo.Directory)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, o := range f.Organisations {
		out = append(out, o.ShortName)
	}
	return out
}
