// Package privacy is Lotse's data catalogue (issue 14): every column of every table of the
// schema, classified in one place by whose data it is (data subject), what kind of personal
// data it holds (category), why Lotse keeps it (purpose), on which legal basis, and when it
// goes (retention rule). A test reads the migrated schema and fails when a column is missing
// here or listed here but gone, so a new personal column cannot slip in unclassified.
//
// The catalogue is the single source of the record of processing activities (GDPR Art. 30)
// and the deletion concept (Löschkonzept) that `lotse privacy record` and `lotse privacy
// deletion` print (docs/processing-record.md, docs/deletion-concept.md), and of what a
// subject access export must contain.
//
// It imports nothing of Lotse's: it describes the schema, it does not read it.
package privacy

import (
	"slices"
	"strings"
)

// Subject is whose data a column holds.
type Subject string

// The data subjects.
const (
	// NoSubject: the column is not personal data (reference data, technical keys of things).
	NoSubject Subject = ""
	// Client: a person of a case (a newcomer and the household's members).
	Client Subject = "client"
	// Staff: a member of staff of the city or a partner organisation (an account).
	Staff Subject = "staff"
)

// Category is the kind of personal data a column holds.
type Category string

// The categories of personal data, in the order of the documents.
const (
	// NotPersonal: no personal data.
	NotPersonal Category = ""
	// Identifier: a key or reference that points to a person or a case (pseudonymous on its
	// own, personal with the rest of the record).
	Identifier Category = "identifier"
	// Identity: names, name variants, date of birth.
	Identity Category = "identity"
	// Contact: telephone, e-mail, address.
	Contact Category = "contact"
	// Residence: residence status, arrival date, district.
	Residence Category = "residence"
	// Languages spoken.
	Languages Category = "languages"
	// CaseCourse: the course of the case work: statuses, dates, plan, tasks, referrals
	// (social data, SGB X § 67).
	CaseCourse Category = "case_course"
	// FreeText: notes, messages, answers, task texts: anything a caseworker writes, which may
	// include special categories (health: GDPR Art. 9).
	FreeText Category = "free_text"
	// ConsentRecord: what a person consented to share, with whom, and its evidence.
	ConsentRecord Category = "consent"
	// StaffAccount: a member of staff's account: name, sign-in identity, business contact.
	StaffAccount Category = "staff_account"
	// Usage: who did what and when in Lotse: sessions, audit, notifications, settings.
	Usage Category = "usage"
)

// Categories lists every category of personal data, in document order.
var Categories = []Category{Identifier, Identity, Contact, Residence, Languages, CaseCourse, FreeText, ConsentRecord, StaffAccount, Usage}

// CategoryNames are the German names of the categories in the documents.
var CategoryNames = map[Category]string{
	NotPersonal:   "keine personenbezogenen Daten",
	Identifier:    "Kennungen",
	Identity:      "Identitätsdaten",
	Contact:       "Kontaktdaten",
	Residence:     "Aufenthalt und Herkunft",
	Languages:     "Sprachen",
	CaseCourse:    "Fallverlauf (Sozialdaten)",
	FreeText:      "Freitexte (können besondere Kategorien enthalten, Art. 9 DSGVO)",
	ConsentRecord: "Einwilligungen",
	StaffAccount:  "Beschäftigtendaten (Konto)",
	Usage:         "Nutzungs- und Protokolldaten",
}

// SubjectNames are the German names of the data subjects.
var SubjectNames = map[Subject]string{
	NoSubject: "–",
	Client:    "Ratsuchende (Personen eines Falls)",
	Staff:     "Beschäftigte der Stadt und der Partnerorganisationen",
}

// Column classifies one column.
type Column struct {
	Name     string
	Subject  Subject
	Category Category
}

// Personal says whether the column holds personal data.
func (c Column) Personal() bool { return c.Category != NotPersonal }

