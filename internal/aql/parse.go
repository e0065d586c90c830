package aql

import (
	"fmt"
	"strconv"

	"arca"
)

// Parse parses AQL text of the items domain:
//
//	items.find(<criteria JSON>)[.include("f",…)][.sort({"$asc"|"$desc":["f",…]})]
//	    [.offset(n)][.limit(n)][.transitive()][.distinct(bool)]
//
// The modifiers may come in any order, each at most once; whitespace is allowed between any two
// tokens. distinct is accepted and ignored (rows are always distinct). Criteria fields, include
// fields and sort fields are validated, and so are the criteria's operators and values.
//
// Every error is arca.ErrInvalid with a message giving the byte offset and the problem; another
// domain (builds.find, …) is "domain … is not supported".
func Parse(text string) (*Query, error) {
	p := &parser{text: text}
	q, err := p.query()
	if err != nil {
		return nil, err
	}
	return q, nil
}

// parser scans the text around the JSON arguments, which jsonReader decodes.
type parser struct {
	text string
	pos  int
}

func (p *parser) errorf(format string, args ...any) error {
	return arca.Errorf(arca.ErrInvalid, "aql: at offset %d: %s", p.pos, fmt.Sprintf(format, args...))
}

func (p *parser) skipSpace() {
	for p.pos < len(p.text) {
		switch p.text[p.pos] {
		case ' ', '\t', '\n', '\r', '\f', '\v':
			p.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, 0 at the end.
func (p *parser) peek() byte {
	p.skipSpace()
	if p.pos == len(p.text) {
		return 0
	}
	return p.text[p.pos]
}

func (p *parser) expect(c byte) error {
	if got := p.peek(); got != c {
		return p.errorf("expected '%c', found %s", c, p.found())
	}
	p.pos++
	return nil
}

// found describes what is at the current position, for error messages.
func (p *parser) found() string {
	if p.pos >= len(p.text) {
		return "end of query"
	}
	r := []rune(p.text[p.pos:min(len(p.text), p.pos+12)])
	return strconv.Quote(string(r[:min(len(r), 10)]))
}

// ident reads a name made of letters, digits and '_' ("" when there is none).
func (p *parser) ident() string {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.text) {
		c := p.text[p.pos]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			p.pos++
			continue
		}
		break
	}
	return p.text[start:p.pos]
}

func (p *parser) query() (*Query, error) {
	domain := p.ident()
	if domain == "" {
		return nil, p.errorf("expected items.find(…), found %s", p.found())
	}
	if domain != "items" {
		return nil, arca.Errorf(arca.ErrInvalid, "aql: domain %q is not supported (only items.find)", domain)
	}
	if err := p.expect('.'); err != nil {
		return nil, err
	}
	p.skipSpace()
	at := p.pos
	if m := p.ident(); m != "find" {
		p.pos = at
		return nil, p.errorf("expected find after items., found %s", p.found())
	}
	if err := p.expect('('); err != nil {
		return nil, err
	}
	q := &Query{Criteria: And{}, Limit: -1}
	if p.peek() != ')' {
		r := newJSONReader(p.text, p.pos)
		n, err := r.criteria()
		if err != nil {
			return nil, err
		}
		q.Criteria, p.pos = n, r.end()
	}
	if err := p.expect(')'); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for p.peek() != 0 {
		if err := p.expect('.'); err != nil {
			return nil, err
		}
		at := p.pos
		name := p.ident()
		if seen[name] {
			p.pos = at
			return nil, p.errorf("modifier %q given twice", name)
		}
		seen[name] = true
		if err := p.expect('('); err != nil {
			return nil, err
		}
		if err := p.modifier(q, name, at); err != nil {
			return nil, err
		}
		if err := p.expect(')'); err != nil {
			return nil, err
		}
	}
	q.Type = queryType(q.Criteria)
	return q, nil
}

// modifier parses the arguments of one modifier (after its '(') into q.
func (p *parser) modifier(q *Query, name string, at int) error {
	var err error
	switch name {
	case "include":
		q.Include, err = p.include()
	case "sort":
		q.Sort, err = p.sort()
	case "offset":
		q.Offset, err = p.count()
	case "limit":
		q.Limit, err = p.count()
	case "transitive":
		q.Transitive = true
	case "distinct":
		switch w := p.ident(); w {
		case "true", "false":
		default:
			return p.errorf("distinct takes true or false, found %q", w)
		}
	default:
		p.pos = at
		if name == "" {
			return p.errorf("expected a modifier name, found %s", p.found())
		}
		return p.errorf("modifier %q is not supported", name)
	}
	return err
}

// include reads a comma-separated list of quoted field names.
func (p *parser) include() ([]string, error) {
	fields := []string{}
	for {
		if p.peek() != '"' {
			return nil, p.errorf("expected a quoted field name in include, found %s", p.found())
		}
		r := newJSONReader(p.text, p.pos)
		t, err := r.token()
		if err != nil {
			return nil, err
		}
		f, _ := t.(string)
		if err := checkInclude(f); err != nil {
			return nil, p.errorf("unknown include field %q", f)
		}
		fields = append(fields, f)
		p.pos = r.end()
		if p.peek() != ',' {
			return fields, nil
		}
		p.pos++
	}
}

// sort reads {"$asc"|"$desc":["f",…]}.
func (p *parser) sort() (*Sort, error) {
	if p.peek() != '{' {
		return nil, p.errorf(`expected {"$asc"|"$desc":[…]} in sort, found %s`, p.found())
	}
	r := newJSONReader(p.text, p.pos)
	if err := r.delim('{', "'{'"); err != nil {
		return nil, err
	}
	t, err := r.token()
	if err != nil {
		return nil, err
	}
	s := &Sort{}
	switch t {
	case "$asc":
	case "$desc":
		s.Desc = true
	default:
		return nil, r.errorf(`sort takes "$asc" or "$desc", found %s`, tokenString(t))
	}
	if err := r.delim('[', "an array of field names"); err != nil {
		return nil, err
	}
	for r.dec.More() {
		t, err := r.token()
		if err != nil {
			return nil, err
		}
		f, ok := t.(string)
		if !ok {
			return nil, r.errorf("expected a field name in sort, found %s", tokenString(t))
		}
		if _, err := checkSort(f); err != nil {
			return nil, r.errorf("cannot sort by %q", f)
		}
		s.Fields = append(s.Fields, f)
	}
	if err := r.delim(']', "']'"); err != nil {
		return nil, err
	}
	if len(s.Fields) == 0 {
		return nil, r.errorf("sort needs at least one field")
	}
	if err := r.delim('}', "'}' (sort takes one direction)"); err != nil {
		return nil, err
	}
	p.pos = r.end()
	return s, nil
}

// count reads a non-negative decimal integer.
func (p *parser) count() (int, error) {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.text) && p.text[p.pos] >= '0' && p.text[p.pos] <= '9' {
		p.pos++
	}
	n, err := strconv.Atoi(p.text[start:p.pos])
	if err != nil {
		p.pos = start
		return 0, p.errorf("expected a non-negative integer, found %s", p.found())
	}
	return n, nil
}

// queryType derives Query.Type from the criteria: "file" without any "type" criterion; the
// value of a lone top-level {"type":v} ($eq) criterion; else "any" (the criteria decide).
func queryType(n Node) string {
	var all []*Cmp
	walkType(n, &all)
	if len(all) == 0 {
		return "file"
	}
	if top, ok := n.(And); ok && len(all) == 1 && all[0].Op == Eq {
		for _, c := range top {
			if c == Node(all[0]) {
				if s, ok := all[0].Value.(string); ok && (s == "file" || s == "folder") {
					return s
				}
			}
		}
	}
	return "any"
}

func walkType(n Node, out *[]*Cmp) {
	switch n := n.(type) {
	case And:
		for _, c := range n {
			walkType(c, out)
		}
	case Or:
		for _, c := range n {
			walkType(c, out)
		}
	case *Cmp:
		if n != nil && n.Field == "type" {
			*out = append(*out, n)
		}
	}
}
