package scale

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lotse-project/lotse/internal/model"
)

// plan writes the six rows of the integration plan.
func (g *generator) plan(b *batch, r *rand.Rand, caseID uuid.UUID, leadIdx int, worker *Account, plans []*referralPlan, opened, last int) {
	for _, area := range areaCodes {
		st := []model.AreaStatusValue{model.AreaNotStarted, model.AreaInProgress, model.AreaInProgress, model.AreaWaiting, model.AreaAchieved,
			model.AreaNotNeeded}[r.IntN(6)]
		var org pgtype.UUID
		for _, p := range plans {
			if slices.Contains(p.areas, area) {
				org = nullUUID(g.city.orgs[p.to].ID)
			}
		}
		if !org.Valid && st != model.AreaNotNeeded && r.IntN(2) == 0 {
			org = nullUUID(g.city.orgs[leadIdx].ID)
		}
		note := ""
		if st != model.AreaNotStarted && r.IntN(3) == 0 {
			note = planNotes[area][r.IntN(len(planNotes[area]))]
		}
		var by pgtype.UUID
		if worker != nil {
			by = nullUUID(worker.UserID)
		}
		changed := g.at(last+r.IntN(max(1, opened-last)), r.IntN(600))
		b.add("area_statuses", caseID, area, string(st), org, note, by, changed, 1+btoi(st != model.AreaNotStarted))
	}
}

var planNotes = map[string][]string{
	"housing":   {"Sucht eine Wohnung; derzeit Gemeinschaftsunterkunft.", "Wohnberechtigungsschein liegt vor.", "Mietvertrag wird geprüft."},
	"work":      {"Berufserfahrung liegt vor; Zeugnisse in Kopie.", "Anerkennungsverfahren läuft.", "Minijob aufgenommen."},
	"schooling": {"Kita- und Schulplatz angefragt.", "Kinder besuchen die Grundschule im Stadtteil."},
	"language":  {"Integrationskurs, Modul 3.", "A2-Zertifikat liegt vor; B1 angestrebt."},
	"health":    {"Hausarzt gefunden.", "Krankenversicherung geklärt."},
	"residence": {"Verlängerung beantragt.", "Fiktionsbescheinigung liegt vor."},
}

// tasks writes the case's tasks: the lead organisation's own, assigned or not, and those of
// the recipients of accepted referrals; many of the open ones are overdue.
func (g *generator) tasks(b *batch, r *rand.Rand, caseID uuid.UUID, leadIdx int, worker *Account, plans []*referralPlan, opened, last int,
	caseStatus model.CaseStatus) {
	var working []*referralPlan // referrals a recipient worked on
	for _, p := range plans {
		if p.assignee != nil {
			working = append(working, p)
		}
	}
	lead := &g.city.orgs[leadIdx]
	n := count(r, g.taskMean)
	for k := 0; k < n; k++ {
		id := newUUID(r)
		org := lead
		var ref *referralPlan
		var assignee *Account
		creator := worker
		if len(working) > 0 && r.IntN(4) == 0 {
			ref = working[r.IntN(len(working))]
			org = &g.city.orgs[ref.to]
			creator = ref.assignee
			if r.IntN(10) < 7 {
				assignee = ref.assignee
			}
		} else {
			switch x := r.IntN(20); {
			case x < 10:
				assignee = worker
			case x < 13:
				assignee = g.member(r, leadIdx)
			case x < 14 && len(lead.leads) > 0:
				assignee = &g.city.users[lead.leads[0]]
			}
		}
		// Created between the case's opening (or the referral's answer) and its last day.
		first, lo := opened, last
		if ref != nil {
			first = ref.answered
			if ref.closed >= 0 {
				lo = ref.closed
			}
		}
		created := lo + r.IntN(max(1, first-lo+1))
		createdAt := g.at(created, r.IntN(600))
		var area any
		if ref != nil {
			area = ref.areas[r.IntN(len(ref.areas))]
		} else if r.IntN(5) != 0 {
			area = areaCodes[r.IntN(len(areaCodes))]
		}
		title := taskTitle(r, area)
		status := model.TaskOpen
		reason := ""
		x := r.IntN(100)
		switch {
		case caseStatus == model.CaseClosed:
			status = model.TaskDone
			if x < 15 {
				status = model.TaskCancelled
			}
		case x < 45:
			status = model.TaskOpen
		case x < 55:
			status = model.TaskInProgress
		case x < 60:
			status = model.TaskWaiting
		case x < 95:
			status = model.TaskDone
		default:
			status = model.TaskCancelled
		}
		// A recipient's open work ends with its referral.
		if ref != nil && ref.closed >= 0 && !status.Closed() {
			status, reason = model.TaskCancelled, "access_ended"
			if ref.status == model.ReferralCompleted {
				status, reason = model.TaskDone, ""
			}
		}
		var due pgtype.Date
		switch y := r.IntN(100); {
		case !status.Closed() && y < 40: // overdue
			due = nullDate(g.day(1 + r.IntN(60)))
		case !status.Closed() && y < 48:
			due = nullDate(g.today)
		case !status.Closed() && y < 85:
			due = nullDate(g.day(-1 - r.IntN(45)))
		case y < 85:
			due = nullDate(g.day(created - 3 - r.IntN(40)))
		}
		var doneAt time.Time
		updated := createdAt
		if status.Closed() {
			end := last + r.IntN(max(1, created-last))
			if ref != nil && ref.closed >= 0 {
				end = ref.closed
			}
			doneAt = g.at(end, 400+r.IntN(100))
			if doneAt.Before(createdAt) {
				doneAt = g.after(createdAt, time.Hour)
			}
			updated = doneAt
			if status == model.TaskCancelled {
				doneAt = time.Time{}
			}
		}
		var refID pgtype.UUID
		if ref != nil {
			refID = nullUUID(ref.id)
		}
		var assigneeID, creatorID pgtype.UUID
		if assignee != nil {
			assigneeID = nullUUID(assignee.UserID)
		}
		if creator != nil {
			creatorID = nullUUID(creator.UserID)
		}
		priority := []string{"low", "normal", "normal", "normal", "normal", "normal", "high", "high", "urgent", "normal"}[r.IntN(10)]
		b.add("tasks", id, org.ID, assigneeID, caseID, area, refID, title, "", due, priority, string(status), reason,
			creatorID, nullTime(doneAt), 1+btoi(status.Closed()), createdAt, updated)
		// The bell: the assignee heard of the task, and of it being overdue.
		if assignee != nil && assignee != creator {
			g.notify(b, r, assignee, org.ID, model.NotifyTaskAssigned, "task", id, "v1", createdAt, !status.Closed())
		}
		if assignee != nil && !status.Closed() && due.Valid && due.Time.Before(g.today) {
			g.notify(b, r, assignee, org.ID, model.NotifyTaskOverdue, "task", id, "overdue:"+due.Time.Format(time.DateOnly),
				g.at(daysAgo(g.today, due.Time)-1, 0), true)
		}
		if k < 3 || r.IntN(4) == 0 { // the audit trail of older tasks has been thinned by retention
			g.audit(b, createdAt, creator, "task.create", "task", id, caseID, map[string]any{"org_id": org.ID.String(), "status": "open"})
		}
	}
}

