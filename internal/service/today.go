package service

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Home builds the start page ("Mein Tag"): the worklist of the acting organisation and role.
//
// Every section asks the enforcer, as the lists it stands for do, and is left out (nil) when
// the role may not see it: the task sections for whoever works tasks (task.update, read
// through task.read), the incoming referrals for whoever answers them (referral.answer), the
// replies for whoever sends referrals (referral.create, read through referral.read), the
// recently changed cases for whoever reads cases (case.read), the team's figures for the
// department head (task.reassign, counted through the dashboard's aggregates). Every query
// goes through the same visibility predicates as the full lists, is capped at
// model.WorklistLimit rows and counts the rest; the cases are named through the case mask
// (caseLabels). Roles without case content (coordination, administration, data protection)
// get links to their pages and no database read at all.
type Home struct{ base }

// Worklist returns the actor's start page, read in one transaction. It records what it
// shows of case content like the lists do: one "task.list", "referral.list" and "case.list"
// event each (view "home") for the sections present, with the ids listed.
func (s *Home) Worklist(ctx context.Context, a model.Actor) (*model.Worklist, error) {
	out := &model.Worklist{Today: s.today()}
	out.WeekEnd = out.Today.AddDate(0, 0, model.WorklistWeekDays-1)
	allowed := func(obj, act string) (model.Scope, bool, error) {
		sc, err := s.scope(a, obj, act)
		return sc, err == nil && sc.Allowed(), err
	}
	taskRead, works, err := allowed(objTask, actRead)
	if err != nil {
		return nil, err
	}
	if works {
		if _, works, err = allowed(objTask, "update"); err != nil {
			return nil, err
		}
	}
	answerScope, answers, err := allowed(objReferral, "answer")
	if err != nil {
		return nil, err
	}
	referralRead, sends, err := allowed(objReferral, actRead)
	if err != nil {
		return nil, err
	}
	if sends {
		if _, sends, err = allowed(objReferral, "create"); err != nil {
			return nil, err
		}
	}
	caseRead, readsCases, err := allowed(objCase, actRead)
	if err != nil {
		return nil, err
	}
	_, heads, err := allowed(objTask, "reassign")
	if err != nil {
		return nil, err
	}
	heads = heads && taskRead.Has(model.ScopeOrgTree) && len(taskRead.OrgTree) > 0
	for _, l := range []struct {
		obj  string
		link model.WorklistLink
	}{{objPrivacy, model.LinkPrivacy}, {objStatistics, model.LinkStatistics}, {objMember, model.LinkAdministration}, {objAudit, model.LinkAuditLog}, {objRetention, model.LinkRetention}} {
		if _, ok, err := allowed(l.obj, actRead); err != nil {
			return nil, err
		} else if ok && !(slices.Contains(out.Links, model.LinkPrivacy) && officerPage(l.link)) {
			// The data protection officer's start is the page of all their tools, which
			// lists the access log and retention too.
			out.Links = append(out.Links, l.link)
		}
	}
	// Follow-ups: the member's own, on the cases and tasks the membership may read.
	follows := caseRead.Allowed() || taskRead.Allowed()
	if !works && !answers && !sends && !readsCases && !heads && !follows {
		return out, nil
	}

	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		var caseIDs []uuid.UUID
		addCase := func(id uuid.UUID) {
			if !slices.Contains(caseIDs, id) {
				caseIDs = append(caseIDs, id)
			}
		}
		var tasks []*model.Section[model.Task]
		if works {
			tomorrow := out.Today.AddDate(0, 0, 1)
			yesterday := out.Today.AddDate(0, 0, -1)
			secs := []struct {
				dst      **model.Section[model.Task]
				from, to *time.Time
			}{
				{&out.Overdue, nil, &yesterday},
				{&out.DueToday, &out.Today, &out.Today},
				{&out.DueThisWeek, &tomorrow, &out.WeekEnd},
			}
			qs := make([]store.WorkTaskQuery, len(secs))
			for i, sec := range secs {
				qs[i] = store.WorkTaskQuery{User: a.UserID, Org: a.OrgID, From: sec.from, To: sec.to, Limit: model.WorklistLimit}
			}
			// The three sections in one statement (one round trip).
			items, totals, err := tx.Tasks().WorkSections(ctx, taskRead, qs)
			if err != nil {
				return err
			}
			for i, sec := range secs {
				*sec.dst = &model.Section[model.Task]{Items: items[i], Total: int(totals[i])}
				tasks = append(tasks, *sec.dst)
				for _, t := range items[i] {
					if t.CaseID != nil {
						addCase(*t.CaseID)
					}
				}
			}
		}
		var referrals []*model.Section[model.Referral]
		if answers {
			items, total, err := tx.Referrals().List(ctx, answerScope, store.ReferralQuery{
				ToOrgs: []uuid.UUID{a.OrgID}, Statuses: []model.ReferralStatus{model.ReferralSent},
				Order: store.ReferralsByReplyDue, Limit: model.WorklistLimit,
			})
			if err != nil {
				return err
			}
			out.Incoming = &model.Section[model.Referral]{Items: items, Total: int(total)}
			referrals = append(referrals, out.Incoming)
		}
		if sends {
			since := s.now().AddDate(0, 0, -model.WorklistReplyDays)
			items, total, err := tx.Referrals().Replies(ctx, referralRead, a.OrgID, model.WorklistRepliedStatuses, since, model.WorklistLimit)
			if err != nil {
				return err
			}
			out.Replies = &model.Section[model.Referral]{Items: items, Total: int(total)}
			referrals = append(referrals, out.Replies)
		}
		for _, sec := range referrals {
			for _, r := range sec.Items {
				addCase(r.CaseID)
			}
		}
		var recent []model.Case
		if readsCases {
			since := s.now().AddDate(0, 0, -model.WorklistCaseDays)
			items, total, err := tx.Cases().Recent(ctx, caseRead, since, model.WorklistLimit)
			if err != nil {
				return err
			}
			recent = items
			out.RecentCases = &model.Section[model.RecentCase]{Total: int(total), Items: []model.RecentCase{}}
			for _, c := range items {
				addCase(c.ID)
			}
		}
		if follows {
			if out.FollowUps, err = s.worklistFollowUps(ctx, tx, a, caseRead, taskRead, out.Today, out.WeekEnd); err != nil {
				return err
			}
			for _, id := range followUpCases(out.FollowUps) {
				addCase(id)
			}
		}
		labels, err := s.caseLabels(ctx, tx, a, caseIDs)
		if err != nil {
			return err
		}
		labelFollowUps(out.FollowUps, labels)
		for _, sec := range tasks {
			for i, t := range sec.Items {
				if t.CaseID != nil {
					sec.Items[i].Case = labels[*t.CaseID]
				}
			}
		}
		for _, sec := range referrals {
			for i, r := range sec.Items {
				sec.Items[i].Case = labels[r.CaseID]
			}
		}
		for _, c := range recent {
			rc := model.RecentCase{ID: c.ID, Status: c.Status, UpdatedAt: c.UpdatedAt, Label: model.CaseLabel{Reference: c.Reference, NameHidden: true}}
			if l := labels[c.ID]; l != nil {
				rc.Label = *l
			}
			out.RecentCases.Items = append(out.RecentCases.Items, rc)
		}
		if heads {
			if out.Team, err = s.teamSummary(ctx, tx, a, taskRead, out.Today); err != nil {
				return err
			}
		}
		if len(referrals) > 0 {
			orgs, err := s.organisations(ctx, tx)
			if err != nil {
				return err
			}
			out.OrgNames = map[uuid.UUID]string{}
			for _, sec := range referrals {
				for _, r := range sec.Items {
					for _, id := range []uuid.UUID{r.FromOrgID, r.ToOrgID} {
						if i := slices.IndexFunc(orgs, func(o model.Organisation) bool { return o.ID == id }); i >= 0 {
							out.OrgNames[id] = orgs[i].Name
						}
					}
				}
			}
		}
		if len(tasks) > 0 || len(referrals) > 0 {
			if out.Areas, err = s.areas(ctx, tx); err != nil {
				return err
			}
		}
		if err := auditFollowUps(ctx, tx, a, out.FollowUps); err != nil {
			return err
		}
		return s.auditWorklist(ctx, tx, a, tasks, referrals, out.RecentCases)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// teamSummary counts the head's team (the subtree of the task scope) with the dashboard's
// aggregates: tasks by assignee (nobody is the empty key), referrals out of and into the team.
func (s *Home) teamSummary(ctx context.Context, tx *store.Tx, a model.Actor, tsc model.Scope, today time.Time) (*model.TeamSummary, error) {
	d := tx.Dashboard()
	orgs := tsc.OrgTree
	out := &model.TeamSummary{}
	tasks, err := d.TaskFigures(ctx, tsc, orgs, today)
	if err != nil {
		return nil, err
	}
	for _, r := range tasks[0] {
		out.OpenTasks += r.Open
		out.OverdueTasks += r.Overdue
		if r.Key == "" {
			out.UnassignedTasks += r.Open
		}
	}
	rsc, err := s.scope(a, objReferral, actRead)
	if err != nil || !rsc.Allowed() {
		return out, err
	}
	out.Referrals = true
	outgoing, incoming, err := d.ReferralFigures(ctx, rsc, orgs, today)
	if err != nil {
		return nil, err
	}
	for _, side := range []struct {
		rows          []store.FigureRow
		open, overdue *int
	}{{outgoing[0], &out.OutgoingOpen, &out.OutgoingOverdue}, {incoming[0], &out.IncomingOpen, &out.IncomingOverdue}} {
		for _, r := range side.rows {
			*side.open += r.Open
			*side.overdue += r.Overdue
		}
	}
	return out, nil
}

// auditWorklist records what the start page listed of case content, like the full lists:
// the tasks, the referrals and the cases, each with its ids and the cases they concern.
func (s *Home) auditWorklist(ctx context.Context, tx *store.Tx, a model.Actor, tasks []*model.Section[model.Task],
	referrals []*model.Section[model.Referral], recent *model.Section[model.RecentCase]) error {
	record := func(action, obj string, ids, cases []string) error {
		ev := caseEvent(a, action, obj, uuid.Nil, uuid.Nil, model.JSONMap{"view": "home", "ids": ids, "case_ids": cases})
		ev.ObjectID = ""
		return tx.Audit().Record(ctx, ev)
	}
	add := func(l []string, id string) []string {
		if !slices.Contains(l, id) {
			l = append(l, id)
		}
		return l
	}
	if len(tasks) > 0 {
		ids, cases := []string{}, []string{}
		for _, sec := range tasks {
			for _, t := range sec.Items {
				ids = add(ids, t.ID.String())
				if t.CaseID != nil {
					cases = add(cases, t.CaseID.String())
				}
			}
		}
		if err := record("task.list", objTask, ids, cases); err != nil {
			return err
		}
	}
	if len(referrals) > 0 {
		ids, cases := []string{}, []string{}
		for _, sec := range referrals {
			for _, r := range sec.Items {
				ids = add(ids, r.ID.String())
				cases = add(cases, r.CaseID.String())
			}
		}
		if err := record("referral.list", objReferral, ids, cases); err != nil {
			return err
		}
	}
	if recent != nil {
		ids := []string{}
		for _, c := range recent.Items {
			ids = add(ids, c.ID.String())
		}
		if err := record("case.list", objCase, ids, ids); err != nil {
			return err
		}
	}
	return nil
}

// objPrivacy are the documents of data protection and the officer's start page.
const objPrivacy = "privacy"

// officerPage says whether a link card is one of the pages the officer's start page lists.
func officerPage(l model.WorklistLink) bool {
	return l == model.LinkAuditLog || l == model.LinkRetention
}
