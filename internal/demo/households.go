package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/lotse-project/lotse/internal/model"
)

// The demo households: a deterministic generator (fixed seed, PCG) of invented families from
// the main countries of origin of newcomers in Osnabrück, with the transliteration variants
// of their names that the city's offices actually meet (Mohammed, Muhammad, Mohamed).
// Everything is invented; phone numbers use the unassigned 000 block of the city's area code
// and e-mail addresses the reserved .example domain.

// householdSeed fixes the generator: the same households on every run and every machine.
const householdSeed = 0x4C6F747365 // "Lotse"

// Household is one generated household and the story the seed plays through for it.
type Household struct {
	// Number is the household's position (1-based) in the generated list.
	Number int
	// Origin is the country the household comes from (German name).
	Origin string
	// Lead is the short name of the organisation that leads the case.
	Lead string
	// OpenedDaysAgo is how many days before the seed the case was opened.
	OpenedDaysAgo int
	Primary       model.PersonInput
	Members       []model.PersonInput
	// Story is what happens to the case: its referrals, their answers and ends.
	Story Story
}

// Story names the course a household's case takes; together the stories bring every
// referral state into the demo.
type Story int

// The stories, in the order they are dealt to the households.
const (
	// StoryHousingSearch: Fachdienst Wohnen refers to Caritas for housing; Caritas works on it.
	StoryHousingSearch Story = iota
	// StoryJobcenterWaiting: a referral to the Jobcenter awaits its reply.
	StoryJobcenterWaiting
	// StoryJobcenterDone: the migration service's referral to the Jobcenter is completed.
	StoryJobcenterDone
	// StoryJobcenterDeclined: the Jobcenter declines; the case goes to Caritas instead.
	StoryJobcenterDeclined
	// StoryWithdrawn: a referral to the Diakonie is withdrawn by the sender.
	StoryWithdrawn
	// StoryExpired: nobody answers the migration service's referral to the VHS in time.
	StoryExpired
	// StoryConsentRevoked: the family revokes its consent; the Caritas referral is revoked.
	StoryConsentRevoked
	// StoryLegalBasis: a referral to the Jobcenter on a legal basis, accepted and worked on.
	StoryLegalBasis
	// StoryConsentExpired: the consent behind a referral to the Jobcenter ran out before an
	// answer; the Jobcenter no longer sees it.
	StoryConsentExpired
	// StoryClosed: housing found with Caritas' help; the case is closed.
	StoryClosed
	// StoryPaused: the case is paused; a referral to the DRK waits.
	StoryPaused
	// StoryInternal: one department refers to the other (housing, residence).
	StoryInternal
	storyCount
)

// Lead organisations of the demo cases: the two departments with a caseworker account.
const (
	leadHousing   = "FB-WOHNEN"
	leadMigration = "FD-MIGRATION"
)

// storyLead is the organisation leading the cases of each story.
var storyLead = map[Story]string{
	StoryHousingSearch: leadHousing, StoryJobcenterWaiting: leadHousing, StoryJobcenterDone: leadMigration,
	StoryJobcenterDeclined: leadHousing, StoryWithdrawn: leadHousing, StoryExpired: leadMigration,
	StoryConsentRevoked: leadHousing, StoryLegalBasis: leadMigration, StoryConsentExpired: leadHousing,
	StoryClosed: leadHousing, StoryPaused: leadMigration, StoryInternal: leadHousing,
}

// storyOpened bounds (in days before the seed) when the cases of a story were opened: long
// enough ago for their history, and for the expired consent recently enough that the
// referral's reply deadline still lies ahead.
var storyOpened = map[Story][2]int{
	StoryConsentExpired: {40, 60},
	StoryExpired:        {30, 120},
}

// origin is a country of origin with its languages, names, residence statuses and arrival
// years.
type origin struct {
	country   string
	count     int        // households from here
	languages []string   // ISO 639 codes, the main one first
	families  [][]string // family names, each with its transliteration variants
	female    [][]string
	male      [][]string
	statuses  []string
	arrivals  [][2]int // ranges of arrival years
	// motherAndChildren: most households are a mother with her children (Ukraine 2022).
	motherAndChildren bool
}

