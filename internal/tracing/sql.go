package tracing

import (
	"strings"
)

// maxQueryText bounds db.query.text: enough for Lotse's longest page queries, short enough
// that a span stays small.
const maxQueryText = 4000

// Statement describes a SQL statement for a span without any value in it: the operation (the
// first keyword: SELECT, INSERT, BEGIN, ...), the table it names first (after FROM, INTO or
// UPDATE; empty when there is none or it is not a plain name) and the text with every
// literal replaced by ? and comments removed. Lotse sends values as bind parameters ($1),
// which never reach a span; a literal the code wrote into a statement is dropped all the
// same, so that the text cannot carry a value even if one were ever inlined.
func Statement(sql string) (op, table, text string) {
	text = Sanitize(sql)
	words := strings.Fields(strings.NewReplacer("(", " ( ", ")", " ) ", ",", " , ", ";", " ; ").Replace(text))
	for len(words) > 0 && words[0] == "(" {
		words = words[1:]
	}
	if len(words) == 0 {
		return "", "", text
	}
	op = strings.ToUpper(words[0])
	if !isWord(op) {
		op = ""
	}
	// The table is the one the statement itself names, not one of a subquery: the first
	// name after the keyword outside any parentheses. A WITH names its own results, so none.
	var after string
	switch op {
	case "SELECT", "DELETE":
		after = "FROM"
	case "INSERT":
		after = "INTO"
	case "UPDATE":
		after = "UPDATE"
	}
	depth := 0
	for i := 0; after != "" && i+1 < len(words); i++ {
		switch {
		case words[i] == "(":
			depth++
		case words[i] == ")":
			depth--
		case depth == 0 && strings.EqualFold(words[i], after):
			return op, tableName(words[i+1]), text
		}
	}
	return op, "", text
}

// tableName returns w as a plain table name (quotes removed, schema kept), or "" when w is
// no such name (a subquery, a function, a placeholder).
func tableName(w string) string {
	parts := strings.Split(w, ".")
	for i, p := range parts {
		p = strings.TrimSuffix(strings.TrimPrefix(p, `"`), `"`)
		if p == "" || !isIdent(p) {
			return ""
		}
		parts[i] = p
	}
	return strings.Join(parts, ".")
}

func isWord(s string) bool {
	for _, r := range s {
		if (r < 'A' || r > 'Z') && r != '_' {
			return false
		}
	}
	return s != ""
}

func isIdent(s string) bool {
	for i, r := range s {
		switch {
		case r == '_', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return s != ""
}

// Sanitize returns sql with string literals ('...', E'...', $tag$...$tag$) and numeric
// literals replaced by ?, comments removed and runs of white space made one space, cut to a
// few thousand characters. Placeholders ($1) and quoted identifiers ("cases") stay.
func Sanitize(sql string) string {
	var b strings.Builder
	b.Grow(len(sql))
	space := false
	emit := func(s string) {
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteString(s)
	}
	n := len(sql)
	for i := 0; i < n; {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			space = true
			i++
		case c == '-' && i+1 < n && sql[i+1] == '-': // line comment
			for i < n && sql[i] != '\n' {
				i++
			}
			space = true
		case c == '/' && i+1 < n && sql[i+1] == '*': // block comment (PostgreSQL nests them)
			depth := 0
			for i < n {
				if sql[i] == '/' && i+1 < n && sql[i+1] == '*' {
					depth++
					i += 2
				} else if sql[i] == '*' && i+1 < n && sql[i+1] == '/' {
					depth--
					i += 2
					if depth == 0 {
						break
					}
				} else {
					i++
				}
			}
			space = true
		case c == '\'' || ((c == 'E' || c == 'e' || c == 'B' || c == 'b' || c == 'X' || c == 'x' || c == 'U' || c == 'u' || c == 'N' || c == 'n') &&
			i+1 < n && sql[i+1] == '\'' && (i == 0 || !identByte(sql[i-1]))):
			escapes := c == 'E' || c == 'e'
			if c != '\'' {
				i++
			}
			i++ // the opening quote
			for i < n {
				if escapes && sql[i] == '\\' {
					i += 2
					continue
				}
				if sql[i] == '\'' {
					if i+1 < n && sql[i+1] == '\'' { // a doubled quote inside
						i += 2
						continue
					}
					i++
					break
				}
				i++
			}
			emit("?")
		case c == '$' && i+1 < n && (sql[i+1] == '$' || identStart(sql[i+1])) && (i == 0 || !identByte(sql[i-1])):
			// $tag$ ... $tag$ or $$ ... $$; $1 is a placeholder and stays.
			j := i + 1
			for j < n && identByte(sql[j]) && sql[j] != '$' {
				j++
			}
			if j < n && sql[j] == '$' {
				tag := sql[i : j+1]
				end := strings.Index(sql[j+1:], tag)
				if end < 0 {
					i = n
				} else {
					i = j + 1 + end + len(tag)
				}
				emit("?")
				continue
			}
			emit(sql[i:j])
			i = j
		case c == '"': // a quoted identifier stays as written
			j := i + 1
			for j < n {
				if sql[j] == '"' {
					if j+1 < n && sql[j+1] == '"' {
						j += 2
						continue
					}
					j++
					break
				}
				j++
			}
			emit(sql[i:j])
			i = j
		case c == '$' && i+1 < n && sql[i+1] >= '0' && sql[i+1] <= '9': // placeholder
			j := i + 1
			for j < n && sql[j] >= '0' && sql[j] <= '9' {
				j++
			}
			emit(sql[i:j])
			i = j
		case (c >= '0' && c <= '9' || c == '.' && i+1 < n && sql[i+1] >= '0' && sql[i+1] <= '9') && (i == 0 || !identByte(sql[i-1])):
			j := i
			for j < n && (identByte(sql[j]) || sql[j] == '.' ||
				((sql[j] == '+' || sql[j] == '-') && (sql[j-1] == 'e' || sql[j-1] == 'E'))) {
				j++
			}
			emit("?")
			i = j
		case identByte(c):
			j := i
			for j < n && identByte(sql[j]) {
				j++
			}
			emit(sql[i:j])
			i = j
		default:
			emit(string(c))
			i++
		}
	}
	out := b.String()
	if len(out) > maxQueryText {
		cut := maxQueryText
		for cut > 0 && out[cut]&0xC0 == 0x80 { // not inside a UTF-8 sequence
			cut--
		}
		out = out[:cut] + "…"
	}
	return out
}

func identStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func identByte(c byte) bool { return identStart(c) || c >= '0' && c <= '9' || c == '$' }
