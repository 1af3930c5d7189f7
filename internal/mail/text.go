package mail

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/lotse-project/lotse/internal/model"
)

// Group is what one membership of the recipient has: counts per kind, under the name of the
// organisation (an organisation's name is not personal data).
type Group struct {
	Org    string
	Counts map[model.NotificationKind]int
}

// Summary is everything an e-mail may tell: the recipient's language, whether it is the
// daily digest (of Day) or an immediate mail, and counts per organisation and kind.
type Summary struct {
	Language string // "de" or "en"; anything else is German
	Digest   bool
	Day      time.Time
	Groups   []Group
}

// Total is the number of notifications the summary counts.
func (s Summary) Total() int {
	n := 0
	for _, g := range s.Groups {
		for _, c := range g.Counts {
			n += c
		}
	}
	return n
}

// phrase is a kind's wording after a count: singular and plural.
type phrase struct{ one, many string }

var phrases = map[string]map[model.NotificationKind]phrase{
	"de": {
		model.NotifyReferralNew:      {"neue Vermittlung", "neue Vermittlungen"},
		model.NotifyReferralReplyDue: {"Vermittlung wartet auf Ihre Antwort", "Vermittlungen warten auf Ihre Antwort"},
		model.NotifyReferralExpired:  {"Vermittlung ist unbeantwortet abgelaufen", "Vermittlungen sind unbeantwortet abgelaufen"},
		model.NotifyReferralAnswered: {"Antwort auf eine Vermittlung", "Antworten auf Vermittlungen"},
		model.NotifyTaskAssigned:     {"neu zugewiesene Aufgabe", "neu zugewiesene Aufgaben"},
		model.NotifyTaskDue:          {"morgen fällige Aufgabe", "morgen fällige Aufgaben"},
		model.NotifyTaskOverdue:      {"überfällige Aufgabe", "überfällige Aufgaben"},
		model.NotifyEscalation:       {"Eskalation", "Eskalationen"},
		model.NotifyFollowUp:         {"fällige Wiedervorlage", "fällige Wiedervorlagen"},
		model.NotifyConsentExpiring:  {"bald ablaufende Einwilligung", "bald ablaufende Einwilligungen"},
		model.NotifyEmergencyAccess:  {"Notfallzugriff auf einen Ihrer Fälle", "Notfallzugriffe auf Ihre Fälle"},
	},
	"en": {
		model.NotifyReferralNew:      {"new referral", "new referrals"},
		model.NotifyReferralReplyDue: {"referral awaiting your reply", "referrals awaiting your reply"},
		model.NotifyReferralExpired:  {"referral expired unanswered", "referrals expired unanswered"},
		model.NotifyReferralAnswered: {"reply to a referral", "replies to referrals"},
		model.NotifyTaskAssigned:     {"task assigned to you", "tasks assigned to you"},
		model.NotifyTaskDue:          {"task due tomorrow", "tasks due tomorrow"},
		model.NotifyTaskOverdue:      {"overdue task", "overdue tasks"},
		model.NotifyEscalation:       {"escalation", "escalations"},
		model.NotifyFollowUp:         {"follow-up due", "follow-ups due"},
		model.NotifyConsentExpiring:  {"consent expiring soon", "consents expiring soon"},
		model.NotifyEmergencyAccess:  {"emergency access to one of your cases", "emergency accesses to your cases"},
	},
}

// texts are the fixed parts of a mail.
var texts = map[string]struct {
	subjectNow, subjectDigest, hello, introNow, introDigest, org, link, footer string
}{
	"de": {
		subjectNow:    "Lotse: Neues für Sie",
		subjectDigest: "Lotse: Ihre Übersicht vom %s",
		hello:         "Guten Tag,",
		introNow:      "in Lotse gibt es Neues für Sie:",
		introDigest:   "in Lotse wartet Folgendes auf Sie:",
		org:           "Für %s",
		link:          "Melden Sie sich in Lotse an, um die Einzelheiten zu sehen:",
		footer: "Diese E-Mail nennt aus Datenschutzgründen keine Personen und keine Aktenzeichen.\n" +
			"Ob und wann Sie E-Mails erhalten, stellen Sie auf der Seite Benachrichtigungen ein.\n" +
			"Dies ist eine automatisch erzeugte Nachricht.",
	},
	"en": {
		subjectNow:    "Lotse: something new for you",
		subjectDigest: "Lotse: your summary of %s",
		hello:         "Hello,",
		introNow:      "there is something new for you in Lotse:",
		introDigest:   "this is waiting for you in Lotse:",
		org:           "For %s",
		link:          "Sign in to Lotse to see the details:",
		footer: "For data protection, this e-mail names no persons and no reference numbers.\n" +
			"Whether and when you get e-mails is set on the notifications page.\n" +
			"This message was generated automatically.",
	},
}

// Language returns the supported language of lang: "en" or else "de".
func Language(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "de"
}

// Line is one group's sentence, e.g. "Für Caritas Migrationsberatung: 2 neue Vermittlungen,
// 1 überfällige Aufgabe": the organisation, then the counts in the order of
// model.NotificationKinds.
func Line(lang string, g Group) string {
	lang = Language(lang)
	var parts []string
	for _, k := range model.NotificationKinds {
		n := g.Counts[k]
		if n <= 0 {
			continue
		}
		p, ok := phrases[lang][k]
		if !ok {
			continue
		}
		w := p.many
		if n == 1 {
			w = p.one
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, w))
	}
	if len(parts) == 0 {
		return ""
	}
	line := strings.Join(parts, ", ")
	if g.Org != "" {
		line = fmt.Sprintf(texts[lang].org, g.Org) + ": " + line
	}
	return line
}

// Compose writes the subject and plain-text body of s for a recipient, linking to the
// notification page under baseURL.
func Compose(s Summary, baseURL string) (subject, body string) {
	lang := Language(s.Language)
	t := texts[lang]
	subject = t.subjectNow
	intro := t.introNow
	if s.Digest {
		day := s.Day.Format("02.01.2006")
		if lang == "en" {
			day = s.Day.Format("2 January 2006")
		}
		subject = fmt.Sprintf(t.subjectDigest, day)
		intro = t.introDigest
	}
	groups := append([]Group(nil), s.Groups...)
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].Org < groups[j].Org })
	var b strings.Builder
	b.WriteString(t.hello + "\n\n" + intro + "\n\n")
	for _, g := range groups {
		if line := Line(lang, g); line != "" {
			b.WriteString("- " + line + "\n")
		}
	}
	b.WriteString("\n" + t.link + "\n" + strings.TrimRight(baseURL, "/") + NotificationsPath + "\n\n-- \n" + t.footer + "\n")
	return subject, b.String()
}

// NotificationsPath is the page a mail links to: the reader's notifications.
const NotificationsPath = "/benachrichtigungen"
