package aql

import (
	"strings"
	"time"

	"arca"
)

// Dialect adapts generated SQL to one database engine.
type Dialect interface {
	// Placeholder returns the placeholder for the n-th bound argument (1-based): "?" or "$n".
	Placeholder(n int) string
	// Wildcard returns a boolean SQL expression, case-sensitive, that is true when expr matches
	// the pattern bound to placeholder; WildcardArg converts an AQL pattern ("*" any run of
	// characters including "/", "?" exactly one character, everything else literal) into the
	// value to bind.
	Wildcard(expr, placeholder string) string
	WildcardArg(pattern string) string
}

// Compiled is a query translated to SQL over the schema documented in package meta.
type Compiled struct {
	// Where is a boolean SQL expression over the items table aliased "i"; "1=1" when the query
	// has no criteria. Property criteria become EXISTS subqueries over props.
	Where string
	Args  []any
	// OrderBy is "" or a list like "i.name ASC, i.path DESC" (no ORDER BY keyword).
	OrderBy string
}

// Compile translates q. Unknown fields and operators that do not apply to a field are
// arca.ErrInvalid with a message naming them.
//
// Every value is bound as an argument, never spliced into the SQL: strings for text fields and
// property keys/values, int64 (float64 when not integral) for size and depth, Unix milliseconds
// for dates. The items table is aliased "i"; property subqueries alias props "p".
//
// Beyond the criteria, Where carries the type filter of q.Type: "i.folder = 0" for "file" (and
// for "" when the criteria name no type), "i.folder = 1" for "folder", nothing for "any".
// $last/$before are computed relative to q.Now (time.Now() when zero). OrderBy lists q.Sort's
// fields in one direction; Compile adds no tie-breaker.
func Compile(q *Query, d Dialect) (Compiled, error) {
	if q == nil {
		return Compiled{}, arca.Errorf(arca.ErrInvalid, "aql: no query")
	}
	c := &compiler{d: d, now: q.Now}
	if c.now.IsZero() {
		c.now = time.Now()
	}
	typ := q.Type
	if typ == "" {
		typ = queryType(q.Criteria)
	}
	var filter string
	switch typ {
	case "file":
		filter = "i.folder = 0"
	case "folder":
		filter = "i.folder = 1"
	case "any":
	default:
		return Compiled{}, arca.Errorf(arca.ErrInvalid, "aql: type must be file, folder or any, not %q", typ)
	}
	where := "1=1"
	if q.Criteria != nil {
		w, err := c.node(q.Criteria)
		if err != nil {
			return Compiled{}, err
		}
		where = w
	}
	switch {
	case filter == "":
	case where == "1=1":
		where = filter
	default:
		where = filter + " AND " + where
	}
	orderBy, err := orderBy(q.Sort)
	if err != nil {
		return Compiled{}, err
	}
	return Compiled{Where: where, Args: c.args, OrderBy: orderBy}, nil
}

// compiler accumulates bound arguments in the order their placeholders appear in the SQL text.
type compiler struct {
	d    Dialect
	now  time.Time
	args []any
}

// bind appends v and returns its placeholder. Callers must bind in text order, because "?"
// placeholders are positional.
func (c *compiler) bind(v any) string {
	c.args = append(c.args, v)
	return c.d.Placeholder(len(c.args))
}

func (c *compiler) node(n Node) (string, error) {
	switch n := n.(type) {
	case And:
		return c.join([]Node(n), " AND ", "1=1")
	case Or:
		return c.join([]Node(n), " OR ", "1=0")
	case *Cmp:
		if n == nil {
			return "", arca.Errorf(arca.ErrInvalid, "aql: nil criterion")
		}
		return c.cmp(n)
	}
	return "", arca.Errorf(arca.ErrInvalid, "aql: unknown criteria node %T", n)
}

