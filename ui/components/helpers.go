package components

import "encoding/json"

// csrfField is the form field of the anti-forgery token (web.CSRFField; the web package
// imports this one, so the name is repeated here and a test keeps the two equal).
const csrfField = "_csrf"

// csrfHeaderName is the header htmx sends the token in (web.CSRFHeader).
const csrfHeaderName = "X-CSRF-Token"

// htmxConfig: no indicator <style> element (the CSP forbids inline styles), no copies of
// pages with personal data in localStorage (a history miss reloads from the server), no
// evaluation of code from attributes or swapped-in <script>s, requests to Lotse only.
const htmxConfig = `{"includeIndicatorStyles":false,"historyCacheSize":0,"refreshOnHistoryMiss":true,` +
	`"allowEval":false,"allowScriptTags":false,"selfRequestsOnly":true}`

// csrfHeaders is the hx-headers value that makes htmx send the anti-forgery token.
func csrfHeaders(token string) string {
	b, _ := json.Marshal(map[string]string{csrfHeaderName: token})
	return string(b)
}
