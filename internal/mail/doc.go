// Package mail sends Lotse's notification e-mails over SMTP (github.com/wneessen/go-mail)
// and writes their texts, in German and English.
//
// A mail tells only counts, kinds and organisation names, and links to the notification
// page: never a person's name, birth date or address, a reference number or a task's title
// (issue 12: no personal data in any e-mail). The reader signs in to see what it is about,
// and the page shows it through the reader's scope at that moment. Compose takes counts per
// kind and organisation only, so a text cannot contain more than that.
package mail
