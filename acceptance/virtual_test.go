package acceptance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jfrog/jfrog-client-go/artifactory"
	"github.com/jfrog/jfrog-client-go/artifactory/services"
	"github.com/jfrog/jfrog-client-go/artifactory/services/utils"
)

// createGenericVirtual creates a generic virtual repository through the library's
// virtual-repository service (the one `jf rt repo-create` uses) and deletes it when the test ends.
// Created after its members, it is deleted before them (t.Cleanup runs last-in first-out).
func createGenericVirtual(t testing.TB, c *client, key string, members []string, defaultDeploy, excludes string) {
	t.Helper()
	p := services.NewGenericVirtualRepositoryParams()
	p.Key = key
	p.Description = "acceptance test virtual repository"
	p.Repositories = members
	p.DefaultDeploymentRepo = defaultDeploy
	p.ExcludesPattern = excludes
	if err := c.CreateVirtualRepository().Generic(p); err != nil {
		t.Fatalf("creating virtual repository %s over %v: %v", key, members, err)
	}
	t.Cleanup(func() {
		if err := c.DeleteRepository(key); err != nil {
			t.Logf("cleanup: deleting repository %s: %v", key, err)
		}
	})
}

// resolution is Arca's GET /api/repositories/{key}/resolution document.
type resolution struct {
	Key     string `json:"key"`
	Members []struct {
		Key      string   `json:"key"`
		Class    string   `json:"class"`
		Via      []string `json:"via"`
		Priority bool     `json:"priority"`
	} `json:"members"`
	Warnings []string `json:"warnings"`
}

// getExpect GETs relURL with Basic auth and requires the status and, for a 200, the body.
func getExpect(t testing.TB, relURL string, status int, want []byte) *http.Response {
	t.Helper()
	resp, body := rawRequest(t, http.MethodGet, relURL, nil)
	if resp.StatusCode != status {
		t.Errorf("GET %s: %s (%d bytes), want %d", relURL, resp.Status, len(body), status)
		return resp
	}
	if status == http.StatusOK && !bytes.Equal(body, want) {
		t.Errorf("GET %s: %d bytes (sha256 %s), want the %d bytes of sha256 %s",
			relURL, len(body), sums(body).sha256, len(want), sums(want).sha256)
	}
	return resp
}

// Virtual repositories through jfrog-client-go: a virtual over two generic locals is
// created with the library's virtual-repository service; the CLI's upload, search and download
// flows run against the virtual key; resolution order, member patterns and Arca's resolution
// endpoint are checked with plain requests.
func TestVirtualRepository(t *testing.T) {
	t.Parallel()
	t.Run("flows over two locals", testVirtualFlows)
	t.Run("first member wins", testVirtualFirstMemberWins)
	t.Run("member patterns hide paths", testVirtualMemberPatterns)
}

