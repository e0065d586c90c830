package aql

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"arca"
)

// maxDepth bounds the nesting of "$and"/"$or", so that hostile input cannot exhaust the stack.
const maxDepth = 64

// jsonReader streams one JSON value out of the query text with encoding/json's tokenizer, which
// reports object keys one at a time and in order, so duplicate keys are all seen.
type jsonReader struct {
	dec  *json.Decoder
	base int // offset of the decoder's input within the whole query text
}

func newJSONReader(text string, base int) *jsonReader {
	return &jsonReader{dec: json.NewDecoder(strings.NewReader(text[base:])), base: base}
}

// end is the offset, in the whole query text, just past the last token read.
func (r *jsonReader) end() int { return r.base + int(r.dec.InputOffset()) }

func (r *jsonReader) errorf(format string, args ...any) error {
	return arca.Errorf(arca.ErrInvalid, "aql: at offset %d: %s", r.end(), fmt.Sprintf(format, args...))
}

// token reads the next token, turning decoder errors into arca.ErrInvalid with an offset.
func (r *jsonReader) token() (json.Token, error) {
	t, err := r.dec.Token()
	if err == nil {
		return t, nil
	}
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return nil, arca.Errorf(arca.ErrInvalid, "aql: at offset %d: invalid JSON: %v", r.base+int(syn.Offset), syn)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return nil, r.errorf("unexpected end of query inside JSON")
	}
	return nil, r.errorf("invalid JSON: %v", err)
}

// delim reads a token that must be the delimiter want.
func (r *jsonReader) delim(want json.Delim, what string) error {
	t, err := r.token()
	if err != nil {
		return err
	}
	if d, ok := t.(json.Delim); !ok || d != want {
		return r.errorf("expected %s, found %s", what, tokenString(t))
	}
	return nil
}

// criteria reads the items.find argument: an object whose criteria are ANDed.
func (r *jsonReader) criteria() (Node, error) {
	if err := r.delim('{', "a JSON object"); err != nil {
		return nil, err
	}
	nodes, err := r.object(0)
	if err != nil {
		return nil, err
	}
	return And(nodes), nil
}

// object reads the members of an object whose '{' was consumed, through its '}', and returns
// its criteria in order: one per "$and"/"$or" key, one per plain-valued field, one per operator
// of an operator object.
func (r *jsonReader) object(depth int) ([]Node, error) {
	nodes := []Node{}
	for r.dec.More() {
		t, err := r.token()
		if err != nil {
			return nil, err
		}
		key, ok := t.(string)
		if !ok {
			return nil, r.errorf("expected a key, found %s", tokenString(t))
		}
		switch {
		case key == "$and" || key == "$or":
			n, err := r.compound(key, depth+1)
			if err != nil {
				return nil, err
			}
			nodes = append(nodes, n)
		case strings.HasPrefix(key, "$"):
			return nil, r.errorf("operator %q is not supported here", key)
		default:
			cmps, err := r.field(key)
			if err != nil {
				return nil, err
			}
			nodes = append(nodes, cmps...)
		}
	}
	if err := r.delim('}', "'}'"); err != nil {
		return nil, err
	}
	return nodes, nil
}

// compound reads the array of a "$and"/"$or" key: every criterion of every member object.
func (r *jsonReader) compound(op string, depth int) (Node, error) {
	if depth > maxDepth {
		return nil, r.errorf("%s nested deeper than %d levels", op, maxDepth)
	}
	if err := r.delim('[', fmt.Sprintf("an array of objects after %q", op)); err != nil {
		return nil, err
	}
	nodes := []Node{}
	for r.dec.More() {
		if err := r.delim('{', fmt.Sprintf("an object in the %q array", op)); err != nil {
			return nil, err
		}
		members, err := r.object(depth)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, members...)
	}
	if err := r.delim(']', "']'"); err != nil {
		return nil, err
	}
	if op == "$and" {
		return And(nodes), nil
	}
	return Or(nodes), nil
}

// field reads the value of a field key: a scalar ($eq) or an object of operators.
func (r *jsonReader) field(name string) ([]Node, error) {
	if _, err := lookupField(name); err != nil {
		return nil, r.errorf("%s", strings.TrimPrefix(err.Error(), "aql: "))
	}
	t, err := r.token()
	if err != nil {
		return nil, err
	}
	if d, ok := t.(json.Delim); !ok || d != '{' {
		v, err := r.scalar(t, name)
		if err != nil {
			return nil, err
		}
		c := &Cmp{Field: name, Op: Eq, Value: v}
		return []Node{c}, r.check(c)
	}
	var cmps []Node
	for r.dec.More() {
		t, err := r.token()
		if err != nil {
			return nil, err
		}
		op, _ := t.(string)
		if !knownOp(op) {
			return nil, r.errorf("unknown operator %q for field %q", op, name)
		}
		t, err = r.token()
		if err != nil {
			return nil, err
		}
		v, err := r.scalar(t, name)
		if err != nil {
			return nil, err
		}
		c := &Cmp{Field: name, Op: Op(op), Value: v}
		if err := r.check(c); err != nil {
			return nil, err
		}
		cmps = append(cmps, c)
	}
	if err := r.delim('}', "'}'"); err != nil {
		return nil, err
	}
	if len(cmps) == 0 {
		return nil, r.errorf("no operator given for field %q", name)
	}
	return cmps, nil
}

// scalar accepts a string, number or bool token as a criterion value.
func (r *jsonReader) scalar(t json.Token, name string) (any, error) {
	switch t.(type) {
	case string, float64, bool:
		return t, nil
	}
	return nil, r.errorf("value of %q must be a string, number or boolean, found %s", name, tokenString(t))
}

// check validates c (operator applies, value converts) and positions any error.
func (r *jsonReader) check(c *Cmp) error {
	if err := checkCmp(c); err != nil {
		return r.errorf("%s", strings.TrimPrefix(err.Error(), "aql: "))
	}
	return nil
}

func tokenString(t json.Token) string {
	switch t := t.(type) {
	case json.Delim:
		return fmt.Sprintf("'%s'", t)
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("%q", t)
	}
	return fmt.Sprint(t)
}
