package config

import (
	"fmt"
	"os"

	"github.com/lotse-project/lotse/internal/model"
)

// LoadRetentionRules reads the retention rules from path, or returns
// model.DefaultRetentionRules when path is empty. The file is YAML; every key is optional and
// an omitted one keeps its default (docs/retention.md):
//
//	closed_case_years: 3          # years after a case was closed
//	ended_referral_months: 12     # months after a referral ended unworked (declined, expired, withdrawn, revoked)
//	consent_evidence_months: 0    # months after a consent ended until its evidence text goes
//	read_notification_days: 90    # days after a notification was read
//
// Unknown keys and values out of range are refused, all at once.
func LoadRetentionRules(path string) (model.RetentionRules, error) {
	if path == "" {
		return model.DefaultRetentionRules(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return model.RetentionRules{}, fmt.Errorf("LOTSE_RETENTION_FILE: %w", err)
	}
	return ParseRetentionRules(b)
}

// ParseRetentionRules parses the retention file (see LoadRetentionRules).
func ParseRetentionRules(b []byte) (model.RetentionRules, error) {
	var doc struct {
		ClosedCaseYears       *int `yaml:"closed_case_years"`
		EndedReferralMonths   *int `yaml:"ended_referral_months"`
		ConsentEvidenceMonths *int `yaml:"consent_evidence_months"`
		ReadNotificationDays  *int `yaml:"read_notification_days"`
	}
	rules := model.DefaultRetentionRules()
	f := rulesFile{env: "LOTSE_RETENTION_FILE"}
	if !f.decode(b, &doc) {
		return model.RetentionRules{}, f.err()
	}
	f.set(&rules.ClosedCaseYears, doc.ClosedCaseYears, "closed_case_years", 1, 30)
	f.set(&rules.EndedReferralMonths, doc.EndedReferralMonths, "ended_referral_months", 1, 120)
	f.set(&rules.ConsentEvidenceMonths, doc.ConsentEvidenceMonths, "consent_evidence_months", 0, 120)
	f.set(&rules.ReadNotificationDays, doc.ReadNotificationDays, "read_notification_days", 1, 3650)
	if err := f.err(); err != nil {
		return model.RetentionRules{}, err
	}
	return rules, nil
}
