package store

import (
	"context"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/lotse-project/lotse/internal/model"
)

// Notes is the repository of case notes of one transaction. Notes are append-only in the
// application: there is no update.
type Notes struct{ db *gorm.DB }

// Notes returns the note repository.
func (tx *Tx) Notes() Notes { return Notes{tx.db} }

// Create inserts n with a new id.
func (r Notes) Create(ctx context.Context, n *model.Note) error {
	return create(ctx, r.db, "create note", n, stamp{id: &n.ID, createdAt: &n.CreatedAt})
}

// List returns the notes of a case that sc (a "note" scope) reaches, newest first.
func (r Notes) List(ctx context.Context, sc model.Scope, caseID uuid.UUID) ([]model.Note, error) {
	var out []model.Note
	err := notesOfCase(r.db.WithContext(ctx), sc, caseID).Find(&out).Error
	return out, translate("list notes", err)
}

// notesOfCase is the query of List (Cases.Lists reads it too).
func notesOfCase(db *gorm.DB, sc model.Scope, caseID uuid.UUID) *gorm.DB {
	return visible(db.Model(&model.Note{}), sc).Where("notes.case_id = ?", caseID).Order("notes.created_at DESC, notes.id DESC")
}
