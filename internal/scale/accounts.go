package scale

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"text/tabwriter"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
)

// The accounts file (`lotse-dev seed scale --accounts-out FILE`) is tab-separated with a
// header line, one account a line, in these columns. A load harness reads it with
// ReadAccounts, or calls Accounts with the same seed and sizes.
var accountColumns = []string{"subject", "email", "display_name", "role", "org", "org_kind", "leads_cases", "user_id", "org_id"}

// WriteAccounts writes accounts in the accounts file format.
func WriteAccounts(w io.Writer, accounts []Account) error {
	cw := csv.NewWriter(w)
	cw.Comma = '\t'
	if err := cw.Write(accountColumns); err != nil {
		return err
	}
	for _, a := range accounts {
		if err := cw.Write([]string{a.Subject, a.Email, a.DisplayName, string(a.Role), a.Org, string(a.OrgKind),
			strconv.FormatBool(a.Leads), a.UserID.String(), a.OrgID.String()}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ReadAccounts reads an accounts file written by WriteAccounts.
func ReadAccounts(r io.Reader) ([]Account, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.Comma = '\t'
	cr.FieldsPerRecord = len(accountColumns)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("scale: accounts file: %w", err)
	}
	if !slices.Equal(head, accountColumns) {
		return nil, fmt.Errorf("scale: accounts file: the header is %v, want %v", head, accountColumns)
	}
	var out []Account
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("scale: accounts file: %w", err)
		}
		a := Account{Subject: rec[0], Email: rec[1], DisplayName: rec[2], Role: model.Role(rec[3]), Org: rec[4], OrgKind: model.OrgKind(rec[5])}
		a.Leads, err = strconv.ParseBool(rec[6])
		if err == nil {
			a.UserID, err = uuid.Parse(rec[7])
		}
		if err == nil {
			a.OrgID, err = uuid.Parse(rec[8])
		}
		if err != nil {
			return nil, fmt.Errorf("scale: accounts file, line %d: %w", len(out)+2, err)
		}
		out = append(out, a)
	}
}

// Print writes the summary as a table.
func (s Summary) Print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	for _, t := range append([]string{"organisations", "users", "role_grants"}, tableNames()...) {
		fmt.Fprintf(tw, "%s\t%d\t\n", t, s.Tables[t])
	}
	for _, st := range []model.CaseStatus{model.CaseOpen, model.CasePaused, model.CaseClosed} {
		fmt.Fprintf(tw, "cases %s\t%d\t\n", st, s.Cases[st])
	}
	for _, st := range referralStates {
		fmt.Fprintf(tw, "referrals %s\t%d\t\n", st, s.Referrals[st])
	}
	fmt.Fprintf(tw, "time\t%s\t\n", s.Elapsed.Round(1e8))
	fmt.Fprintf(tw, "of which VACUUM (ANALYZE)\t%s\t\n", s.Analyze.Round(1e8))
	_ = tw.Flush()
}

var referralStates = []model.ReferralStatus{model.ReferralSent, model.ReferralAccepted, model.ReferralDeclined, model.ReferralInProgress,
	model.ReferralCompleted, model.ReferralWithdrawn, model.ReferralExpired, model.ReferralRevoked}

func tableNames() []string {
	out := make([]string, len(tableColumns))
	for i, t := range tableColumns {
		out[i] = t.name
	}
	return out
}
