package config

import (
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
)

// TestReminderRulesFile: omitted keys keep their defaults, unknown keys and values out of
// range are refused with the variable's name, and a bad file fails the configuration.
func TestReminderRulesFile(t *testing.T) {
	rules, err := ParseReminderRules([]byte("escalate_after_days: 5\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := model.DefaultReminderRules()
	want.EscalateAfterDays = 5
	if rules != want {
		t.Errorf("parsed %+v, want %+v", rules, want)
	}
	if rules, err := ParseReminderRules(nil); err != nil || rules != model.DefaultReminderRules() {
		t.Errorf("empty file: %+v, %v", rules, err)
	}
	for _, bad := range []string{"escalate_after_days: 0\n", "consent_expiring_days: 91\n", "referral_reply_due_days: -1\n", "reply_days: 2\n", "escalate_after_days: soon\n"} {
		if _, err := ParseReminderRules([]byte(bad)); err == nil || !strings.Contains(err.Error(), "LOTSE_REMINDERS_FILE") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
