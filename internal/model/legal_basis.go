package model

// LegalBasis is a legal ground on which a referral may share case data without a consent
// (e.g. "SGB II § 50"), with the person data categories it releases to the recipient. The
// city configures the list (LOTSE_LEGAL_BASES_FILE); a referral records the categories of
// its basis when it is sent, and the partner view masks persons with them exactly as with a
// consent's categories. The referred areas limit the plan and notes in both cases.
type LegalBasis struct {
	Name       string         `yaml:"name"`
	Categories []DataCategory `yaml:"categories"`
}

// DefaultLegalBases are the legal bases a city has without LOTSE_LEGAL_BASES_FILE: the usual
// grounds for transmitting social data between agencies, each releasing the identity of the
// persons only (names and date of birth), the conservative default.
func DefaultLegalBases() []LegalBasis {
	names := []string{"SGB II § 50", "SGB VIII § 65", "SGB X § 69", "AufenthG § 87"}
	out := make([]LegalBasis, len(names))
	for i, n := range names {
		out[i] = LegalBasis{Name: n, Categories: []DataCategory{CategoryIdentity}}
	}
	return out
}

// LegalBasisNames returns the names of bases, in order.
func LegalBasisNames(bases []LegalBasis) []string {
	out := make([]string, len(bases))
	for i, b := range bases {
		out[i] = b.Name
	}
	return out
}
