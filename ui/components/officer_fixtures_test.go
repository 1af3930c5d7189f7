package components

import (
	"time"

	"github.com/a-h/templ"
)

// Renderings of the data protection officer's pages (officer.templ) for TestNoHardCodedText:
// the start page, a document (its HTML is the document's own text, marked as data), and the
// check of the audit chain before a run, intact, with a finding, with the wrong key and with
// a refused key. Data from the database is marked ⟦…⟧.

func init() {
	pages["Officer"] = []templ.Component{Officer(OfficerView{Links: []OfficerLink{
		{Key: "audit_log", Href: "/protokoll"}, {Key: "chain", Href: "/protokoll/kette"}, {Key: "subject_access", Href: "/auskunft"},
		{Key: "retention", Href: "/loeschfristen"}, {Key: "permissions", Href: "/datenschutz/berechtigungen"},
		{Key: "processing_record", Href: "/datenschutz/verarbeitungsverzeichnis"}, {Key: "deletion_concept", Href: "/datenschutz/loeschkonzept"},
	}})}
	pages["Document"] = []templ.Component{Document(DocumentView{
		Title: "⟦Löschkonzept⟧", Source: "⟦docs/deletion-concept.md⟧", HTML: `<h1 class="kern-heading-large">⟦Löschkonzept: Lotse⟧</h1>`,
	})}
	at := time.Date(2026, 12, 6, 20, 0, 0, 0, time.UTC)
	intact := ChainResult{Entries: 42, FirstSeq: 1, LastSeq: 42, CheckpointSeq: 40, CheckpointAt: at, CheckpointKeyID: "⟦ab12cd34⟧", KeyUsed: "configured", KeyID: "⟦ab12cd34⟧"}
	changed := ChainResult{Problem: "audit.chain.changed", Params: map[string]any{"Event": int64(17), "Seq": int64(17)}, Entries: 16, FirstSeq: 1, LastSeq: 16, KeyUsed: "none"}
	unsealed := ChainResult{Problem: "audit.chain.unsealed", Params: map[string]any{"Event": int64(50), "At": at, "Grace": time.Hour}, Entries: 42, FirstSeq: 1, LastSeq: 42, KeyUsed: "given", KeyID: "⟦ef56⟧"}
	wrong := ChainResult{Problem: "audit.chain.wrong_key", Params: map[string]any{"Key": "⟦ef56⟧", "Signed": "⟦ab12cd34⟧"}, CheckpointSeq: 40, CheckpointAt: at, CheckpointKeyID: "⟦ab12cd34⟧", KeyUsed: "given", KeyID: "⟦ef56⟧"}
	pages["ChainCheck"] = []templ.Component{
		ChainCheck(ChainView{KeyID: "⟦ab12cd34⟧"}),
		ChainCheck(ChainView{KeyID: "⟦ab12cd34⟧", Result: &intact}),
		ChainCheck(ChainView{Result: &changed}),
		ChainCheck(ChainView{KeyID: "⟦ab12cd34⟧", Result: &unsealed}),
		ChainCheck(ChainView{KeyID: "⟦ab12cd34⟧", PublicKey: "⟦-----BEGIN PUBLIC KEY-----⟧", Result: &wrong}),
		ChainCheck(ChainView{PublicKey: "⟦kein Schlüssel⟧", Errors: FormErrors{{Field: "public_key", ID: "chain-key", Msg: FormMsg{Key: "validation.public_key.invalid"}}}}),
	}
}
