package web

// The data protection officer's pages (issue 14, part 6): the start page /datenschutz with
// every tool of the officer, the check of the audit chain, and the generated documents
// (permission concept, record of processing activities, deletion concept) inside the frame.
// None shows case content.

import (
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/labstack/echo/v4"

	"github.com/lotse-project/lotse/docs"
	"github.com/lotse-project/lotse/internal/model"
	"github.com/lotse-project/lotse/ui/components"
)

// officerLink is one page of the officer's start page, shown to whoever holds its
// permission (the same as its route's in routes.go).
type officerLink struct {
	name, href string
	perm       perm
}

// officerLinks are the data protection officer's pages in order; a new page of the officer
// adds its line here (and its title and text as officer.link.<name>.title, .text).
var officerLinks = []officerLink{
	{name: "audit_log", href: "/protokoll", perm: can("audit", "read")},
	{name: "chain", href: "/protokoll/kette", perm: can("audit", "verify")},
	{name: "subject_access", href: "/auskunft", perm: can("subject_access", "read")},
	{name: "retention", href: "/loeschfristen", perm: can("retention", "read")},
	{name: "emergency", href: "/notfallzugriffe", perm: can("emergency_access", "review")},
	{name: "permissions", href: "/datenschutz/berechtigungen", perm: can("policy", "read")},
	{name: "processing_record", href: "/datenschutz/verarbeitungsverzeichnis", perm: can("privacy", "read")},
	{name: "deletion_concept", href: "/datenschutz/loeschkonzept", perm: can("privacy", "read")},
}

func (s *Server) officerPage(c echo.Context) error {
	a := actor(c)
	var v components.OfficerView
	for _, l := range officerLinks {
		ok, err := s.svc.Access.Allowed(a, l.perm.obj, l.perm.act)
		if err != nil {
			return fmt.Errorf("web: officer page: %w", err)
		}
		if ok {
			v.Links = append(v.Links, components.OfficerLink{Key: l.name, Href: l.href})
		}
	}
	return s.render(c, http.StatusOK, components.Officer(v))
}

// officerDocument is a generated document as a page: its Markdown (docs, embedded), the
// message key of its title, and where it comes from.
type officerDocument struct {
	markdown, titleKey, source string
}

var (
	permissionsDocument      = officerDocument{docs.Permissions, "officer.link.permissions.title", "docs/permissions.md, lotse policy matrix"}
	processingRecordDocument = officerDocument{docs.ProcessingRecord, "officer.link.processing_record.title", "docs/processing-record.md, lotse privacy record"}
	deletionConceptDocument  = officerDocument{docs.DeletionConcept, "officer.link.deletion_concept.title", "docs/deletion-concept.md, lotse privacy deletion"}
)

// renderedDocuments caches each document's HTML per table label (one per language): the
// documents are compiled in.
var renderedDocuments sync.Map

func (s *Server) documentPage(d officerDocument) echo.HandlerFunc {
	return func(c echo.Context) error {
		l := s.localizer(c)
		label := l.T("officer.doc.table")
		key := d.source + "\x00" + label
		html, ok := renderedDocuments.Load(key)
		if !ok {
			h, err := renderDocument(d.markdown, label)
			if err != nil {
				return err
			}
			html, _ = renderedDocuments.LoadOrStore(key, h)
		}
		return s.render(c, http.StatusOK, components.Document(components.DocumentView{
			Title: l.T(d.titleKey), Source: d.source, HTML: html.(string),
		}))
	}
}

func (s *Server) chainPage(c echo.Context) error {
	return s.render(c, http.StatusOK, components.ChainCheck(s.chainView()))
}

// chainView is the check's form with the installation's key named.
func (s *Server) chainView() components.ChainView {
	return components.ChainView{KeyID: s.svc.Audit.VerifyKeyID()}
}

// verifyChain runs the check of lotse audit verify and shows its result; a key that does not
// parse is refused at its field, and nothing is checked or recorded.
func (s *Server) verifyChain(c echo.Context) error {
	ctx, a, l := c.Request().Context(), actor(c), s.localizer(c)
	v := s.chainView()
	v.PublicKey = c.FormValue("public_key")
	res, err := s.svc.Audit.VerifyChain(ctx, a, v.PublicKey)
	var ve *model.ValidationError
	switch {
	case errors.As(err, &ve):
		for _, fe := range ve.Fields {
			key, data := fieldMessage(l, "chain", fe)
			v.Errors = append(v.Errors, components.FieldErr{Field: fe.Field, ID: "chain-key", Msg: components.FormMsg{Key: key, Data: data}})
		}
		return s.render(c, http.StatusUnprocessableEntity, components.ChainCheck(v))
	case err != nil:
		return fmt.Errorf("web: verify audit chain: %w", err)
	}
	rep := res.Report
	r := &components.ChainResult{
		Entries: rep.Entries, FirstSeq: rep.FirstSeq, LastSeq: rep.LastSeq, KeyUsed: res.Key, KeyID: res.KeyID,
	}
	if cp := rep.Last; cp != nil {
		r.CheckpointSeq, r.CheckpointAt, r.CheckpointKeyID = cp.Seq, cp.SignedAt, cp.KeyID
	}
	if p := rep.Problem; p != nil {
		r.Problem, r.Params = p.Kind, p.Params
	}
	v.Result = r
	return s.render(c, http.StatusOK, components.ChainCheck(v))
}
