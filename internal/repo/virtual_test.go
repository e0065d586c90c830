package repo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"arca"
	"arca/internal/blob"
	"arca/internal/blob/fsblob"
	"arca/internal/format"
	"arca/internal/format/generic"
	"arca/internal/format/maven"
	"arca/internal/meta"
	"arca/internal/meta/itemcache"
	"arca/internal/meta/sqlstore"
	"arca/internal/repoconfig"
)

// lineFormat is a test format: "*.index" paths are metadata merged as the sorted union of their
// lines (the first member's line wins for a key before "="), paths under "snap/" are snapshots,
// under "rel/" releases.
type lineFormat struct{}

func (lineFormat) Name() string { return "npm" } // registered for npm in these tests

func (lineFormat) Classify(p string) format.Path {
	pkg, _, _ := strings.Cut(p, "/")
	fp := format.Path{Package: pkg, PackagePath: pkg, Snapshot: strings.HasPrefix(p, "snap/"), Release: strings.HasPrefix(p, "rel/")}
	if strings.HasSuffix(p, ".index") {
		fp.Kind = format.Metadata
	}
	return fp
}

func (lineFormat) Merge(_ string, docs [][]byte) ([]byte, string, error) {
	seen := map[string]string{}
	for _, d := range docs {
		for _, line := range strings.Fields(string(d)) {
			k, _, _ := strings.Cut(line, "=")
			if _, ok := seen[k]; !ok {
				seen[k] = line
			}
		}
	}
	var lines []string
	for _, l := range seen {
		lines = append(lines, l)
	}
	sort.Strings(lines)
	return []byte(strings.Join(lines, "\n")), "text/plain", nil
}

// countingStore counts the lookups that reach the database.
type countingStore struct {
	meta.Store
	findN, getN atomic.Int64
}

func (c *countingStore) FindItems(ctx context.Context, repos []string, p string) ([]arca.Item, error) {
	c.findN.Add(1)
	return c.Store.FindItems(ctx, repos, p)
}

func (c *countingStore) GetItem(ctx context.Context, repo, p string) (arca.Item, error) {
	c.getN.Add(1)
	return c.Store.GetItem(ctx, repo, p)
}

func (c *countingStore) finds() int64 { return c.findN.Load() }
func (c *countingStore) gets() int64  { return c.getN.Load() }

type fixture struct {
	t     *testing.T
	reg   *Registry
	db    *countingStore
	ctx   context.Context
	clock time.Time
}

