package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
)

// inserter is an insert-only River client: it writes a job into the transaction it is given
// and works none (internal/jobs works them). One per process.
var inserter = sync.OnceValues(func() (*river.Client[*sql.Tx], error) {
	return river.NewClient(riverdatabasesql.New(nil), &river.Config{})
})

// Enqueue adds a background job to this transaction: it is worked after the transaction
// commits, and never when it rolls back (issue 12: a rolled-back change sends nothing).
func (tx *Tx) Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	sqlTx, ok := tx.db.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return errors.New("store: enqueue outside a transaction")
	}
	c, err := inserter()
	if err != nil {
		return fmt.Errorf("store: job client: %w", err)
	}
	if _, err := c.InsertTx(ctx, sqlTx, args, opts); err != nil {
		return fmt.Errorf("store: enqueue %s: %w", args.Kind(), err)
	}
	return nil
}
