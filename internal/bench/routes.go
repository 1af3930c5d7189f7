package bench

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/lotse-project/lotse/internal/service"
)

// Route is one kind of request of the mix, with the floor it is compared to.
type Route struct {
	// Name is the route's name in the report and in the --mix flag.
	Name string
	// Kinds are the accounts that make this request.
	Kinds []Kind
	// Method and Pattern are the server's route (the label of lotse_db_queries_per_request).
	Method, Pattern string
	// Weight is the default share in the mix.
	Weight float64
	// Want is the status a successful request answers with.
	Want int
	// Floor names what the floor measures, for the report.
	Floor string
	// call is the request of session s (its i-th); arg is what the floor needs too (a case
	// id, a search term). ok is false when s has nothing to ask for (no case).
	call func(s *Session, i uint64) (path string, body url.Values, arg string, ok bool)
	// floor fetches by bare pgx what the route shows (and writes its audit event, or the
	// note, as the route does) in one transaction.
	floor func(ctx context.Context, pool *pgxpool.Pool, s *Session, arg string) (rows int, err error)
}

// Routes are the routes of the mix in the order of the report.
var Routes = []Route{
	{Name: "start", Kinds: []Kind{Caseworker, Lead, Partner}, Method: "GET", Pattern: "/", Weight: 2, Want: 200,
		Floor: "tasks, referrals and cases of the start page + their audit events",
		call:  fixed("/"), floor: startFloor},
	{Name: "tasks", Kinds: []Kind{Caseworker, Partner}, Method: "GET", Pattern: "/aufgaben", Weight: 3, Want: 200,
		Floor: "one page of open tasks + audit event",
		call:  fixed("/aufgaben"),
		floor: func(ctx context.Context, pool *pgxpool.Pool, s *Session, _ string) (int, error) {
			return readTx(ctx, pool, s, []audit{{"task.list", "task", ""}}, q(`
				SELECT t.id, t.title, t.due_date, t.priority, t.status, t.area, t.case_id, c.reference
				  FROM tasks t LEFT JOIN cases c ON c.id = t.case_id
				 WHERE t.assignee_id = $1 AND t.status IN ('open', 'in_progress', 'waiting')
				 ORDER BY t.due_date NULLS LAST, t.id LIMIT 50`, s.Account.UserID))
		}},
	{Name: "inbox", Kinds: []Kind{Partner}, Method: "GET", Pattern: "/eingang", Weight: 2, Want: 200,
		Floor: "one page of the office's open referrals + audit event",
		call:  fixed("/eingang"),
		floor: func(ctx context.Context, pool *pgxpool.Pool, s *Session, _ string) (int, error) {
			return readTx(ctx, pool, s, []audit{{"referral.list", "referral", ""}}, q(`
				SELECT r.id, r.reference, r.status, r.reply_due, r.areas, r.case_id, o.short_name
				  FROM referrals r JOIN organisations o ON o.id = r.from_org_id
				 WHERE r.to_org_id = $1 AND r.status IN ('sent', 'accepted', 'in_progress')
				 ORDER BY r.reply_due, r.id LIMIT 50`, s.Account.OrgID))
		}},
	{Name: "cases", Kinds: []Kind{Caseworker, Lead}, Method: "GET", Pattern: "/faelle", Weight: 2, Want: 200,
		Floor: "one page of the organisation's cases with their main person + audit event",
		call:  fixed("/faelle"),
		floor: func(ctx context.Context, pool *pgxpool.Pool, s *Session, _ string) (int, error) {
			return readTx(ctx, pool, s, []audit{{"case.list", "case", ""}}, q(`
				SELECT c.id, c.reference, c.status, c.updated_at, p.family_name, p.given_names
				  FROM cases c LEFT JOIN persons p ON p.case_id = c.id AND p.is_primary
				 WHERE c.lead_org_id = $1 AND c.status <> 'closed'
				 ORDER BY c.updated_at DESC, c.id LIMIT 50`, s.Account.OrgID))
		}},
	{Name: "case", Kinds: []Kind{Caseworker}, Method: "GET", Pattern: "/faelle/:id", Weight: 3, Want: 200,
		Floor: "the case, its persons, tasks, referrals, consents and notes + audit event",
		call: func(s *Session, i uint64) (string, url.Values, string, bool) {
			if len(s.params.cases) == 0 {
				return "", nil, "", false
			}
			id := s.params.cases[i%uint64(len(s.params.cases))]
			return "/faelle/" + id, nil, id, true
		},
		floor: func(ctx context.Context, pool *pgxpool.Pool, s *Session, id string) (int, error) {
			return readTx(ctx, pool, s, []audit{{"case.read", "case", id}},
				q(`SELECT * FROM cases WHERE id = $1`, id),
				q(`SELECT * FROM persons WHERE case_id = $1 ORDER BY is_primary DESC, family_name`, id),
				q(`SELECT * FROM tasks WHERE case_id = $1 ORDER BY due_date NULLS LAST, id LIMIT 50`, id),
				q(`SELECT * FROM referrals WHERE case_id = $1 ORDER BY created_at DESC LIMIT 50`, id),
				q(`SELECT * FROM consents WHERE case_id = $1 ORDER BY recorded_at DESC LIMIT 50`, id),
				q(`SELECT * FROM notes WHERE case_id = $1 AND org_id = $2 ORDER BY created_at DESC LIMIT 50`, id, s.Account.OrgID))
		}},
	{Name: "search", Kinds: []Kind{Caseworker}, Method: "GET", Pattern: "/faelle", Weight: 2, Want: 200,
		Floor: "the organisation's cases whose persons match the name + audit event",
		call: func(s *Session, i uint64) (string, url.Values, string, bool) {
			if len(s.params.terms) == 0 {
				return "", nil, "", false
			}
			t := s.params.terms[i%uint64(len(s.params.terms))]
			return "/faelle?q=" + url.QueryEscape(t), nil, t, true
		},
		floor: func(ctx context.Context, pool *pgxpool.Pool, s *Session, term string) (int, error) {
			match, args := nameMatch(term, 2)
			return readTx(ctx, pool, s, []audit{{"case.list", "case", ""}}, q(`
				SELECT c.id, c.reference, c.status, c.updated_at
				  FROM cases c
				 WHERE c.lead_org_id = $1
				   AND EXISTS (SELECT 1 FROM persons p WHERE p.case_id = c.id AND (`+match+`))
				 ORDER BY c.updated_at DESC, c.id LIMIT 50`, append([]any{s.Account.OrgID}, args...)...))
		}},
	{Name: "team", Kinds: []Kind{Lead}, Method: "GET", Pattern: "/team", Weight: 1, Want: 200,
		Floor: "the unit's open tasks per member and one page of them + audit event",
		call:  fixed("/team"),
		floor: func(ctx context.Context, pool *pgxpool.Pool, s *Session, _ string) (int, error) {
			return readTx(ctx, pool, s, []audit{{"task.list", "task", ""}},
				q(`SELECT assignee_id, count(*), count(*) FILTER (WHERE due_date < current_date)
				     FROM tasks WHERE org_id = $1 AND status IN ('open', 'in_progress', 'waiting')
				    GROUP BY assignee_id`, s.Account.OrgID),
				q(`SELECT t.id, t.title, t.due_date, t.priority, t.status, t.assignee_id, c.reference
				     FROM tasks t LEFT JOIN cases c ON c.id = t.case_id
				    WHERE t.org_id = $1 AND t.status IN ('open', 'in_progress', 'waiting')
				    ORDER BY t.due_date NULLS LAST, t.id LIMIT 50`, s.Account.OrgID))
		}},
	{Name: "note", Kinds: []Kind{Caseworker}, Method: "POST", Pattern: "/faelle/:id/vermerke", Weight: 0.5, Want: 303,
		Floor: "insert of the note + audit event (a write: synchronous commit)",
		call: func(s *Session, i uint64) (string, url.Values, string, bool) {
			if len(s.params.cases) == 0 {
				return "", nil, "", false
			}
			id := s.params.cases[i%uint64(len(s.params.cases))]
			return "/faelle/" + id + "/vermerke", url.Values{
				"_csrf": {s.CSRF}, "visibility": {"org"}, "note_area": {""}, "body": {noteBody},
			}, id, true
		},
		floor: func(ctx context.Context, pool *pgxpool.Pool, s *Session, id string) (int, error) {
			return readTx(ctx, pool, s, []audit{{"note.create", "note", id}}, q(`
				INSERT INTO notes (id, case_id, org_id, author_id, visibility, body)
				VALUES (gen_random_uuid(), $1, $2, $3, 'org', $4) RETURNING id`, id, s.Account.OrgID, s.Account.UserID, noteBody+" (floor)"))
		}},
}

