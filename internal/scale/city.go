package scale

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/demo"
	"github.com/lotse-project/lotse/internal/model"
)

// The city: its organisation tree and its staff, computed from the configuration alone (no
// database), so that Accounts can list the accounts without generating the cases.

// Org is one generated organisation.
type Org struct {
	ID        uuid.UUID
	ParentID  uuid.UUID // uuid.Nil for a root
	Kind      model.OrgKind
	Name      string
	ShortName string
	Email     string
	Phone     string
	// Depth is 0 for a root, 1 for its children, and so on.
	Depth int
	// Leads: a municipal unit or team whose caseworkers lead cases.
	Leads bool
	// Receives: an organisation that referrals go to (partner offices, municipal units).
	Receives bool
	// members by role, filled when the staff is made.
	caseworkers []int
	leads       []int
}

// Account is one generated account that can sign in through the development identity
// provider (pre-provisioned by e-mail, linked at the first sign-in like the demo accounts).
// Every account holds exactly one role in one organisation.
type Account struct {
	UserID uuid.UUID
	// Subject is what the development identity provider calls the account (the e-mail's
	// local part, as for the demo accounts).
	Subject     string
	Email       string
	DisplayName string
	Role        model.Role
	OrgID       uuid.UUID
	// Org is the short name of the organisation, OrgKind its kind.
	Org     string
	OrgKind model.OrgKind
	// Leads is true for a member of an organisation that leads cases (a municipal unit).
	Leads bool
}

// city is the generated organisation tree and staff.
type city struct {
	orgs  []Org
	users []Account
	// leaders are the indexes of the organisations that lead cases, receivers of those that
	// receive referrals.
	leaders, receivers []int
	root               int
	integration        int
}

// newUUID draws a version 4 UUID from r.
func newUUID(r *rand.Rand) uuid.UUID {
	var u uuid.UUID
	for i := 0; i < 16; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			u[i+j] = byte(v >> (8 * j))
		}
	}
	u[6] = (u[6] & 0x0f) | 0x40
	u[8] = (u[8] & 0x3f) | 0x80
	return u
}

var departmentNames = []struct{ short, name string }{
	{"SOZ", "Fachbereich Soziales"},
	{"INT", "Fachbereich Integration und Migration"},
	{"JUG", "Fachbereich Kinder, Jugend und Familie"},
	{"ORD", "Fachbereich Bürger und Ordnung"},
	{"WOH", "Fachbereich Wohnen"},
	{"GES", "Fachbereich Gesundheit"},
	{"BIL", "Fachbereich Bildung und Schule"},
	{"ARB", "Fachbereich Arbeit und Beschäftigung"},
	{"INK", "Fachbereich Senioren und Inklusion"},
	{"STT", "Fachbereich Stadtteilarbeit"},
	{"WIH", "Fachbereich Wirtschaftliche Hilfen"},
	{"BSV", "Fachbereich Bürgerservice"},
}

var unitTopics = []string{
	"Fachdienst Migrationsberatung", "Fachdienst Wohnungssicherung", "Fachdienst Unterbringung", "Sachgebiet Leistungen",
	"Fachdienst Allgemeiner Sozialer Dienst", "Fachdienst Ausländerangelegenheiten", "Fachdienst Integrationskurse",
	"Fachdienst Eingliederungshilfe", "Fachdienst Jugendmigrationsdienst", "Fachdienst Kita und Schule",
	"Fachdienst Gesundheitsberatung", "Sachgebiet Teilhabe", "Fachdienst Quartiersarbeit", "Fachdienst Beschäftigungsförderung",
}

