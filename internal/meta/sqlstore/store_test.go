package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"arca"
	"arca/internal/meta"
)

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "meta.db")
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateRepo(ctx, meta.RepoRecord{Key: "r", Class: "local", PackageType: "generic"}); err != nil {
		t.Fatal(err)
	}
	want, err := s.PutFile(ctx, arca.Item{Repo: "r", Path: "a/b.txt", Size: 1, Checksums: arca.Checksums{SHA256: "abc"}, CreatedBy: "u"},
		meta.PutOptions{Props: arca.Properties{"k": {"v"}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	// Reopening runs the migrations again: they must be no-ops on an up-to-date database.
	for range 2 {
		s, err = OpenSQLite(ctx, path)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		got, err := s.GetItem(ctx, "r", "a/b.txt")
		if err != nil {
			t.Fatalf("GetItem after reopen: %v", err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("item after reopen (-want +got):\n%s", d)
		}
		if p, _ := s.GetProps(ctx, "r", "a/b.txt"); !cmp.Equal(p, arca.Properties{"k": {"v"}}) {
			t.Errorf("props after reopen: %v", p)
		}
		var n int
		want, _ := SchemaVersion()
		if err := s.r.QueryRow("SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil || n != want {
			t.Errorf("schema_migrations has %d rows (%v), want %d (one per migration)", n, err, want)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMigrateIdempotentAndRefusesNewer(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	for range 3 {
		if err := migrate(ctx, s.w, s.d); err != nil {
			t.Fatalf("migrate again: %v", err)
		}
	}
	if _, err := s.w.Exec("INSERT INTO schema_migrations (version, name, applied) VALUES (9999, 'future', 0)"); err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, s.w, s.d); err == nil {
		t.Errorf("migrate accepted a database from a newer binary")
	}
}

func TestPragmas(t *testing.T) {
	s := open(t)
	for _, tc := range []struct {
		db     string
		pragma string
		want   string
	}{
		{"w", "journal_mode", "wal"},
		{"w", "synchronous", "2"}, // FULL
		{"w", "foreign_keys", "1"},
		{"r", "query_only", "1"},
		{"r", "foreign_keys", "1"},
	} {
		db := s.w
		if tc.db == "r" {
			db = s.r
		}
		var got string
		if err := db.QueryRow("PRAGMA " + tc.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Errorf("%s: PRAGMA %s = %s, want %s", tc.db, tc.pragma, got, tc.want)
		}
	}
	if _, err := s.r.Exec("INSERT INTO settings (k, v) VALUES ('x', 'y')"); err == nil {
		t.Errorf("the read pool accepted a write")
	}
}

// TestRows checks the stored columns the AQL compiler relies on.
func TestRows(t *testing.T) {
	ctx := context.Background()
	s := open(t)
	if err := s.CreateRepo(ctx, meta.RepoRecord{Key: "r", Class: "local"}); err != nil {
		t.Fatal(err)
	}
	at := time.UnixMilli(1_700_000_000_123).UTC()
	if _, err := s.PutFile(ctx, arca.Item{Repo: "r", Path: "a/b/c.txt", Checksums: arca.Checksums{SHA256: "s"}, Created: at}, meta.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	rows, err := s.r.Query("SELECT path, name, depth, folder, created, sha1, orig_sha256 FROM items ORDER BY depth")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var path, name, sha1, orig string
		var depth, folder, created int64
		if err := rows.Scan(&path, &name, &depth, &folder, &created, &sha1, &orig); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s|%s|%d|%d|%d|%q|%s", path, name, depth, folder, created, sha1, orig))
	}
	want := []string{
		`.|a|1|1|1700000000123|""|`,
		`a|b|2|1|1700000000123|""|`,
		`a/b|c.txt|3|0|1700000000123|""|s`,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rows (-want +got):\n%s", d)
	}
}

func TestOpenRejectsPaths(t *testing.T) {
	for _, p := range []string{"", ":memory:", "file:x.db", "a?b.db"} {
		if _, err := OpenSQLite(context.Background(), p); !errors.Is(err, arca.ErrInvalid) {
			t.Errorf("OpenSQLite(%q) = %v, want ErrInvalid", p, err)
		}
	}
}

func TestRebindDollar(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"a = ? AND b IN (?, ?)", "a = $1 AND b IN ($2, $3)"},
		{`x LIKE '?''?' ESCAPE '\' AND "q?" = ?`, `x LIKE '?''?' ESCAPE '\' AND "q?" = $1`},
		{"a = ? -- why?\nAND b = ?", "a = $1 -- why?\nAND b = $2"},
	} {
		if got := rebindDollar(tc.in); got != tc.want {
			t.Errorf("rebindDollar(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLimitOffset(t *testing.T) {
	for _, tc := range []struct {
		d             dialect
		limit, offset int
		want          string
	}{
		{sqliteDialect{}, -1, 0, ""}, {sqliteDialect{}, -1, 5, " LIMIT -1 OFFSET 5"}, {sqliteDialect{}, 10, 0, " LIMIT 10"},
		{sqliteDialect{}, 10, 5, " LIMIT 10 OFFSET 5"}, {sqliteDialect{}, 0, 0, " LIMIT 0"},
		{postgresDialect{}, -1, 0, ""}, {postgresDialect{}, -1, 5, " OFFSET 5"}, {postgresDialect{}, 10, 5, " LIMIT 10 OFFSET 5"},
	} {
		d := tc.d
		if got := d.LimitOffset(tc.limit, tc.offset); got != tc.want {
			t.Errorf("LimitOffset(%d, %d) = %q, want %q", tc.limit, tc.offset, got, tc.want)
		}
	}
}
