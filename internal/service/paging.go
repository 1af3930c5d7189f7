package service

import (
	"encoding/base64"
	"encoding/json"

	"github.com/lotse-project/lotse/internal/model"
)

// pager is the paging rule of one kind of list: the kind its cursors are bound to (a cursor
// of one list is refused by another) and its page sizes. Every list pages by keyset: it reads
// one row more than the page to learn whether another page follows, and the cursor holds the
// sort key of the page's last row.
type pager struct {
	kind string
	// size is the page size when none is asked for; max the largest one may ask for.
	size, max int
}

// The lists and their page sizes.
var (
	casePages     = pager{kind: "cases", size: 25, max: 100}
	taskPages     = pager{kind: "tasks", size: 25, max: 100}
	auditPages    = pager{kind: "audit", size: 50, max: 200}
	referralPages = func(box model.ReferralBox) pager {
		return pager{kind: "referrals:" + string(box), size: 25, max: 100}
	}
)

// maxCursor bounds the length of a cursor that is decoded at all.
const maxCursor = 512

// limit is the one limit rule: 0 asks for the list's page size, 1 to max are taken as given,
// anything else is ErrInvalid on "limit".
func (p pager) limit(n int) (int, error) {
	switch {
	case n == 0:
		return p.size, nil
	case n < 0 || n > p.max:
		return 0, model.Invalid("limit", model.CodeOutOfRange, model.Params{"min": 1, "max": p.max})
	}
	return n, nil
}

// cursor is the one cursor codec: the opaque token of key (a sort key of this list).
func (p pager) cursor(key any) string {
	b, err := json.Marshal(struct {
		K string `json:"k"`
		P any    `json:"p"`
	}{p.kind, key})
	if err != nil {
		panic("service: a sort key that does not marshal: " + err.Error()) // keys are plain structs and numbers
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// after reads a cursor made by cursor for the same kind of list into key; false when cursor
// is empty (the first page). Anything else is ErrInvalid on "cursor".
func (p pager) after(cursor string, key any) (bool, error) {
	if cursor == "" {
		return false, nil
	}
	bad := model.Invalid("cursor", model.CodeBadCursor)
	if len(cursor) > maxCursor {
		return false, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return false, bad
	}
	var c struct {
		K string          `json:"k"`
		P json.RawMessage `json:"p"`
	}
	if json.Unmarshal(b, &c) != nil || c.K != p.kind || len(c.P) == 0 || json.Unmarshal(c.P, key) != nil {
		return false, bad
	}
	return true, nil
}

// cut takes rows read with limit+1 and returns the page's rows and, when more follow, the
// cursor after the last of them.
func cut[T any](p pager, rows []T, limit int, key func(*T) any) ([]T, string) {
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, p.cursor(key(&rows[limit-1]))
}
