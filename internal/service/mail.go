package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/mail"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// Mail sends the notification e-mails (issue 12, docs/email.md): per member one immediate
// mail for the kinds they want at once, and one daily digest for the kinds they want in the
// digest. A mail holds only counts per kind and organisation and a link (package mail), and
// counts only notifications whose record the member may still see now (visible), so that a
// mail never reveals a hidden record.
//
// At most once: each member's mail is one transaction that claims the member's notifications
// not yet e-mailed (FOR UPDATE SKIP LOCKED: a second instance or a duplicate job skips them),
// marks them e-mailed with one audit event each, sends, and commits only after the server
// accepted the mail. A failed send rolls everything back, so the job's retry finds them
// unmarked again: nothing is lost. A committed mark means the mail went out, so nothing is
// sent twice. The one window left is a crash (or lost connection to the database) after the
// SMTP server accepted the mail and before the commit: then the retry sends that one mail
// again. The other order (commit, then send) would lose the mail on every failed send
// instead; a rare duplicate of a mail without personal data is the smaller harm.
type Mail struct {
	n       *Notifications
	sender  mail.Sender
	baseURL string
}

// NewMail builds the e-mail service on the services' notifications; sender nil means no SMTP
// is configured: the jobs complete without sending and mark nothing.
func NewMail(s *Services, sender mail.Sender, baseURL string) *Mail {
	return &Mail{n: s.Notifications, sender: sender, baseURL: baseURL}
}

// LateImmediate is how long a notification wanted at once may wait for its own mail before
// the daily digest takes it along.
const LateImmediate = time.Hour

// Enabled says whether e-mails are sent at all.
func (m *Mail) Enabled() bool { return m != nil && m.sender != nil }

// mailActor is who claims and marks the notifications: the system, named for the audit.
var mailActor = model.Actor{System: true, Name: "notification e-mail"}

// Immediate sends the immediate mails for the notifications ids (the job that
// store.CreateNotifications enqueued): per recipient one mail counting those of ids whose
// kind the recipient wants at once. It returns the number of mails sent; on an error the
// mails sent before it stay sent and the rest is left for the retry.
func (m *Mail) Immediate(ctx context.Context, ids []uuid.UUID) (int, error) {
	if !m.Enabled() || len(ids) == 0 {
		return 0, nil
	}
	return m.run(ctx, ids, model.ChannelImmediate, time.Time{})
}

// Digest sends the daily digest of day: per member one mail counting every notification not
// yet e-mailed (nor read) whose kind the member wants in the digest, and every one wanted at
// once whose own mail has not gone out within LateImmediate (its job still retrying, or
// given up after its last attempt): so a mail that failed for a day is not lost, and the claim
// (SKIP LOCKED, then the mark) keeps it from going out twice.
func (m *Mail) Digest(ctx context.Context, day time.Time) (int, error) {
	if !m.Enabled() {
		return 0, nil
	}
	return m.run(ctx, nil, model.ChannelDigest, day)
}

// run mails each recipient of the unmailed notifications (among ids, when given) in a
// transaction of their own, so that one refused address does not hold back the others.
func (m *Mail) run(ctx context.Context, ids []uuid.UUID, ch model.Channel, day time.Time) (int, error) {
	var users []uuid.UUID
	err := m.n.store.Read(ctx, mailActor, func(tx *store.Tx) error {
		var err error
		users, err = tx.Notifications().UnmailedRecipients(ctx, ids)
		return err
	})
	if err != nil {
		return 0, err
	}
	sent := 0
	var errs []error
	for _, u := range users {
		ok, err := m.mailOne(ctx, u, ids, ch, day)
		if err != nil {
			// The member's id is a reference, not personal data; the error holds no address.
			errs = append(errs, fmt.Errorf("mail to member %s: %w", u, err))
			continue
		}
		if ok {
			sent++
		}
	}
	return sent, errors.Join(errs...)
}

// mailOne is one member's mail, in one transaction (see Mail for the at-most-once rule).
func (m *Mail) mailOne(ctx context.Context, user uuid.UUID, ids []uuid.UUID, ch model.Channel, day time.Time) (bool, error) {
	sent := false
	err := m.n.store.Tx(ctx, mailActor, func(tx *store.Tx) error {
		sent = false
		ns, err := tx.Notifications().ClaimUnmailed(ctx, user, ids)
		if err != nil || len(ns) == 0 {
			return err
		}
		u, err := tx.Users().ByID(ctx, user)
		if err != nil {
			return err
		}
		if !u.Active || u.Email == "" {
			return nil // an account without mail: the bell only
		}
		chosen, err := tx.Notifications().Channels(ctx, user)
		if err != nil {
			return err
		}
		wanted := ns[:0]
		for _, n := range ns {
			c, ok := chosen[n.Kind]
			if !ok {
				c = model.DefaultChannel(n.Kind)
			}
			late := ch == model.ChannelDigest && c == model.ChannelImmediate && n.CreatedAt.Before(m.n.now().Add(-LateImmediate))
			if c == ch || late {
				wanted = append(wanted, n)
			}
		}
		if len(wanted) == 0 {
			return nil
		}
		seen, err := m.n.visible(ctx, tx, wanted)
		if err != nil {
			return err
		}
		var counted []model.Notification
		for _, n := range wanted {
			if seen[n.ID] {
				counted = append(counted, n)
			}
		}
		if len(counted) == 0 {
			return nil // hidden records stay unmailed: they are neither counted nor revealed
		}
		msg, err := m.compose(ctx, tx, u, counted, ch == model.ChannelDigest, day)
		if err != nil {
			return err
		}
		mailed := make([]uuid.UUID, len(counted))
		for i, n := range counted {
			mailed[i] = n.ID
			if err := tx.Audit().Record(ctx, event(mailActor, "notification.email", "notification", n.ID, model.JSONMap{
				"recipient": n.UserID.String(), "org": n.OrgID.String(), "kind": string(n.Kind),
				"object_type": n.ObjectType, "object_id": n.ObjectID.String(),
				"channel": "email", "mail": string(ch),
			})); err != nil {
				return err
			}
		}
		if err := tx.Notifications().MarkEmailed(ctx, mailed); err != nil {
			return err
		}
		// Last, after every write: only the commit can fail after the server took the mail.
		if err := m.sender.Send(ctx, msg); err != nil {
			return err
		}
		sent = true
		return nil
	})
	return sent, err
}

// compose counts ns per organisation and kind and writes the member's mail.
func (m *Mail) compose(ctx context.Context, tx *store.Tx, u *model.User, ns []model.Notification, digest bool, day time.Time) (mail.Message, error) {
	var orgIDs []uuid.UUID
	counts := map[uuid.UUID]map[model.NotificationKind]int{}
	for _, n := range ns {
		if counts[n.OrgID] == nil {
			counts[n.OrgID] = map[model.NotificationKind]int{}
			orgIDs = append(orgIDs, n.OrgID)
		}
		counts[n.OrgID][n.Kind]++
	}
	names, err := tx.Notifications().OrganisationNames(ctx, orgIDs)
	if err != nil {
		return mail.Message{}, err
	}
	s := mail.Summary{Language: u.Language, Digest: digest, Day: day}
	for _, id := range orgIDs {
		s.Groups = append(s.Groups, mail.Group{Org: names[id], Counts: counts[id]})
	}
	subject, body := mail.Compose(s, m.baseURL)
	return mail.Message{To: u.Email, Subject: subject, Body: body}, nil
}
