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
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		return model.ReminderRules{}, fmt.Errorf("LOTSE_REMINDERS_FILE: %w", err)
	}
	rules := model.DefaultReminderRules()
	var errs []error
	set := func(dst *int, v *int, key string, lo, hi int) {
		if v == nil {
			return
		}
		if *v < lo || *v > hi {
			errs = append(errs, fmt.Errorf("LOTSE_REMINDERS_FILE: %s must be between %d and %d, got %d", key, lo, hi, *v))
			return
		}
		*dst = *v
	}
	set(&rules.ReplyDueDays, doc.ReplyDueDays, "referral_reply_due_days", 0, 20)
	set(&rules.EscalateAfterDays, doc.EscalateAfterDays, "escalate_after_days", 1, 60)
	set(&rules.ConsentExpiringDays, doc.ConsentExpiringDays, "consent_expiring_days", 1, 90)
	if len(errs) > 0 {
		return model.ReminderRules{}, errors.Join(errs...)
	}
	return rules, nil
}
