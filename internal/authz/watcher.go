package authz

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"

	"github.com/lotse-project/lotse/internal/model"
)

// Watch keeps the enforcer current: it listens on model.PolicyChannel, to which every grant
// or organisation change notifies in its own transaction (so the notification arrives only
// after the commit), and reloads. After its connection was lost it reconnects and reloads,
// since notifications sent meanwhile are gone. It returns when ctx ends.
func (en *Enforcer) Watch(ctx context.Context, connect func(ctx context.Context) (*pgx.Conn, error), log *slog.Logger) error {
	kick := make(chan struct{}, 1)
	signal := func() {
		select {
		case kick <- struct{}{}:
		default: // a reload is already pending; it will see this change too
		}
	}
	l := &pgxlisten.Listener{
		Connect:        connect,
		ReconnectDelay: 250 * time.Millisecond,
		LogError: func(_ context.Context, err error) {
			if ctx.Err() == nil {
				log.Warn("policy watcher", slog.Any("error", err))
			}
		},
	}
	l.Handle(model.PolicyChannel, handler{signal: signal})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-kick:
				if err := en.Reload(ctx); err != nil && ctx.Err() == nil {
					log.Error("reloading the policy failed; will retry", slog.Any("error", err))
					time.Sleep(time.Second)
					signal()
				}
			}
		}
	}()
	err := l.Listen(ctx)
	<-done
	return err
}

type handler struct{ signal func() }

func (h handler) HandleNotification(context.Context, *pgconn.Notification, *pgx.Conn) error {
	h.signal()
	return nil
}

// HandleBacklog runs on every (re)connect: changes made while we were not listening are
// caught by reloading once.
func (h handler) HandleBacklog(context.Context, string, *pgx.Conn) error {
	h.signal()
	return nil
}
