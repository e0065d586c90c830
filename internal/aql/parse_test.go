package aql

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
)

func eq(f string, v any) *Cmp       { return &Cmp{Field: f, Op: Eq, Value: v} }
func op(f string, o Op, v any) *Cmp { return &Cmp{Field: f, Op: o, Value: v} }
func triple(repo, path, name any) And {
	return And{eq("repo", repo), pathOrName("path", path), pathOrName("name", name)}
}

// pathOrName turns a *Cmp into itself and a string into an $eq criterion.
func pathOrName(f string, v any) *Cmp {
	if c, ok := v.(*Cmp); ok {
		return c
	}
	return eq(f, v)
}

// The include lists JFrog CLI sends: "…" and the 10 fields of cp/mv/del.
const (
	cliInclude   = `"name","repo","path","actual_md5","actual_sha1","sha256","size","type","modified","created","property"`
	cliInclude10 = `"name","repo","path","actual_md5","actual_sha1","sha256","size","type","modified","created"`
	// exclusionsCriteria is the object of the --exclusions query, reused by the properties query.
	exclusionsCriteria = `"$and":[{"@a":"1"}],"path":{"$ne":"."},"$or":[{"path":{"$nmatch":"*"},"name":{"$nmatch":"*big*"}}],"$or":[{"path":{"$nmatch":"*big*"},"name":{"$nmatch":"*"}}],"$or":[{"repo":{"$nmatch":"*big*"},"path":{"$nmatch":"*"},"name":{"$nmatch":"*"}}],"$or":[{"$and":[{"repo":"libs-local","path":"org","name":{"$match":"*.jar"}}]},{"$and":[{"repo":"libs-local","path":{"$match":"org/*"},"name":{"$match":"*.jar"}}]}]`
	orgJarTriples      = `{"$and":[{"repo":"libs-local","path":"org","name":{"$match":"*.jar"}}]},{"$and":[{"repo":"libs-local","path":{"$match":"org/*"},"name":{"$match":"*.jar"}}]}`
)

var (
	includeList   = []string{"name", "repo", "path", "actual_md5", "actual_sha1", "sha256", "size", "type", "modified", "created", "property"}
	includeList10 = includeList[:10]
	orgJarTree    = Or{
		triple("libs-local", "org", op("name", Match, "*.jar")),
		triple("libs-local", op("path", Match, "org/*"), op("name", Match, "*.jar")),
	}
	exclusionsTree = And{
		And{eq("@a", "1")},
		op("path", Ne, "."),
		Or{op("path", NMatch, "*"), op("name", NMatch, "*big*")},
		Or{op("path", NMatch, "*big*"), op("name", NMatch, "*")},
		Or{op("repo", NMatch, "*big*"), op("path", NMatch, "*"), op("name", NMatch, "*")},
		orgJarTree,
	}
)