var welfareNames = []struct{ short, name, domain string }{
	{"CARITAS", "Caritasverband", "caritas"},
	{"DIAKONIE", "Diakonisches Werk", "diakonie"},
	{"AWO", "Arbeiterwohlfahrt Kreisverband", "awo"},
	{"DRK", "Deutsches Rotes Kreuz Kreisverband", "drk"},
	{"PARITAET", "Der Paritätische", "paritaet"},
	{"MALTESER", "Malteser Hilfsdienst", "malteser"},
	{"JOHANNITER", "Johanniter-Unfall-Hilfe", "johanniter"},
	{"INVIA", "IN VIA Katholischer Verband für Mädchen- und Frauensozialarbeit", "invia"},
	{"SKM", "Sozialdienst katholischer Männer", "skm"},
	{"SKF", "Sozialdienst katholischer Frauen", "skf"},
	{"ASB", "Arbeiter-Samariter-Bund", "asb"},
	{"ZWST", "Zentralwohlfahrtsstelle der Juden – Beratung", "zwst"},
}

var officeKinds = []string{"Migrationsberatung", "Beratungsstelle", "Flüchtlingssozialarbeit", "Jugendmigrationsdienst",
	"Familienzentrum", "Sozialberatung", "Stadtteilbüro", "Frauenberatung"}

var schoolNames = []string{"Grundschule", "Oberschule", "Gesamtschule", "Berufsbildende Schulen", "Gymnasium", "Förderschule"}

var civilNames = []string{"Flüchtlingshilfe", "Deutsch-Syrischer Verein", "Ukrainische Gemeinde", "Afghanischer Kulturverein",
	"Nachbarschaftshilfe", "Patenschaftsnetzwerk", "Frauentreff International", "Eritreische Gemeinschaft", "Sprachcafé",
	"Kurdisches Kulturzentrum", "Migrantinnenverein", "Integrationslotsen"}

// share splits n by the weights, every part at least min, summing to n when n allows.
func share(n int, weights []float64, min int) []int {
	total := 0.0
	for _, w := range weights {
		total += w
	}
	out := make([]int, len(weights))
	left := n
	for i, w := range weights {
		out[i] = max(min, int(math.Round(float64(n)*w/total)))
		left -= out[i]
	}
	for i := 0; left != 0; i = (i + 1) % len(out) {
		if left > 0 {
			out[i]++
			left--
		} else if out[i] > min {
			out[i]--
			left++
		} else if i == len(out)-1 && allAt(out, min) {
			break
		}
	}
	return out
}

func allAt(xs []int, min int) bool {
	for _, x := range xs {
		if x > min {
			return false
		}
	}
	return true
}

