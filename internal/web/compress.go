package web

import (
	"compress/gzip"
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// compressMinLength is the smallest response worth compressing: below about one TCP
// segment the bytes saved do not pay for the compression.
const compressMinLength = 1400

// compressPages gzips the responses a browser asks for from Lotse's own pages: the team
// dashboard is about 325 KB of HTML on a city's largest department and compresses about
// ninefold (docs/performance.md, "Compressed pages, for Lotse's own requests only").
//
// Compressing a page that holds a secret (the session's anti-forgery token, the names on
// the page) and reflects what the request sent (a search, a filter) opens it to BREACH: an
// attacker who can make the victim's browser send many requests and can see the sizes of
// the encrypted answers guesses the secret from how well it compresses. Those requests are
// made from the attacker's site, so the browser marks them Sec-Fetch-Site: cross-site (or
// same-site, from a neighbouring host). Only a request the browser marks same-origin (a
// link, a form or htmx within Lotse) or none (an address typed or bookmarked) is compressed;
// so is nothing else: a request without the header, an API client, a cross-site
// navigation. The static files are compressed once at start (assets.go), never here.
func compressPages() echo.MiddlewareFunc {
	gz := middleware.GzipWithConfig(middleware.GzipConfig{
		// The fastest level: it gives nine tenths of the best level's saving on these pages
		// for a fraction of its time, and the server's CPU is what the pages wait for.
		Level:     gzip.BestSpeed,
		MinLength: compressMinLength,
		Skipper:   func(c echo.Context) bool { return !mayCompress(c.Request()) },
	})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		zipped := gz(next)
		return func(c echo.Context) error {
			if c.Path() == "/static/*" {
				return next(c)
			}
			// The answer depends on the header: a cache must not give a compressed page to
			// a request it would not have been compressed for.
			c.Response().Header().Add("Vary", "Sec-Fetch-Site")
			return zipped(c)
		}
	}
}

// mayCompress reports whether a response to r may be compressed: a browser's request from
// Lotse itself, which accepts gzip.
func mayCompress(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin", "none":
		return acceptsGzip(r)
	}
	return false
}
