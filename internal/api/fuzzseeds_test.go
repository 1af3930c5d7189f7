package api_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"
)

// The seeds of the fuzz targets are made from the valid requests of the tables in
// fuzz_test.go, so that a new operation gets them by running
//
//	go test ./internal/api/ -run TestFuzzSeedsAreCurrent -update-seeds
//
// TestFuzzSeedsAreCurrent fails while a table's seeds are missing or stale. Other files in
// testdata/fuzz (a crasher a fuzzer found, once fixed) are kept.

var updateSeeds = flag.Bool("update-seeds", false, "rewrite the seeds in testdata/fuzz from the tables of fuzz_test.go")

// badEscapes are put at the end of a string of a body, written as JSON escapes; badBytes
// raw into the body text.
var (
	badEscapes = []struct{ name, text string }{
		{"nul", `\u0000`}, {"bell", `\u0007`}, {"cr", `\r`}, {"del", `\u007f`}, {"c1", `\u0085`},
		{"surrogate", `\ud800`}, {"lowsurrogate", `\udc00x`},
	}
	badBytes = []struct{ name, text string }{{"invalidutf8", "\xff\xc0\x80"}, {"rawcontrol", "\x00"}}
)

// bodySeeds derives the seeds of one body operation from its valid body.
func bodySeeds(op, valid string) map[string][]byte {
	out := map[string][]byte{"valid": []byte(valid)}
	// The ends of the first and the last string value: bad text goes just before the quote.
	var ends []int
	dec := jsontext.NewDecoder(strings.NewReader(valid))
	for {
		kind := dec.PeekKind()
		tok, err := dec.ReadToken()
		if err != nil {
			break
		}
		// A string that is not an object's name: the decoder's last name is a value's parent.
		if kind == '"' && !isName(dec) {
			ends = append(ends, int(dec.InputOffset())-1)
		}
		_ = tok
	}
	picks := []int{ends[0]}
	if last := ends[len(ends)-1]; last != ends[0] {
		picks = append(picks, last)
	}
	insert := func(at int, s string) []byte { return []byte(valid[:at] + s + valid[at:]) }
	for i, at := range picks {
		for _, b := range badEscapes {
			out[fmt.Sprintf("%s-%d", b.name, i)] = insert(at, b.text)
		}
		for _, b := range badBytes {
			out[fmt.Sprintf("%s-%d", b.name, i)] = insert(at, b.text)
		}
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(valid), &v); err != nil {
		panic(fmt.Sprintf("%s: the valid body is no JSON object: %v", op, err))
	}
	first := ""
	for k := range v {
		if first == "" || k < first {
			first = k
		}
	}
	leaves := func(f func(any) any) []byte { return mustJSON(mapLeaves(v, f)) }
	perKey := func(f func(any) any) []byte {
		m := map[string]any{}
		for k, x := range v {
			m[k] = f(x)
		}
		return mustJSON(m)
	}
	out["trailing-object"] = []byte(valid + valid)
	out["trailing-garbage"] = []byte(valid + " x")
	out["trailing-whitespace"] = []byte(valid + " \r\n\t")
	out["huge-numbers"] = bytes.ReplaceAll(leaves(func(any) any { return 0 }), []byte("0"), []byte("99999999999999999999999999999"))
	out["huge-exponent"] = bytes.ReplaceAll(leaves(func(any) any { return 0 }), []byte("0"), []byte("1e400"))
	out["negative-numbers"] = leaves(func(any) any { return -1 })
	out["wrong-types-bool"] = leaves(func(any) any { return true })
	out["wrong-types-object"] = perKey(func(any) any { return map[string]any{} })
	out["wrong-types-array"] = perKey(func(x any) any { return []any{x} })
	out["nulls"] = perKey(func(any) any { return nil })
	depth := 64
	if op == "createNote" || op == "createCase" {
		depth = 20000 // beyond every decoder's limit, for two operations (the seeds stay small)
	}
	out["deep-nesting"] = []byte(fmt.Sprintf(`{%q:%s%s}`, first, strings.Repeat("[", depth), strings.Repeat("]", depth)))
	out["deep-objects"] = []byte(fmt.Sprintf(`{%q:%s1%s}`, first, strings.Repeat(`{"a":`, 64), strings.Repeat("}", 64)))
	out["duplicate-name"] = []byte(valid[:len(valid)-1] + fmt.Sprintf(",%q:%s}", first, mustJSON(v[first])))
	out["empty"] = nil
	out["null"] = []byte("null")
	out["array"] = []byte("[]")
	out["string"] = []byte(`"x"`)
	long := map[string]any{}
	for k, x := range v {
		long[k] = x
	}
	long[first] = strings.Repeat("x", 3000)
	out["long-string"] = mustJSON(long)
	out["bom"] = append([]byte("\xef\xbb\xbf"), valid...)
	return out
}

