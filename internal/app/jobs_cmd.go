package app

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/lotse-project/lotse/internal/config"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
)

// JobsCmd lists the background jobs that failed, for administrators (issue 12): a job that
// keeps failing (an SMTP server that refuses, say) is retried with backoff and, after its
// last attempt, kept as discarded. The list shows id, kind, state, attempts, time and the
// last error, never the job's arguments; arguments and errors hold references only.
type JobsCmd struct {
	Limit int `default:"100" help:"Show at most this many jobs, newest first."`
}

// Run prints the failed jobs, or that there are none.
func (c JobsCmd) Run(cfg *config.Config, e *Env) error {
	if c.Limit < 1 {
		return fmt.Errorf("jobs: --limit must be at least 1, got %d", c.Limit)
	}
	a, err := OpenTool(cfg, e)
	if err != nil {
		return err
	}
	defer a.Close()
	var jobs []store.FailedJob
	err = a.store.Read(e.Ctx, model.Actor{System: true}, func(tx *store.Tx) error {
		var err error
		jobs, err = tx.FailedJobs(e.Ctx, c.Limit)
		return err
	})
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	if len(jobs) == 0 {
		_, err := fmt.Fprintln(e.Stdout, "no failed jobs")
		return err
	}
	w := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tKIND\tSTATE\tATTEMPTS\tLAST RUN\tNEXT TRY\tLAST ERROR")
	for _, j := range jobs {
		next := "-"
		if j.Next != nil {
			next = j.Next.In(model.Berlin).Format(time.DateTime)
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%d/%d\t%s\t%s\t%s\n", j.ID, j.Kind, j.State, j.Attempt, j.MaxAttempts,
			j.At.In(model.Berlin).Format(time.DateTime), next, oneLine(j.LastError))
	}
	return w.Flush()
}

// oneLine keeps an error to one line of reasonable length.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 200 {
		s = string(r[:199]) + "…"
	}
	return s
}
