package privacy

// Rule is a retention rule: when the data of a table goes.
type Rule string

// The retention rules of the catalogue.
const (
	RuleNone         Rule = "none"
	RuleHold         Rule = "hold"
	RuleDirectory    Rule = "directory"
	RuleAccount      Rule = "account"
	RuleCase         Rule = "case"
	RuleReferral     Rule = "referral"
	RuleConsent      Rule = "consent"
	RuleNotification Rule = "notification"
	RuleAudit        Rule = "audit"
	RuleSession      Rule = "session"
	RuleIdempotency  Rule = "idempotency"
	RuleJobs         Rule = "jobs"
	RuleLoginLimit   Rule = "login_limit"
)

// RuleInfo describes a rule for the deletion concept, in German.
type RuleInfo struct {
	Name string
	// Period: when the data is due for deletion (the documented default).
	Period string
	// Mechanism: how Lotse deletes it today. Automated says whether that happens without
	// anyone's action.
	Mechanism string
	Automated bool
}

// manual is the mechanism of a rule Lotse does not yet carry out by itself.
const manual = "Noch nicht automatisiert: Lotse zeigt die Frist, gelöscht wird bis zum automatischen Löschlauf auf Anweisung der verantwortlichen Stelle durch die Systemadministration."

// Rules are the retention rules in the order of the deletion concept.
var Rules = []Rule{RuleCase, RuleHold, RuleReferral, RuleConsent, RuleNotification, RuleAccount, RuleAudit, RuleSession, RuleIdempotency, RuleLoginLimit, RuleJobs, RuleDirectory, RuleNone}

// RuleInfos describe every rule.
var RuleInfos = map[Rule]RuleInfo{
	RuleCase: {
		Name:      "Fallakte",
		Period:    "3 Jahre nach Abschluss des Falls; ein Fall unter Löschsperre bleibt bis zu deren Ende. Die Statistik behält anonyme Zählungen (Vermittlungen nach Art der Stelle und Status, neue Fälle nach Monat).",
		Mechanism: "Automatisch: der periodische Lauf löscht, was fällig ist, jeden Fall und jede Vermittlung in einer eigenen Transaktion; die Vorschau zeigt der oder dem Datenschutzbeauftragten, was der nächste Lauf löscht (LOTSE_RETENTION_FILE passt die Fristen an).",
		Automated: true,
	},
	RuleReferral: {
		Name:      "Vermittlung",
		Period:    "Abgelehnte, abgelaufene, zurückgezogene oder durch Widerruf beendete Vermittlungen 1 Jahr nach ihrem Ende; alle anderen mit der Fallakte.",
		Mechanism: "Automatisch: der periodische Lauf löscht, was fällig ist, jeden Fall und jede Vermittlung in einer eigenen Transaktion; die Vorschau zeigt der oder dem Datenschutzbeauftragten, was der nächste Lauf löscht (LOTSE_RETENTION_FILE passt die Fristen an).",
		Automated: true,
	},
	RuleConsent: {
		Name:      "Einwilligung",
		Period:    "Der Nachweis (Freitext) mit dem Ende der Einwilligung (Widerruf oder Ablauf); dass, wofür und an wen sie bestand, bleibt als Nachweis der rechtmäßigen Weitergabe mit der Fallakte.",
		Mechanism: "Automatisch: der periodische Lauf löscht, was fällig ist, jeden Fall und jede Vermittlung in einer eigenen Transaktion; die Vorschau zeigt der oder dem Datenschutzbeauftragten, was der nächste Lauf löscht (LOTSE_RETENTION_FILE passt die Fristen an).",
		Automated: true,
	},
	RuleNotification: {
		Name:      "Benachrichtigung",
		Period:    "Mit dem Datensatz, auf den sie verweist; gelesene Benachrichtigungen 90 Tage nach dem Lesen.",
		Mechanism: "Automatisch: der periodische Lauf löscht, was fällig ist, jeden Fall und jede Vermittlung in einer eigenen Transaktion; die Vorschau zeigt der oder dem Datenschutzbeauftragten, was der nächste Lauf löscht (LOTSE_RETENTION_FILE passt die Fristen an).",
		Automated: true,
	},
	RuleHold: {
		Name:      "Löschsperre",
		Period:    "Bis zu ihrem Ende (Datum) oder ihrer Aufhebung durch die oder den Datenschutzbeauftragten; mit dem Fall.",
		Mechanism: "Die oder der Datenschutzbeauftragte setzt und hebt sie auf; beides wird protokolliert.",
	},
	RuleAccount: {
		Name:      "Konto von Beschäftigten",
		Period:    "Solange die Person für eine beteiligte Stelle arbeitet; nach der Deaktivierung so lange, wie Protokolleinträge auf das Konto verweisen (siehe Protokoll).",
		Mechanism: "Deaktivierung durch die Administration der Organisation (danach weder Anmeldung noch Zugriff); " + manual,
	},
	RuleAudit: {
		Name:      "Protokoll",
		Period:    "2 Jahre nach dem Ereignis.",
		Mechanism: "Noch nicht automatisiert: auf Anweisung der verantwortlichen Stelle löscht die Systemadministration mit `lotse audit prune --before DATUM`, und zwar nur bis zu einem signierten Prüfpunkt der Prüfsummenkette, so dass das verbleibende Protokoll prüfbar bleibt (docs/audit.md).",
	},
	RuleSession: {
		Name:      "Sitzung",
		Period:    "Mit dem Ende der Sitzung: Abmeldung, LOTSE_SESSION_IDLE_TIMEOUT ohne Anfrage oder LOTSE_SESSION_LIFETIME nach der Anmeldung.",
		Mechanism: "Automatisch: abgelaufene Sitzungen werden regelmäßig gelöscht.",
		Automated: true,
	},
	RuleIdempotency: {
		Name:      "Wiederholungsschutz",
		Period:    "24 Stunden nach der Anfrage.",
		Mechanism: "Automatisch: der periodische Lauf (alle 10 Minuten) löscht ältere Einträge.",
		Automated: true,
	},
	RuleLoginLimit: {
		Name:      "Begrenzung der Anmeldeversuche",
		Period:    "10 Minuten nach dem letzten Anmeldeversuch von einer Adresse.",
		Mechanism: "Automatisch: jeder Anmeldeversuch löscht die verstrichenen Einträge mit.",
		Automated: true,
	},
	RuleJobs: {
		Name:      "Hintergrundauftrag",
		Period:    "Erledigte Aufträge nach 24 Stunden, endgültig gescheiterte nach 30 Tagen.",
		Mechanism: "Automatisch durch die Auftragsverarbeitung (River).",
		Automated: true,
	},
	RuleDirectory: {
		Name:      "Verzeichnis der Stellen",
		Period:    "Solange die Stelle beteiligt ist; keine personenbezogenen Daten.",
		Mechanism: "Deaktivierung durch die Systemadministration.",
	},
	RuleNone: {
		Name:      "Stammdaten und Technik",
		Period:    "Keine personenbezogenen Daten; ohne Frist.",
		Mechanism: "–",
	},
}