// Table classifies one table: its purpose, legal basis and retention, and each column.
type Table struct {
	Name       string
	Purpose    string // German: why Lotse keeps it
	LegalBasis string // German: on which basis
	Retention  Rule
	Columns    []Column
	// External: a library's own table (River's job queue, goose's version table) classified
	// as a whole, because the library migrates its columns; Columns is then empty and every
	// column counts as Category of ExternalCategory.
	External         bool
	ExternalCategory Category
	ExternalSubject  Subject
}

// Column returns the classification of name (false when the table does not list it).
func (t Table) Column(name string) (Column, bool) {
	if t.External {
		return Column{Name: name, Subject: t.ExternalSubject, Category: t.ExternalCategory}, true
	}
	i := slices.IndexFunc(t.Columns, func(c Column) bool { return c.Name == name })
	if i < 0 {
		return Column{}, false
	}
	return t.Columns[i], true
}

// Personal says whether any column of the table holds personal data.
func (t Table) Personal() bool {
	if t.External {
		return t.ExternalCategory != NotPersonal
	}
	return slices.ContainsFunc(t.Columns, Column.Personal)
}

// Subjects are the data subjects of the table's columns, in the order Client, Staff.
func (t Table) Subjects() []Subject {
	var out []Subject
	for _, s := range []Subject{Client, Staff} {
		if t.External && t.ExternalSubject == s || slices.ContainsFunc(t.Columns, func(c Column) bool { return c.Subject == s }) {
			out = append(out, s)
		}
	}
	return out
}

// PersonalCategories are the categories of personal data the table holds, in document order.
func (t Table) PersonalCategories() []Category {
	var out []Category
	for _, cat := range Categories {
		if t.External && t.ExternalCategory == cat || slices.ContainsFunc(t.Columns, func(c Column) bool { return c.Category == cat }) {
			out = append(out, cat)
		}
	}
	return out
}

// Lookup returns the table name of the catalogue (false when it is not listed).
func Lookup(name string) (Table, bool) {
	i := slices.IndexFunc(Catalogue, func(t Table) bool { return t.Name == name })
	if i < 0 {
		return Table{}, false
	}
	return Catalogue[i], true
}

// ClientColumns are the columns of table that hold personal data of a client: what a subject
// access export of a person must contain from that table.
func ClientColumns(table string) []string {
	t, ok := Lookup(table)
	if !ok || t.External {
		return nil
	}
	var out []string
	for _, c := range t.Columns {
		if c.Subject == Client && c.Personal() {
			out = append(out, c.Name)
		}
	}
	return out
}

// Column constructors: a client's, a member of staff's, or no personal data.
func client(name string, cat Category) Column { return Column{name, Client, cat} }
func staff(name string, cat Category) Column  { return Column{name, Staff, cat} }
func none(names ...string) []Column {
	out := make([]Column, len(names))
	for i, n := range names {
		out[i] = Column{Name: n}
	}
	return out
}

// cols joins column lists.
func cols(parts ...[]Column) []Column { return slices.Concat(parts...) }

// one wraps single columns as a list.
func one(cs ...Column) []Column { return cs }

// The legal bases, as the documents name them. The city's data protection officer confirms
// them for the installation (docs/sharing.md has the legal bases of referrals).
const (
	basisCaseWork = "Art. 6 Abs. 1 lit. e, Art. 9 Abs. 2 lit. b und h DSGVO i. V. m. §§ 67a, 67b SGB X und der jeweiligen Aufgabennorm (z. B. SGB II, SGB VIII, SGB XII, AufenthG)"
	basisSharing  = "Einwilligung der Person (Art. 6 Abs. 1 lit. a, Art. 9 Abs. 2 lit. a DSGVO, § 67b Abs. 2 SGB X) oder eine Übermittlungsbefugnis (§§ 69 ff. SGB X), die bei der Vermittlung genannt wird"
	basisConsent  = "Nachweispflicht (Art. 7 Abs. 1 DSGVO, § 67b Abs. 2 SGB X)"
	basisStaff    = "Art. 6 Abs. 1 lit. c und e DSGVO i. V. m. § 26 BDSG bzw. § 12 NDSG (Beschäftigtendaten, soweit für den Zugang erforderlich)"
	basisSecurity = "Art. 5 Abs. 2, Art. 32 DSGVO, § 78a SGB X (Protokollierung, Datensicherheit)"
	basisNone     = "– (keine personenbezogenen Daten)"
)