// testVirtualFlows: create (1), upload through the virtual (2), search (3), download (4) and the
// resolution endpoint (7), on one virtual v over locals a (the default deployment repository)
// and b. Each step needs the previous ones.
func testVirtualFlows(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	a, b, v := uniqueKey(t, "a"), uniqueKey(t, "b"), uniqueKey(t, "virtual")

	// Files uploaded through the virtual (they land in a), and files deployed directly in b.
	viaVirtual := map[string][]byte{
		"dir/a.txt":     []byte("uploaded through the virtual\n"),
		"dir/b.bin":     content(700, 64*1024+3),        // ≥ 10 KiB: checksum deploy first
		"dir/large.bin": content(701, 6*1024*1024+4321), // > 5 MiB: split download
	}
	inB := map[string][]byte{
		"dir/only-b.txt":     content(702, 333),
		"dir/sub/deep-b.txt": content(703, 444),
	}
	const uploadProps = "team=virtual ops;build.number=7"
	wantUploadProps := map[string][]string{"team": {"virtual ops"}, "build.number": {"7"}}

	step := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.Fatalf("step %q failed; the later steps depend on it", name)
		}
	}

	// Created on the parent test so that they outlive the step (cleanup deletes v first).
	createGenericLocal(t, c, a)
	createGenericLocal(t, c, b)
	createGenericVirtual(t, c, v, []string{a, b}, a, "")

	step("1 create", func(t *testing.T) {
		got := getRepoConfig(t, c, v)
		want := map[string]any{
			"key": v, "rclass": "virtual", "packageType": "generic",
			"repositories":          []any{a, b},
			"defaultDeploymentRepo": a,
		}
		if diff := cmp.Diff(want, project(got, want)); diff != "" {
			t.Errorf("GET api/repositories/%s (-want +got):\n%s", v, diff)
		}
		list, err := c.GetAllRepositoriesFiltered(services.RepositoriesFilterParams{RepoType: "virtual"})
		if err != nil {
			t.Fatalf("GetAllRepositoriesFiltered(virtual): %v", err)
		}
		if !slices.ContainsFunc(*list, func(r services.RepositoryDetails) bool { return r.Key == v }) {
			t.Errorf("%s is not listed among the virtual repositories", v)
		}
	})

	t.Run("1 invalid configurations refused", func(t *testing.T) {
		for _, tc := range []struct {
			name          string
			members       []string
			defaultDeploy string
		}{
			{"unknown member", []string{a, uniqueKey(t, "missing")}, ""},
			{"default deployment repository not a member", []string{a}, b},
		} {
			key := uniqueKey(t, "bad")
			p := services.NewGenericVirtualRepositoryParams()
			p.Key = key
			p.Repositories = tc.members
			p.DefaultDeploymentRepo = tc.defaultDeploy
			if err := c.CreateVirtualRepository().Generic(p); err == nil {
				_ = c.DeleteRepository(key)
				t.Errorf("%s: creating virtual %s over %v (defaultDeploymentRepo %q) succeeded, want an error",
					tc.name, key, tc.members, tc.defaultDeploy)
			}
		}
	})

	step("2 upload through the virtual", func(t *testing.T) {
		src := t.TempDir()
		writeFiles(t, src, viaVirtual)
		props, err := utils.ParseProperties(uploadProps)
		if err != nil {
			t.Fatal(err)
		}
		p := services.NewUploadParams()
		p.Pattern = filepath.Join(src, "dir", "*")
		p.Target = v + "/dir/"
		p.Flat = true
		p.TargetProps = props
		c.rec.reset()
		ok, failed, err := c.UploadFiles(artifactory.UploadServiceOptions{}, p)
		if err != nil || ok != len(viaVirtual) || failed != 0 {
			t.Fatalf("UploadFiles(target %s): uploaded %d, failed %d, err %v; want %d; requests:%s",
				p.Target, ok, failed, err, len(viaVirtual), c.rec.dump())
		}
		for rel, data := range viaVirtual {
			// The wire: every PUT went to the virtual's URL.
			puts := c.rec.find(http.MethodPut, pathIs(v+"/"+rel))
			if len(data) >= 10*1024 {
				if len(puts) != 2 || puts[0].Header.Get("X-Checksum-Deploy") != "true" || puts[0].Status != http.StatusNotFound {
					t.Errorf("%s: want a checksum-deploy PUT on the virtual answered 404, then the body; got:%s", rel, c.rec.dump())
				}
				if len(puts) > 0 {
					puts = puts[1:]
				}
			}
			if len(puts) != 1 || !isUploadSuccess(puts[0].Status) || puts[0].BodyBytes != int64(len(data)) {
				t.Errorf("%s: want one PUT on %s with the %d bytes, answered 200/201/202; got:%s",
					rel, v, len(data), c.rec.dump())
			}

			// The state: in a (the default deployment repository) with its properties, not in b.
			checkFileInfo(t, c, a+"/"+rel, data)
			if diff := cmp.Diff(wantUploadProps, itemProps(t, c, a+"/"+rel), sortValues); diff != "" {
				t.Errorf("properties of %s/%s (-want +got):\n%s", a, rel, diff)
			}
			if resp, body := rawRequest(t, http.MethodGet, "api/storage/"+b+"/"+rel, nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("GET api/storage/%s/%s: %s %s; want 404 (deploys go to %s only)", b, rel, resp.Status, body, a)
			}
			getExpect(t, b+"/"+rel, http.StatusNotFound, nil)
		}
	})

	step("3 search", func(t *testing.T) {
		deploy(t, c, b, "origin=b", inB)
		all := map[string][]byte{} // "repo:path" → content
		for rel, data := range viaVirtual {
			all[a+":"+rel] = data
		}
		for rel, data := range inB {
			all[b+":"+rel] = data
		}

		// SearchFiles on the virtual: rows of both locals, each under its own key.
		p := services.NewSearchParams()
		p.Pattern = v + "/dir/*"
		p.Recursive = true
		items := search(t, c, p)
		var got []string
		for _, it := range items {
			got = append(got, it.Repo+":"+relPath(it))
		}
		slices.Sort(got)
		want := slices.Sorted(maps.Keys(all))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("SearchFiles(%q) repo:path (-want +got):\n%s", p.Pattern, diff)
		}
		for _, it := range items {
			data, ok := all[it.Repo+":"+relPath(it)]
			if !ok {
				continue
			}
			sum := sums(data)
			if g, w := []any{it.Type, it.Size, it.Actual_Sha1, it.Sha256}, []any{"file", int64(len(data)), sum.sha1, sum.sha256}; !cmp.Equal(g, w) {
				t.Errorf("%s:%s [type size actual_sha1 sha256] = %v, want %v", it.Repo, relPath(it), g, w)
			}
		}

		// --props on the virtual: only what was uploaded with them.
		p = services.NewSearchParams()
		p.Pattern = v + "/*"
		p.Recursive = true
		p.Props = "team=virtual ops"
		got = nil
		for _, it := range search(t, c, p) {
			got = append(got, it.Repo+":"+relPath(it))
		}
		slices.Sort(got)
		want = []string{a + ":dir/a.txt", a + ":dir/b.bin", a + ":dir/large.bin"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("SearchFiles(%q, props %q) repo:path (-want +got):\n%s", p.Pattern, p.Props, diff)
		}

		// Raw AQL on the virtual: every row names the virtual in virtual_repos.
		query := `items.find({"repo":"` + v + `","path":{"$match":"dir*"}})`
		rc, err := c.Aql(query)
		if err != nil {
			t.Fatalf("Aql(%s): %v", query, err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		var ans struct {
			Results []struct {
				Repo         string   `json:"repo"`
				Path         string   `json:"path"`
				Name         string   `json:"name"`
				VirtualRepos []string `json:"virtual_repos"`
			} `json:"results"`
			Range struct {
				Total int `json:"total"`
			} `json:"range"`
		}
		if err := json.Unmarshal(body, &ans); err != nil {
			t.Fatalf("Aql(%s): %v in %s", query, err, body)
		}
		got = nil
		for _, r := range ans.Results {
			got = append(got, r.Repo+":"+r.Path+"/"+r.Name)
			if !slices.Equal(r.VirtualRepos, []string{v}) {
				t.Errorf("row %s/%s/%s: virtual_repos = %q, want [%q]", r.Repo, r.Path, r.Name, r.VirtualRepos, v)
			}
		}
		slices.Sort(got)
		if diff := cmp.Diff(slices.Sorted(maps.Keys(all)), got); diff != "" {
			t.Errorf("Aql(%s) repo:path (-want +got):\n%s\nbody: %s", query, diff, body)
		}
		if ans.Range.Total != len(ans.Results) {
			t.Errorf("Aql(%s): range.total %d, want %d", query, ans.Range.Total, len(ans.Results))
		}

		// Folder info on the virtual merges its members' children.
		var folder struct {
			Children []struct {
				URI    string `json:"uri"`
				Folder bool   `json:"folder"`
			} `json:"children"`
		}
		getJSON(t, "api/storage/"+v+"/dir", &folder)
		var children []string
		for _, ch := range folder.Children {
			children = append(children, ch.URI+map[bool]string{true: " (folder)"}[ch.Folder])
		}
		slices.Sort(children)
		wantChildren := []string{"/a.txt", "/b.bin", "/large.bin", "/only-b.txt", "/sub (folder)"}
		if diff := cmp.Diff(wantChildren, children); diff != "" {
			t.Errorf("GET api/storage/%s/dir children (-want +got):\n%s", v, diff)
		}
	})

	t.Run("4 download", func(t *testing.T) {
		out := t.TempDir()
		p := services.NewDownloadParams()
		p.Pattern = v + "/dir/*"
		p.Recursive = true
		p.Target = out + "/"
		p.SplitCount = 4
		p.MinSplitSize = 1024 // KB: only large.bin is split
		c.rec.reset()
		n, failed, err := c.DownloadFiles(p)
		want := len(viaVirtual) + len(inB)
		if err != nil || n != want || failed != 0 {
			t.Fatalf("DownloadFiles(%q): downloaded %d, failed %d, err %v; want %d; requests:%s",
				p.Pattern, n, failed, err, want, c.rec.dump())
		}
		for rel, data := range viaVirtual {
			checkLocalFile(t, filepath.Join(out, filepath.FromSlash(rel)), data)
		}
		for rel, data := range inB {
			checkLocalFile(t, filepath.Join(out, filepath.FromSlash(rel)), data)
		}

		// The client fetches each row from the repository AQL named (the member, as with
		// Artifactory); the large one as a HEAD and ranged GETs answered 206.
		large := viaVirtual["dir/large.bin"]
		heads := c.rec.find(http.MethodHead, pathIs(a+"/dir/large.bin"))
		if len(heads) != 1 || heads[0].Status != http.StatusOK || heads[0].RespHeader.Get("Accept-Ranges") != "bytes" {
			t.Errorf("want one HEAD of %s/dir/large.bin answered 200 with Accept-Ranges: bytes; got:%s", a, c.rec.dump())
		}
		gets := c.rec.find(http.MethodGet, pathIs(a+"/dir/large.bin"))
		if len(gets) != p.SplitCount {
			t.Errorf("want %d ranged GETs of %s/dir/large.bin, got:%s", p.SplitCount, a, c.rec.dump())
		}
		for _, g := range gets {
			var from, to int64
			if _, err := fmt.Sscanf(g.Header.Get("Range"), "bytes=%d-%d", &from, &to); err != nil {
				t.Errorf("%s: Range %q: %v", g, g.Header.Get("Range"), err)
				continue
			}
			if g.Status != http.StatusPartialContent ||
				g.RespHeader.Get("Content-Range") != fmt.Sprintf("bytes %d-%d/%d", from, to, len(large)) {
				t.Errorf("%s (Range %s): Content-Range %q; want 206 with bytes %d-%d/%d",
					g, g.Header.Get("Range"), g.RespHeader.Get("Content-Range"), from, to, len(large))
			}
		}
		for rel := range inB {
			if gets := c.rec.find(http.MethodGet, pathIs(b+"/"+rel)); len(gets) != 1 || gets[0].Status != http.StatusOK {
				t.Errorf("want one GET of %s/%s answered 200, got:%s", b, rel, c.rec.dump())
			}
		}

		// The same file straight from the virtual's URL: HEAD, whole GET and ranges.
		resp, _ := rawRequest(t, http.MethodHead, v+"/dir/large.bin", nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Accept-Ranges") != "bytes" ||
			resp.Header.Get("Content-Length") != strconv.Itoa(len(large)) {
			t.Errorf("HEAD %s/dir/large.bin: %s, Accept-Ranges %q, Content-Length %q; want 200, bytes, %d",
				v, resp.Status, resp.Header.Get("Accept-Ranges"), resp.Header.Get("Content-Length"), len(large))
		}
		resp = getExpect(t, v+"/dir/large.bin", http.StatusOK, large)
		if sum := sums(large); resp.Header.Get("X-Checksum-Sha1") != sum.sha1 || resp.Header.Get("X-Checksum-Sha256") != sum.sha256 {
			t.Errorf("GET %s/dir/large.bin: X-Checksum-Sha1 %q, X-Checksum-Sha256 %q; want %s, %s",
				v, resp.Header.Get("X-Checksum-Sha1"), resp.Header.Get("X-Checksum-Sha256"), sum.sha1, sum.sha256)
		}
		for _, r := range [][2]int{{0, 99}, {3 * 1024 * 1024, 4*1024*1024 - 1}, {len(large) - 10, len(large) - 1}} {
			req, err := http.NewRequest(http.MethodGet, baseURL+v+"/dir/large.bin", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.SetBasicAuth(adminUser, adminPassword)
			req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", r[0], r[1]))
			resp, err := (&http.Client{Transport: newTransport()}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			wantCR := fmt.Sprintf("bytes %d-%d/%d", r[0], r[1], len(large))
			if resp.StatusCode != http.StatusPartialContent || resp.Header.Get("Content-Range") != wantCR ||
				!bytes.Equal(body, large[r[0]:r[1]+1]) {
				t.Errorf("GET %s/dir/large.bin Range bytes=%d-%d: %s, Content-Range %q, %d bytes; want 206, %q and the bytes",
					v, r[0], r[1], resp.Status, resp.Header.Get("Content-Range"), len(body), wantCR)
			}
		}
		for rel, data := range inB {
			getExpect(t, v+"/"+rel, http.StatusOK, data)
		}

		// A flat download of one file by its exact path on the virtual.
		out2 := t.TempDir()
		p = services.NewDownloadParams()
		p.Pattern = v + "/dir/sub/deep-b.txt"
		p.Flat = true
		p.Target = out2 + "/"
		if n, failed, err := c.DownloadFiles(p); err != nil || n != 1 || failed != 0 {
			t.Fatalf("DownloadFiles(%q): downloaded %d, failed %d, err %v; want 1", p.Pattern, n, failed, err)
		}
		checkLocalFile(t, filepath.Join(out2, "deep-b.txt"), inB["dir/sub/deep-b.txt"])
	})

	t.Run("7 resolution endpoint", func(t *testing.T) {
		var got resolution
		getJSON(t, "api/repositories/"+v+"/resolution", &got)
		var members []string
		for _, m := range got.Members {
			members = append(members, fmt.Sprintf("%s %s via=%v priority=%v", m.Key, m.Class, m.Via, m.Priority))
		}
		want := []string{a + " local via=[] priority=false", b + " local via=[] priority=false"}
		if got.Key != v || !cmp.Equal(want, members) || len(got.Warnings) != 0 {
			t.Errorf("GET api/repositories/%s/resolution = key %q, members %q, warnings %q; want key %q, members %q, no warnings",
				v, got.Key, members, got.Warnings, v, want)
		}
		// A local repository has no resolution list.
		if resp, body := rawRequest(t, http.MethodGet, "api/repositories/"+a+"/resolution", nil); resp.StatusCode < 400 {
			t.Errorf("GET api/repositories/%s/resolution (a local): %s %s; want an error", a, resp.Status, body)
		}
	})
}

// testVirtualFirstMemberWins (5): the same path in both locals with different content resolves
// to the first member in the virtual's order; reordering the members through the library's
// update service changes the answer.
func testVirtualFirstMemberWins(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	a, b, v := uniqueKey(t, "a"), uniqueKey(t, "b"), uniqueKey(t, "virtual")
	createGenericLocal(t, c, a)
	createGenericLocal(t, c, b)
	createGenericVirtual(t, c, v, []string{a, b}, a, "")

	inA, inB := content(710, 2048), content(711, 3072)
	onlyB := content(712, 100)
	deploy(t, c, a, "", map[string][]byte{"same/x.bin": inA})
	deploy(t, c, b, "", map[string][]byte{"same/x.bin": inB, "same/only-b.bin": onlyB})

	check := func(t *testing.T, want []byte) {
		t.Helper()
		resp := getExpect(t, v+"/same/x.bin", http.StatusOK, want)
		if sum := sums(want); resp.Header.Get("X-Checksum-Sha1") != sum.sha1 {
			t.Errorf("GET %s/same/x.bin: X-Checksum-Sha1 %q, want %s", v, resp.Header.Get("X-Checksum-Sha1"), sum.sha1)
		}
		resp, _ = rawRequest(t, http.MethodHead, v+"/same/x.bin", nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Length") != strconv.Itoa(len(want)) {
			t.Errorf("HEAD %s/same/x.bin: %s, Content-Length %q; want 200, %d",
				v, resp.Status, resp.Header.Get("Content-Length"), len(want))
		}
		getExpect(t, v+"/same/only-b.bin", http.StatusOK, onlyB)
		getExpect(t, v+"/same/nowhere.bin", http.StatusNotFound, nil)
	}

	t.Run("order a, b", func(t *testing.T) { check(t, inA) })
	t.Run("order b, a", func(t *testing.T) {
		p := services.NewGenericVirtualRepositoryParams()
		p.Key = v
		p.Repositories = []string{b, a}
		p.DefaultDeploymentRepo = a
		if err := c.UpdateVirtualRepository().Generic(p); err != nil {
			t.Fatalf("updating %s to members %v: %v", v, p.Repositories, err)
		}
		check(t, inB)
		var got resolution
		getJSON(t, "api/repositories/"+v+"/resolution", &got)
		var keys []string
		for _, m := range got.Members {
			keys = append(keys, m.Key+" "+m.Class)
		}
		if want := []string{b + " local", a + " local"}; !cmp.Equal(want, keys) {
			t.Errorf("resolution members after the update = %q, want %q", keys, want)
		}
	})
}

// testVirtualMemberPatterns (6): a member's excludesPattern hides matching paths from the
// virtual — from GET and from AQL — while the content stays where it is.
//
// The hiding member is a nested virtual w (excludesPattern "hidden/**") over local l2, so the
// item stays readable directly in l2; a local's own excludesPattern also hides the path from the
// local itself (every level's patterns apply), which the second case checks through the
// virtual only.
func testVirtualMemberPatterns(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	l1, l2 := uniqueKey(t, "l1"), uniqueKey(t, "l2")
	w, v := uniqueKey(t, "inner"), uniqueKey(t, "outer")
	createGenericLocal(t, c, l1)
	createGenericLocal(t, c, l2)
	createGenericVirtual(t, c, w, []string{l2}, "", "hidden/**")
	createGenericVirtual(t, c, v, []string{l1, w}, "", "")

	hidden, shown, private := content(720, 500), content(721, 600), content(722, 700)
	deploy(t, c, l2, "", map[string][]byte{"hidden/h.txt": hidden, "shown/s.txt": shown})
	deploy(t, c, l1, "", map[string][]byte{"private/p.txt": private, "public/q.txt": shown})

	t.Run("nested virtual member", func(t *testing.T) {
		getExpect(t, v+"/hidden/h.txt", http.StatusNotFound, nil)
		getExpect(t, w+"/hidden/h.txt", http.StatusNotFound, nil)
		getExpect(t, l2+"/hidden/h.txt", http.StatusOK, hidden)
		getExpect(t, v+"/shown/s.txt", http.StatusOK, shown)

		got := []string{}
		p := services.NewSearchParams()
		p.Pattern = v + "/*"
		p.Recursive = true
		for _, it := range search(t, c, p) {
			got = append(got, it.Repo+":"+relPath(it))
		}
		slices.Sort(got)
		want := []string{l1 + ":private/p.txt", l1 + ":public/q.txt", l2 + ":shown/s.txt"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("SearchFiles(%q) repo:path (-want +got):\n%s", p.Pattern, diff)
		}
		// --sort-by/--limit/--offset page over what the virtual shows: hidden rows must not take
		// a place in the page (names sort as h.txt (hidden), p.txt, q.txt, s.txt).
		for _, pg := range []struct {
			offset, limit int
			want          []string
		}{
			{0, 2, []string{"private/p.txt", "public/q.txt"}},
			{1, 2, []string{"public/q.txt", "shown/s.txt"}},
		} {
			p := services.NewSearchParams()
			p.Pattern = v + "/*"
			p.Recursive = true
			p.SortBy = []string{"name"}
			p.SortOrder = "asc"
			p.Offset = pg.offset
			p.Limit = pg.limit
			if got := relPaths(search(t, c, p)); !cmp.Equal(pg.want, got) {
				t.Errorf("SearchFiles(%q, sort by name, offset %d, limit %d) = %q, want %q",
					p.Pattern, pg.offset, pg.limit, got, pg.want)
			}
		}
		if paths := searchPaths(t, c, l2+"/*"); !slices.Contains(paths, "hidden/h.txt") {
			t.Errorf("SearchFiles(%s/*) = %q; the item must still be in %s", l2, paths, l2)
		}

		var res resolution
		getJSON(t, "api/repositories/"+v+"/resolution", &res)
		var members []string
		for _, m := range res.Members {
			members = append(members, fmt.Sprintf("%s %s via=%v", m.Key, m.Class, m.Via))
		}
		if want := []string{l1 + " local via=[]", l2 + " local via=[" + w + "]"}; !cmp.Equal(want, members) {
			t.Errorf("GET api/repositories/%s/resolution members = %q, want %q", v, members, want)
		}
	})

	t.Run("local member's own excludesPattern", func(t *testing.T) {
		getExpect(t, v+"/private/p.txt", http.StatusOK, private)
		p := services.NewGenericLocalRepositoryParams()
		p.Key = l1
		p.ExcludesPattern = "private/**"
		if err := c.UpdateLocalRepository().Generic(p); err != nil {
			t.Fatalf("updating %s with excludesPattern %q: %v", l1, p.ExcludesPattern, err)
		}
		getExpect(t, v+"/private/p.txt", http.StatusNotFound, nil)
		getExpect(t, v+"/public/q.txt", http.StatusOK, shown)
		got := searchPaths(t, c, v+"/*")
		slices.Sort(got)
		if want := []string{"public/q.txt", "shown/s.txt"}; !cmp.Equal(want, got) {
			t.Errorf("SearchFiles(%s/*) = %q, want %q", v, got, want)
		}
	})

	t.Run("no default deployment repository", func(t *testing.T) {
		resp, body := rawRequest(t, http.MethodPut, v+"/new/n.txt", bytes.NewReader([]byte("n\n")))
		if resp.StatusCode < 400 {
			t.Errorf("PUT %s/new/n.txt (no defaultDeploymentRepo): %s %s; want it refused", v, resp.Status, body)
		}
		getExpect(t, l1+"/new/n.txt", http.StatusNotFound, nil)
	})
}