// buildCity makes the organisation tree and the staff for the sizes of s.
func buildCity(seed uint64, s Sizes) *city {
	r := rand.New(rand.NewPCG(seed, 0xC17))
	c := &city{}
	add := func(parent int, kind model.OrgKind, short, name, domain string) int {
		o := Org{ID: newUUID(r), Kind: kind, ShortName: short, Name: name, Depth: 0}
		if parent >= 0 {
			o.ParentID = c.orgs[parent].ID
			o.Depth = c.orgs[parent].Depth + 1
		}
		o.Email = "kontakt@" + domain + ".example"
		o.Phone = fmt.Sprintf("+49 541 000-%04d", len(c.orgs))
		c.orgs = append(c.orgs, o)
		return len(c.orgs) - 1
	}
	// Shares of the organisations: the city (root, departments, units, teams), the job
	// center with its local offices, welfare associations with local offices, schools, and
	// civil society.
	parts := share(s.Orgs, []float64{0.42, 0.04, 0.34, 0.10, 0.10}, 2)
	nMuni, nJC, nWelfare, nSchool, nCivil := parts[0], parts[1], parts[2], parts[3], parts[4]

	c.root = add(-1, model.OrgMunicipal, "S-STADT", "Stadt Lotsenburg", "stadt-lotsenburg")
	nDept := min(len(departmentNames), max(2, int(math.Round(float64(nMuni)*0.07))))
	rest := max(nDept, nMuni-1-nDept)
	nUnits := max(nDept, int(math.Round(float64(rest)*0.65)))
	nTeams := max(0, rest-nUnits)
	var depts, units []int
	for i := 0; i < nDept; i++ {
		d := departmentNames[i]
		depts = append(depts, add(c.root, model.OrgMunicipal, "S-"+d.short, d.name, "stadt-lotsenburg"))
		if d.short == "INT" {
			c.integration = depts[len(depts)-1]
		}
	}
	if c.integration == 0 {
		c.integration = depts[0]
	}
	for i := 0; i < nUnits; i++ {
		d := depts[i%nDept]
		topic := unitTopics[r.IntN(len(unitTopics))]
		district := districts[r.IntN(len(districts))]
		u := add(d, model.OrgMunicipal, fmt.Sprintf("%s-%02d", c.orgs[d].ShortName, i/nDept+1),
			fmt.Sprintf("%s – Bezirk %s", topic, district), "stadt-lotsenburg")
		units = append(units, u)
	}
	for i := 0; i < nTeams; i++ {
		u := units[i%len(units)]
		add(u, model.OrgMunicipal, fmt.Sprintf("%s-T%d", c.orgs[u].ShortName, i/len(units)+1),
			fmt.Sprintf("Team %d, %s", i/len(units)+1, c.orgs[u].Name), "stadt-lotsenburg")
	}
	for i := range c.orgs {
		if c.orgs[i].Depth >= 2 {
			c.orgs[i].Leads, c.orgs[i].Receives = true, true
			c.leaders = append(c.leaders, i)
		}
	}

	jc := add(-1, model.OrgJobcenter, "S-JC", "Jobcenter Lotsenburg", "jobcenter-lotsenburg")
	for i := 1; i < nJC; i++ {
		o := add(jc, model.OrgJobcenter, fmt.Sprintf("S-JC-%02d", i),
			fmt.Sprintf("Jobcenter Lotsenburg – Geschäftsstelle %s", districts[(i*7)%len(districts)]), "jobcenter-lotsenburg")
		c.orgs[o].Receives = true
	}
	if nJC == 1 {
		c.orgs[jc].Receives = true
	}

	nAssoc := min(len(welfareNames), max(2, int(math.Round(float64(nWelfare)*0.1))))
	assocs := make([]int, nAssoc)
	for i := range assocs {
		w := welfareNames[i]
		assocs[i] = add(-1, model.OrgWelfare, "S-"+w.short, w.name+" Lotsenburg", w.domain+"-lotsenburg")
	}
	for i := 0; i < nWelfare-nAssoc; i++ {
		a := assocs[i%nAssoc]
		kind := officeKinds[r.IntN(len(officeKinds))]
		o := add(a, model.OrgWelfare, fmt.Sprintf("%s-%02d", c.orgs[a].ShortName, i/nAssoc+1),
			fmt.Sprintf("%s – %s %s", c.orgs[a].Name, kind, districts[r.IntN(len(districts))]), welfareNames[i%nAssoc].domain+"-lotsenburg")
		c.orgs[o].Receives = true
	}
	for _, a := range assocs {
		if !c.hasChildren(a) {
			c.orgs[a].Receives = true
		}
	}

	vhs := add(-1, model.OrgSchool, "S-VHS", "Volkshochschule Lotsenburg", "vhs-lotsenburg")
	c.orgs[vhs].Receives = true
	for i := 1; i < nSchool; i++ {
		o := add(-1, model.OrgSchool, fmt.Sprintf("S-SCHULE-%02d", i),
			fmt.Sprintf("%s %s", schoolNames[r.IntN(len(schoolNames))], districts[r.IntN(len(districts))]), fmt.Sprintf("schule%02d-lotsenburg", i))
		c.orgs[o].Receives = true
	}
	net := add(-1, model.OrgCivilSociety, "S-NETZ", "Netzwerk Migrantenorganisationen Lotsenburg e. V.", "netzwerk-lotsenburg")
	c.orgs[net].Receives = true
	for i := 1; i < nCivil; i++ {
		parent := -1
		if i%3 == 0 {
			parent = net // some associations are members of the network
		}
		o := add(parent, model.OrgCivilSociety, fmt.Sprintf("S-VEREIN-%02d", i),
			fmt.Sprintf("%s %s e. V.", civilNames[r.IntN(len(civilNames))], districts[r.IntN(len(districts))]), fmt.Sprintf("verein%02d-lotsenburg", i))
		c.orgs[o].Receives = true
	}
	for i := range c.orgs {
		if c.orgs[i].Receives {
			c.receivers = append(c.receivers, i)
		}
	}
	c.staff(r, s.Users, depts, assocs, jc)
	return c
}