// openStores opens a fresh SQLite metadata store and blob directory, closed when tb ends.
func openStores(tb testing.TB) (*sqlstore.Store, blob.Store) {
	tb.Helper()
	db, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(tb.TempDir(), "meta.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	blobs, err := fsblob.New(filepath.Join(tb.TempDir(), "blobs"))
	if err != nil {
		tb.Fatal(err)
	}
	return db, blobs
}

// newFixture builds a registry over SQLite and a blob directory; opt, when given, configures it.
func newFixture(t *testing.T, opt ...Options) *fixture {
	t.Helper()
	var o Options
	if len(opt) > 0 {
		o = opt[0]
	}
	ctx := context.Background()
	db, blobs := openStores(t)
	counting := &countingStore{Store: db}
	store := itemcache.New(counting, 10000, time.Hour)
	f := &fixture{t: t, db: counting, ctx: ctx, clock: time.Unix(1_700_000_000, 0)}
	formats := format.NewRegistry(generic.Format{}, append([]format.Format{lineFormat{}}, maven.Formats()...)...)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	var err error
	f.reg, err = NewRegistry(ctx, store, blobs, formats, func() time.Time { return f.clock }, log, o)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) create(key, body string) {
	f.t.Helper()
	cfg, err := repoconfig.Parse(key, []byte(body))
	if err != nil {
		f.t.Fatalf("config %s: %v", key, err)
	}
	if err := f.reg.Create(f.ctx, cfg); err != nil {
		f.t.Fatalf("create %s: %v", key, err)
	}
}

func (f *fixture) update(key, patch string) {
	f.t.Helper()
	rep, err := f.reg.Get(key)
	if err != nil {
		f.t.Fatal(err)
	}
	cfg, err := rep.Config().Update([]byte(patch))
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.reg.Update(f.ctx, cfg); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) local(key, pkgType string, extra ...string) {
	f.create(key, `{"rclass":"local","packageType":"`+pkgType+`"`+strings.Join(extra, "")+`}`)
}

func (f *fixture) remote(key, pkgType string, extra ...string) {
	f.create(key, `{"rclass":"remote","packageType":"`+pkgType+`","url":"http://127.0.0.1:1/`+key+`"`+strings.Join(extra, "")+`}`)
}

func (f *fixture) virtual(key, pkgType string, members []string, extra ...string) {
	q := make([]string, len(members))
	for i, m := range members {
		q[i] = `"` + m + `"`
	}
	f.create(key, `{"rclass":"virtual","packageType":"`+pkgType+`","repositories":[`+strings.Join(q, ",")+`]`+strings.Join(extra, "")+`}`)
}

// put stores content in a repository, or in a remote's cache when key ends in "-cache".
func (f *fixture) put(key, p, content string) {
	f.t.Helper()
	rep, err := f.reg.Get(strings.TrimSuffix(key, CacheSuffix))
	if err != nil {
		f.t.Fatal(err)
	}
	if rem, ok := rep.(*Remote); ok {
		rep = rem.Cache()
	}
	if _, err := rep.Put(f.ctx, p, strings.NewReader(content), PutOptions{By: "test"}); err != nil {
		f.t.Fatalf("put %s/%s: %v", key, p, err)
	}
}

// read resolves p through repository key and returns the content and the storage key it came from.
func (f *fixture) read(ctx context.Context, key, p string) (content, from string, err error) {
	rep, err := f.reg.Get(key)
	if err != nil {
		return "", "", err
	}
	it, file, err := rep.Open(ctx, p)
	if err != nil {
		return "", "", err
	}
	if file == nil {
		return "", it.Repo, nil
	}
	defer file.Close()
	b, err := io.ReadAll(file)
	return string(b), it.Repo, err
}

func (f *fixture) mustRead(key, p, wantContent, wantFrom string) {
	f.t.Helper()
	got, from, err := f.read(f.ctx, key, p)
	if err != nil || got != wantContent || from != wantFrom {
		f.t.Errorf("%s/%s = %q from %q, %v; want %q from %q", key, p, got, from, err, wantContent, wantFrom)
	}
}

// list lists dir of repository key and returns its files as "storage:path", space-separated.
func (f *fixture) list(key, dir string, deep bool) string {
	f.t.Helper()
	rep, err := f.reg.Get(key)
	if err != nil {
		f.t.Fatal(err)
	}
	items, err := rep.List(f.ctx, dir, deep)
	if err != nil {
		f.t.Fatalf("list %s/%s: %v", key, dir, err)
	}
	var out []string
	for _, it := range items {
		if !it.Folder {
			out = append(out, it.Repo+":"+it.Path)
		}
	}
	return strings.Join(out, " ")
}

func (f *fixture) mustMiss(ctx context.Context, key, p string) {
	f.t.Helper()
	if got, from, err := f.read(ctx, key, p); !errors.Is(err, arca.ErrNotFound) {
		f.t.Errorf("%s/%s = %q from %q, %v; want not found", key, p, got, from, err)
	}
}

func TestVirtualServesFirstMemberInEffectiveOrder(t *testing.T) {
	f := newFixture(t)
	f.local("l1", "generic")
	f.local("l2", "generic")
	f.remote("r1", "generic")
	f.virtual("nested", "generic", []string{"r1", "l2"})
	// Declared: the remote first, then the nested virtual, then l1. Effective: l2, l1 (locals in
	// flattened order), then r1-cache, then r1.
	f.virtual("v", "generic", []string{"r1", "nested", "l1"})
	f.put("r1-cache", "a/x.txt", "from cache")
	f.put("l1", "a/x.txt", "from l1")
	f.put("l2", "a/x.txt", "from l2")
	f.put("r1-cache", "b/only-cached.txt", "cached")
	f.put("l1", "c/only-l1.txt", "l1")

	f.mustRead("v", "a/x.txt", "from l2", "l2")
	f.mustRead("v", "c/only-l1.txt", "l1", "l1")
	f.mustRead("v", "b/only-cached.txt", "cached", "r1-cache")
	f.mustMiss(f.ctx, "v", "nope.txt")
	// A folder present in any member is a folder of the virtual.
	if _, from, err := f.read(f.ctx, "v", "a"); err != nil || from != "v" {
		t.Errorf("folder a: from %q, %v", from, err)
	}
}

func TestVirtualPatternsAtEveryLevel(t *testing.T) {
	f := newFixture(t)
	// The product definition's example, on a member.
	f.local("acme", "generic", `,"includesPattern":"org/apache/**,com/acme/**","excludesPattern":"com/acme/exp-project/**"`)
	f.local("other", "generic")
	f.virtual("inner", "generic", []string{"other"}, `,"excludesPattern":"secret/**"`)
	f.virtual("v", "generic", []string{"acme", "inner"}, `,"excludesPattern":"blocked/**"`)
	for _, p := range []string{"org/apache/maven/parent/1/1.pom", "com/acme/project-x/core/1.0/nit-1.0.jar"} {
		f.put("acme", p, "acme")
		f.mustRead("v", p, "acme", "acme")
	}
	f.put("other", "com/acme/exp-project/core/1.1/san-1.1.jar", "other")
	// acme may not hold it, so it resolves to the next member.
	f.mustRead("v", "com/acme/exp-project/core/1.1/san-1.1.jar", "other", "other")
	f.put("other", "secret/key.txt", "s")
	f.mustMiss(f.ctx, "v", "secret/key.txt") // hidden by the nested virtual
	f.put("other", "blocked/b.txt", "b")
	f.mustMiss(f.ctx, "v", "blocked/b.txt") // hidden by the virtual itself
	f.mustRead("inner", "blocked/b.txt", "b", "other")
}

func TestVirtualOneQueryAcrossMembers(t *testing.T) {
	f := newFixture(t)
	var members []string
	for i := 0; i < 100; i++ {
		k := "l" + string(rune('a'+i/26)) + string(rune('a'+i%26))
		f.local(k, "generic")
		members = append(members, k)
	}
	f.virtual("v", "generic", members)
	f.put(members[99], "deep/last.txt", "last")
	finds, gets := f.db.finds(), f.db.gets()
	f.mustRead("v", "deep/last.txt", "last", members[99])
	if d := f.db.finds() - finds; d != 1 {
		t.Errorf("resolving through 100 members cost %d FindItems queries, want 1", d)
	}
	if d := f.db.gets() - gets; d != 0 {
		t.Errorf("resolving through 100 members cost %d GetItem queries, want 0", d)
	}
	finds = f.db.finds()
	f.mustRead("v", "deep/last.txt", "last", members[99])
	if d := f.db.finds() - finds; d != 0 {
		t.Errorf("a repeated resolution reached the database %d times, want 0 (cached)", d)
	}
	f.put(members[0], "deep/last.txt", "first")
	f.mustRead("v", "deep/last.txt", "first", members[0]) // the cache saw the change
}

func TestPriorityResolution(t *testing.T) {
	f := newFixture(t)
	f.local("l", "generic")
	f.remote("p", "generic", `,"priorityResolution":true`)
	f.virtual("v", "generic", []string{"l", "p"}, `,"dependencyConfusionGuard":false`)
	f.put("l", "x/a.txt", "local")
	f.put("p-cache", "x/a.txt", "priority")
	f.mustRead("v", "x/a.txt", "priority", "p-cache")
	res := f.reg.resolution("v")
	var order []string
	for _, m := range res.Members {
		order = append(order, m.Config.Key()+":"+string(m.Class))
	}
	if got := strings.Join(order, " "); got != "p:remote-cache p:remote l:local" {
		t.Errorf("order = %s", got)
	}
}

// fakeCaller is a repo.Caller with a fixed set of unreadable repositories.
type fakeCaller struct {
	hidden   map[string]bool
	instance bool
}

func (c fakeCaller) CanRead(_ context.Context, repo, _ string) bool { return !c.hidden[repo] }
func (c fakeCaller) FromInstance() bool                             { return c.instance }

func TestUnreadableMembersAndInstanceRequests(t *testing.T) {
	f := newFixture(t)
	f.local("secret", "generic")
	f.local("public", "generic")
	f.remote("r", "generic")
	f.virtual("v", "generic", []string{"secret", "public", "r"})
	f.put("secret", "a.txt", "secret")
	f.put("public", "a.txt", "public")
	ctx := WithCaller(f.ctx, fakeCaller{hidden: map[string]bool{"secret": true}})
	if got, from, err := f.read(ctx, "v", "a.txt"); err != nil || got != "public" || from != "public" {
		t.Errorf("with secret unreadable: %q from %q, %v", got, from, err)
	}
	f.put("secret", "only-secret.txt", "s")
	f.mustMiss(ctx, "v", "only-secret.txt") // skipped silently: a plain not-found
	v, _ := f.reg.Get("v")
	classes := func(ctx context.Context) string {
		var out []string
		for _, c := range v.(*Virtual).candidates(ctx, "a.txt", format.Path{}) {
			out = append(out, string(c.Class))
		}
		return strings.Join(out, " ")
	}
	if got := classes(WithCaller(f.ctx, fakeCaller{instance: true})); got != "local local remote-cache" {
		t.Errorf("another instance's request: members %s, want the remote skipped and its cache kept", got)
	}
	if got := classes(f.ctx); got != "local local remote-cache remote" {
		t.Errorf("a client's request: members %s", got)
	}
}

func TestVirtualDeploysToDefaultRepository(t *testing.T) {
	f := newFixture(t)
	f.local("target", "generic")
	f.virtual("v", "generic", []string{"target"}, `,"defaultDeploymentRepo":"target"`)
	f.virtual("nodeploy", "generic", []string{"target"})
	v, _ := f.reg.Get("v")
	if _, err := v.Put(f.ctx, "d/x.txt", strings.NewReader("x"), PutOptions{}); err != nil {
		t.Fatal(err)
	}
	f.mustRead("target", "d/x.txt", "x", "target")
	nd, _ := f.reg.Get("nodeploy")
	if _, err := nd.Put(f.ctx, "d/y.txt", strings.NewReader("y"), PutOptions{}); !errors.Is(err, arca.ErrNotAllowed) ||
		!strings.Contains(err.Error(), "defaultDeploymentRepo") {
		t.Errorf("deploy without a default repository: %v", err)
	}
	if err := v.Delete(f.ctx, "d/x.txt"); err != nil {
		t.Fatal(err)
	}
	f.mustMiss(f.ctx, "target", "d/x.txt")
}

func TestVirtualListsTheUnionOfMembers(t *testing.T) {
	f := newFixture(t)
	f.local("a", "generic")
	f.local("b", "generic")
	f.virtual("v", "generic", []string{"a", "b"})
	f.put("a", "dir/one.txt", "1")
	f.put("b", "dir/one.txt", "1b")
	f.put("b", "dir/two.txt", "2")
	f.put("b", "dir/hidden.txt", "h")
	f.update("b", `{"excludesPattern":"dir/hidden.txt"}`)
	if got := f.list("v", "dir", false); got != "a:dir/one.txt b:dir/two.txt" {
		t.Errorf("list = %v", got)
	}
}

func TestVirtualMergesMetadata(t *testing.T) {
	f := newFixture(t)
	f.local("l1", "npm")
	f.local("l2", "npm")
	f.virtual("v", "npm", []string{"l1", "l2"})
	f.put("l1", "pkg/pkg.index", "a=1 b=1")
	f.put("l2", "pkg/pkg.index", "b=2 c=2")
	f.mustRead("v", "pkg/pkg.index", "a=1\nb=1\nc=2", "v")
	finds, gets := f.db.finds(), f.db.gets()
	f.mustRead("v", "pkg/pkg.index", "a=1\nb=1\nc=2", "v")
	if f.db.finds() != finds || f.db.gets() != gets {
		t.Errorf("the merged document was not cached: %d finds, %d gets", f.db.finds()-finds, f.db.gets()-gets)
	}
	f.put("l2", "pkg/pkg.index", "d=2")
	f.mustRead("v", "pkg/pkg.index", "a=1\nb=1\nd=2", "v") // invalidated by the member's change
}

// mergedAt returns when the document at p of virtual key was merged: the item's creation time,
// which a cached document keeps. The fixture's clock moves a second first, so a new merge shows.
func (f *fixture) mergedAt(key, p string) time.Time {
	f.t.Helper()
	f.clock = f.clock.Add(time.Second)
	rep, err := f.reg.Get(key)
	if err != nil {
		f.t.Fatal(err)
	}
	it, file, err := rep.Open(f.ctx, p)
	if err != nil {
		f.t.Fatalf("open %s/%s: %v", key, p, err)
	}
	file.Close()
	return it.Created
}

// TestVirtualMergedCacheIsBounded merges more packages than the budget holds: the cache stays
// within it, keeps the most recently used documents and merges evicted ones again.
func TestVirtualMergedCacheIsBounded(t *testing.T) {
	const budget = 3 * (mergedOverhead + 64)
	f := newFixture(t, Options{MergedCacheBytes: budget})
	f.local("l1", "npm")
	f.virtual("v", "npm", []string{"l1"})
	doc := func(i int) string { return fmt.Sprintf("p%d/p%d.index", i, i) }
	first := map[int]time.Time{}
	for i := range 10 {
		f.put("l1", doc(i), fmt.Sprintf("v=%d", i))
	}
	for i := range 10 {
		f.mustRead("v", doc(i), fmt.Sprintf("v=%d", i), "v")
		first[i] = f.mergedAt("v", doc(i))
		if c := f.reg.merged.Cost(); c > budget {
			t.Fatalf("after %d merges: cache cost %d over budget %d", i+1, c, budget)
		}
	}
	if n := f.reg.merged.Len(); n != 3 {
		t.Errorf("cache holds %d documents, want the 3 that fit", n)
	}
	if got := f.mergedAt("v", doc(9)); !got.Equal(first[9]) {
		t.Error("the most recently merged document was merged again")
	}
	if got := f.mergedAt("v", doc(0)); got.Equal(first[0]) {
		t.Error("an evicted document was served without merging")
	}
}

// TestVirtualMergedCacheExpires: a merged document is trusted for the virtual's retrieval cache
// period, measured on the registry's clock.
func TestVirtualMergedCacheExpires(t *testing.T) {
	f := newFixture(t)
	f.local("l1", "npm")
	f.virtual("v", "npm", []string{"l1"}, `,"virtualRetrievalCachePeriodSecs":60`)
	f.put("l1", "p/p.index", "a=1")
	at := f.mergedAt("v", "p/p.index")
	f.clock = f.clock.Add(58 * time.Second) // mergedAt adds one more
	if got := f.mergedAt("v", "p/p.index"); !got.Equal(at) {
		t.Fatal("merged again before the retrieval cache period ended")
	}
	if got := f.mergedAt("v", "p/p.index"); got.Equal(at) {
		t.Error("served from the cache once the retrieval cache period ended")
	}
}

func TestVirtualSkipsMembersByReleaseKind(t *testing.T) {
	f := newFixture(t)
	f.local("releases", "npm", `,"handleSnapshots":false`)
	f.local("snapshots", "npm", `,"handleReleases":false`)
	f.virtual("v", "npm", []string{"releases", "snapshots"})
	f.put("releases", "rel/a.txt", "r")
	f.put("snapshots", "snap/a.txt", "s")
	f.mustRead("v", "rel/a.txt", "r", "releases")
	f.mustRead("v", "snap/a.txt", "s", "snapshots")
}