// Catalogue is every table of the schema. Keep it in the order of the migrations' topics:
// directory, cases, sharing, tasks, notifications, security, technical.
var Catalogue = []Table{
	{
		Name: "organisations", Purpose: "Verzeichnis der beteiligten Stellen (Fachbereiche, Jobcenter, Träger) und ihrer Funktionspostfächer",
		LegalBasis: basisNone, Retention: RuleDirectory,
		Columns: cols(none("id", "parent_id", "kind", "name", "short_name", "active", "version", "created_at", "updated_at", "allow_admin_casework"),
			// Functional mailboxes and switchboards of an organisation, not a person's.
			none("contact_email", "contact_phone")),
	},
	{
		Name: "users", Purpose: "Konten der Beschäftigten: Anmeldung, Rollen, dienstliche Erreichbarkeit, Sprache der Benachrichtigungen",
		LegalBasis: basisStaff, Retention: RuleAccount,
		Columns: cols(one(staff("id", Identifier), staff("issuer", StaffAccount), staff("subject", StaffAccount), staff("email", StaffAccount),
			staff("display_name", StaffAccount), staff("active", StaffAccount), staff("service", StaffAccount), staff("last_login_at", Usage),
			staff("business_phone", StaffAccount), staff("business_email", StaffAccount), staff("language", StaffAccount)),
			none("version", "created_at", "updated_at")),
	},
	{
		Name: "role_grants", Purpose: "Rollen der Beschäftigten je Organisation (Berechtigungskonzept)",
		LegalBasis: basisStaff, Retention: RuleAccount,
		Columns: cols(one(staff("user_id", Identifier), staff("role", StaffAccount), staff("granted_by", Usage), staff("created_at", Usage)),
			none("id", "org_id")),
	},
	{
		Name: "cases", Purpose: "Fallakte des Integrationsmanagements: federführende Stelle, Status, Zuständigkeit",
		LegalBasis: basisCaseWork, Retention: RuleCase,
		Columns: cols(one(client("id", Identifier), client("reference", Identifier), client("status", CaseCourse), client("status_reason", CaseCourse),
			client("district", Residence), client("opened_at", CaseCourse), client("closed_at", CaseCourse),
			staff("responsible_user_id", Identifier)),
			none("lead_org_id", "version", "created_at", "updated_at")),
	},
	{
		Name: "persons", Purpose: "Die Personen eines Falls (Haushalt) mit den Angaben, die die Fallarbeit braucht",
		LegalBasis: basisCaseWork, Retention: RuleCase,
		Columns: cols(one(client("id", Identifier), client("case_id", Identifier), client("is_primary", CaseCourse),
			client("family_name", Identity), client("given_names", Identity), client("name_variants", Identity), client("birth_date", Identity),
			client("languages", Languages), client("arrival_date", Residence), client("residence_status", Residence), client("district", Residence),
			client("phone", Contact), client("email", Contact), client("address", Contact),
			// Derived from the names for the search; deleted and rebuilt with them.
			client("search_text", Identity)),
			none("version", "created_at", "updated_at")),
	},
	{
		Name: "areas", Purpose: "Handlungsfelder (Wohnen, Arbeit, Schule, Sprache, Gesundheit, Aufenthalt)",
		LegalBasis: basisNone, Retention: RuleNone,
		Columns: none("code", "name_de", "name_en", "position", "active"),
	},
	{
		Name: "area_statuses", Purpose: "Integrationsplan: Stand je Handlungsfeld",
		LegalBasis: basisCaseWork, Retention: RuleCase,
		Columns: cols(one(client("case_id", Identifier), client("status", CaseCourse), client("note", FreeText), client("changed_at", CaseCourse),
			staff("changed_by", Usage)),
			none("area", "responsible_org_id", "version")),
	},
	{
		Name: "consents", Purpose: "Einwilligungen in die Weitergabe an Partner: Umfang, Gültigkeit, Nachweis, Widerruf",
		LegalBasis: basisConsent, Retention: RuleConsent,
		Columns: cols(one(client("id", Identifier), client("case_id", Identifier), client("person_id", Identifier),
			client("areas", ConsentRecord), client("data_categories", ConsentRecord), client("purpose", ConsentRecord),
			client("valid_from", ConsentRecord), client("valid_until", ConsentRecord), client("evidence", ConsentRecord),
			client("language", ConsentRecord), client("recorded_at", ConsentRecord), client("revoked_at", ConsentRecord),
			staff("recorded_by", Usage), staff("revoked_by", Usage)),
			none("recorded_org_id", "version")),
	},
	{
		Name: "consent_recipients", Purpose: "Die Stellen, an die eine Einwilligung die Weitergabe erlaubt",
		LegalBasis: basisConsent, Retention: RuleConsent,
		Columns: cols(one(client("consent_id", Identifier)), none("org_id")),
	},
	{
		Name: "referrals", Purpose: "Vermittlungen an andere Stellen: Anliegen, Antwort, Ergebnis, Rechtsgrundlage der Weitergabe",
		LegalBasis: basisSharing, Retention: RuleReferral,
		Columns: cols(one(client("id", Identifier), client("reference", Identifier), client("case_id", Identifier), client("areas", CaseCourse),
			client("message", FreeText), client("reply_due", CaseCourse), client("status", CaseCourse), client("consent_id", Identifier),
			client("legal_basis", CaseCourse), client("legal_basis_categories", CaseCourse), client("reply", FreeText), client("outcome", FreeText),
			client("answered_at", CaseCourse), client("closed_at", CaseCourse), client("created_at", CaseCourse),
			staff("sent_by", Usage), staff("answered_by", Usage), staff("assignee_id", Identifier)),
			none("from_org_id", "to_org_id", "version", "updated_at")),
	},
	{
		Name: "case_handovers", Purpose: "Übergabe der Federführung eines Falls an eine andere Stelle",
		LegalBasis: basisCaseWork, Retention: RuleCase,
		Columns: cols(one(client("case_id", Identifier), client("status", CaseCourse), client("reason", FreeText), client("answer_reason", FreeText),
			client("answered_at", CaseCourse), client("created_at", CaseCourse),
			staff("requested_by", Usage), staff("answered_by", Usage)),
			none("id", "from_org_id", "to_org_id", "version", "updated_at")),
	},
	{
		Name: "tasks", Purpose: "Aufgaben der Stellen zu einem Fall oder einer Vermittlung, mit Frist und Zuständigkeit",
		LegalBasis: basisCaseWork, Retention: RuleCase,
		Columns: cols(one(client("case_id", Identifier), client("referral_id", Identifier), client("title", FreeText), client("description", FreeText),
			client("due_date", CaseCourse), client("status", CaseCourse), client("status_reason", CaseCourse), client("done_at", CaseCourse),
			client("created_at", CaseCourse),
			staff("assignee_id", Identifier), staff("created_by", Usage)),
			none("id", "org_id", "area", "priority", "version", "updated_at")),
	},
	{
		Name: "task_comments", Purpose: "Kommentare zu Aufgaben",
		LegalBasis: basisCaseWork, Retention: RuleCase,
		Columns: cols(one(client("body", FreeText), client("created_at", CaseCourse), staff("author_id", Usage)),
			none("id", "task_id", "org_id")),
	},
	{
		Name: "notes", Purpose: "Vermerke zum Fall, für die eigene Stelle oder für eine Vermittlung geteilt",
		LegalBasis: basisCaseWork, Retention: RuleCase,
		Columns: cols(one(client("case_id", Identifier), client("body", FreeText), client("created_at", CaseCourse), staff("author_id", Usage)),
			none("id", "area", "org_id", "visibility")),
	},
	{
		Name: "follow_ups", Purpose: "Wiedervorlagen der Beschäftigten zu Fällen und Aufgaben",
		LegalBasis: basisCaseWork, Retention: RuleCase,
		Columns: cols(one(client("case_id", Identifier), client("due_on", CaseCourse), staff("user_id", Identifier), staff("done_at", Usage)),
			none("id", "org_id", "task_id", "created_at", "updated_at")),
	},
	{
		Name: "notifications", Purpose: "Benachrichtigungen der Beschäftigten (Glocke, E-Mail); nur Verweise, keine Inhalte",
		LegalBasis: basisCaseWork, Retention: RuleNotification,
		Columns: cols(one(staff("user_id", Identifier), staff("read_at", Usage), staff("emailed_at", Usage), staff("created_at", Usage),
			// A reference to a case, task, referral or consent: the client's record.
			client("object_id", Identifier)),
			none("id", "org_id", "kind", "object_type", "occasion")),
	},
	{
		Name: "notification_settings", Purpose: "Gewählter Benachrichtigungsweg je Art",
		LegalBasis: basisStaff, Retention: RuleAccount,
		Columns: cols(one(staff("user_id", Identifier), staff("channel", Usage)), none("kind")),
	},
	{
		Name: "audit_events", Purpose: "Protokoll jedes Lesens und Schreibens (wer, wann, was, zu welchem Zweck)",
		LegalBasis: basisSecurity, Retention: RuleAudit,
		Columns: cols(one(staff("actor_id", Identifier), staff("actor_name", StaffAccount), staff("role", Usage), staff("at", Usage),
			staff("remote_addr", Usage), staff("request_id", Usage),
			client("object_id", Identifier), client("case_id", Identifier), client("purpose", CaseCourse),
			// Names fields and references, never content (store/audit.go); personal only with the rest.
			client("details", Identifier)),
			none("id", "org_id", "action", "object_type")),
	},
	// The hash chain over the audit trail and its signed checkpoints (docs/audit.md): hashes,
	// positions and signatures, no personal data; a chain entry goes with its event.
	{
		Name: "audit_chain", Purpose: "Manipulationsschutz des Protokolls: verkettete Prüfsumme je Protokolleintrag",
		LegalBasis: basisNone, Retention: RuleAudit,
		Columns: none("seq", "event_id", "hash"),
	},
	{
		Name: "audit_checkpoints", Purpose: "Manipulationsschutz des Protokolls: signierte Zwischenstände der Prüfsummenkette",
		LegalBasis: basisNone, Retention: RuleNone,
		Columns: none("seq", "hash", "signed_at", "key_id", "signature"),
	},
	{
		Name: "sessions", Purpose: "Angemeldete Sitzungen",
		LegalBasis: basisSecurity, Retention: RuleSession,
		Columns: cols(one(staff("user_id", Identifier), staff("data", Usage), staff("expiry", Usage)), none("token")),
	},
	{
		Name: "idempotency_keys", Purpose: "Schutz vor doppelt ausgeführten Anfragen: gespeicherte Antwort einer Anfrage",
		LegalBasis: basisSecurity, Retention: RuleIdempotency,
		Columns: cols(one(staff("user_id", Identifier), staff("created_at", Usage),
			// The stored response of a request may hold anything the response held.
			client("body", FreeText), staff("headers", Usage), client("resource_id", Identifier)),
			none("key", "request_hash", "status", "code", "resource_type")),
	},
	{
		Name: "login_rate_buckets", Purpose: "Schutz der Anmeldung vor massenhaften Versuchen: Zahl der erlaubten Versuche je Adresse (nur als Prüfsumme der Adresse)",
		LegalBasis: basisSecurity, Retention: RuleLoginLimit,
		Columns: cols(one(staff("client", Identifier), staff("updated_at", Usage)), none("tokens")),
	},
	{
		Name: "case_holds", Purpose: "Löschsperren: ein Fall wird trotz abgelaufener Frist nicht gelöscht (Grund, wer, bis wann)",
		LegalBasis: basisCaseWork, Retention: RuleHold,
		Columns: cols(one(client("case_id", Identifier), client("reason", FreeText), client("until", CaseCourse),
			staff("held_by", Usage), staff("held_at", Usage))),
	},
	{
		Name: "subject_access_requests", Purpose: "Auskunftsersuchen nach Art. 15 DSGVO: welche Personeneinträge, Aktenzeichen des Ersuchens, wer es wann gestellt und ausgegeben hat",
		LegalBasis: "Art. 15 DSGVO, § 83 SGB X (Auskunft an die betroffene Person); Art. 5 Abs. 2 DSGVO (Nachweis)", Retention: RuleAudit,
		Columns: cols(one(client("person_ids", Identifier), client("reference", Identifier),
			staff("requested_by", Usage), staff("requested_at", Usage), staff("exported_at", Usage)),
			none("id")),
	},
	{
		Name: "subject_access_confirmations", Purpose: "Bestätigung eines Auskunftsersuchens durch die federführende Stelle jedes Falls (Vier-Augen-Prinzip)",
		LegalBasis: "Art. 15 DSGVO, § 83 SGB X; Art. 5 Abs. 2 DSGVO (Nachweis)", Retention: RuleAudit,
		Columns: cols(one(staff("confirmed_by", Usage), staff("confirmed_at", Usage)), none("request_id", "org_id")),
	},
	{
		Name: "emergency_accesses", Purpose: "Notfallzugriffe: wer (Konto und Organisation) einen Fall außerhalb der eigenen Zuständigkeit wann, bis wann und mit welchem Grund geöffnet hat, zur Prüfung durch die oder den Datenschutzbeauftragten",
		LegalBasis: "Art. 6 Abs. 1 lit. e, Art. 9 Abs. 2 lit. h DSGVO, § 67b SGB X (Zugriff in der Notlage); Art. 5 Abs. 2, Art. 32 DSGVO (Nachweis)", Retention: RuleAudit,
		Columns: cols(one(client("case_id", Identifier), client("reason", FreeText),
			staff("user_id", Identifier), staff("granted_at", Usage), staff("expires_at", Usage)),
			none("id", "org_id")),
	},
	{
		Name: "statistics_archive", Purpose: "Anonyme Zählungen gelöschter Fälle und Vermittlungen für die Statistik",
		LegalBasis: basisNone, Retention: RuleNone,
		Columns: none("kind", "a", "b", "n"),
	},
	{
		Name: "reference_counters", Purpose: "Zähler der Aktenzeichen", LegalBasis: basisNone, Retention: RuleNone,
		Columns: none("prefix", "year", "last"),
	},
	{
		Name: "goose_db_version", Purpose: "Stand des Datenbankschemas", LegalBasis: basisNone, Retention: RuleNone,
		External: true,
	},
	// River's job queue (internal/jobs): a job's arguments are references only (ids of
	// notifications, a day), its errors name members by id; River migrates its own columns.
	{Name: "river_job", Purpose: "Hintergrundaufträge (Erinnerungen, E-Mails); Argumente nur Verweise", LegalBasis: basisSecurity, Retention: RuleJobs, External: true, ExternalCategory: Usage, ExternalSubject: Staff},
	{Name: "river_client", Purpose: "Laufende Instanzen der Auftragsverarbeitung", LegalBasis: basisNone, Retention: RuleNone, External: true},
	{Name: "river_client_queue", Purpose: "Warteschlangen je Instanz", LegalBasis: basisNone, Retention: RuleNone, External: true},
	{Name: "river_leader", Purpose: "Gewählte leitende Instanz", LegalBasis: basisNone, Retention: RuleNone, External: true},
	{Name: "river_migration", Purpose: "Schemastand der Auftragsverarbeitung", LegalBasis: basisNone, Retention: RuleNone, External: true},
	{Name: "river_queue", Purpose: "Warteschlangen", LegalBasis: basisNone, Retention: RuleNone, External: true},
}

// Personal returns the tables that hold personal data, in catalogue order.
func Personal() []Table {
	var out []Table
	for _, t := range Catalogue {
		if t.Personal() {
			out = append(out, t)
		}
	}
	return out
}

// joinNames joins the German names of cats.
func joinNames[K comparable](keys []K, names map[K]string) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = names[k]
	}
	return strings.Join(parts, "; ")
}
