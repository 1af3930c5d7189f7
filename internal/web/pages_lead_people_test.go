package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/store"
	"github.com/lotse-project/lotse/internal/testutil/world"
)

// TestLeadTeamShowsTheMostOverduePeople: in a team with more than ten people with open
// tasks, the table "by person" shows the ten with the most overdue tasks (then the most open
// ones, then by name) and the unassigned row, says so, and sums up everyone; "Alle …
// Personen zeigen" shows all of them by name, and sorting, filtering and the way back keep
// that view. At city scale the three tables by person listed hundreds of people each.
func TestLeadTeamShowsTheMostOverduePeople(t *testing.T) {
	t.Parallel()
	var staff []*world.User
	w := world.New(t, world.WithSeed(func(ctx context.Context, w *world.World, tx *store.Tx) error {
		for i := 1; i <= 12; i++ {
			sub := fmt.Sprintf("team-%02d", i)
			u := &model.User{Issuer: "https://idp.test", Subject: &sub, Email: sub + "@stadt.test", DisplayName: fmt.Sprintf("Person %02d", i), Active: true}
			if err := tx.Users().Create(ctx, u); err != nil {
				return err
			}
			g := &model.Grant{UserID: u.ID, OrgID: w.Housing.ID, Role: model.RoleCaseworker}
			if err := tx.Grants().Create(ctx, g); err != nil {
				return err
			}
			staff = append(staff, &world.User{ID: u.ID, Name: u.DisplayName, Grants: []model.Grant{*g}})
		}
		return nil
	}))
	lateDay := model.CalendarDay(time.Now()).AddDate(0, 0, -3)
	task := func(u *world.User, title string, assignee *uuid.UUID, late bool) {
		in := model.TaskCreate{Title: title, AssigneeID: assignee}
		if late {
			in.DueDate = &lateDay
		}
		createTask(t, w, u, in)
	}
	// Person 01 to 12 one open task each, those of 10 to 12 overdue; 11 and 12 one more each,
	// 12's overdue; one task unassigned: 15 open, 4 overdue.
	for i, u := range staff {
		id := u.ID
		task(u, "Aufgabe "+u.Name, &id, i >= 9)
	}
	for _, i := range []int{10, 11} {
		id := staff[i].ID
		task(staff[i], "Noch eine für "+staff[i].Name, &id, i == 11)
	}
	task(w.HousingWorker, "Niemandes Aufgabe", nil, false)

	// rowsOf lists the row headers of the table with the caption id.
	header := regexp.MustCompile(`(?s)<th class="kern-table__header" scope="row">\s*(?:<a [^>]*>)?([^<]*?)\s*(?:</a>)?\s*</th>`)
	rowsOf := func(body, id string) (rows []string, table string) {
		t.Helper()
		i := strings.Index(body, `id="`+id+`"`)
		if i < 0 {
			t.Fatalf("no table %s", id)
		}
		table = body[i:]
		table = table[:strings.Index(table, "</table>")]
		for _, m := range header.FindAllStringSubmatch(table, -1) {
			rows = append(rows, m[1])
		}
		return rows, table
	}

	body := partnerGet(t, w, w.HousingLead, "/team", http.StatusOK)
	rows, table := rowsOf(body, "aufgaben-personen")
	want := []string{"Person 12", "Person 11", "Person 10", "Person 01", "Person 02", "Person 03", "Person 04", "Person 05", "Person 06", "Person 07", "nicht zugewiesen", "Summe (alle)"}
	if strings.Join(rows, "|") != strings.Join(want, "|") {
		t.Errorf("the short table's rows:\n got %q\nwant %q", rows, want)
	}
	if !strings.Contains(table, "die 10 mit den meisten überfälligen Aufgaben, von 12 Personen") {
		t.Errorf("the short table does not say whom it shows: %.600s", table)
	}
	// The sum counts everyone: 15 open tasks, 4 overdue.
	foot := table[strings.Index(table, "<tfoot"):]
	if !strings.Contains(foot, ">15</td>") || !strings.Contains(foot, "<strong>4</strong>") {
		t.Errorf("the sum does not count the people left out: %s", foot)
	}
	if !strings.Contains(body, `<a class="kern-link" href="/team?personen=alle#aufgaben-personen">Alle 12 Personen zeigen</a>`) {
		t.Error("the short table has no link to all people")
	}
	// Person 08 is left out of the table, yet the filter offers everyone.
	if strings.Contains(table, "Person 08") || !strings.Contains(body, ">Person 08</option>") {
		t.Error("the short table shows Person 08, or the filter lacks them")
	}

	body = partnerGet(t, w, w.HousingLead, "/team?personen=alle&sort=name", http.StatusOK)
	rows, table = rowsOf(body, "aufgaben-personen")
	if len(rows) != 14 || rows[0] != "Person 01" || rows[11] != "Person 12" || rows[12] != "nicht zugewiesen" || rows[13] != "Summe" {
		t.Errorf("all people, by name: %q", rows)
	}
	if strings.Contains(table, "die 10 mit") {
		t.Error("the full table says it is short")
	}
	for _, keep := range []string{
		`href="/team?personen=alle#aufgaben-liste"`,          // the sort link back to the default order keeps the view
		`<input type="hidden" name="personen" value="alle">`, // so does the filter
		`<a class="kern-link" href="/team?dir=asc&amp;sort=name#aufgaben-personen">Nur die 10 mit den meisten überfälligen zeigen</a>`,
		`/neu-zuweisen?dir=asc&amp;personen=alle&amp;sort=name"`, // and the reassignment's way back
	} {
		if !strings.Contains(body, keep) {
			t.Errorf("the page with all people lacks %s", keep)
		}
	}
}
