package components

import (
	"time"

	"github.com/a-h/templ"
)

// Renderings of the referral pages (partner.templ) for TestNoHardCodedText: every component
// with data in every branch (each inbox group, empty groups, every referral state with its
// actions, failed forms, conflicts). Data from the database is marked ⟦…⟧ like the messages.

func init() {
	now := time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	day := time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)
	// The person as the mask shows it: named with the household, named alone, hidden, gone.
	people := []*CaseLabelView{
		{Reference: "⟦F-1⟧", Name: "⟦Haddad, Amina⟧", Household: 1},
		{Reference: "⟦F-1⟧", Name: "⟦Haddad, Amina⟧"},
		{Reference: "⟦F-1⟧", NameHidden: true},
		nil,
	}
	n := 0
	item := func(status string) PartnerItem {
		n++
		return PartnerItem{Reference: "⟦V-2026-00001⟧", Href: "/vermittlungen/x", Org: "⟦Fachbereich Wohnen⟧", Case: people[n%len(people)],
			Areas: []string{"⟦Arbeit⟧", "⟦Sprache⟧"}, Status: status, SentAt: now, ReplyDue: day, AgeDays: 3, Reply: "⟦Antwort⟧"}
	}
	inbox := PartnerInbox{Total: 9, Shown: 4, List: ListingView{Path: "/eingang", DefaultSort: "due", Sort: "name", Page: 1, Pages: 3, Size: 25, Sizes: []int{100, 50, 25}, Total: 60, ExportMax: 100, Label: "⟦E⟧"}, Groups: []PartnerGroup{
		{Key: "overdue", Items: []PartnerItem{item("sent")}},
		{Key: "due_soon", Items: []PartnerItem{item("sent")}},
		{Key: "new", Items: []PartnerItem{item("sent")}},
		{Key: "in_progress", Items: []PartnerItem{item("accepted"), item("in_progress")}},
	}}
	emptyInbox := PartnerInbox{Groups: []PartnerGroup{{Key: "overdue"}, {Key: "due_soon"}, {Key: "new"}, {Key: "in_progress"}}}

	var outItems []PartnerItem
	var statuses []string
	for _, s := range []string{"sent", "accepted", "declined", "in_progress", "completed", "withdrawn", "expired", "revoked"} {
		outItems = append(outItems, item(s))
		statuses = append(statuses, s)
	}
	outbox := PartnerOutbox{Items: outItems, Status: "sent", Statuses: statuses, Total: 8,
		List: ListingView{Path: "/vermittlungen", DefaultSort: "created", DefaultDesc: true, Sort: "due", Page: 1, Pages: 2, Size: 25, Sizes: []int{25, 50}, Total: 30, ExportMax: 100, Label: "⟦V⟧"}}

	answered := now.Add(time.Hour)
	closed := now.Add(2 * time.Hour)
	due := day
	base := PartnerReferral{
		ID: "⟦id⟧", Reference: "⟦V-2026-00001⟧", Version: 3, CaseHref: "/faelle/x", From: "⟦Fachbereich Wohnen⟧", To: "⟦Jobcenter⟧",
		Areas: []PartnerArea{{Code: "work", Name: "⟦Arbeit⟧"}, {Code: "language", Name: "⟦Sprache⟧"}}, Message: "⟦Nachricht⟧",
		SentAt: now, ReplyDue: day, Priorities: []string{"low", "normal", "high", "urgent"},
		Notes: []PartnerNote{{Area: "⟦Arbeit⟧", Org: "⟦Jobcenter⟧", At: now, Body: "⟦Vermerk⟧"}},
		Tasks: []PartnerTask{
			{Title: "⟦Termin⟧", Org: "⟦Jobcenter⟧", Status: "open", Priority: "high", Due: &due, Overdue: true},
			{Title: "⟦Anruf⟧", Org: "⟦Jobcenter⟧", Status: "in_progress", Priority: "low"},
			{Title: "⟦A⟧", Org: "⟦B⟧", Status: "waiting", Priority: "normal", Due: &due},
			{Title: "⟦A⟧", Org: "⟦B⟧", Status: "done", Priority: "urgent"},
			{Title: "⟦A⟧", Org: "⟦B⟧", Status: "cancelled", Priority: "normal"},
		},
	}
	// The recipient of a sent referral, after a failed decline (with the error summary).
	sent := base
	sent.Status, sent.Recipient, sent.CanAnswer, sent.CanNote, sent.CanTask = "sent", true, true, true, true
	sent.Form = PartnerForm{Name: "decline", Values: map[string]string{"reason": "⟦zu kurz⟧"},
		Errors: FormErrors{{Field: "reason", ID: "grund", Msg: FormMsg{Key: "partner.error.reason_required"}}}}
	// Accepted, after a failed note and a conflict.
	accepted := base
	accepted.Status, accepted.Recipient, accepted.CanAnswer, accepted.CanNote, accepted.CanTask = "accepted", true, true, true, true
	accepted.AnsweredAt, accepted.Conflict = &answered, true
	accepted.Form = PartnerForm{Name: "note", Values: map[string]string{"area": "work", "body": "⟦Text⟧"},
		Errors: FormErrors{{Field: "area", ID: "vermerk-feld", Msg: FormMsg{Key: "partner.error.note_area"}}, {Field: "body", ID: "vermerk", Msg: FormMsg{Key: "partner.error.note_body"}}}}
	// In progress with one area, after a failed task and an action no longer possible.
	running := base
	running.Status, running.Recipient, running.CanAnswer, running.CanNote, running.CanTask = "in_progress", true, true, true, true
	running.AnsweredAt, running.NotPossible = &answered, true
	running.Areas = running.Areas[:1]
	running.Form = PartnerForm{Name: "task", Values: map[string]string{"title": "⟦T⟧", "due_date": "⟦x⟧", "priority": "high"},
		Errors: FormErrors{
			{Field: "title", ID: "aufgabe-titel", Msg: FormMsg{Key: "partner.error.task_title"}},
			{Field: "due_date", ID: "aufgabe-frist", Msg: FormMsg{Key: "partner.error.task_due_date"}},
			{Field: "priority", ID: "aufgabe-prioritaet", Msg: FormMsg{Key: "partner.error.task_priority"}},
		}}
	// The sender: active (may withdraw), declined, completed, withdrawn, on a legal basis.
	sender := base
	sender.Status, sender.CanWithdraw, sender.CanNote, sender.CanTask, sender.Basis = "sent", true, true, true, "⟦SGB II § 50⟧"
	declined := base
	declined.Status, declined.AnsweredAt, declined.ClosedAt, declined.Reply = "declined", &answered, &answered, "⟦Keine Kapazität⟧"
	declined.Message, declined.Notes, declined.Tasks, declined.CaseHref = "", nil, nil, ""
	completed := base
	completed.Status, completed.AnsweredAt, completed.ClosedAt, completed.Outcome = "completed", &answered, &closed, "⟦Vermittelt⟧"
	withdrawn := base
	withdrawn.Status, withdrawn.ClosedAt = "withdrawn", &closed
	expired := base
	expired.Status, expired.ClosedAt = "expired", &closed
	revoked := base
	revoked.Status, revoked.AnsweredAt, revoked.ClosedAt = "revoked", &answered, &closed

	withdraw := PartnerWithdraw{ID: "⟦id⟧", Reference: "⟦V-2026-00001⟧", Version: 2, To: "⟦Jobcenter⟧", Areas: []string{"⟦Arbeit⟧"}, Status: "accepted"}

	pages["PartnerInboxPage"] = []templ.Component{PartnerInboxPage(inbox), PartnerInboxPage(emptyInbox)}
	pages["PartnerOutboxPage"] = []templ.Component{PartnerOutboxPage(outbox), PartnerOutboxPage(PartnerOutbox{Statuses: statuses})}
	pages["PartnerReferralPage"] = []templ.Component{
		PartnerReferralPage(sent), PartnerReferralPage(accepted), PartnerReferralPage(running), PartnerReferralPage(sender),
		PartnerReferralPage(declined), PartnerReferralPage(completed), PartnerReferralPage(withdrawn), PartnerReferralPage(expired),
		PartnerReferralPage(revoked),
	}
	pages["PartnerWithdrawPage"] = []templ.Component{PartnerWithdrawPage(withdraw)}
}
