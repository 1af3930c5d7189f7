package service

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Notes manages the journal of a case. Notes are never edited: a correction is a new note.
type Notes struct{ base }

// maxNoteBody is the length of a note.
const maxNoteBody = 8000

// Create adds a note to a case. The lead organisation writes notes with or without an area;
// a referral recipient writes them only for an area referred to it. A shared note needs an
// area: it is read by the organisations involved in that area. It writes one "note.create"
// audit event.
func (s *Notes) Create(ctx context.Context, a model.Actor, caseID uuid.UUID, in model.NoteCreate) (*model.Note, error) {
	if err := refuseBadText(in); err != nil {
		return nil, err
	}
	sc, err := s.require(a, objNote, actCreate, true)
	if err != nil {
		return nil, err
	}
	v := &model.ValidationError{}
	body := strings.TrimSpace(in.Body)
	checkLength(v, "body", body, true, maxNoteBody)
	vis := in.Visibility
	if vis == "" {
		vis = model.NoteOrg
	}
	if vis != model.NoteOrg && vis != model.NoteShared {
		v.Add("visibility", model.CodeNotOneOf, model.Params{"allowed": "org, shared"})
	}
	if vis == model.NoteShared && in.Area == "" {
		v.Add("area", model.CodeRequired)
	}
	// The note's author must reach the case through the same kinds that let it write notes:
	// the case as seen through the note.create scope.
	caseScope := sc
	caseScope.Object = objCase
	var out *model.Note
	var id uuid.UUID
	replayed, err := s.keyed(ctx, a, created, objNote, &id, func(tx *store.Tx) error {
		if in.Area != "" {
			areas, err := tx.Areas().Active(ctx)
			if err != nil {
				return err
			}
			if !slices.ContainsFunc(areas, func(x model.Area) bool { return x.Code == in.Area }) {
				v.Add("area", model.CodeUnknown, model.Params{"values": in.Area})
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		c, err := tx.Cases().Get(ctx, caseScope, caseID)
		if err != nil {
			return err
		}
		facts, err := tx.Cases().Access(ctx, caseScope, []uuid.UUID{c.ID})
		if err != nil {
			return err
		}
		acc := accessOf(facts[c.ID])
		if acc.SummaryOnly {
			return fmt.Errorf("service: create note: %w", model.ErrNotFound)
		}
		if !acc.Full && !slices.Contains(acc.ReferredAreas, in.Area) {
			return model.Invalid("area", model.CodeNotReferred, model.Params{"areas": strings.Join(acc.ReferredAreas, ", ")})
		}
		n := &model.Note{CaseID: c.ID, OrgID: a.OrgID, Visibility: vis, Body: body}
		if in.Area != "" {
			area := in.Area
			n.Area = &area
		}
		if a.UserID != uuid.Nil {
			id := a.UserID
			n.AuthorID = &id
		}
		n.CreatedAt = s.now().UTC() // the services' clock, so that backdated demo data is consistent
		if err := tx.Notes().Create(ctx, n); err != nil {
			return err
		}
		out, id = n, n.ID
		return tx.Audit().Record(ctx, caseEvent(a, "note.create", objNote, n.ID, c.ID, model.JSONMap{"area": in.Area, "visibility": string(vis)}))
	})
	if err != nil {
		return nil, err
	}
	if replayed {
		notes, err := s.List(ctx, a, caseID)
		return findByID(notes, id, func(n model.Note) uuid.UUID { return n.ID }, err)
	}
	return out, nil
}

// List returns the notes of a case the actor may read, newest first: the own organisation's
// notes and the notes shared for areas the organisation is involved in. A case the actor
// may not see is ErrNotFound. It writes one "note.list" audit event.
func (s *Notes) List(ctx context.Context, a model.Actor, caseID uuid.UUID) ([]model.Note, error) {
	sc, err := s.require(a, objNote, actRead, true)
	if err != nil {
		return nil, err
	}
	caseScope, err := s.require(a, objCase, actRead, true)
	if err != nil {
		return nil, err
	}
	var out []model.Note
	err = s.store.Tx(ctx, a, func(tx *store.Tx) error {
		c, err := tx.Cases().Get(ctx, caseScope, caseID)
		if err != nil {
			return err
		}
		if out, err = tx.Notes().List(ctx, sc, c.ID); err != nil {
			return err
		}
		return tx.Audit().Record(ctx, caseEvent(a, "note.list", objNote, c.ID, c.ID, model.JSONMap{"count": len(out)}))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
