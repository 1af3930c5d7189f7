// Package locale owns the user's language: the message catalogues in ui/locales (German
// first, English second), matching Accept-Language and the user's choice, and localising
// message keys.
package locale
