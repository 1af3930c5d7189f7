package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"go.yaml.in/yaml/v3"

	"github.com/lotse-project/lotse/internal/model"
)

// LoadReminderRules reads the reminder rules from path, or returns
// model.DefaultReminderRules when path is empty. The file is YAML; every key is optional and
// an omitted one keeps its default (docs/reminders.md):
//
//	referral_reply_due_days: 2   # working days before the reply deadline (0: on the deadline only)
//	escalate_after_days: 3       # working days overdue / unanswered before the head hears of it
//	consent_expiring_days: 14    # calendar days before a consent ends
//
// Unknown keys and values out of range are refused, all at once.
func LoadReminderRules(path string) (model.ReminderRules, error) {
	if path == "" {
		return model.DefaultReminderRules(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return model.ReminderRules{}, fmt.Errorf("LOTSE_REMINDERS_FILE: %w", err)
	}
	return ParseReminderRules(b)
}

// ParseReminderRules parses the reminders file (see LoadReminderRules).
func ParseReminderRules(b []byte) (model.ReminderRules, error) {
	var doc struct {
		ReplyDueDays        *int `yaml:"referral_reply_due_days"`
		EscalateAfterDays   *int `yaml:"escalate_after_days"`
		ConsentExpiringDays *int `yaml:"consent_expiring_days"`
	}
	rules := model.DefaultReminderRules()
	f := rulesFile{env: "LOTSE_REMINDERS_FILE"}
	if !f.decode(b, &doc) {
		return model.ReminderRules{}, f.err()
	}
	f.set(&rules.ReplyDueDays, doc.ReplyDueDays, "referral_reply_due_days", 0, 20)
	f.set(&rules.EscalateAfterDays, doc.EscalateAfterDays, "escalate_after_days", 1, 60)
	f.set(&rules.ConsentExpiringDays, doc.ConsentExpiringDays, "consent_expiring_days", 1, 90)
	if err := f.err(); err != nil {
		return model.ReminderRules{}, err
	}
	return rules, nil
}

// rulesFile collects the problems of a YAML file of integer settings (the reminders and the
// retention rules), each naming the variable and the key.
type rulesFile struct {
	env  string
	errs []error
}

// decode reads b into doc, refusing unknown keys; false when the file is not readable.
func (f *rulesFile) decode(b []byte, doc any) bool {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(doc); err != nil && !errors.Is(err, io.EOF) {
		f.errs = append(f.errs, fmt.Errorf("%s: %w", f.env, err))
		return false
	}
	return true
}

// set copies v (when given) to dst if it lies within lo..hi.
func (f *rulesFile) set(dst *int, v *int, key string, lo, hi int) {
	if v == nil {
		return
	}
	if *v < lo || *v > hi {
		f.errs = append(f.errs, fmt.Errorf("%s: %s must be between %d and %d, got %d", f.env, key, lo, hi, *v))
		return
	}
	*dst = *v
}

func (f *rulesFile) err() error { return errors.Join(f.errs...) }
