package restapi

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"arca"
	"arca/internal/aql"
	"arca/internal/meta"
	"arca/internal/repo"
)

// itemFields are the AQL item fields in the order rows print them, with their values.
var itemFields = []struct {
	name  string
	value func(arca.Item) any
}{
	{"repo", func(i arca.Item) any { return i.Repo }},
	{"path", func(i arca.Item) any { return i.Dir() }},
	{"name", func(i arca.Item) any { return i.Name() }},
	{"type", func(i arca.Item) any { return map[bool]string{false: "file", true: "folder"}[i.Folder] }},
	{"size", func(i arca.Item) any { return i.Size }},
	{"created", func(i arca.Item) any { return isoTime(i.Created) }},
	{"created_by", func(i arca.Item) any { return i.CreatedBy }},
	{"modified", func(i arca.Item) any { return isoTime(i.Modified) }},
	{"modified_by", func(i arca.Item) any { return i.ModifiedBy }},
	{"updated", func(i arca.Item) any { return isoTime(i.Updated) }},
	{"depth", func(i arca.Item) any { return strings.Count(i.Path, "/") + 1 }},
	{"actual_md5", func(i arca.Item) any { return i.Checksums.MD5 }},
	{"actual_sha1", func(i arca.Item) any { return i.Checksums.SHA1 }},
	{"original_md5", func(i arca.Item) any { return i.Original.MD5 }},
	{"original_sha1", func(i arca.Item) any { return i.Original.SHA1 }},
	{"sha256", func(i arca.Item) any { return i.Checksums.SHA256 }},
}

var defaultInclude = []string{"repo", "path", "name", "type", "size", "created", "created_by", "modified", "modified_by", "updated"}

// rowShape is what an include list asks of each row.
type rowShape struct {
	fields    map[string]bool
	props     bool
	propKeys  map[string]bool // nil: all keys
	stats     bool
	hasFields bool
}

func shapeOf(include []string) rowShape {
	s := rowShape{fields: map[string]bool{}}
	if include == nil {
		include = defaultInclude
	}
	for _, f := range include {
		switch {
		case f == "*":
			for _, it := range itemFields {
				s.fields[it.name] = true
			}
		case f == "property" || f == "property.*" || f == "@*":
			s.props, s.propKeys = true, nil
		case strings.HasPrefix(f, "property."):
			s.props = true
			if s.propKeys == nil {
				s.propKeys = map[string]bool{}
			}
			s.propKeys[strings.TrimPrefix(f, "property.")] = true
		case f == "stat" || strings.HasPrefix(f, "stat."):
			s.stats = true
		default:
			s.fields[f] = true
		}
	}
	if len(s.fields) == 0 {
		// Only properties or stats asked for: Artifactory still identifies the item.
		for _, f := range []string{"repo", "path", "name"} {
			s.fields[f] = true
		}
	}
	return s
}

// kv is one member of an ordered JSON object.
type kv struct {
	k string
	v any
}

// object is a JSON object that keeps its members' order.
type object []kv

// MarshalJSON implements json.Marshaler.
func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.k)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(m.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func (s rowShape) render(row meta.Row) object {
	o := object{}
	for _, f := range itemFields {
		if s.fields[f.name] {
			o = append(o, kv{f.name, f.value(row.Item)})
		}
	}
	if s.props {
		props := []object{}
		for _, k := range row.Props.Keys() {
			if s.propKeys != nil && !s.propKeys[k] {
				continue
			}
			for _, v := range row.Props[k] {
				props = append(props, object{{"key", k}, {"value", v}})
			}
		}
		o = append(o, kv{"properties", props})
	}
	if s.stats && row.Stats != nil {
		st := row.Stats
		stat := object{{"downloaded", isoTime(st.LastDownloaded)}, {"downloaded_by", st.LastDownloadedBy},
			{"downloads", st.DownloadCount}, {"remote_downloads", st.RemoteDownloadCount}}
		o = append(o, kv{"stats", []object{stat}})
	}
	return o
}

// page applies an AQL offset and limit (-1: none) to rows already filtered.
func page(rows []object, offset, limit int) []object {
	if offset >= len(rows) {
		return rows[:0]
	}
	rows = rows[offset:]
	if limit >= 0 && limit < len(rows) {
		rows = rows[:limit]
	}
	return rows
}

// readKey is the repository whose read permission governs an item stored under key: a remote's
// cache is governed by the remote.
func readKey(key string) string {
	if k, ok := strings.CutSuffix(key, repo.CacheSuffix); ok {
		return k
	}
	return key
}

// AQL handles POST /api/search/aql: the AQL text body, answered with Artifactory's envelope.
// Rows of repositories the caller may not read are left out.
func (a *API) AQL(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, 1<<20))
	if err != nil {
		return arca.Errorf(arca.ErrInvalid, "reading the query: %v", err)
	}
	q, err := aql.Parse(string(body))
	if err != nil {
		return err
	}
	if PrincipalFrom(r.Context()).Anonymous && !a.canRead(r, "", "") {
		return arca.Errorf(arca.ErrUnauthorized, "authentication is required")
	}
	shape := shapeOf(q.Include)
	scope := a.expandVirtuals(r.Context(), q)
	offset, limit := q.Offset, q.Limit
	if scope != nil {
		// Rows a virtual hides are dropped after the query, so paging must come after that.
		q.Offset, q.Limit = 0, -1
	}
	rows, err := a.Meta.Search(r.Context(), q, shape.props, shape.stats)
	if err != nil {
		return err
	}
	results := make([]object, 0, len(rows))
	for _, row := range rows {
		if !a.canRead(r, readKey(row.Item.Repo), row.Item.Path) {
			continue
		}
		o := shape.render(row)
		if scope != nil {
			virtuals, keep := scope.virtualsOf(row)
			if !keep {
				continue
			}
			if virtuals == nil {
				virtuals = []string{}
			}
			o = append(o, kv{"virtual_repos", virtuals})
		}
		results = append(results, o)
	}
	if scope != nil {
		results = page(results, offset, limit)
	}
	rng := object{{"start_pos", offset}, {"end_pos", offset + len(results)}, {"total", len(results)}}
	if limit >= 0 {
		rng = append(rng, kv{"limit", limit})
	}
	return writeJSON(w, http.StatusOK, object{{"results", results}, {"range", rng}})
}
