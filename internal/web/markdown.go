package web

// The generated documents of data protection (docs/permissions.md, docs/processing-record.md,
// docs/deletion-concept.md) as HTML inside the KERN frame: Markdown rendered with goldmark,
// every element given its KERN class, wide tables in a scrollable region that keyboards
// reach and screen readers name after the section's heading.

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// kernClasses gives the nodes of a Markdown document the classes of the KERN components.
type kernClasses struct{}

var headingClass = map[int]string{1: "kern-heading-large", 2: "kern-heading-medium", 3: "kern-heading-small"}

func (kernClasses) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		class := ""
		switch n := n.(type) {
		case *ast.Heading:
			class = headingClass[min(n.Level, 3)]
		case *ast.Paragraph:
			if _, inCell := n.Parent().(*east.TableCell); !inCell {
				class = "kern-body"
			}
		case *ast.List:
			class = "kern-list kern-list--bullet"
			if n.IsOrdered() {
				class = "kern-list kern-list--number"
			}
		case *ast.Link:
			class = "kern-link"
		case *east.Table:
			class = "kern-table kern-table--small"
		case *east.TableHeader, *east.TableRow:
			class = "kern-table__row"
		case *east.TableCell:
			class = "kern-table__cell"
			if _, head := n.Parent().(*east.TableHeader); head {
				class = "kern-table__header"
				n.SetAttributeString("scope", []byte("col"))
			}
		}
		if class != "" {
			n.SetAttributeString("class", []byte(class))
		}
		return ast.WalkContinue, nil
	})
}

var markdown = goldmark.New(
	goldmark.WithExtensions(extension.Table),
	goldmark.WithParserOptions(parser.WithAutoHeadingID(),
		parser.WithASTTransformers(util.Prioritized(kernClasses{}, 100))),
)

var (
	// generatedNote is the comment at the top of a generated document, for its editors.
	generatedNote = regexp.MustCompile(`(?s)\A\s*<!--.*?-->\s*`)
	// tableOrHeading finds the headings (to name the tables after) and the tables.
	tableOrHeading = regexp.MustCompile(`(?s)<h[1-6][^>]*>(.*?)</h[1-6]>|<table[ >]|</table>`)
	tags           = regexp.MustCompile(`<[^>]+>`)
)

// renderDocument turns a generated Markdown document into HTML: no raw HTML passes (goldmark
// omits it), tables scroll in a region named after the heading above them (label: "Tabelle:
// %s" in the page's language).
func renderDocument(md, label string) (string, error) {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(generatedNote.ReplaceAllString(md, "")), &buf); err != nil {
		return "", fmt.Errorf("web: render document: %w", err)
	}
	src := buf.String()
	var out strings.Builder
	heading, last := "", 0
	for _, m := range tableOrHeading.FindAllStringSubmatchIndex(src, -1) {
		out.WriteString(src[last:m[0]])
		token := src[m[0]:m[1]]
		switch {
		case m[2] >= 0:
			heading = strings.TrimSpace(tags.ReplaceAllString(src[m[2]:m[3]], ""))
			out.WriteString(token)
		case strings.HasPrefix(token, "<table"):
			// heading is escaped HTML text already; unescape and escape it as an attribute.
			fmt.Fprintf(&out, `<div class="kern-table-responsive" role="region" tabindex="0" aria-label="%s">%s`,
				html.EscapeString(fmt.Sprintf(label, html.UnescapeString(heading))), token)
		default:
			out.WriteString(token + "</div>")
		}
		last = m[1]
	}
	out.WriteString(src[last:])
	return out.String(), nil
}
