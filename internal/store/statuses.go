package store

import (
	"strings"

	"github.com/lotse-project/lotse/internal/model"
)

// The status sets of the model, rendered once as SQL lists, so that the queries can never
// disagree with the Go code that decides the same (model.ReferralStatus.Active,
// model.TaskStatus.Closed). A test compares them with the model and the schema.
var (
	// sqlActiveReferral is model.ActiveReferralStatuses: ('sent', 'accepted', 'in_progress').
	sqlActiveReferral = sqlList(model.ActiveReferralStatuses)
	// sqlClosedTask is model.ClosedTaskStatuses: ('done', 'cancelled').
	sqlClosedTask = sqlList(model.ClosedTaskStatuses)
)

// sqlList renders string constants as an SQL list literal. The values are the model's own
// constants, never input.
func sqlList[S ~string](xs []S) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = "'" + strings.ReplaceAll(string(x), "'", "''") + "'"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