// taskTitle is a task's title for its area.
func taskTitle(r *rand.Rand, area any) string {
	a, _ := area.(string)
	titles, ok := taskTitles[a]
	if !ok {
		titles = taskTitles[""]
	}
	return titles[r.IntN(len(titles))]
}

var taskTitles = map[string][]string{
	"housing": {"Wohnungsangebot prüfen", "Antrag auf Wohnberechtigungsschein begleiten", "Mietübernahme beim Sozialamt klären",
		"Besichtigungstermin abstimmen", "Kaution klären"},
	"residence": {"Termin bei der Ausländerbehörde vereinbaren", "Fiktionsbescheinigung nachhalten", "Passbeschaffung unterstützen"},
	"language":  {"Anmeldung zum Integrationskurs prüfen", "Kinderbetreuung für den Sprachkurs klären", "Fahrtkostenerstattung beantragen"},
	"schooling": {"Kita-Anmeldung unterstützen", "Schulanmeldung begleiten", "Bildungs- und Teilhabeleistungen beantragen"},
	"work":      {"Unterlagen für das Jobcenter zusammenstellen", "Anerkennung des Berufsabschlusses anstoßen", "Bewerbung begleiten"},
	"health":    {"Krankenversicherung klären", "Hausarzt suchen", "Termin bei der psychosozialen Beratung vereinbaren"},
	"":          {"Rückruf der Familie", "Unterlagen anfordern", "Hausbesuch planen", "Sprachmittlung organisieren"},
}

// notes writes the case's notes: the lead organisation's, some shared for an area, and those
// of the recipients of accepted referrals (shared for a referred area).
func (g *generator) notes(b *batch, r *rand.Rand, caseID uuid.UUID, leadIdx int, worker *Account, plans []*referralPlan, opened, last int) {
	n := 1 + r.IntN(4)
	for k := 0; k < n; k++ {
		id := newUUID(r)
		org := g.city.orgs[leadIdx].ID
		author := worker
		vis, area := "org", any(nil)
		first, lo := opened, last
		if r.IntN(3) == 0 {
			for _, p := range plans {
				if p.assignee != nil {
					org, author, first = g.city.orgs[p.to].ID, p.assignee, p.answered
					if p.closed >= 0 {
						lo = p.closed
					}
					vis, area = "shared", p.areas[0]
					break
				}
			}
		}
		if area == nil && r.IntN(3) == 0 {
			vis, area = "shared", areaCodes[r.IntN(len(areaCodes))]
		}
		var authorID pgtype.UUID
		if author != nil {
			authorID = nullUUID(author.UserID)
		}
		at := g.at(lo+r.IntN(max(1, first-lo+1)), r.IntN(600))
		b.add("notes", id, caseID, area, org, authorID, vis, noteBodies[r.IntN(len(noteBodies))], at)
		if r.IntN(2) == 0 {
			g.audit(b, at, author, "note.create", "note", id, caseID, nil)
		}
	}
}

var noteBodies = []string{
	"Erstgespräch mit Sprachmittlung geführt. Familie ist motiviert, braucht aber Begleitung bei Behördenterminen.",
	"Vermieter hat sich gemeldet; Besichtigung nächste Woche. Familie wünscht Nähe zur Schule der Kinder.",
	"Wohnberechtigungsschein liegt vor (gültig 12 Monate). Bitte bei Angeboten berücksichtigen.",
	"Berufserfahrung als Elektriker (8 Jahre); Zeugnisse liegen in Kopie vor.",
	"Aufenthaltserlaubnis läuft in drei Monaten ab; Verlängerung rechtzeitig beantragen.",
	"A2-Zertifikat liegt vor; B1-Kurs wird angestrebt.",
	"Telefonat mit der Schule: Kinder sind gut angekommen, Sprachförderung läuft.",
	"Termin beim Jobcenter wahrgenommen; Eingliederungsvereinbarung in Vorbereitung.",
	"Familie hat Unterlagen nachgereicht; Antrag ist vollständig.",
	"Hausbesuch: Wohnsituation beengt, Schimmel im Kinderzimmer gemeldet.",
}