var origins = []origin{
	{
		country: "Syrien", count: 15, languages: []string{"ar", "ku"},
		families: [][]string{{"Al-Ahmad", "Alahmad", "Al Ahmad"}, {"Haddad", "Hadad"}, {"Khalil", "Chalil", "Khaleel"},
			{"Darwish", "Darwisch"}, {"Hamdan"}, {"Al-Hussein", "Alhussein", "Al Hussain"}, {"Mustafa", "Moustafa", "Mustapha"},
			{"Suleiman", "Sulaiman", "Sleiman"}, {"Al-Khatib", "Alkhatib"}, {"Nasser", "Nasir"}},
		female: [][]string{{"Fatima", "Fatma"}, {"Aisha", "Aischa"}, {"Rania"}, {"Nour", "Noor"}, {"Layla", "Leila"}, {"Amal"}, {"Hiba"}},
		male: [][]string{{"Mohammed", "Muhammad", "Mohamed"}, {"Ahmad", "Ahmed"}, {"Khaled", "Chaled", "Khalid"}, {"Omar", "Umar"},
			{"Yousef", "Youssef", "Yusuf"}, {"Hassan", "Hasan"}, {"Karim"}},
		statuses: []string{"Aufenthaltserlaubnis § 25 Abs. 2 AufenthG", "Niederlassungserlaubnis", "Aufenthaltserlaubnis § 25 Abs. 2 AufenthG"},
		arrivals: [][2]int{{2015, 2017}, {2015, 2016}, {2022, 2025}},
	},
	{
		country: "Ukraine", count: 14, languages: []string{"uk", "ru"}, motherAndChildren: true,
		families: [][]string{{"Kovalenko", "Kowalenko"}, {"Shevchenko", "Schewtschenko", "Ševčenko"}, {"Bondarenko"},
			{"Tkachenko", "Tkatschenko"}, {"Melnyk", "Melnik"}, {"Kravchenko", "Krawtschenko"}, {"Boyko", "Bojko"},
			{"Lysenko", "Lyssenko"}, {"Savchuk", "Sawtschuk"}},
		female: [][]string{{"Olena", "Elena", "Jelena"}, {"Iryna", "Irina"}, {"Nataliia", "Natalija", "Natalia"}, {"Oksana"},
			{"Yuliia", "Julija", "Julia"}, {"Tetiana", "Tetjana", "Tatjana"}, {"Sofiia", "Sofija"}},
		male: [][]string{{"Oleksandr", "Alexander", "Oleksander"}, {"Mykola", "Nikolai"}, {"Andrii", "Andrij", "Andrei"},
			{"Serhii", "Serhij", "Sergej"}, {"Dmytro", "Dmitri"}, {"Maksym", "Maxim"}},
		statuses: []string{"Aufenthaltserlaubnis § 24 AufenthG"},
		arrivals: [][2]int{{2022, 2022}, {2022, 2023}, {2024, 2026}},
	},
	{
		country: "Afghanistan", count: 9, languages: []string{"fa", "ps"},
		families: [][]string{{"Ahmadi"}, {"Mohammadi", "Muhammadi"}, {"Hosseini", "Husseini", "Hosaini"}, {"Rahimi"}, {"Karimi"},
			{"Sultani"}, {"Haidari", "Haydari"}, {"Noori", "Nuri"}, {"Stanekzai", "Stanikzai"}},
		female: [][]string{{"Zahra", "Sahra"}, {"Maryam", "Mariam"}, {"Fereshta", "Fereshteh"}, {"Parwana", "Parvana"},
			{"Shabnam"}, {"Nilofar", "Nilufar"}},
		male: [][]string{{"Mohammad", "Mohammed", "Muhammad"}, {"Ahmad"}, {"Hamid"}, {"Farid"}, {"Jawid", "Javid"}, {"Mustafa"}},
		statuses: []string{"Aufenthaltsgestattung", "Duldung", "Aufenthaltserlaubnis § 25 Abs. 3 AufenthG",
			"Aufenthaltserlaubnis § 22 AufenthG"},
		arrivals: [][2]int{{2015, 2016}, {2021, 2025}},
	},
	{
		country: "Irak", count: 6, languages: []string{"ar", "ku"},
		families: [][]string{{"Al-Jubouri", "Aljuburi", "Al Jaburi"}, {"Ibrahim", "Ibraheem"}, {"Saleh", "Salih"}, {"Barzani"},
			{"Zebari"}, {"Abdullah", "Abdallah"}},
		female:   [][]string{{"Shirin", "Schirin"}, {"Dilan"}, {"Rojin"}, {"Zainab", "Zeinab"}, {"Huda"}},
		male:     [][]string{{"Azad"}, {"Kawa"}, {"Ali"}, {"Hussein", "Husain", "Hussain"}, {"Haval"}},
		statuses: []string{"Aufenthaltserlaubnis § 25 Abs. 2 AufenthG", "Duldung", "Aufenthaltsgestattung", "Niederlassungserlaubnis"},
		arrivals: [][2]int{{2015, 2019}},
	},
	{
		country: "Türkei", count: 6, languages: []string{"tr", "ku"},
		families: [][]string{{"Yılmaz", "Yilmaz"}, {"Kaya"}, {"Demir"}, {"Çelik", "Celik"}, {"Şahin", "Sahin"}, {"Aydın", "Aydin"},
			{"Öztürk", "Oeztuerk", "Ozturk"}, {"Doğan", "Dogan"}},
		female:   [][]string{{"Ayşe", "Ayse"}, {"Elif"}, {"Zeynep", "Zeynab"}, {"Fatma", "Fatima"}, {"Merve"}},
		male:     [][]string{{"Mehmet", "Mehmed"}, {"Emre"}, {"Mustafa"}, {"Hüseyin", "Hueseyin", "Huseyin"}, {"Deniz"}},
		statuses: []string{"Aufenthaltsgestattung", "Aufenthaltserlaubnis § 25 Abs. 2 AufenthG", "Duldung"},
		arrivals: [][2]int{{2022, 2026}},
	},
	{
		country: "Eritrea", count: 4, languages: []string{"ti"},
		families: [][]string{{"Tesfaye", "Tesfay"}, {"Haile", "Hayle"}, {"Gebremedhin", "Gebremedin"}, {"Berhane", "Berhe"},
			{"Tekle", "Teklay"}, {"Woldemariam", "Weldemariam"}, {"Kidane"}},
		female:   [][]string{{"Semira"}, {"Helen"}, {"Senait", "Senayt"}, {"Mebrat"}, {"Selam"}},
		male:     [][]string{{"Yonas", "Jonas"}, {"Dawit", "Dawid"}, {"Samuel"}, {"Yohannes", "Johannes"}, {"Filmon"}},
		statuses: []string{"Aufenthaltserlaubnis § 25 Abs. 2 AufenthG", "Aufenthaltsgestattung"},
		arrivals: [][2]int{{2015, 2020}},
	},
	{
		country: "Somalia", count: 3, languages: []string{"so"},
		families: [][]string{{"Warsame"}, {"Farah"}, {"Osman", "Cismaan", "Othman"}, {"Jama", "Jaamac"}, {"Abdi", "Cabdi"}},
		female:   [][]string{{"Hodan"}, {"Fadumo", "Faduma"}, {"Amina", "Aamina"}, {"Hawa", "Xaawo"}},
		male:     [][]string{{"Abdirahman", "Cabdiraxmaan"}, {"Abdullahi", "Cabdullaahi"}, {"Mahad"}, {"Ahmed", "Axmed"}},
		statuses: []string{"Aufenthaltserlaubnis § 25 Abs. 2 AufenthG", "Duldung"},
		arrivals: [][2]int{{2015, 2021}},
	},
	{
		country: "Rumänien", count: 3, languages: []string{"ro"},
		families: [][]string{{"Popescu"}, {"Ionescu"}, {"Munteanu"}, {"Stoica"}, {"Rădulescu", "Radulescu"}},
		female:   [][]string{{"Ioana"}, {"Andreea"}, {"Mihaela"}, {"Elena"}},
		male:     [][]string{{"Andrei"}, {"Ion", "Ioan"}, {"Mihai"}, {"Florin"}},
		statuses: []string{"Freizügigkeit (EU)"},
		arrivals: [][2]int{{2015, 2026}},
	},
}

