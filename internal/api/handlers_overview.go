package api

import (
	"context"
	"sort"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

// The read models of pages (service/overview.go), the same the browser's case page and
// referral form show: one service call each.

// GetCaseOverview implements GET /cases/{id}/overview.
func (h *Handlers) GetCaseOverview(ctx context.Context, r GetCaseOverviewRequestObject) (GetCaseOverviewResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	o, err := h.cases.Overview(ctx, a, r.Id)
	if err != nil {
		return nil, err
	}
	return GetCaseOverview200JSONResponse(toCaseOverview(o)), nil
}

// GetConsentCovering implements GET /cases/{id}/consents/covering.
func (h *Handlers) GetConsentCovering(ctx context.Context, r GetConsentCoveringRequestObject) (GetConsentCoveringResponseObject, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var areas []string
	if r.Params.Areas != nil {
		areas = *r.Params.Areas
	}
	cov, err := h.consents.Covering(ctx, a, r.Id, r.Params.OrgId, areas)
	if err != nil {
		return nil, err
	}
	return GetConsentCovering200JSONResponse(toConsentCovering(cov)), nil
}

func toCaseOverview(o *model.CaseOverview) CaseOverview {
	out := CaseOverview{
		Case: toCase(o.Case), More: o.More,
		Consents: mapAll(o.Consents, func(c model.ConsentItem) ConsentItem {
			return ConsentItem{Consent: toConsent(c.Consent), Valid: c.Valid, MayRevoke: c.MayRevoke}
		}),
		Referrals: mapAll(o.Referrals, func(r model.ReferralItem) ReferralItem {
			return ReferralItem{Referral: toReferral(r.Referral), MayAnswer: r.MayAnswer, MayWithdraw: r.MayWithdraw}
		}),
		Tasks: mapAll(o.Tasks, toTask), Notes: mapAll(o.Notes, toNote),
		Organisations: mapAll(o.Organisations, toOrganisation), Areas: mapAll(o.Areas, toArea),
		Timeline: mapAll(o.Timeline, toTimelineEntry), People: make([]PersonName, 0, len(o.People)),
		May: CaseCapabilities{
			Update: o.May.Update, EditPlan: o.May.EditPlan, AddNote: o.May.AddNote, AddTask: o.May.AddTask,
			ReadConsents: o.May.ReadConsents, RecordConsent: o.May.RecordConsent, RevokeConsent: o.May.RevokeConsent,
			Refer: o.May.Refer, NoteAreaRequired: o.May.NoteAreaRequired, NoteAreas: append([]AreaCode{}, o.May.NoteAreas...),
			StatusNext: mapAll(o.May.StatusNext, func(s string) CaseStatus { return CaseStatus(s) }),
		},
	}
	for id, name := range o.People {
		out.People = append(out.People, PersonName{Id: id, DisplayName: name})
	}
	sort.Slice(out.People, func(i, j int) bool {
		if out.People[i].DisplayName != out.People[j].DisplayName {
			return out.People[i].DisplayName < out.People[j].DisplayName
		}
		return out.People[i].Id.String() < out.People[j].Id.String()
	})
	return out
}

func toTimelineEntry(e model.TimelineEntry) TimelineEntry {
	out := TimelineEntry{Kind: TimelineEntryKind(e.Kind), At: e.At.UTC()}
	if e.ID != nil {
		id := *e.ID
		out.Id = &id
	}
	if e.Area != "" {
		area := e.Area
		out.Area = &area
	}
	return out
}

func toConsentCovering(c *model.ConsentCovering) ConsentCovering {
	out := ConsentCovering{
		CaseId: c.CaseID, Reference: c.Reference, Ready: c.Ready, AreasChosen: append([]AreaCode{}, c.ChosenAreas...),
		Consents: mapAll(c.Consents, func(co model.CoveringConsent) CoveringConsent {
			return CoveringConsent{Consent: toConsent(co.Consent), Covers: co.Covers}
		}),
		Organisations: mapAll(c.Organisations, toOrganisation), Areas: mapAll(c.Areas, toArea),
		LegalBases: append([]string{}, c.LegalBases...),
	}
	if c.Org != nil {
		org := uuid.UUID(*c.Org)
		out.OrgId = &org
	}
	return out
}