// join compiles children joined by sep, parenthesized; empty is the identity of sep.
func (c *compiler) join(children []Node, sep, empty string) (string, error) {
	parts := make([]string, 0, len(children))
	for _, ch := range children {
		s, err := c.node(ch)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	switch len(parts) {
	case 0:
		return empty, nil
	case 1:
		return parts[0], nil
	}
	return "(" + strings.Join(parts, sep) + ")", nil
}

// comparisons are the SQL operators of the plain comparison Ops. Never written.
var comparisons = map[Op]string{Eq: "=", Ne: "<>", Gt: ">", Gte: ">=", Lt: "<", Lte: "<=", Last: ">=", Before: "<"}

func (c *compiler) cmp(x *Cmp) (string, error) {
	f, err := lookupField(x.Field)
	if err != nil {
		return "", err
	}
	v, err := argValue(f, x, c.now)
	if err != nil {
		return "", err
	}
	switch f.kind {
	case kindProp:
		return c.prop(x, v.(string)), nil
	case kindType:
		return typeCond(x.Op, v.(string)), nil
	}
	switch x.Op {
	case Match:
		return c.d.Wildcard(f.col, c.bind(c.d.WildcardArg(v.(string)))), nil
	case NMatch:
		w := "NOT (" + c.d.Wildcard(f.col, c.bind(c.d.WildcardArg(v.(string)))) + ")"
		if f.nullable {
			w = "(" + f.col + " IS NULL OR " + w + ")"
		}
		return w, nil
	case Ne:
		if f.nullable {
			return "(" + f.col + " IS NULL OR " + f.col + " <> " + c.bind(v) + ")", nil
		}
	}
	return f.col + " " + comparisons[x.Op] + " " + c.bind(v), nil
}

// prop compiles a property criterion to a subquery over props: true when some value of the key
// satisfies the operator. $ne and $nmatch negate the positive subquery, so they also hold for
// items without the key. A $match pattern made only of "*" tests the key alone.
//
// A positive criterion on a named key is "i.id IN (SELECT p.item_id … p.k = ? AND p.v …)", which
// the engine answers from the (k, v) index and then fetches the few items by id; the correlated
// EXISTS form would make it visit every item. Negations and the "@*" key stay correlated
// (NOT EXISTS / EXISTS on p.item_id = i.id), since they cannot be driven by the index.
func (c *compiler) prop(x *Cmp, v string) string {
	key := x.Field[1:]
	negated := x.Op == Ne || x.Op == NMatch
	drive := !negated && key != "*"
	conds := []string{"p.item_id = i.id"}
	if drive {
		conds = nil
	}
	if key != "*" {
		conds = append(conds, "p.k = "+c.bind(key))
	}
	switch x.Op {
	case Match, NMatch:
		if strings.Trim(v, "*") != "" || v == "" {
			conds = append(conds, c.d.Wildcard("p.v", c.bind(c.d.WildcardArg(v))))
		}
	case Ne:
		conds = append(conds, "p.v = "+c.bind(v))
	default:
		conds = append(conds, "p.v "+comparisons[x.Op]+" "+c.bind(v))
	}
	if drive {
		return "i.id IN (SELECT p.item_id FROM props p WHERE " + strings.Join(conds, " AND ") + ")"
	}
	exists := "EXISTS (SELECT 1 FROM props p WHERE " + strings.Join(conds, " AND ") + ")"
	if negated {
		return "NOT " + exists
	}
	return exists
}

// typeCond decides a "type" criterion in Go: it computes which of file/folder satisfy it
// ("any" is both) and returns the matching condition on i.folder.
func typeCond(op Op, v string) string {
	var file, folder bool
	switch op {
	case Eq, Ne:
		file, folder = v == "file" || v == "any", v == "folder" || v == "any"
	case Match, NMatch:
		file, folder = wildcardMatch(v, "file"), wildcardMatch(v, "folder")
	}
	if op == Ne || op == NMatch {
		file, folder = !file, !folder
	}
	switch {
	case file && folder:
		return "1=1"
	case file:
		return "i.folder = 0"
	case folder:
		return "i.folder = 1"
	}
	return "1=0"
}

// orderBy renders s as "col DIR, …" ("" for no sort).
func orderBy(s *Sort) (string, error) {
	if s == nil || len(s.Fields) == 0 {
		return "", nil
	}
	dir := " ASC"
	if s.Desc {
		dir = " DESC"
	}
	cols := make([]string, len(s.Fields))
	for i, f := range s.Fields {
		col, err := checkSort(f)
		if err != nil {
			return "", err
		}
		cols[i] = col + dir
	}
	return strings.Join(cols, ", "), nil
}