const noteBody = "Lastmessung: Vermerk des Lastgenerators (lotse-dev bench)"

func fixed(path string) func(*Session, uint64) (string, url.Values, string, bool) {
	return func(*Session, uint64) (string, url.Values, string, bool) { return path, nil, "", true }
}

// startFloor is the start page's sections for the account's kind, each with its audit event.
func startFloor(ctx context.Context, pool *pgxpool.Pool, s *Session, _ string) (int, error) {
	tasks := q(`SELECT t.id, t.title, t.due_date, t.priority, t.case_id FROM tasks t
		 WHERE t.assignee_id = $1 AND t.status IN ('open', 'in_progress', 'waiting')
		   AND (t.due_date IS NULL OR t.due_date < current_date + 7)
		 ORDER BY t.due_date NULLS LAST, t.id LIMIT 10`, s.Account.UserID)
	switch s.Account.Kind {
	case Partner:
		return readTx(ctx, pool, s, []audit{{"task.list", "task", ""}, {"referral.list", "referral", ""}}, tasks,
			q(`SELECT id, reference, reply_due, case_id FROM referrals
			    WHERE to_org_id = $1 AND status = 'sent' ORDER BY reply_due, id LIMIT 10`, s.Account.OrgID))
	default:
		return readTx(ctx, pool, s, []audit{{"task.list", "task", ""}, {"case.list", "case", ""}}, tasks,
			q(`SELECT id, reference, status, updated_at FROM cases
			    WHERE lead_org_id = $1 AND updated_at > now() - interval '14 days'
			    ORDER BY updated_at DESC, id LIMIT 10`, s.Account.OrgID))
	}
}

