package store

import (
	"context"
	"regexp"
	"slices"
	"testing"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil"
)

// TestStatusSetsMatchTheModel: the status sets the queries use are the model's, status for
// status, as Postgres evaluates them; and the schema allows exactly the model's statuses.
func TestStatusSetsMatchTheModel(t *testing.T) {
	t.Parallel()
	d := testutil.NewDB(t)
	ctx := context.Background()
	evaluate := func(list string, values []string) []bool {
		t.Helper()
		var out []bool
		if err := d.Gorm.WithContext(ctx).Raw(`SELECT s IN `+list+` FROM unnest(?::text[]) WITH ORDINALITY AS u(s, n) ORDER BY n`,
			model.StringList(values)).Scan(&out).Error; err != nil {
			t.Fatal(err)
		}
		return out
	}
	var refs []string
	for _, s := range model.ReferralStatuses {
		refs = append(refs, string(s))
	}
	for i, in := range evaluate(sqlActiveReferral, refs) {
		if in != model.ReferralStatuses[i].Active() {
			t.Errorf("referral status %s: active in SQL %v, in the model %v", refs[i], in, !in)
		}
	}
	var tasks []string
	for _, s := range model.TaskStatuses {
		tasks = append(tasks, string(s))
	}
	for i, in := range evaluate(sqlClosedTask, tasks) {
		if in != model.TaskStatuses[i].Closed() {
			t.Errorf("task status %s: closed in SQL %v, in the model %v", tasks[i], in, !in)
		}
	}

	// The CHECK constraints of the status columns list exactly the model's statuses.
	quoted := regexp.MustCompile(`'([a-z_]+)'::text`)
	for _, tc := range []struct {
		table string
		want  []string
	}{{"referrals", refs}, {"tasks", tasks}} {
		var defs []string
		if err := d.Gorm.WithContext(ctx).Raw(`SELECT pg_get_constraintdef(oid) FROM pg_constraint
			WHERE conrelid = ?::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE 'CHECK ((status = ANY%'`, tc.table).Scan(&defs).Error; err != nil {
			t.Fatal(err)
		}
		if len(defs) != 1 {
			t.Fatalf("%s: %d status checks: %v", tc.table, len(defs), defs)
		}
		var got []string
		for _, m := range quoted.FindAllStringSubmatch(defs[0], -1) {
			got = append(got, m[1])
		}
		slices.Sort(got)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: the schema allows %v, the model has %v", tc.table, got, want)
		}
	}

	// A referral may lack cover only once it has ended: the schema's list of ended states
	// is the complement of the model's active ones.
	var def string
	if err := d.Gorm.WithContext(ctx).Raw(`SELECT pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = 'referrals'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%consent_id IS NOT NULL%'`).Scan(&def).Error; err != nil {
		t.Fatal(err)
	}
	var ended, want []string
	for _, m := range quoted.FindAllStringSubmatch(def, -1) {
		ended = append(ended, m[1])
	}
	for _, s := range model.ReferralStatuses {
		if !s.Active() {
			want = append(want, string(s))
		}
	}
	slices.Sort(ended)
	slices.Sort(want)
	if !slices.Equal(ended, want) {
		t.Errorf("referrals without cover: the schema allows %v, the model's ended states are %v", ended, want)
	}
}
