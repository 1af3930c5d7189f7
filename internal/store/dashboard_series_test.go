package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/testutil"
)

// TestTaskSeriesCountsEveryMoment holds the weekly series (TaskSeries, one pass over the
// tasks with the runs of moments each is open and overdue) equal to its definition counted
// moment by moment (seriesByMoment, the query it replaced), over a few thousand random
// tasks whose creation, completion, cancellation and due dates fall on, just before and just
// after the moments and their days, in every status, with and without area and due date.
func TestTaskSeriesCountsEveryMoment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := New(testutil.NewDB(t).Gorm, nil)
	sys := model.Actor{System: true, Name: "test"}
	org := model.Organisation{Kind: model.OrgWelfare, Name: "Reihe", ShortName: "REIHE", Active: true}
	var areas []string
	if err := st.Tx(ctx, sys, func(tx *Tx) error {
		if err := tx.Organisations().Create(ctx, &org); err != nil {
			return err
		}
		return tx.db.Raw(`SELECT code FROM areas ORDER BY code LIMIT 3`).Scan(&areas).Error
	}); err != nil {
		t.Fatal(err)
	}
	if len(areas) < 2 {
		t.Fatalf("areas: %v", areas)
	}

	// Twelve weekly moments at midnight in Berlin, the last one "now", in the afternoon.
	first := time.Date(2026, 9, 14, 0, 0, 0, 0, model.Berlin)
	var moments []WeekMoment
	for i := range 12 {
		at := first.AddDate(0, 0, 7*i)
		if i == 11 {
			at = at.AddDate(0, 0, -3).Add(15*time.Hour + 7*time.Minute)
		}
		y, m, d := at.Date()
		moments = append(moments, WeekMoment{At: at.UTC(), Day: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)})
	}

	r := rand.New(rand.NewPCG(13, 7))
	// near is a moment, a microsecond before or after one, or any time around them.
	near := func() time.Time {
		m := moments[r.IntN(len(moments))].At
		switch r.IntN(4) {
		case 0:
			return m
		case 1:
			return m.Add(-time.Microsecond)
		case 2:
			return m.Add(time.Microsecond)
		}
		return first.AddDate(0, 0, -30).Add(time.Duration(r.Int64N(int64(130 * 24 * time.Hour))))
	}
	statuses := []model.TaskStatus{model.TaskOpen, model.TaskInProgress, model.TaskWaiting, model.TaskDone, model.TaskCancelled}
	var rows []string
	var args []any
	for range 3000 {
		created := near()
		updated := created
		if later := near(); later.After(created) {
			updated = later
		}
		status := statuses[r.IntN(len(statuses))]
		var doneAt any
		if status == model.TaskDone || r.IntN(10) == 0 { // a few open ones with a done_at: data as it may be
			doneAt = updated
		}
		var due any
		if r.IntN(5) > 0 {
			d := moments[r.IntN(len(moments))].Day.AddDate(0, 0, r.IntN(5)-2)
			if r.IntN(3) == 0 {
				d = first.AddDate(0, 0, r.IntN(120)-40)
			}
			due = d.Format(time.DateOnly)
		}
		var area any
		if i := r.IntN(len(areas) + 1); i < len(areas) {
			area = areas[i]
		}
		rows = append(rows, "(?, ?, ?, 'Reihe', ?::date, ?, ?, ?, ?)")
		args = append(args, uuid.New(), org.ID, area, due, string(status), doneAt, created, updated)
	}
	if err := st.Tx(ctx, sys, func(tx *Tx) error {
		return tx.db.Exec(`INSERT INTO tasks (id, org_id, area, title, due_date, status, done_at, created_at, updated_at) VALUES `+
			strings.Join(rows, ", "), args...).Error
	}); err != nil {
		t.Fatal(err)
	}

	sc := model.Scope{Object: "task", Action: "read", Kinds: []model.ScopeKind{model.ScopeOrgTree}, OrgID: org.ID, OrgTree: []uuid.UUID{org.ID}}
	var got, want []SeriesPoint
	if err := st.Read(ctx, sys, func(tx *Tx) error {
		var err error
		if got, err = tx.Dashboard().TaskSeries(ctx, sc, sc.OrgTree, moments); err != nil {
			return err
		}
		want, err = seriesByMoment(tx, ctx, sc, moments)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	want = slices.DeleteFunc(want, func(p SeriesPoint) bool { return p.Open == 0 && p.Overdue == 0 })
	if len(want) < 20 || !slices.ContainsFunc(want, func(p SeriesPoint) bool { return p.Overdue > 0 }) {
		t.Fatalf("the random tasks count too little to compare: %v", want)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("series\n got %v\nwant %v", got, want)
	}
}

// seriesByMoment is TaskSeries' definition counted moment by moment: every task joined with
// every moment it was created by.
func seriesByMoment(tx *Tx, ctx context.Context, sc model.Scope, moments []WeekMoment) ([]SeriesPoint, error) {
	ats := make([]string, len(moments))
	days := make([]string, len(moments))
	for i, m := range moments {
		ats[i] = `"` + m.At.UTC().Format("2006-01-02 15:04:05.999999") + `+00"`
		days[i] = m.Day.Format(time.DateOnly)
	}
	open := `tasks.created_at <= w.at AND (tasks.done_at IS NULL OR tasks.done_at > w.at)
		AND NOT (tasks.status = 'cancelled' AND tasks.updated_at <= w.at)`
	var out []SeriesPoint
	err := visible(tx.db.WithContext(ctx).Model(&model.Task{}), sc).
		Joins(`JOIN unnest(?::timestamptz[], ?::date[]) WITH ORDINALITY AS w(at, day, idx) ON tasks.created_at <= w.at`,
			"{"+strings.Join(ats, ",")+"}", "{"+strings.Join(days, ",")+"}").
		Select(`w.idx AS index, coalesce(tasks.area, '') AS area,
			count(*) FILTER (WHERE `+open+`) AS open,
			count(*) FILTER (WHERE `+open+` AND tasks.due_date < w.day) AS overdue`).
		Where("tasks.org_id = ANY(?::uuid[])", uuids(sc.OrgTree)).
		Group("w.idx, coalesce(tasks.area, '')").Order("1, 2").Scan(&out).Error
	return out, err
}
