package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// maxPlanNote is the length of the short note of a plan row.
const maxPlanNote = 500

// Areas returns the areas in use, in display order: the rows of every plan, and the values
// of the area filters. They are configuration, not case content.
func (s *Cases) Areas(ctx context.Context, a model.Actor) ([]model.Area, error) {
	var out []model.Area
	err := s.store.One(ctx, a, func(tx *store.Tx) error {
		var err error
		out, err = s.areas(ctx, tx)
		return err
	})
	return out, err
}

// Plan returns the integration plan of a case as the actor may see it (all areas for the
// lead organisation, the referred areas for a recipient), or ErrNotFound. It is the plan of
// the case's view, so it never disagrees with Get. It writes one "plan.read" audit event.
func (s *Cases) Plan(ctx context.Context, a model.Actor, caseID uuid.UUID) ([]model.AreaStatus, error) {
	if _, err := s.require(a, objPlan, actRead, true); err != nil {
		return nil, err
	}
	sc, err := s.require(a, objCase, actRead, true)
	if err != nil {
		return nil, err
	}
	var out []model.AreaStatus
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		view, err := s.caseView(ctx, tx, a, sc, caseID)
		if err != nil {
			return err
		}
		if view.Access.SummaryOnly {
			return fmt.Errorf("service: plan of a case seen as summary: %w", model.ErrNotFound)
		}
		out = view.Plan
		ev := caseEvent(a, "plan.read", objPlan, caseID, caseID, model.JSONMap{"areas": len(out)})
		if _, err := s.emergencyRead(ctx, tx, a, view.Access, caseID, ev); err != nil {
			return err
		}
		return tx.Audit().Record(ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// UpdateArea changes one area of a case's plan if version is still current (else
// ErrConflict): status, responsible organisation (any active one; uuid.Nil clears it) and
// the short note. Who changed it and when are the server's. An area not in use is ErrInvalid
// on "area"; a row the actor may not update is ErrNotFound. It writes one "plan.update"
// audit event.
func (s *Cases) UpdateArea(ctx context.Context, a model.Actor, caseID uuid.UUID, area string, p model.AreaStatusPatch, version int) (*model.AreaStatus, error) {
	if err := refuseBadText(textInput{"area": area}, p); err != nil {
		return nil, err
	}
	sc, err := s.require(a, objPlan, actUpdate, true)
	if err != nil {
		return nil, err
	}
	v := &model.ValidationError{}
	var changed []string
	if p.Status != nil {
		changed = append(changed, "status")
		if !p.Status.Valid() {
			v.Add("status", model.CodeNotOneOf, model.Params{"allowed": "not_started, in_progress, waiting, achieved, not_needed"})
		}
	}
	if p.Note != nil {
		changed = append(changed, "note")
		if tooLong(strings.TrimSpace(*p.Note), maxPlanNote) {
			v.Add("note", model.CodeTooLong, model.Params{"max": maxPlanNote})
		}
	}
	if p.ResponsibleOrgID != nil {
		changed = append(changed, "responsible_org_id")
	}
	if len(changed) == 0 {
		v.Add("body", model.CodeNothingChanged)
	}
	var out *model.AreaStatus
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		areas, err := tx.Areas().Active(ctx)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(areas, func(x model.Area) bool { return x.Code == area }) {
			v.Add("area", model.CodeUnknown, model.Params{"values": area})
		}
		if p.ResponsibleOrgID != nil && *p.ResponsibleOrgID != uuid.Nil {
			if _, err := tx.ActiveOrganisation(ctx, *p.ResponsibleOrgID); errors.Is(err, model.ErrNotFound) {
				v.Add("responsible_org_id", model.CodeOrgInactive)
			} else if err != nil {
				return err
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		row, err := tx.Plan().Get(ctx, sc, caseID, area)
		if err != nil {
			return err
		}
		if row.Version != version {
			return fmt.Errorf("service: update plan: stale version: %w", model.ErrConflict)
		}
		if p.Status != nil {
			row.Status = *p.Status
		}
		if p.Note != nil {
			row.Note = strings.TrimSpace(*p.Note)
		}
		if p.ResponsibleOrgID != nil {
			row.ResponsibleOrgID = nil
			if *p.ResponsibleOrgID != uuid.Nil {
				id := *p.ResponsibleOrgID
				row.ResponsibleOrgID = &id
			}
		}
		row.ChangedAt = s.now().UTC().Truncate(time.Microsecond)
		row.ChangedBy = nil
		if a.UserID != uuid.Nil {
			id := a.UserID
			row.ChangedBy = &id
		}
		if err := tx.Plan().Update(ctx, row, version); err != nil {
			return err
		}
		out = row
		ev := caseEvent(a, "plan.update", objPlan, caseID, caseID, model.JSONMap{"area": area, "fields": changed, "status": string(row.Status)})
		ev.ObjectID = caseID.String() + "/" + area
		return tx.Audit().Record(ctx, ev)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
