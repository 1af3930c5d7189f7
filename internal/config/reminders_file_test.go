package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
