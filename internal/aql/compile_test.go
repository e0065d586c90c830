package aql

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"arca"
)

func TestCompileSQL(t *testing.T) {
	now := time.Date(2026, 1, 12, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		text    string
		sqlite  Compiled
		pgWhere string // Postgres Where; Args and OrderBy are the same except for patterns
		pgArgs  []any  // nil: same as sqlite
	}{
		{
			name:    "no criteria",
			text:    `items.find()`,
			sqlite:  Compiled{Where: "i.folder = 0"},
			pgWhere: "i.folder = 0",
		},
		{
			name:    "type any, nothing else",
			text:    `items.find({"type":"any"})`,
			sqlite:  Compiled{Where: "1=1"},
			pgWhere: "1=1",
		},
		{
			name:    "equality and sort",
			text:    `items.find({"repo":"r","name":"a.jar"}).sort({"$desc":["created","type"]})`,
			sqlite:  Compiled{Where: "i.folder = 0 AND (i.repo = ? AND i.name = ?)", Args: []any{"r", "a.jar"}, OrderBy: "i.created DESC, i.folder DESC"},
			pgWhere: "i.folder = 0 AND (i.repo = $1 AND i.name = $2)",
		},
		{
			name: "match and nmatch",
			text: `items.find({"$or":[{"path":{"$nmatch":"*"},"name":{"$match":"a[1]_%\\?*"}}]})`,
			sqlite: Compiled{
				Where: "i.folder = 0 AND (NOT (i.path GLOB ?) OR i.name GLOB ?)",
				Args:  []any{"*", "a[[]1]_%\\?*"},
			},
			pgWhere: `i.folder = 0 AND (NOT (i.path LIKE $1 ESCAPE '\') OR i.name LIKE $2 ESCAPE '\')`,
			pgArgs:  []any{"%", `a[1]\_\%\\_%`},
		},
		{
			name: "nullable columns",
			text: `items.find({"actual_sha1":{"$ne":"x"},"created_by":{"$nmatch":"b*"},"size":{"$gt":10}})`,
			sqlite: Compiled{
				Where: "i.folder = 0 AND ((i.sha1 IS NULL OR i.sha1 <> ?) AND (i.created_by IS NULL OR NOT (i.created_by GLOB ?)) AND i.size > ?)",
				Args:  []any{"x", "b*", int64(10)},
			},
			pgWhere: `i.folder = 0 AND ((i.sha1 IS NULL OR i.sha1 <> $1) AND (i.created_by IS NULL OR NOT (i.created_by LIKE $2 ESCAPE '\')) AND i.size > $3)`,
			pgArgs:  []any{"x", "b%", int64(10)},
		},
		{
			name: "properties",
			text: `items.find({"@a":"1","@b":{"$ne":"x"},"@*":{"$match":"*"},"@c":{"$nmatch":"v?"}})`,
			sqlite: Compiled{
				Where: "i.folder = 0 AND (" +
					"i.id IN (SELECT p.item_id FROM props p WHERE p.k = ? AND p.v = ?) AND " +
					"NOT EXISTS (SELECT 1 FROM props p WHERE p.item_id = i.id AND p.k = ? AND p.v = ?) AND " +
					"EXISTS (SELECT 1 FROM props p WHERE p.item_id = i.id) AND " +
					"NOT EXISTS (SELECT 1 FROM props p WHERE p.item_id = i.id AND p.k = ? AND p.v GLOB ?))",
				Args: []any{"a", "1", "b", "x", "c", "v?"},
			},
			pgWhere: "i.folder = 0 AND (" +
				"i.id IN (SELECT p.item_id FROM props p WHERE p.k = $1 AND p.v = $2) AND " +
				"NOT EXISTS (SELECT 1 FROM props p WHERE p.item_id = i.id AND p.k = $3 AND p.v = $4) AND " +
				"EXISTS (SELECT 1 FROM props p WHERE p.item_id = i.id) AND " +
				`NOT EXISTS (SELECT 1 FROM props p WHERE p.item_id = i.id AND p.k = $5 AND p.v LIKE $6 ESCAPE '\'))`,
			pgArgs: []any{"a", "1", "b", "x", "c", "v_"},
		},
		{
			name: "dates",
			text: `items.find({"created":{"$gte":"2026-01-01T00:00:00.000Z","$lt":"2026-01-01T02:00:00.000+02:00"},"modified":{"$last":"1d"},"updated":{"$before":"1mo"}})`,
			sqlite: Compiled{
				Where: "i.folder = 0 AND (i.created >= ? AND i.created < ? AND i.modified >= ? AND i.updated < ?)",
				Args: []any{
					time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(),
					time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(),
					now.AddDate(0, 0, -1).UnixMilli(),
					now.AddDate(0, -1, 0).UnixMilli(),
				},
			},
			pgWhere: "i.folder = 0 AND (i.created >= $1 AND i.created < $2 AND i.modified >= $3 AND i.updated < $4)",
		},
		{
			name:    "type criteria decided in Go",
			text:    `items.find({"$or":[{"type":"folder","type":{"$ne":"folder"},"type":{"$match":"f*"},"type":{"$nmatch":"fi*"},"type":{"$ne":"any"}}]})`,
			sqlite:  Compiled{Where: "(i.folder = 1 OR i.folder = 0 OR 1=1 OR i.folder = 1 OR 1=0)"},
			pgWhere: "(i.folder = 1 OR i.folder = 0 OR 1=1 OR i.folder = 1 OR 1=0)",
		},
		{
			name:    "empty compounds",
			text:    `items.find({"$and":[],"$or":[{}]})`,
			sqlite:  Compiled{Where: "i.folder = 0 AND (1=1 AND 1=0)"},
			pgWhere: "i.folder = 0 AND (1=1 AND 1=0)",
		},
		{
			name:    "type folder",
			text:    `items.find({"type":"folder"})`,
			sqlite:  Compiled{Where: "i.folder = 1 AND i.folder = 1"},
			pgWhere: "i.folder = 1 AND i.folder = 1",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(tc.text)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			q.Now = now
			got, err := Compile(q, SQLiteDialect{})
			if err != nil {
				t.Fatalf("Compile(SQLite): %v", err)
			}
			if d := cmp.Diff(tc.sqlite, got); d != "" {
				t.Errorf("SQLite mismatch (-want +got):\n%s", d)
			}
			want := tc.sqlite
			want.Where = tc.pgWhere
			if tc.pgArgs != nil {
				want.Args = tc.pgArgs
			}
			got, err = Compile(q, PostgresDialect{})
			if err != nil {
				t.Fatalf("Compile(Postgres): %v", err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("Postgres mismatch (-want +got):\n%s", d)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name string
		q    *Query
		want string
	}{
		{"nil query", nil, "no query"},
		{"unknown field", &Query{Criteria: And{eq("colour", "red")}}, `unknown field "colour"`},
		{"operator on wrong field", &Query{Criteria: Or{op("depth", Match, "1")}}, `operator "$match" does not apply to field "depth"`},
		{"unknown operator", &Query{Criteria: op("name", "$like", "a")}, `operator "$like" does not apply`},
		{"bad value", &Query{Criteria: eq("name", []string{"a"})}, `field "name": not a string`},
		{"nil cmp", &Query{Criteria: And{(*Cmp)(nil)}}, "nil criterion"},
		{"bad type", &Query{Criteria: And{}, Type: "dir"}, `type must be file, folder or any, not "dir"`},
		{"bad sort", &Query{Sort: &Sort{Fields: []string{"colour"}}}, `cannot sort by "colour"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, d := range []Dialect{SQLiteDialect{}, PostgresDialect{}} {
				_, err := Compile(tc.q, d)
				if !errors.Is(err, arca.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%T: error %v, want arca.ErrInvalid containing %q", d, err, tc.want)
				}
			}
		})
	}
}

func TestCompileTypeDefault(t *testing.T) {
	// A hand-built query without Type gets what Parse would have set.
	for _, tc := range []struct {
		q    *Query
		want string
	}{
		{&Query{}, "i.folder = 0"},
		{&Query{Criteria: And{eq("type", "any")}}, "1=1"},
		{&Query{Criteria: And{eq("type", "folder")}}, "i.folder = 1 AND i.folder = 1"},
		{&Query{Criteria: eq("name", "a"), Type: "any"}, "i.name = ?"},
	} {
		got, err := Compile(tc.q, SQLiteDialect{})
		if err != nil || got.Where != tc.want {
			t.Errorf("Compile(%s) = %q, %v; want %q", String(tc.q.Criteria), got.Where, err, tc.want)
		}
	}
}

func TestWildcardArg(t *testing.T) {
	tests := []struct{ in, sqlite, pg string }{
		{"*", "*", "%"},
		{"a?c", "a?c", "a_c"},
		{"org/*/x.jar", "org/*/x.jar", "org/%/x.jar"},
		{"[a]-^", "[[]a]-^", "[a]-^"},
		{`50%_off\`, `50%_off\`, `50\%\_off\\`},
		{"é*", "é*", "é%"},
	}
	for _, tc := range tests {
		if got := (SQLiteDialect{}).WildcardArg(tc.in); got != tc.sqlite {
			t.Errorf("SQLite WildcardArg(%q) = %q, want %q", tc.in, got, tc.sqlite)
		}
		if got := (PostgresDialect{}).WildcardArg(tc.in); got != tc.pg {
			t.Errorf("Postgres WildcardArg(%q) = %q, want %q", tc.in, got, tc.pg)
		}
	}
}

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "a/b", true},
		{"f*", "file", true},
		{"f*", "folder", true},
		{"fi*", "folder", false},
		{"?ile", "file", true},
		{"?", "", false},
		{"*a", "**a", true},
		{"a*b*c", "aXbYbc", true},
		{"a*b*c", "aXbYb", false},
		{"File", "file", false},
	}
	for _, tc := range tests {
		if got := wildcardMatch(tc.pattern, tc.s); got != tc.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

func TestRelative(t *testing.T) {
	now := time.Date(2026, 3, 31, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"3d", now.AddDate(0, 0, -3), true},
		{"2w", now.AddDate(0, 0, -14), true},
		{"1mo", now.AddDate(0, -1, 0), true},
		{"1y", now.AddDate(-1, 0, 0), true},
		{"5minutes", now.Add(-5 * time.Minute), true},
		{"10s", now.Add(-10 * time.Second), true},
		{"250ms", now.Add(-250 * time.Millisecond), true},
		{"7mills", now.Add(-7 * time.Millisecond), true},
		{"2days", now.AddDate(0, 0, -2), true},
		{"d", time.Time{}, false},
		{"3", time.Time{}, false},
		{"-3d", time.Time{}, false},
		{"3m", time.Time{}, false},
		{"99999999d", time.Time{}, false},
	}
	for _, tc := range tests {
		got, ok := relative(tc.in, now)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("relative(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
