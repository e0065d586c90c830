package aql

import (
	"database/sql"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	_ "modernc.org/sqlite"
)

// schema is the items/props part of the schema documented in package meta.
const schema = `
CREATE TABLE items(id INTEGER PRIMARY KEY, repo TEXT, path TEXT, name TEXT, depth INTEGER, folder INTEGER,
      size INTEGER, sha256 TEXT, sha1 TEXT, md5 TEXT, orig_sha256 TEXT, orig_sha1 TEXT,
      orig_md5 TEXT, mime TEXT, created INTEGER, created_by TEXT, modified INTEGER,
      modified_by TEXT, updated INTEGER, UNIQUE(repo, path, name));
CREATE TABLE props(item_id INTEGER, k TEXT, v TEXT);`

// fixtureFile is one file of the fixture tree; parent folders are created implicitly, like the
// metadata store does, with no properties and no checksums.
type fixtureFile struct {
	repo, path string
	size       int64
	day        int // created on 2026-01-<day> 00:00 UTC
	by         string
	props      [][2]string
}

var fixture = []fixtureFile{
	{repo: "libs-local", path: "root.jar", size: 10, day: 1, by: "alice"},
	{repo: "libs-local", path: "org/acme/a.jar", size: 100, day: 2, by: "alice", props: [][2]string{{"a", "1"}, {"b", "x"}, {"b", "y"}}},
	{repo: "libs-local", path: "org/acme/big-a.jar", size: 5000, day: 3, by: "bob", props: [][2]string{{"a", "1"}}},
	{repo: "libs-local", path: "org/acme/A.JAR", size: 100, day: 4},
	{repo: "libs-local", path: "org/acme/files/a.jar", size: 200, day: 5, props: [][2]string{{"a", "2"}}},
	{repo: "libs-local", path: "org/b.jar", size: 300, day: 6, props: [][2]string{{"a", "1"}, {"a", "2"}, {"b", "z"}}},
	{repo: "libs-local", path: "org/x1.txt", size: 1, day: 7},
	{repo: "libs-local", path: "org/x22.txt", size: 2, day: 8},
	{repo: "libs-local", path: "org/w[1].jar", size: 3, day: 9, props: [][2]string{{"a", "1"}}},
	{repo: "libs-local", path: "org/big/c.jar", size: 400, day: 10, props: [][2]string{{"a", "1"}}},
	{repo: "libs-big-local", path: "org/d.jar", size: 50, day: 11, props: [][2]string{{"a", "1"}}},
	{repo: "other-local", path: "org/acme/a.jar", size: 100, day: 12, props: [][2]string{{"a", "1"}}},
}

func day(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }

