// Package aql parses Artifactory Query Language (the items domain) into a typed query and
// compiles it to SQL over Arca's metadata schema (see package meta).
//
// Parsing preserves the order of keys and keeps duplicate keys in one object, because JFrog's
// clients send objects with several "$or" keys. Compound operators follow Artifactory's
// semantics: "$and"/"$or" apply to every criterion of every object in their array, siblings
// inside one object included; a bare object ANDs its keys.
//
// # How a criteria object becomes a tree
//
//   - The top-level object becomes an And of its criteria, in the order given.
//   - A key "$and" or "$or" is one criterion: an And or Or over every criterion of every object
//     in its array (so "$or":[{"repo":"a","repo":"b"}] is repo=a OR repo=b, and
//     "$or":[{"path":{"$nmatch":"*"},"name":{"$nmatch":"*big*"}}] is "name not like *big*").
//   - A field with a plain value is one $eq criterion. A field with an operator object
//     {"$op":v,…} contributes one criterion per operator to the enclosing list, so the operators
//     are subject to the enclosing compound exactly like sibling keys: ANDed at the top level and
//     inside "$and", ORed inside "$or". This is the literal reading of "every criterion of every
//     object"; write "$and":[{"size":{"$gt":1}},{"size":{"$lt":9}}] inside an "$or" for a range.
//   - The tree is not simplified: And/Or nodes appear exactly where the query has them.
//
// # Matching
//
// "$match"/"$nmatch" patterns use "*" for any run of characters (including "/") and "?" for one
// character; everything else is literal and comparisons are case-sensitive. Property criteria
// ("@key", "@*" for any key) hold when some value of the key satisfies the operator, except
// "$ne" and "$nmatch", which hold when no value of the key equals/matches (items without the key
// included), as the JFrog CLI's --exclude-props relies on. "$ne"/"$nmatch" on an item column that
// may be NULL (checksums, dates, user names, size) are true for NULL.
package aql

import (
	"fmt"
	"strings"
	"time"
)

// Op is a comparison operator.
type Op string

// The comparison operators of AQL that Arca supports.
const (
	Eq     Op = "$eq"
	Ne     Op = "$ne"
	Match  Op = "$match"
	NMatch Op = "$nmatch"
	Gt     Op = "$gt"
	Gte    Op = "$gte"
	Lt     Op = "$lt"
	Lte    Op = "$lte"
	// Last and Before apply to date fields with a relative period ("3d", "2w", "1mo", "5minutes"):
	// Last holds for times within the period before Query.Now, Before for times older than it.
	Last   Op = "$last"
	Before Op = "$before"
)

// Node is a criteria tree node: And, Or or *Cmp.
type Node interface{ isNode() }

// And is true when every child is true (true when empty).
type And []Node

// Or is true when any child is true (false when empty).
type Or []Node

// Cmp compares one field with a value.
//
// Field is an item field name as AQL spells it ("repo", "path", "name", "type", "size",
// "created", "actual_sha1", …) or a property criterion "@key" ("@*" for any key). Value is a
// string, a float64 (JSON number) or a bool, exactly as the query gave it.
type Cmp struct {
	Field string
	Op    Op
	Value any
}

func (And) isNode()  {}
func (Or) isNode()   {}
func (*Cmp) isNode() {}

// Sort orders results.
type Sort struct {
	Desc   bool
	Fields []string
}

// Query is a parsed items.find(...) query with its modifiers.
type Query struct {
	Criteria Node
	// Include lists the fields to return as the query named them (nil: the default set).
	// "property" or "property.*" asks for properties; "stat" for statistics.
	Include []string
	Sort    *Sort
	Offset  int
	Limit   int // -1: no limit
	// Transitive asks a virtual repository search to include its remote members.
	Transitive bool
	// Type is the item type filter taken from the criteria: "file" (the default), "folder" or
	// "any". The "type" criteria are also kept in Criteria. Parse sets "file" when no "type"
	// criterion appears anywhere; when one does, the criteria decide: Type is the value of a lone
	// top-level {"type":v} criterion, else "any". Compile treats "" like Parse would.
	Type string
	// Now is the reference time of relative date criteria ($last, $before); zero means the time
	// Compile runs. Parse leaves it zero.
	Now time.Time
}

// String renders a node in a compact, AQL-like form, for test failures and logs.
func String(n Node) string {
	switch n := n.(type) {
	case And:
		return "and(" + joinNodes(n) + ")"
	case Or:
		return "or(" + joinNodes(n) + ")"
	case *Cmp:
		if n == nil {
			return "<nil>"
		}
		return fmt.Sprintf("%s %s %s", n.Field, n.Op, describe(n.Value))
	}
	return fmt.Sprintf("%T", n)
}

func joinNodes(ns []Node) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = String(n)
	}
	return strings.Join(s, ", ")
}
