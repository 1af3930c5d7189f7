package privacy

import (
	"fmt"
	"strings"
)

// generated is the note at the top of both documents.
const generated = "<!-- Generated from internal/privacy (catalogue.go, rules.go) by `lotse privacy %s`; do not edit by hand: change the catalogue and run `make docs`. -->\n\n"

// Record renders the record of processing activities (GDPR Art. 30 para. 1) of Lotse as
// Markdown, in German: what the installing city adopts into its own record.
func Record() string {
	var b strings.Builder
	fmt.Fprintf(&b, generated, "record")
	b.WriteString("# Verzeichnis von Verarbeitungstätigkeiten (Art. 30 DSGVO): Lotse\n\n")
	b.WriteString("Vorlage für das Verzeichnis der Stadt, erzeugt aus dem Datenkatalog des Quelltextes: Jede Spalte jeder Tabelle ist dort eingeordnet, ein Test hält Katalog und Datenbankschema gleich. " +
		"Die Stadt ergänzt Name und Kontaktdaten des Verantwortlichen und der oder des Datenschutzbeauftragten und prüft die genannten Rechtsgrundlagen für ihre Aufgaben.\n\n")

	b.WriteString("## Zweck\n\n")
	b.WriteString("Fallbezogene Zusammenarbeit im Integrationsmanagement: Fälle anlegen und führen, Vermittlungen an beteiligte Stellen (Fachbereiche, Jobcenter, Träger der Wohlfahrtspflege) mit Einwilligung oder Übermittlungsbefugnis, Aufgaben und Fristen, Erinnerungen, anonymisierte stadtweite Kennzahlen für die Koordinierung.\n\n")

	b.WriteString("## Kategorien betroffener Personen\n\n")
	for _, s := range []Subject{Client, Staff} {
		fmt.Fprintf(&b, "- %s\n", SubjectNames[s])
	}
	b.WriteString("\n## Kategorien personenbezogener Daten\n\n")
	b.WriteString("| Kategorie | Betroffene | Tabellen |\n| --- | --- | --- |\n")
	for _, cat := range Categories {
		var tables []string
		subjects := map[Subject]bool{}
		for _, t := range Catalogue {
			hit := false
			for _, c := range columnsOf(t) {
				if c.Category == cat {
					hit = true
					subjects[c.Subject] = true
				}
			}
			if hit {
				tables = append(tables, "`"+t.Name+"`")
			}
		}
		var subs []Subject
		for _, s := range []Subject{Client, Staff} {
			if subjects[s] {
				subs = append(subs, s)
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", CategoryNames[cat], joinNames(subs, SubjectNames), strings.Join(tables, ", "))
	}

	b.WriteString("\n## Empfänger\n\n")
	b.WriteString("- Beteiligte Stellen, an die ein Fall vermittelt wird: nur die vermittelten Handlungsfelder und nur die Datenkategorien, die die Einwilligung der Person oder die genannte Übermittlungsbefugnis abdeckt (docs/sharing.md).\n")
	b.WriteString("- Koordinierungsstab: nur anonymisierte, gegen kleine Zahlen geschützte Kennzahlen (docs/statistics.md).\n")
	b.WriteString("- Systemadministration und Datenschutz: keine Falldaten; Protokoll und Verwaltung (docs/permissions.md).\n")
	b.WriteString("- Keine Übermittlung in Drittländer.\n\n")

	b.WriteString("## Verarbeitungen je Tabelle\n\n")
	b.WriteString("| Tabelle | Zweck | Betroffene | Datenkategorien | Rechtsgrundlage | Löschregel |\n| --- | --- | --- | --- | --- | --- |\n")
	for _, t := range Personal() {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n", t.Name, t.Purpose, joinNames(t.Subjects(), SubjectNames),
			joinNames(t.PersonalCategories(), CategoryNames), t.LegalBasis, RuleInfos[t.Retention].Name)
	}
	b.WriteString("\nTabellen ohne personenbezogene Daten: ")
	var plain []string
	for _, t := range Catalogue {
		if !t.Personal() {
			plain = append(plain, "`"+t.Name+"`")
		}
	}
	b.WriteString(strings.Join(plain, ", ") + ".\n\n")

	b.WriteString("## Fristen für die Löschung\n\n")
	b.WriteString("Siehe das Löschkonzept (docs/deletion-concept.md, `lotse privacy deletion`).\n\n")

	b.WriteString("## Technische und organisatorische Maßnahmen (Art. 32 DSGVO)\n\n")
	for _, m := range []string{
		"Zugriff nur nach Rolle und Zuständigkeit (Berechtigungskonzept docs/permissions.md); was eine Person nicht sehen darf, existiert für sie nicht (404).",
		"Trennung der Aufgaben: Rollen ohne Fallinhalte (Datenschutz, Systemadministration, Administration der Organisation, Koordinierung) werden nicht mit fallbearbeitenden Rollen vereint (`lotse policy conflicts`).",
		"Weitergabe an Partner nur mit Einwilligung oder genannter Übermittlungsbefugnis, beschränkt auf Handlungsfelder und Datenkategorien; mit Widerruf oder Ende der Vermittlung endet auch der Zugriff.",
		"Protokoll jedes Lesens und Schreibens von Falldaten mit Person, Stelle, Rolle, Zeit und Zweck, in derselben Transaktion wie der Zugriff.",
		"Anmeldung über den Identitätsdienst der Stadt (OpenID Connect), Sitzungen mit Zeitlimits, Schutz vor Cross-Site-Anfragen.",
		"Benachrichtigungen und E-Mails enthalten keine Falldaten, nur Anzahlen, Arten und Verweise.",
		"Die Anwendung arbeitet mit einer Datenbankrolle ohne Rechte am Schema und ohne Recht, das Protokoll zu ändern.",
	} {
		fmt.Fprintf(&b, "- %s\n", m)
	}
	return b.String()
}

// DeletionConcept renders the deletion concept (Löschkonzept) as Markdown, in German: each
// retention rule with its period, how Lotse carries it out, and the data it covers.
func DeletionConcept() string {
	var b strings.Builder
	fmt.Fprintf(&b, generated, "deletion")
	b.WriteString("# Löschkonzept: Lotse\n\n")
	b.WriteString("Erzeugt aus dem Datenkatalog des Quelltextes. Jede Tabelle hat genau eine Löschregel; die Fristen sind die Vorgaben von Lotse, die die Stadt für ihre Aufgaben bestätigt oder anpasst.\n\n")
	b.WriteString("## Regeln\n\n")
	b.WriteString("| Regel | Frist | Umsetzung | Automatisch | Tabellen |\n| --- | --- | --- | --- | --- |\n")
	for _, r := range Rules {
		info := RuleInfos[r]
		var tables []string
		for _, t := range Catalogue {
			if t.Retention == r {
				tables = append(tables, "`"+t.Name+"`")
			}
		}
		auto := "nein"
		if info.Automated {
			auto = "ja"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", info.Name, info.Period, info.Mechanism, auto, strings.Join(tables, ", "))
	}
	b.WriteString("\n## Spalten mit personenbezogenen Daten\n\n")
	for _, t := range Personal() {
		fmt.Fprintf(&b, "### `%s` (%s)\n\n", t.Name, RuleInfos[t.Retention].Name)
		if t.External {
			fmt.Fprintf(&b, "Tabelle einer Bibliothek, als Ganzes eingeordnet: %s (%s).\n\n", CategoryNames[t.ExternalCategory], SubjectNames[t.ExternalSubject])
			continue
		}
		b.WriteString("| Spalte | Betroffene | Kategorie |\n| --- | --- | --- |\n")
		for _, c := range t.Columns {
			if c.Personal() {
				fmt.Fprintf(&b, "| `%s` | %s | %s |\n", c.Name, SubjectNames[c.Subject], CategoryNames[c.Category])
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// columnsOf lists the classified columns of t; an external table counts as one column.
func columnsOf(t Table) []Column {
	if t.External {
		return []Column{{Name: "*", Subject: t.ExternalSubject, Category: t.ExternalCategory}}
	}
	return t.Columns
}
