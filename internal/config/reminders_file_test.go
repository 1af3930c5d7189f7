package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lotse-project/lotse/internal/config"
)

// TestRemindersFileIsValidated: a bad LOTSE_REMINDERS_FILE (or a missing one) stops the
// start with a message naming the variable and the key.
func TestRemindersFileIsValidated(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reminders.yaml")
	if err := os.WriteFile(path, []byte("escalate_after_days: 99\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{path: "escalate_after_days", path + ".missing": "LOTSE_REMINDERS_FILE"} {
		c, err := parse(t, map[string]string{"LOTSE_REMINDERS_FILE": file})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(false); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: Validate = %v, want a problem naming %s", file, err, want)
		}
	}
}

// TestRetentionFile: the retention file's keys override their defaults; unknown keys and
// values out of range are refused, all at once, naming the variable and the key.
func TestRetentionFile(t *testing.T) {
	got, err := config.ParseRetentionRules([]byte("closed_case_years: 5\nread_notification_days: 30\n"))
	if err != nil || got.ClosedCaseYears != 5 || got.ReadNotificationDays != 30 || got.EndedReferralMonths != 12 || got.ConsentEvidenceMonths != 0 {
		t.Errorf("parse: %+v, %v", got, err)
	}
	_, err = config.ParseRetentionRules([]byte("closed_case_years: 0\nended_referral_months: 500\n"))
	for _, want := range []string{"LOTSE_RETENTION_FILE", "closed_case_years", "ended_referral_months"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("out of range: %v, want it to name %s", err, want)
		}
	}
	if _, err := config.ParseRetentionRules([]byte("closed_cases_years: 3\n")); err == nil || !strings.Contains(err.Error(), "closed_cases_years") {
		t.Errorf("unknown key: %v", err)
	}
}