// Districts are the districts (Stadtteile) of Osnabrück.
var Districts = []string{
	"Innenstadt", "Schinkel", "Schinkel-Ost", "Wüste", "Eversburg", "Dodesheide", "Haste", "Sonnenhügel", "Kalkhügel",
	"Hellern", "Atter", "Voxtrup", "Widukindland", "Westerberg", "Weststadt", "Schölerberg", "Darum/Gretesch/Lüstringen",
	"Sutthausen", "Nahne", "Pye", "Hafen", "Fledder", "Gartlage",
}

// streets are invented street names, one per district's flavour; the numbers are invented too.
var streets = []string{"Lindenweg", "Am Kirchenkamp", "Birkenstraße", "Hasestraße", "Am Pappelgraben", "Mühlenweg",
	"Rosenplatz", "Ahornweg", "Am Wiesenbach", "Eichenallee", "Kastanienhof", "Am Sportpark"}

// postcodes of Osnabrück.
var postcodes = []string{"49074", "49076", "49078", "49080", "49082", "49084", "49086", "49088", "49090"}

// Households generates the demo households. today is the seed's calendar day: the dates
// (birth, arrival, case opened) lie before it; everything else is the same on every call.
func Households(today time.Time) []Household {
	r := rand.New(rand.NewPCG(householdSeed, householdSeed>>7))
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	var deck []int // origin index per household
	for i, o := range origins {
		for range o.count {
			deck = append(deck, i)
		}
	}
	r.Shuffle(len(deck), func(i, j int) { deck[i], deck[j] = deck[j], deck[i] })
	used := map[string]bool{} // family names in use, so that households are told apart
	out := make([]Household, 0, len(deck))
	phone := 0
	for i, oi := range deck {
		o := origins[oi]
		story := Story(i % int(storyCount))
		h := Household{Number: i + 1, Origin: o.country, Lead: storyLead[story], Story: story}
		lo, hi := 3, 240
		if b, ok := storyOpened[story]; ok {
			lo, hi = b[0], b[1]
		}
		h.OpenedDaysAgo = lo + r.IntN(hi-lo+1)
		opened := today.AddDate(0, 0, -h.OpenedDaysAgo)
		var family []string
		for tries := 0; ; tries++ {
			family = o.families[r.IntN(len(o.families))]
			if !used[family[0]] || tries > 20 {
				break
			}
		}
		used[family[0]] = true
		span := o.arrivals[r.IntN(len(o.arrivals))]
		year := span[0] + r.IntN(span[1]-span[0]+1)
		arrival := time.Date(year, time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
		if latest := opened.AddDate(0, 0, -7); arrival.After(latest) {
			arrival = latest
		}
		district := Districts[r.IntN(len(Districts))]
		address := fmt.Sprintf("%s %d, %s Osnabrück", streets[r.IntN(len(streets))], 1+r.IntN(90), postcodes[r.IntN(len(postcodes))])
		status := o.statuses[r.IntN(len(o.statuses))]
		if status == "Niederlassungserlaubnis" && year > today.Year()-5 {
			status = o.statuses[0] // settlement needs years of residence
		}
		person := func(given []string, age int, adult bool) model.PersonInput {
			birth := opened.AddDate(-age, -r.IntN(12), -r.IntN(28))
			p := model.PersonInput{
				FamilyName: family[0], GivenNames: given[0], BirthDate: &birth,
				Languages: []string{o.languages[0]}, ResidenceStatus: status, District: district, Address: address,
			}
			if len(family) > 1 || len(given) > 1 {
				p.NameVariants = append(append([]string{}, family[1:]...), given[1:]...)
			}
			if len(o.languages) > 1 && r.IntN(3) == 0 {
				p.Languages = append(p.Languages, o.languages[1])
			}
			if arrival.After(birth) {
				a := arrival
				p.ArrivalDate = &a
				if year <= 2019 || !adult {
					p.Languages = append(p.Languages, "de")
				}
			} else {
				p.Languages = append(p.Languages, "de") // born here
			}
			if adult {
				phone++
				p.Phone = fmt.Sprintf("+49 541 000-%04d", 7100+phone)
				if r.IntN(2) == 0 {
					p.Email = fmt.Sprintf("%s.%s@mail.example", asciiName(given[0]), asciiName(family[0]))
				}
			}
			return p
		}
		pickName := func(names [][]string) []string { return names[r.IntN(len(names))] }
		// primaryName picks the primary person's given name so that no two households have
		// the same primary person's names (the seed recognises a household by them).
		primaryName := func(names [][]string) []string {
			for {
				n := pickName(names)
				if key := family[0] + "\x00" + n[0]; !used[key] {
					used[key] = true
					return n
				}
			}
		}
		switch kind := r.IntN(10); {
		case o.motherAndChildren && kind < 7, kind == 0: // a parent alone with children
			h.Primary = person(primaryName(o.female), 28+r.IntN(20), true)
			for range 1 + r.IntN(3) {
				h.Members = append(h.Members, person(pickName(anyName(o)), 1+r.IntN(17), false))
			}
		case kind < 4: // one adult
			h.Primary = person(primaryName(anyName(o)), 19+r.IntN(45), true)
		case kind < 6: // a couple
			h.Primary = person(primaryName(o.male), 25+r.IntN(40), true)
			h.Members = append(h.Members, person(pickName(o.female), 22+r.IntN(40), true))
		default: // a family
			h.Primary = person(primaryName(o.male), 30+r.IntN(20), true)
			h.Members = append(h.Members, person(pickName(o.female), 27+r.IntN(20), true))
			for range 1 + r.IntN(4) {
				h.Members = append(h.Members, person(pickName(anyName(o)), r.IntN(18), false))
			}
		}
		out = append(out, h)
	}
	return out
}

// anyName is the female and male given names of an origin.
func anyName(o origin) [][]string {
	return append(append([][]string{}, o.female...), o.male...)
}

// asciiName spells a name for an invented e-mail address.
func asciiName(s string) string {
	s = strings.ToLower(s)
	return strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "ı", "i", "ş", "s", "ç", "c", "ğ", "g", "ă", "a",
		"š", "s", "č", "c", "'", "", " ", "-").Replace(s)
}