func (c *city) hasChildren(i int) bool {
	for _, o := range c.orgs {
		if o.ParentID == c.orgs[i].ID {
			return true
		}
	}
	return false
}

// staff makes the accounts: administrators and the data protection officer of the city,
// coordinators, a head (lead) and an administrator for every department and association, a
// lead in every unit and office, and the caseworkers, most of them in the units that lead
// cases.
func (c *city) staff(r *rand.Rand, n int, depts, assocs []int, jc int) {
	// Subjects are unique, and none is a demo account's: the development identity provider
	// may offer both at once.
	used := map[string]int{}
	for _, d := range demo.Accounts() {
		used[strings.SplitN(d.Email, "@", 2)[0]] = 1
	}
	add := func(org int, role model.Role) {
		fam := staffFamilies[r.IntN(len(staffFamilies))][0]
		given := staffGiven[r.IntN(len(staffGiven))][0]
		local := asciiName(given) + "." + asciiName(fam)
		used[local]++
		if k := used[local]; k > 1 {
			local = fmt.Sprintf("%s.%d", local, k)
		}
		o := &c.orgs[org]
		domain := strings.SplitN(o.Email, "@", 2)[1]
		a := Account{
			UserID: newUUID(r), Subject: local, Email: local + "@" + domain, DisplayName: given + " " + fam,
			Role: role, OrgID: o.ID, Org: o.ShortName, OrgKind: o.Kind, Leads: o.Leads,
		}
		switch role {
		case model.RoleCaseworker:
			o.caseworkers = append(o.caseworkers, len(c.users))
		case model.RoleLead:
			o.leads = append(o.leads, len(c.users))
		}
		c.users = append(c.users, a)
	}
	add(c.root, model.RoleSysadmin)
	add(c.root, model.RoleDPO)
	add(c.integration, model.RoleCoordinator)
	for _, d := range depts {
		add(d, model.RoleLead)
		add(d, model.RoleOrgAdmin)
	}
	add(jc, model.RoleLead)
	add(jc, model.RoleOrgAdmin)
	for _, a := range assocs {
		add(a, model.RoleLead)
		add(a, model.RoleOrgAdmin)
	}
	for _, i := range c.leaders {
		add(i, model.RoleLead)
		add(i, model.RoleCaseworker)
	}
	for _, i := range c.receivers {
		if !c.orgs[i].Leads {
			add(i, model.RoleCaseworker)
		}
	}
	// A second coordinator and data protection officer in a large city.
	if n >= 1000 {
		add(c.integration, model.RoleCoordinator)
		add(c.root, model.RoleDPO)
		add(c.root, model.RoleSysadmin)
	}
	// The rest are caseworkers: three in a unit that leads cases for each one in a partner
	// office, every tenth partner position a lead (the office's head).
	var slots []int
	for _, i := range c.leaders {
		slots = append(slots, i, i, i)
	}
	for _, i := range c.receivers {
		if !c.orgs[i].Leads {
			slots = append(slots, i)
		}
	}
	for k := 0; len(c.users) < n; k++ {
		org := slots[r.IntN(len(slots))]
		role := model.RoleCaseworker
		if !c.orgs[org].Leads && len(c.orgs[org].leads) == 0 && k%10 == 0 {
			role = model.RoleLead
		}
		add(org, role)
	}
}

// asciiName spells a name for an invented e-mail address.
func asciiName(s string) string {
	s = strings.ToLower(s)
	s = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "ı", "i", "ş", "s", "ç", "c", "ğ", "g", "ă", "a",
		"š", "s", "č", "c", "ł", "l", "ń", "n", "ó", "o", "ś", "s", "ź", "z", "ż", "z", "ą", "a", "ę", "e", "ć", "c", "é", "e",
		"ș", "s", "ț", "t", "đ", "d", "ž", "z", "ï", "i", "'", "", " ", "-").Replace(s)
	var b strings.Builder
	for _, c := range s {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' {
			b.WriteRune(c)
		}
	}
	return b.String()
}
