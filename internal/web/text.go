package web

import (
	"errors"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// formLineBreaks normalises the line breaks of posted form values to LF before any handler
// reads them. Browsers send the line breaks of a textarea as CRLF (HTML's form encoding),
// and the services refuse a carriage return like every other control character, so that a
// stored text has one kind of line break whichever way it came in. Everything else a form
// sends is checked by the service it goes to (model.CheckText), which names the field; the
// forms show that as a message at the input.
func formLineBreaks(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Method != http.MethodPost || isAPI(c) {
			return next(c)
		}
		mt, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
		var err error
		switch mt {
		case echo.MIMEApplicationForm:
			err = req.ParseForm()
		case echo.MIMEMultipartForm:
			err = req.ParseMultipartForm(32 << 20)
		default:
			return next(c)
		}
		var he *echo.HTTPError
		if errors.As(err, &he) { // the body limit
			return he
		}
		for _, vals := range []map[string][]string{req.Form, req.PostForm} {
			normalise(vals)
		}
		if req.MultipartForm != nil {
			normalise(req.MultipartForm.Value)
		}
		return next(c)
	}
}

func normalise(vals map[string][]string) {
	for _, vs := range vals {
		for i, v := range vs {
			if strings.IndexByte(v, '\r') >= 0 {
				vs[i] = strings.ReplaceAll(strings.ReplaceAll(v, "\r\n", "\n"), "\r", "\n")
			}
		}
	}
}
