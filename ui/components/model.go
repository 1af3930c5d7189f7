package components

// Frame is what the frame around every page shows. The web layer fills it per request.
type Frame struct {
	// Operator names the city or body running this Lotse (e.g. "Stadt Osnabrück"); may be empty.
	Operator string
	// CSRF is the session's anti-forgery token, for the forms of the frame (logout,
	// organisation switch) and, through hx-headers, for htmx requests. Empty when signed out.
	CSRF string
	// User is the signed-in user; nil on pages for anonymous visitors.
	User *User
	// Nav is the main navigation, already filtered by what the acting role may do.
	Nav []NavItem
	// Languages are the links of the language switch.
	Languages []LanguageLink
	// Bell shows the link to the member's notifications with their unread count (loaded by
	// htmx), for whoever may read their notifications.
	Bell bool
	// Flash is the one-time status message of the last form sent (POST-redirect-GET),
	// already translated; empty when there is none. The frame shows it with role="status".
	Flash string
}

// User is the signed-in person and the organisations they may act in.
type User struct {
	Name string
	// Acting is the organisation the user acts in now; nil when they hold no role yet.
	Acting *Membership
	// Memberships are all organisations they hold roles in; with more than one, the
	// frame offers to switch.
	Memberships []Membership
}

// Membership is an organisation with the roles a user holds there.
type Membership struct {
	OrgID string
	Name  string
	// Roles are model.Role values; RoleLabel names them.
	Roles []string
}

// NavItem is one entry of the main navigation.
type NavItem struct {
	Key    string // message key of the label
	Href   string
	Active bool
}

// LanguageLink switches the language: Href carries ?lang=<Tag>, which the web layer turns
// into a cookie.
type LanguageLink struct {
	Tag     string // "de", "en"
	Key     string // message key of the language's own name
	Href    string
	Current bool
}

// Provider is a sign-in service on the login page.
type Provider struct {
	Name string // as configured, e.g. "Stadt Osnabrück (Mitarbeitende)"
	URL  string
}

// ErrorView is what the error page shows.
type ErrorView struct {
	Status    int
	Code      string // error category: its title and text are "error.<code>.title/.text"
	Detail    string // what exactly was refused, already translated (a refused change of state), or ""
	RequestID string
}