// isName reports whether the token just read is an object's name.
func isName(dec *jsontext.Decoder) bool {
	kind, n := dec.StackIndex(dec.StackDepth())
	return kind == '{' && n%2 == 1
}

func mapLeaves(v any, f func(any) any) any {
	switch x := v.(type) {
	case map[string]any:
		m := map[string]any{}
		for k, e := range x {
			m[k] = mapLeaves(e, f)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = mapLeaves(e, f)
		}
		return l
	}
	return f(v)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// querySeeds derives the seeds of one list operation from its valid query.
func querySeeds(valid string) map[string][]byte {
	out := map[string][]byte{"valid": []byte(valid)}
	pairs := strings.Split(valid, "&")
	with := func(name, value string) string {
		l := slices.Clone(pairs)
		for i, p := range l {
			if strings.HasPrefix(p, name+"=") {
				l[i] = name + "=" + value
			}
		}
		return strings.Join(l, "&")
	}
	for _, p := range pairs {
		name, _, _ := strings.Cut(p, "=")
		for _, b := range []struct{ kind, value string }{
			{"nul", "%00"}, {"bell", "%07"}, {"cr", "%0D"}, {"del", "%7F"}, {"c1", "%C2%85"}, {"invalidutf8", "%FF"},
			{"surrogate", "%ED%A0%80"}, {"overlong", "%C0%80"}, {"huge", "99999999999999999999999999"}, {"exponent", "1e400"},
			{"negative", "-1"}, {"wrongtype", "%7B%7D"}, {"baddate", "2026-02-30"}, {"long", strings.Repeat("x", 300)},
			{"empty", ""}, {"badescape", "%zz"},
		} {
			out[name+"-"+b.kind] = []byte(with(name, b.value))
		}
		out[name+"-repeated"] = []byte(valid + "&" + p)
	}
	out["unknown-param"] = []byte(valid + "&nope=%00")
	out["cursor-garbage"] = []byte(valid + "&cursor=%00%FF")
	out["cursor-wrong"] = []byte(valid + "&cursor=" + strings.Repeat("A", 56))
	out["nul-name"] = []byte(valid + "&%00=1")
	return out
}

// corpusFile is the text of one seed in Go's corpus format; kind is the Go type of the
// second value ([]byte or string).
func corpusFile(op, kind string, v []byte) []byte {
	return fmt.Appendf(nil, "go test fuzz v1\nstring(%q)\n%s(%q)\n", op, kind, v)
}

func TestFuzzSeedsAreCurrent(t *testing.T) {
	want := map[string]map[string][]byte{"FuzzRequestBody": {}, "FuzzListFilter": {}}
	for op, o := range fuzzBodyOps {
		for name, b := range bodySeeds(op, o.valid) {
			want["FuzzRequestBody"][op+"-"+name] = corpusFile(op, "[]byte", b)
		}
	}
	for op, o := range fuzzListOps {
		for name, q := range querySeeds(o.valid) {
			want["FuzzListFilter"][op+"-"+name] = corpusFile(op, "string", q)
		}
	}
	for target, files := range want {
		dir := filepath.Join("testdata", "fuzz", target)
		for name, content := range files {
			path := filepath.Join(dir, name)
			if *updateSeeds {
				if err := os.MkdirAll(dir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, content, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			have, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(have, content) {
				t.Errorf("%s is missing or stale: go test ./internal/api/ -run TestFuzzSeedsAreCurrent -update-seeds", path)
			}
		}
	}
}
