package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// openSQL is stdlib.OpenDBFromPool with one rule more: a transaction that a statement of its
// own already ended is not ended again. The store sends a transaction's audit events and its
// COMMIT as one message (store.commit), one round trip instead of two; database/sql then
// still calls Commit, which would send a second COMMIT (a round trip for a warning). The
// driver's transaction checks the connection's state and sends nothing when it is no longer
// in a transaction. A transaction still open (or failed) is committed or rolled back as
// always.
func openSQL(pool *pgxpool.Pool) *sql.DB {
	d := sql.OpenDB(connector{stdlib.GetPoolConnector(pool)})
	d.SetMaxIdleConns(0) // as stdlib.OpenDBFromPool: the pgx pool keeps the idle connections
	return d
}

type connector struct{ driver.Connector }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := dc.(*stdlib.Conn)
	if !ok {
		_ = dc.Close()
		return nil, fmt.Errorf("db: unexpected driver connection %T", dc)
	}
	return &conn{sc}, nil
}

// conn is pgx's database/sql connection; every method but BeginTx is pgx's own.
type conn struct{ *stdlib.Conn }

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	t, err := c.Conn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return endedTx{Tx: t, c: c.Conn}, nil
}

type endedTx struct {
	driver.Tx
	c *stdlib.Conn
}

// ended reports whether the connection is outside any transaction: a statement committed it.
func (t endedTx) ended() bool { return t.c.Conn().PgConn().TxStatus() == 'I' }

func (t endedTx) Commit() error {
	if t.ended() {
		return nil
	}
	return t.Tx.Commit()
}

func (t endedTx) Rollback() error {
	if t.ended() {
		return nil
	}
	return t.Tx.Rollback()
}