// cliQueries are the queries JFrog CLI sends, verbatim except that "…" and
// "<criteria above>" are spelled out.
var cliQueries = []struct {
	name string
	text string
	want *Query
}{
	{
		name: "search wildcard",
		text: `items.find({"path":{"$ne":"."},"$or":[{"$and":[{"repo":"libs-local","path":"org/acme","name":{"$match":"*.jar"}}]},{"$and":[{"repo":"libs-local","path":{"$match":"org/acme/*"},"name":{"$match":"*.jar"}}]}]}).include(` + cliInclude + `)`,
		want: &Query{
			Criteria: And{op("path", Ne, "."), Or{
				triple("libs-local", "org/acme", op("name", Match, "*.jar")),
				triple("libs-local", op("path", Match, "org/acme/*"), op("name", Match, "*.jar")),
			}},
			Include: includeList, Limit: -1, Type: "file",
		},
	},
	{
		name: "flat equality",
		text: `items.find({"path":{"$ne":"."},"$or":[{"$and":[{"repo":"libs-local","path":"org/acme/files","name":"a.jar"}]}]}).include(` + cliInclude + `)`,
		want: &Query{
			Criteria: And{op("path", Ne, "."), Or{triple("libs-local", "org/acme/files", "a.jar")}},
			Include:  includeList, Limit: -1, Type: "file",
		},
	},
	{
		name: "repo star",
		text: `items.find({"$or":[{"$and":[{"repo":"libs-local","path":{"$match":"*"},"name":{"$match":"*"}}]}]}).include(` + cliInclude + `)`,
		want: &Query{
			Criteria: And{Or{triple("libs-local", op("path", Match, "*"), op("name", Match, "*"))}},
			Include:  includeList, Limit: -1, Type: "file",
		},
	},
	{
		name: "include dirs",
		text: `items.find({"type":"any","path":{"$ne":"."},"$or":[{"$and":[{"repo":"libs-local","path":"org","name":{"$match":"*"}}]}]}).include(` + cliInclude + `)`,
		want: &Query{
			Criteria: And{eq("type", "any"), op("path", Ne, "."), Or{triple("libs-local", "org", op("name", Match, "*"))}},
			Include:  includeList, Limit: -1, Type: "any",
		},
	},
	{
		name: "exclusions sort limit",
		text: `items.find({` + exclusionsCriteria + `}).include("name","repo","path","actual_md5","actual_sha1","sha256","size","type","modified","created").sort({"$desc":["created"]}).limit(2)`,
		want: &Query{
			Criteria: exclusionsTree, Include: includeList10,
			Sort: &Sort{Desc: true, Fields: []string{"created"}}, Limit: 2, Type: "file",
		},
	},
	{
		name: "properties query",
		text: `items.find({"$and":[{` + exclusionsCriteria + `},{"$or":[{"@*":{"$match":"*"}}]}]}).include("name","repo","path","actual_md5","actual_sha1","sha256","size","property")`,
		want: &Query{
			Criteria: And{append(append(And{}, exclusionsTree...), Or{op("@*", Match, "*")})},
			Include:  []string{"name", "repo", "path", "actual_md5", "actual_sha1", "sha256", "size", "property"},
			Limit:    -1, Type: "file",
		},
	},
	{
		name: "exclude props",
		text: `items.find({"$and":[{"@a":"1"}],"$or":[{"@b":{"$ne":"x"}}],"path":{"$ne":"."},"$or":[` + orgJarTriples + `]}).include(` + cliInclude + `)`,
		want: &Query{
			Criteria: And{And{eq("@a", "1")}, Or{op("@b", Ne, "x")}, op("path", Ne, "."), orgJarTree},
			Include:  includeList, Limit: -1, Type: "file",
		},
	},
	{
		name: "copy move delete",
		text: `items.find({"type":"any","path":{"$ne":"."},"$or":[{"$and":[{"repo":"libs-local","path":"copy","name":{"$match":"*"}}]},{"$and":[{"repo":"libs-local","path":{"$match":"copy/*"},"name":{"$match":"*"}}]}]}).include(` + cliInclude10 + `)`,
		want: &Query{
			Criteria: And{eq("type", "any"), op("path", Ne, "."), Or{
				triple("libs-local", "copy", op("name", Match, "*")),
				triple("libs-local", op("path", Match, "copy/*"), op("name", Match, "*")),
			}},
			Include: includeList10, Limit: -1, Type: "any",
		},
	},
	{
		name: "transitive",
		text: `items.find({"path":{"$ne":"."},"$or":[{"$and":[{"repo":"libs-local","path":"org/acme/files","name":"a.jar"}]}]}).include(` + cliInclude + `).transitive()`,
		want: &Query{
			Criteria: And{op("path", Ne, "."), Or{triple("libs-local", "org/acme/files", "a.jar")}},
			Include:  includeList, Limit: -1, Type: "file", Transitive: true,
		},
	},
}