// openFixture returns an in-memory SQLite database holding the fixture tree; the folder
// libs-local/org carries the property a=1.
func openFixture(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1) // one connection: one in-memory database
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(schema); err != nil {
		t.Fatal(err)
	}
	insert := func(repo, full string, folder bool, size int64, created time.Time, by string) int64 {
		dir, name := ".", full
		if i := strings.LastIndexByte(full, '/'); i >= 0 {
			dir, name = full[:i], full[i+1:]
		}
		var sha any
		if !folder {
			sha = "sha-" + full
		}
		var creator any
		if by != "" {
			creator = by
		}
		res, err := db.Exec(`INSERT INTO items(repo, path, name, depth, folder, size, sha256, sha1, md5,
			orig_sha256, orig_sha1, orig_md5, created, created_by, modified, modified_by, updated)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(repo, path, name) DO NOTHING`,
			repo, dir, name, strings.Count(full, "/")+1, folder, size, sha, sha, sha, sha, sha, sha,
			created.UnixMilli(), creator, created.UnixMilli(), creator, created.UnixMilli())
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return 0 // the folder existed already
		}
		id, _ := res.LastInsertId()
		return id
	}
	setProp := func(id int64, k, v string) {
		if _, err := db.Exec(`INSERT INTO props(item_id, k, v) VALUES (?, ?, ?)`, id, k, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range fixture {
		segs := strings.Split(f.path, "/")
		for i := 1; i < len(segs); i++ {
			id := insert(f.repo, strings.Join(segs[:i], "/"), true, 0, day(1), "")
			if f.repo == "libs-local" && i == 1 && id != 0 {
				setProp(id, "a", "1")
			}
		}
		id := insert(f.repo, f.path, false, f.size, day(f.day), f.by)
		for _, p := range f.props {
			setProp(id, p[0], p[1])
		}
	}
	return db
}

// search runs text against db and returns "repo:path" of the rows, in the query's order.
func search(t *testing.T, db *sql.DB, text string, now time.Time) []string {
	t.Helper()
	q, err := Parse(text)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	q.Now = now
	c, err := Compile(q, SQLiteDialect{})
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	stmt := "SELECT i.repo, i.path, i.name FROM items i WHERE " + c.Where
	if c.OrderBy != "" {
		stmt += " ORDER BY " + c.OrderBy
	}
	stmt += " LIMIT ? OFFSET ?"
	rows, err := db.Query(stmt, append(c.Args, q.Limit, q.Offset)...)
	if err != nil {
		t.Fatalf("Query %s: %v", stmt, err)
	}
	defer rows.Close()
	got := []string{}
	for rows.Next() {
		var repo, dir, name string
		if err := rows.Scan(&repo, &dir, &name); err != nil {
			t.Fatal(err)
		}
		if dir != "." {
			name = dir + "/" + name
		}
		got = append(got, repo+":"+name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestExecute(t *testing.T) {
	db := openFixture(t)
	now := time.Date(2026, 1, 12, 12, 0, 0, 0, time.UTC)
	const (
		orgJarExclusions = `items.find({` + exclusionsCriteria + `})`
		libs             = "libs-local:"
	)
	tests := []struct {
		name    string
		text    string
		want    []string
		ordered bool
	}{
		{
			name: "trap 1: duplicate keys in one $or object are ORed",
			text: `items.find({"$or":[{"repo":"other-local","repo":"libs-big-local"}]})`,
			want: []string{"libs-big-local:org/d.jar", "other-local:org/acme/a.jar"},
		},
		{
			name: "trap 1: duplicate $or keys are all kept and ANDed",
			text: `items.find({"$or":[{"name":"a.jar"},{"name":"b.jar"}],"$or":[{"repo":"libs-local"}]})`,
			want: []string{libs + "org/acme/a.jar", libs + "org/acme/files/a.jar", libs + "org/b.jar"},
		},
		{
			name: "trap 2: exclusions query, sorted and limited",
			text: orgJarExclusions + `.include("name","repo","path","actual_md5","actual_sha1","sha256","size","type","modified","created").sort({"$desc":["created"]}).limit(2)`,
			want: []string{libs + "org/w[1].jar", libs + "org/b.jar"}, ordered: true,
		},
		{
			name: "trap 2: exclusions query without limit",
			text: orgJarExclusions,
			want: []string{libs + "org/acme/a.jar", libs + "org/b.jar", libs + "org/w[1].jar"},
		},
		{
			name: "trap 2: the path half of an exclusion pair is always false",
			text: `items.find({"repo":"libs-local","$or":[{"path":{"$nmatch":"*"},"name":{"$nmatch":"*.jar"}}]})`,
			want: []string{libs + "org/acme/A.JAR", libs + "org/x1.txt", libs + "org/x22.txt"},
		},
		{
			name: "properties query of the CLI",
			text: `items.find({"$and":[{` + exclusionsCriteria + `},{"$or":[{"@*":{"$match":"*"}}]}]}).include("name","repo","path","actual_md5","actual_sha1","sha256","size","property")`,
			want: []string{libs + "org/acme/a.jar", libs + "org/b.jar", libs + "org/w[1].jar"},
		},
		{
			name: "exclude-props: $ne keeps items without the key",
			text: `items.find({"$and":[{"@a":"1"}],"$or":[{"@b":{"$ne":"x"}}],"path":{"$ne":"."},"$or":[` + orgJarTriples + `]})`,
			want: []string{libs + "org/acme/big-a.jar", libs + "org/b.jar", libs + "org/big/c.jar", libs + "org/w[1].jar"},
		},
		{
			name: "property $ne on a multi-valued key",
			text: `items.find({"repo":"libs-local","@b":{"$ne":"y"},"@a":{"$match":"*"}})`,
			want: []string{libs + "org/acme/big-a.jar", libs + "org/acme/files/a.jar", libs + "org/b.jar", libs + "org/big/c.jar", libs + "org/w[1].jar"},
		},
		{
			name: "property $eq matches any value of a multi-valued key",
			text: `items.find({"repo":"libs-local","@a":"2"})`,
			want: []string{libs + "org/acme/files/a.jar", libs + "org/b.jar"},
		},
		{
			name: "property $nmatch keeps items without a matching value",
			text: `items.find({"repo":"libs-local","@a":{"$nmatch":"2*"}})`,
			want: []string{libs + "root.jar", libs + "org/acme/a.jar", libs + "org/acme/big-a.jar", libs + "org/acme/A.JAR", libs + "org/x1.txt", libs + "org/x22.txt", libs + "org/w[1].jar", libs + "org/big/c.jar"},
		},
		{
			name: "property $gt compares text",
			text: `items.find({"@b":{"$gt":"x"}})`,
			want: []string{libs + "org/acme/a.jar", libs + "org/b.jar"},
		},
		{
			name: "any key with a value",
			text: `items.find({"@*":"y"})`,
			want: []string{libs + "org/acme/a.jar"},
		},
		{
			name: "type defaults to files",
			text: `items.find({"repo":"libs-local","path":"org"})`,
			want: []string{libs + "org/b.jar", libs + "org/w[1].jar", libs + "org/x1.txt", libs + "org/x22.txt"},
		},
		{
			name: "type folder",
			text: `items.find({"repo":"libs-local","path":"org","type":"folder"})`,
			want: []string{libs + "org/acme", libs + "org/big"},
		},
		{
			name: "folder with a property",
			text: `items.find({"type":"folder","@a":"1"})`,
			want: []string{libs + "org"},
		},
		{
			name: "type any: the CLI's --include-dirs query",
			text: `items.find({"type":"any","path":{"$ne":"."},"$or":[{"$and":[{"repo":"libs-local","path":"org","name":{"$match":"*"}}]}]})`,
			want: []string{libs + "org/acme", libs + "org/b.jar", libs + "org/big", libs + "org/w[1].jar", libs + "org/x1.txt", libs + "org/x22.txt"},
		},
		{
			name: "type inside $or decides",
			text: `items.find({"repo":"libs-local","$or":[{"type":"folder","name":"x1.txt"}]})`,
			want: []string{libs + "org", libs + "org/acme", libs + "org/acme/files", libs + "org/big", libs + "org/x1.txt"},
		},
		{
			name: "$match * crosses '/'",
			text: `items.find({"path":{"$ne":"."},"$or":[{"$and":[{"repo":"libs-local","path":"org/acme","name":{"$match":"*.jar"}}]},{"$and":[{"repo":"libs-local","path":{"$match":"org/acme/*"},"name":{"$match":"*.jar"}}]}]})`,
			want: []string{libs + "org/acme/a.jar", libs + "org/acme/big-a.jar", libs + "org/acme/files/a.jar"},
		},
		{
			name: "root files have path '.' and match *",
			text: `items.find({"$or":[{"$and":[{"repo":"libs-local","path":{"$match":"*"},"name":{"$match":"*.jar"}}]}]})`,
			want: []string{libs + "org/acme/a.jar", libs + "org/acme/big-a.jar", libs + "org/acme/files/a.jar", libs + "org/b.jar", libs + "org/big/c.jar", libs + "org/w[1].jar", libs + "root.jar"},
		},
		{
			name: "root files by path equality",
			text: `items.find({"path":"."})`,
			want: []string{libs + "root.jar"},
		},
		{
			name: "? is exactly one character",
			text: `items.find({"name":{"$match":"x?.txt"}})`,
			want: []string{libs + "org/x1.txt"},
		},
		{
			name: "?? is exactly two",
			text: `items.find({"name":{"$match":"x??.txt"}})`,
			want: []string{libs + "org/x22.txt"},
		},
		{
			name: "case-sensitive equality",
			text: `items.find({"repo":"libs-local","name":"a.jar"})`,
			want: []string{libs + "org/acme/a.jar", libs + "org/acme/files/a.jar"},
		},
		{
			name: "case-sensitive match",
			text: `items.find({"name":{"$match":"*.JAR"}})`,
			want: []string{libs + "org/acme/A.JAR"},
		},
		{
			name: "'[' is literal",
			text: `items.find({"name":{"$match":"w[1]*"}})`,
			want: []string{libs + "org/w[1].jar"},
		},
		{
			name: "sort ascending by size then name, with offset",
			text: `items.find({"repo":"libs-local","path":"org"}).sort({"$asc":["size","name"]}).offset(1).limit(2)`,
			want: []string{libs + "org/x22.txt", libs + "org/w[1].jar"}, ordered: true,
		},
		{
			name: "sort descending",
			text: `items.find({"repo":"libs-local","path":"org/acme"}).sort({"$desc":["size","name"]})`,
			want: []string{libs + "org/acme/big-a.jar", libs + "org/acme/a.jar", libs + "org/acme/A.JAR"}, ordered: true,
		},
		{
			name: "date range with offsets",
			text: `items.find({"created":{"$gte":"2026-01-05T00:00:00.000Z"},"$and":[{"created":{"$lt":"2026-01-07T01:00:00.000+01:00"}}]})`,
			want: []string{libs + "org/acme/files/a.jar", libs + "org/b.jar"},
		},
		{
			name: "date equality",
			text: `items.find({"created":"2026-01-11T00:00:00Z"})`,
			want: []string{"libs-big-local:org/d.jar"},
		},
		{
			name: "$last",
			text: `items.find({"created":{"$last":"3d"}})`,
			want: []string{libs + "org/big/c.jar", "libs-big-local:org/d.jar", "other-local:org/acme/a.jar"},
		},
		{
			name: "$before",
			text: `items.find({"created":{"$before":"10d"}})`,
			want: []string{libs + "org/acme/a.jar", libs + "root.jar"},
		},
		{
			name: "size comparisons",
			text: `items.find({"$or":[{"size":{"$gt":4000,"$lte":2}}]})`,
			want: []string{libs + "org/acme/big-a.jar", libs + "org/x1.txt", libs + "org/x22.txt"},
		},
		{
			name: "size equality with a string number",
			text: `items.find({"size":"300"})`,
			want: []string{libs + "org/b.jar"},
		},
		{
			name: "depth",
			text: `items.find({"depth":{"$gte":4}})`,
			want: []string{libs + "org/acme/files/a.jar"},
		},
		{
			name: "$ne on a nullable column keeps NULLs",
			text: `items.find({"type":"any","repo":"libs-big-local","actual_sha1":{"$ne":"x"}})`,
			want: []string{"libs-big-local:org", "libs-big-local:org/d.jar"},
		},
		{
			name: "$nmatch on a nullable column keeps NULLs",
			text: `items.find({"repo":"libs-local","path":"org/acme","created_by":{"$nmatch":"a*"}})`,
			want: []string{libs + "org/acme/A.JAR", libs + "org/acme/big-a.jar"},
		},
		{
			name: "checksum equality",
			text: `items.find({"actual_md5":"sha-org/b.jar","original_sha256":"sha-org/b.jar"})`,
			want: []string{libs + "org/b.jar"},
		},
		{
			name: "empty $or is false",
			text: `items.find({"$or":[]})`,
			want: []string{},
		},
		{
			name: "empty find lists all files",
			text: `items.find().limit(3).sort({"$asc":["created","repo","path","name"]})`,
			want: []string{libs + "root.jar", libs + "org/acme/a.jar", libs + "org/acme/big-a.jar"}, ordered: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := search(t, db, tc.text, now)
			want := tc.want
			if !tc.ordered {
				slices.Sort(got)
				want = slices.Clone(want)
				slices.Sort(want)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("rows mismatch (-want +got):\n%s", d)
			}
		})
	}
}
