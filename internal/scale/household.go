package scale

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/internal/service"
)

// household draws the persons of a case: 1 to 3, the primary first. Each row is in the
// column order of the persons table.
func (g *generator) household(r *rand.Rand, caseID uuid.UUID, opened int, openedAt time.Time) [][]any {
	o := &origins[pick(r, g.origins)]
	size := 1 + r.IntN(3)
	family := o.families[r.IntN(len(o.families))]
	district := districts[r.IntN(len(districts))]
	address := fmt.Sprintf("%s %d, 490%02d Lotsenburg", streets[r.IntN(len(streets))], 1+r.IntN(120), 74+2*r.IntN(9))
	status := o.statuses[r.IntN(len(o.statuses))]
	span := o.arrivals[r.IntN(len(o.arrivals))]
	openedDay := g.day(opened)
	var arrival time.Time
	if span[0] > 0 {
		year := span[0] + r.IntN(span[1]-span[0]+1)
		arrival = time.Date(year, time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		if latest := openedDay.AddDate(0, 0, -7); arrival.After(latest) {
			arrival = latest
		}
	}
	var out [][]any
	for k := 0; k < size; k++ {
		adult := k == 0 || (k == 1 && r.IntN(2) == 0)
		var given []string
		female := r.IntN(2) == 0
		if female {
			given = o.female[r.IntN(len(o.female))]
		} else {
			given = o.male[r.IntN(len(o.male))]
		}
		age := 19 + r.IntN(50)
		if !adult {
			age = r.IntN(18)
		}
		birth := openedDay.AddDate(-age, -r.IntN(12), -r.IntN(28))
		fam := family
		if k == 1 && adult && r.IntN(3) == 0 { // a spouse under her or his own name
			fam = o.families[r.IntN(len(o.families))]
		}
		// The name as written on the file: usually the first spelling, sometimes another;
		// the other spellings are its variants.
		famName, famVariants := spell(r, fam)
		givenName, givenVariants := spell(r, given)
		if r.IntN(8) == 0 && adult { // a second given name
			g2 := o.male[r.IntN(len(o.male))][0]
			if female {
				g2 = o.female[r.IntN(len(o.female))][0]
			}
			if g2 != givenName {
				givenName += " " + g2
			}
		}
		langs := []string{o.languages[0]}
		if len(o.languages) > 1 && r.IntN(3) == 0 {
			langs = append(langs, o.languages[1])
		}
		var arr pgtype.Date
		if !arrival.IsZero() && arrival.After(birth) {
			arr = nullDate(arrival)
			if arrival.Year() <= 2019 || !adult {
				langs = append(langs, "de")
			}
		} else if langs[0] != "de" {
			langs = append(langs, "de")
		}
		phone, email := "", ""
		if adult {
			phone = fmt.Sprintf("+49 541 000-%04d", r.IntN(10000))
			if r.IntN(2) == 0 {
				email = fmt.Sprintf("%s.%s%d@mail.example", asciiName(givenName), asciiName(famName), r.IntN(100))
			}
		}
		p := &model.Person{FamilyName: famName, GivenNames: givenName, NameVariants: append(famVariants, givenVariants...)}
		id := newUUID(r)
		variants := []string(p.NameVariants)
		if variants == nil {
			variants = []string{}
		}
		out = append(out, []any{id, caseID, k == 0, famName, givenName, variants, nullDate(birth), langs, arr, status, district,
			phone, email, address, service.SearchText(p), openedAt, openedAt})
	}
	return out
}

// spell picks the spelling of a name and returns it with the other spellings.
func spell(r *rand.Rand, spellings []string) (string, []string) {
	i := 0
	if len(spellings) > 1 && r.IntN(10) < 3 {
		i = r.IntN(len(spellings))
	}
	var rest []string
	for j, s := range spellings {
		if j != i {
			rest = append(rest, s)
		}
	}
	return spellings[i], rest
}