func TestParseCLIQueries(t *testing.T) {
	for _, tc := range cliQueries {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.text)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("Parse mismatch (-want +got):\n%s\ngot criteria: %s", d, String(got.Criteria))
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		text string
		want *Query
	}{
		{"empty find", `items.find()`, &Query{Criteria: And{}, Limit: -1, Type: "file"}},
		{"empty object", `items.find({})`, &Query{Criteria: And{}, Limit: -1, Type: "file"}},
		{
			name: "whitespace and newlines, modifiers in any order",
			text: " \n items . find (\n {\n \"repo\" : \"r\" }\n) \n.limit( 5 )\n.offset(3)\t.sort( { \"$asc\" : [ \"name\" , \"path\" ] } ).distinct(true)\n.transitive( )\n.include( \"repo\" ,\"@a\",\"stat.downloads\" ) \n",
			want: &Query{
				Criteria: And{eq("repo", "r")}, Limit: 5, Offset: 3, Transitive: true, Type: "file",
				Sort:    &Sort{Fields: []string{"name", "path"}},
				Include: []string{"repo", "@a", "stat.downloads"},
			},
		},
		{
			name: "duplicate keys in one $or member",
			text: `items.find({"$or":[{"repo":"a","repo":"b"}]})`,
			want: &Query{Criteria: And{Or{eq("repo", "a"), eq("repo", "b")}}, Limit: -1, Type: "file"},
		},
		{
			name: "duplicate top-level keys",
			text: `items.find({"name":"a","name":"b","$or":[{"repo":"x"}],"$or":[{"repo":"y"}]})`,
			want: &Query{Criteria: And{eq("name", "a"), eq("name", "b"), Or{eq("repo", "x")}, Or{eq("repo", "y")}}, Limit: -1, Type: "file"},
		},
		{
			name: "operator object distributes over the enclosing $or",
			text: `items.find({"$or":[{"size":{"$lt":2,"$gt":4000}},{"$and":[{"size":{"$gte":1,"$lte":9}}]}]})`,
			want: &Query{Criteria: And{Or{
				op("size", Lt, 2.0), op("size", Gt, 4000.0),
				And{op("size", Gte, 1.0), op("size", Lte, 9.0)},
			}}, Limit: -1, Type: "file"},
		},
		{
			name: "type folder at the top level",
			text: `items.find({"type":"folder","repo":"r"})`,
			want: &Query{Criteria: And{eq("type", "folder"), eq("repo", "r")}, Limit: -1, Type: "folder"},
		},
		{
			name: "type inside $or lets the criteria decide",
			text: `items.find({"$or":[{"type":"folder"},{"name":"x"}]})`,
			want: &Query{Criteria: And{Or{eq("type", "folder"), eq("name", "x")}}, Limit: -1, Type: "any"},
		},
		{
			name: "all operators and field kinds",
			text: `items.find({"created":{"$gt":"2026-11-21T05:00:00.000Z","$last":"3d","$before":"5minutes"},"modified":{"$lte":"2026-11-21T05:00:00.000+02:00"},"depth":2,"@*":{"$match":"*"},"@k":{"$nmatch":"v*"},"actual_sha1":{"$ne":"abc"},"original_sha256":"x","updated":{"$eq":1700000000000},"type":{"$match":"f*"}})`,
			want: &Query{Criteria: And{
				op("created", Gt, "2026-11-21T05:00:00.000Z"), op("created", Last, "3d"), op("created", Before, "5minutes"),
				op("modified", Lte, "2026-11-21T05:00:00.000+02:00"), eq("depth", 2.0), op("@*", Match, "*"),
				op("@k", NMatch, "v*"), op("actual_sha1", Ne, "abc"), eq("original_sha256", "x"),
				eq("updated", 1700000000000.0), op("type", Match, "f*"),
			}, Limit: -1, Type: "any"},
		},
		{
			name: "scalar kinds kept as given",
			text: `items.find({"@n":1.5,"@b":true,"name":"é\u00e9"})`,
			want: &Query{Criteria: And{eq("@n", 1.5), eq("@b", true), eq("name", "éé")}, Limit: -1, Type: "file"},
		},
		{
			name: "limit zero and sort desc",
			text: `items.find().sort({"$desc":["type","size"]}).limit(0)`,
			want: &Query{Criteria: And{}, Limit: 0, Type: "file", Sort: &Sort{Desc: true, Fields: []string{"type", "size"}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.text)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("Parse mismatch (-want +got):\n%s\ngot criteria: %s", d, String(got.Criteria))
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string // substrings of the message
	}{
		{"empty", ``, []string{"offset 0", "expected items.find"}},
		{"builds domain", `builds.find({"name":"x"})`, []string{`domain "builds" is not supported`}},
		{"entries domain", ` entries.find()`, []string{`domain "entries" is not supported`}},
		{"not find", `items.search({})`, []string{"offset 6", "expected find"}},
		{"no paren", `items.find`, []string{"offset 10", "expected '('", "end of query"}},
		{"unclosed find", `items.find({"repo":"a"}`, []string{"offset 23", "expected ')'"}},
		{"truncated json", `items.find({"repo":`, []string{"unexpected end"}},
		{"bad json", `items.find({"repo" "a"})`, []string{"offset 19", "invalid JSON"}},
		{"array top", `items.find([])`, []string{"offset 12", "expected a JSON object"}},
		{"unknown field", `items.find({"repo":"a","colour":"red"})`, []string{"offset 31", `unknown field "colour"`}},
		{"archive entries rejected", `items.find({"repo":"libs-local","path":"org","name":{"$match":"*.jar"},"archive.entry.path":{"$match":"*"},"archive.entry.name":{"$match":"*.class"}})`, []string{`unknown field "archive.entry.path"`}},
		{"unknown operator", `items.find({"name":{"$like":"a"}})`, []string{`unknown operator "$like"`}},
		{"unknown compound", `items.find({"$not":[{"name":"a"}]})`, []string{`operator "$not" is not supported`}},
		{"or not array", `items.find({"$or":{"name":"a"}})`, []string{`an array of objects after "$or"`}},
		{"or member not object", `items.find({"$or":["a"]})`, []string{`an object in the "$or" array`}},
		{"null value", `items.find({"name":null})`, []string{`value of "name" must be`, "null"}},
		{"array value", `items.find({"name":["a"]})`, []string{`value of "name" must be`}},
		{"nested op object", `items.find({"name":{"$eq":{"$eq":"a"}}})`, []string{`value of "name" must be`}},
		{"no operator", `items.find({"name":{}})`, []string{`no operator given for field "name"`}},
		{"bad type", `items.find({"type":"dir"})`, []string{`type must be file, folder or any`}},
		{"match on size", `items.find({"size":{"$match":"1*"}})`, []string{`operator "$match" does not apply to field "size"`}},
		{"size not number", `items.find({"size":"big"})`, []string{`not a number`}},
		{"bad date", `items.find({"created":{"$gt":"yesterday"}})`, []string{`not an ISO-8601 time`}},
		{"bad period", `items.find({"created":{"$last":"3 fortnights"}})`, []string{`not a relative period`}},
		{"last on name", `items.find({"name":{"$last":"3d"}})`, []string{`operator "$last" does not apply to field "name"`}},
		{"last on property", `items.find({"@a":{"$last":"3d"}})`, []string{`operator "$last" does not apply to field "@a"`}},
		{"empty property key", `items.find({"@":"x"})`, []string{`has no key`}},
		{"trailing garbage", `items.find() x`, []string{"offset 13", "expected '.'"}},
		{"unknown modifier", `items.find().explode()`, []string{"offset 13", `modifier "explode" is not supported`}},
		{"modifier twice", `items.find().limit(1).limit(2)`, []string{"offset 22", `modifier "limit" given twice`}},
		{"negative limit", `items.find().limit(-1)`, []string{"offset 19", "non-negative integer"}},
		{"huge offset", `items.find().offset(99999999999999999999999)`, []string{"non-negative integer"}},
		{"bad include", `items.find().include("repo","colour")`, []string{`unknown include field "colour"`}},
		{"unquoted include", `items.find().include(repo)`, []string{"quoted field name"}},
		{"empty include", `items.find().include()`, []string{"quoted field name"}},
		{"bad sort dir", `items.find().sort({"$up":["name"]})`, []string{`"$asc" or "$desc"`}},
		{"bad sort field", `items.find().sort({"$asc":["@a"]})`, []string{`cannot sort by "@a"`}},
		{"empty sort", `items.find().sort({"$asc":[]})`, []string{"at least one field"}},
		{"two sort dirs", `items.find().sort({"$asc":["name"],"$desc":["size"]})`, []string{"one direction"}},
		{"bad distinct", `items.find().distinct(maybe)`, []string{"true or false"}},
		{"too deep", `items.find(` + strings.Repeat(`{"$or":[`, 70) + `{}` + strings.Repeat(`]}`, 70) + `)`, []string{"nested deeper"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(tc.text)
			if err == nil {
				t.Fatalf("Parse succeeded: %s", String(q.Criteria))
			}
			if !errors.Is(err, arca.ErrInvalid) {
				t.Errorf("error %v is not arca.ErrInvalid", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}