// nameMatch is the server's name predicate on persons p (store.filterCases): every word of a
// folded form of term matches a word of the names fuzzily or as a part; any form may match.
// Its parameters are numbered from $first.
func nameMatch(term string, first int) (string, []any) {
	var forms []string
	var args []any
	for _, f := range service.FoldName(term) {
		var words []string
		for _, w := range strings.Fields(f) {
			words = append(words, fmt.Sprintf("($%d <%% p.search_text OR p.search_text LIKE $%d)", first+len(args), first+len(args)+1))
			args = append(args, w, "%"+strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(w)+"%")
		}
		forms = append(forms, "("+strings.Join(words, " AND ")+")")
	}
	if len(forms) == 0 {
		return "FALSE", nil
	}
	return strings.Join(forms, " OR "), args
}

type query struct {
	sql  string
	args []any
}

func q(sql string, args ...any) query { return query{sql, args} }

// audit is an audit event the floor writes: action, object type, case id ("" for none).
type audit struct{ action, object, caseID string }

const auditSQL = `INSERT INTO audit_events (actor_id, actor_name, org_id, role, action, object_type, case_id, details)
	VALUES ($1, $2, $3, $4, $5, $6, $7, '{"view": "bench floor"}')`

// readTx runs the queries and the audit inserts as one batch in one transaction (BEGIN, the
// batch, COMMIT: three round trips), reads every row and returns how many there were.
func readTx(ctx context.Context, pool *pgxpool.Pool, s *Session, events []audit, qs ...query) (int, error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	b := &pgx.Batch{}
	for _, x := range qs {
		b.Queue(x.sql, x.args...)
	}
	for _, ev := range events {
		var caseID any
		if ev.caseID != "" {
			caseID = ev.caseID
		}
		a := s.Account
		b.Queue(auditSQL, a.UserID, a.Name, a.OrgID, a.Role, ev.action, ev.object, caseID)
	}
	br := tx.SendBatch(ctx, b)
	n, err := readBatch(br, len(qs), len(events))
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	return n, tx.Commit(ctx)
}

// readBatch reads the rows of the first queries results of br and then execs more.
func readBatch(br pgx.BatchResults, queries, execs int) (int, error) {
	n := 0
	for range queries {
		rows, err := br.Query()
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			_ = rows.RawValues()
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
	}
	for range execs {
		if _, err := br.Exec(); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// params are what an account's requests need, read from the database.
type params struct {
	cases []string // cases of the account's organisation (case page, notes)
	terms []string // family names of persons in those cases (search)
}

func loadParams(ctx context.Context, pool *pgxpool.Pool, a Account) (params, error) {
	var p params
	if a.Kind != Caseworker {
		return p, nil
	}
	rows, err := pool.Query(ctx, `
		SELECT c.id::text, coalesce(p.family_name, '')
		  FROM cases c LEFT JOIN persons p ON p.case_id = c.id AND p.is_primary
		 WHERE c.lead_org_id = $1 AND c.status <> 'closed'
		 ORDER BY md5(c.id::text) LIMIT 20`, a.OrgID)
	if err != nil {
		return p, fmt.Errorf("bench: cases of %s: %w", a.Org, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return p, err
		}
		p.cases = append(p.cases, id)
		if name = strings.TrimSpace(name); name != "" && len(p.terms) < 5 {
			p.terms = append(p.terms, name)
		}
	}
	return p, rows.Err()
}

// RouteNames are the names of all routes.
func RouteNames() []string {
	out := make([]string, len(Routes))
	for i, r := range Routes {
		out[i] = r.Name
	}
	return out
}
