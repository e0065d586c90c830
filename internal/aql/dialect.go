package aql

import (
	"strconv"
	"strings"
)

// Interface guards.
var (
	_ Dialect = SQLiteDialect{}
	_ Dialect = PostgresDialect{}
)

// SQLiteDialect generates SQL for SQLite: "?" placeholders and GLOB, which is case-sensitive and
// already speaks "*" and "?"; the only other GLOB metacharacter, "[", is bound as "[[]".
type SQLiteDialect struct{}

// Placeholder returns "?".
func (SQLiteDialect) Placeholder(int) string { return "?" }

// Wildcard returns "expr GLOB placeholder".
func (SQLiteDialect) Wildcard(expr, placeholder string) string {
	return expr + " GLOB " + placeholder
}

// WildcardArg escapes "[" so that only "*" and "?" are special.
func (SQLiteDialect) WildcardArg(pattern string) string {
	return strings.ReplaceAll(pattern, "[", "[[]")
}

// PostgresDialect generates SQL for PostgreSQL: "$n" placeholders and LIKE with '\' as the
// escape character (LIKE is case-sensitive in PostgreSQL).
type PostgresDialect struct{}

// Placeholder returns "$n".
func (PostgresDialect) Placeholder(n int) string { return "$" + strconv.Itoa(n) }

// Wildcard returns "expr LIKE placeholder ESCAPE '\'".
func (PostgresDialect) Wildcard(expr, placeholder string) string {
	return expr + " LIKE " + placeholder + ` ESCAPE '\'`
}

// WildcardArg escapes '\', '%' and '_' and turns "*" into "%" and "?" into "_".
func (PostgresDialect) WildcardArg(pattern string) string {
	var b strings.Builder
	for _, r := range pattern {
		switch r {
		case '\\', '%', '_':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '*':
			b.WriteByte('%')
		case '?':
			b.WriteByte('_')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// wildcardMatch reports whether s matches the AQL pattern ("*" any run, "?" one character,
// everything else literal, case-sensitive). Compile uses it to decide "type" patterns in Go.
func wildcardMatch(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	pi, ti := 0, 0
	star, mark := -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
