package acceptance

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jfrog/jfrog-client-go/artifactory"
	"github.com/jfrog/jfrog-client-go/artifactory/services"
	"github.com/jfrog/jfrog-client-go/artifactory/services/utils"
)

var keySeq atomic.Int64

var nonKeyChars = regexp.MustCompile(`[^a-z0-9]+`)

// uniqueKey returns a repository key unique within this run, readable in server logs:
// "acc-<test name>-<n>".
func uniqueKey(t testing.TB, suffix string) string {
	name := nonKeyChars.ReplaceAllString(strings.ToLower(strings.TrimPrefix(t.Name(), "Test")), "-")
	if len(name) > 30 {
		name = name[:30]
	}
	name = strings.Trim(name, "-")
	k := fmt.Sprintf("acc-%s-%s-%d", name, suffix, keySeq.Add(1))
	return k
}

// createGenericLocal creates a local generic repository through the library's local-repository
// service and deletes it when the test ends.
func createGenericLocal(t testing.TB, c *client, key string) {
	t.Helper()
	p := services.NewGenericLocalRepositoryParams()
	p.Key = key
	p.Description = "acceptance test repository"
	if err := c.CreateLocalRepository().Generic(p); err != nil {
		t.Fatalf("creating local repository %s: %v", key, err)
	}
	t.Cleanup(func() {
		if err := c.DeleteRepository(key); err != nil {
			t.Logf("cleanup: deleting repository %s: %v", key, err)
		}
	})
}

// content is deterministic pseudo-random bytes: the same (seed, size) always gives the same bytes.
func content(seed uint64, size int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, size)
	for i := 0; i < size; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8 && i+j < size; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return b
}

// writeFiles writes files (slash-separated relative path → content) under dir.
func writeFiles(t testing.TB, dir string, files map[string][]byte) {
	t.Helper()
	for rel, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

type checksums struct {
	sha1, sha256, md5 string
}

func sums(b []byte) checksums {
	s1 := sha1.Sum(b)
	s256 := sha256.Sum256(b)
	m := md5.Sum(b)
	return checksums{hex.EncodeToString(s1[:]), hex.EncodeToString(s256[:]), hex.EncodeToString(m[:])}
}

// deploy uploads files (path in repo → content) into repo through UploadFiles, one flat upload
// per file so that each lands at exactly its path, with props (may be "") as target properties.
func deploy(t testing.TB, c *client, repo string, props string, files map[string][]byte) {
	t.Helper()
	src := t.TempDir()
	var params []services.UploadParams
	for rel, data := range files {
		local := filepath.Join(src, filepath.FromSlash(rel))
		writeFiles(t, src, map[string][]byte{rel: data})
		p := services.NewUploadParams()
		p.Pattern = local
		p.Target = repo + "/" + rel
		p.Flat = true
		if props != "" {
			tp, err := utils.ParseProperties(props)
			if err != nil {
				t.Fatal(err)
			}
			p.TargetProps = tp
		}
		params = append(params, p)
	}
	ok, failed, err := c.UploadFiles(artifactory.UploadServiceOptions{FailFast: true}, params...)
	if err != nil || ok != len(files) || failed != 0 {
		t.Fatalf("deploying %d files to %s: uploaded %d, failed %d, err %v", len(files), repo, ok, failed, err)
	}
}

// search runs SearchFiles and returns the result items in the order the client gives them.
func search(t testing.TB, c *client, p services.SearchParams) []utils.ResultItem {
	t.Helper()
	reader, err := c.SearchFiles(p)
	if err != nil {
		t.Fatalf("SearchFiles(%q): %v", p.Pattern, err)
	}
	defer reader.Close()
	var items []utils.ResultItem
	for item := new(utils.ResultItem); reader.NextRecord(item) == nil; item = new(utils.ResultItem) {
		items = append(items, *item)
	}
	if err := reader.GetError(); err != nil {
		t.Fatalf("SearchFiles(%q): reading results: %v", p.Pattern, err)
	}
	return items
}

// searchPaths returns "path/name" (or "name" at the root) of every item matching pattern,
// recursively, in the order the client gives them.
func searchPaths(t testing.TB, c *client, pattern string) []string {
	t.Helper()
	p := services.NewSearchParams()
	p.Pattern = pattern
	p.Recursive = true
	return relPaths(search(t, c, p))
}

func relPaths(items []utils.ResultItem) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, relPath(it))
	}
	return out
}

func relPath(it utils.ResultItem) string {
	if it.Path == "." || it.Path == "" {
		return it.Name
	}
	return it.Path + "/" + it.Name
}

// itemProps reads an item's properties through GET /api/storage/{repo}/{path}?properties; an item
// without properties gives nil.
func itemProps(t testing.TB, c *client, repoPath string) map[string][]string {
	t.Helper()
	p, err := c.GetItemProps(repoPath)
	if err != nil {
		t.Fatalf("GET api/storage/%s?properties: %v", repoPath, err)
	}
	if p == nil {
		return nil
	}
	return p.Properties
}
