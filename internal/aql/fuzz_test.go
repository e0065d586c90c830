package aql

import (
	"errors"
	"strings"
	"testing"
	"time"

	"arca"
)

// FuzzParse checks that Parse never panics, that its errors are arca.ErrInvalid, and that
// whatever parses also compiles for both dialects (or fails with arca.ErrInvalid), with one
// bound argument per placeholder and SQL that SQLite accepts.
func FuzzParse(f *testing.F) {
	for _, tc := range cliQueries {
		f.Add(tc.text)
	}
	for _, s := range []string{
		`items.find()`,
		`items.find({"$or":[{"repo":"a","repo":"b"}]}).sort({"$asc":["name"]}).offset(1).limit(2).distinct(false)`,
		`items.find({"created":{"$last":"3d","$gt":"2026-01-01T00:00:00Z"},"size":{"$lte":"12"},"@*":"x","type":{"$match":"f*"}})`,
		`items.find({"$and":[{"$or":[{"$and":[{"name":{"$nmatch":"[*?%_\\"}}]}]}]})`,
		`builds.find({"name":"x"})`,
		`items.find({"depth":1e400})`,
	} {
		f.Add(s)
	}
	db := sqliteEngine(f).db
	now := time.Date(2026, 1, 12, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, text string) {
		q, err := Parse(text)
		if err != nil {
			if !errors.Is(err, arca.ErrInvalid) {
				t.Fatalf("Parse(%q) error %v is not arca.ErrInvalid", text, err)
			}
			return
		}
		q.Now = now
		for _, d := range []Dialect{SQLiteDialect{}, PostgresDialect{}} {
			c, err := Compile(q, d)
			if err != nil {
				if !errors.Is(err, arca.ErrInvalid) {
					t.Fatalf("Compile(%q, %T) error %v is not arca.ErrInvalid", text, d, err)
				}
				continue
			}
			if _, ok := d.(SQLiteDialect); !ok {
				continue
			}
			if n := strings.Count(c.Where, "?"); n != len(c.Args) {
				t.Fatalf("Compile(%q): %d placeholders, %d args in %s", text, n, len(c.Args), c.Where)
			}
			stmt := "SELECT count(*) FROM items i WHERE " + c.Where
			if c.OrderBy != "" {
				stmt += " ORDER BY " + c.OrderBy
			}
			var n int
			if err := db.QueryRow(stmt, c.Args...).Scan(&n); err != nil {
				t.Fatalf("Compile(%q) gave SQL SQLite rejects: %s: %v", text, stmt, err)
			}
		}
	})
}
