package acceptance

import (
	"bytes"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jfrog/jfrog-client-go/artifactory"
	"github.com/jfrog/jfrog-client-go/artifactory/services"
	"github.com/jfrog/jfrog-client-go/artifactory/services/utils"
)

// sortValues compares property maps regardless of the order of each key's values.
var sortValues = cmpopts.SortSlices(func(a, b string) bool { return a < b })

func isUploadSuccess(status int) bool {
	return status == http.StatusOK || status == http.StatusCreated || status == http.StatusAccepted
}

// Flow "upload" with --target-props: small files go in one PUT with the body; a file of at
// least 10 KiB first tries a checksum deploy (PUT, X-Checksum-Deploy: true, no body), which
// must get 404 for unknown content, and then sends the body. Matrix parameters become properties.
func TestUploadWithProperties(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	repo := uniqueKey(t, "local")
	createGenericLocal(t, c, repo)

	files := map[string][]byte{
		"small/a.txt":  []byte("alpha\n"),
		"small/b.txt":  []byte("bravo, a little longer\n"),
		"big/blob.bin": content(1, 64*1024+1), // > 10 KiB: checksum deploy first
	}
	src := t.TempDir()
	writeFiles(t, src, files)

	props, err := utils.ParseProperties("build.number=42;team=a b;multi=1,2")
	if err != nil {
		t.Fatal(err)
	}
	small := services.NewUploadParams()
	small.Pattern = filepath.Join(src, "small", "*.txt")
	small.Target = repo + "/up/small/"
	small.Flat = true
	small.TargetProps = props
	big := services.NewUploadParams()
	big.Pattern = filepath.Join(src, "big", "*.bin")
	big.Target = repo + "/up/big/"
	big.Flat = true
	big.TargetProps = props

	ok, failed, err := c.UploadFiles(artifactory.UploadServiceOptions{}, small, big)
	if err != nil || ok != 3 || failed != 0 {
		t.Fatalf("UploadFiles: uploaded %d, failed %d, err %v; requests:%s", ok, failed, err, c.rec.dump())
	}

	wantProps := map[string][]string{"build.number": {"42"}, "team": {"a b"}, "multi": {"1", "2"}}
	for rel, data := range files {
		repoPath := repo + "/up/" + rel
		sum := sums(data)
		puts := c.rec.find(http.MethodPut, pathIs(repoPath))
		t.Run(rel, func(t *testing.T) {
			// The wire exchange.
			if len(data) >= 10*1024 {
				if len(puts) != 2 {
					t.Fatalf("want a checksum-deploy PUT then a PUT with the body, got:%s", c.rec.dump())
				}
				if puts[0].Header.Get("X-Checksum-Deploy") != "true" || puts[0].BodyBytes != 0 {
					t.Errorf("first PUT is not a checksum deploy: %s %v", puts[0], puts[0].Header)
				}
				if puts[0].Status != http.StatusNotFound {
					t.Errorf("checksum deploy of unknown content: %s, want 404", puts[0])
				}
				puts = puts[1:]
			}
			if len(puts) != 1 {
				t.Fatalf("want one PUT with the body, got:%s", c.rec.dump())
			}
			if puts[0].Header.Get("X-Checksum-Deploy") != "" || puts[0].BodyBytes != int64(len(data)) {
				t.Errorf("%s: want the whole body (%d bytes) without X-Checksum-Deploy", puts[0], len(data))
			}
			if !isUploadSuccess(puts[0].Status) {
				t.Errorf("%s: want 200, 201 or 202", puts[0])
			}

			// The server's state: checksums, size, properties, content.
			checkFileInfo(t, c, repoPath, data)
			if diff := cmp.Diff(wantProps, itemProps(t, c, repoPath), sortValues); diff != "" {
				t.Errorf("properties of %s (-want +got):\n%s", repoPath, diff)
			}
			resp, body := rawRequest(t, http.MethodGet, repoPath, nil)
			if resp.StatusCode != http.StatusOK || !bytes.Equal(body, data) {
				t.Fatalf("GET %s: %s, %d bytes; want 200 with the %d uploaded bytes", repoPath, resp.Status, len(body), len(data))
			}
			for h, want := range map[string]string{
				"X-Checksum-Sha1": sum.sha1, "X-Checksum-Sha256": sum.sha256, "X-Checksum-Md5": sum.md5,
				"Content-Length": strconv.Itoa(len(data)),
			} {
				if got := resp.Header.Get(h); got != want {
					t.Errorf("GET %s: %s = %q, want %q", repoPath, h, got, want)
				}
			}
		})
	}
}

// Flow "upload", second half: the same content deployed again at another path (and in another
// repository) must be accepted by checksum deploy alone, without the body.
func TestUploadChecksumDeploy(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	repo, other := uniqueKey(t, "local"), uniqueKey(t, "other")
	createGenericLocal(t, c, repo)
	createGenericLocal(t, c, other)

	data := content(2, 32*1024+7)
	deploy(t, c, repo, "", map[string][]byte{"orig/data.bin": data})
	first := c.rec.find(http.MethodPut, pathIs(repo+"/orig/data.bin"))
	if len(first) != 2 || first[0].Status != http.StatusNotFound {
		t.Errorf("first upload of new content: want a 404 checksum deploy then the body, got:%s", c.rec.dump())
	}

	for _, target := range []string{repo + "/again/data-again.bin", other + "/elsewhere/data.bin"} {
		t.Run(target, func(t *testing.T) {
			c.rec.reset()
			deploy(t, c, repoOf(target), "second=yes", map[string][]byte{pathOf(target): data})
			puts := c.rec.find(http.MethodPut, func(string) bool { return true })
			if len(puts) != 1 {
				t.Fatalf("want exactly one PUT (the checksum deploy), got:%s", c.rec.dump())
			}
			p := puts[0]
			if p.Header.Get("X-Checksum-Deploy") != "true" || p.BodyBytes != 0 || !isUploadSuccess(p.Status) {
				t.Errorf("%s: want a successful checksum deploy without body", p)
			}
			checkFileInfo(t, c, target, data)
			if diff := cmp.Diff(map[string][]string{"second": {"yes"}}, itemProps(t, c, target)); diff != "" {
				t.Errorf("properties from the checksum deploy's matrix params (-want +got):\n%s", diff)
			}
			resp, body := rawRequest(t, http.MethodGet, target, nil)
			if resp.StatusCode != http.StatusOK || !bytes.Equal(body, data) {
				t.Errorf("GET %s: %s, %d bytes; want the original %d bytes", target, resp.Status, len(body), len(data))
			}
		})
	}
	// The original is untouched and still has no properties.
	checkFileInfo(t, c, repo+"/orig/data.bin", data)
	if got := itemProps(t, c, repo+"/orig/data.bin"); got != nil {
		t.Errorf("properties of the original = %v, want none", got)
	}
}

// Flow "upload ≥ 200 MiB", scaled down by lowering MinSplitSize: once the checksum
// deploy fails the client asks GET /api/v1/uploads/config (server ≥ 7.82.2), and on
// {"supported":false} falls back to a single PUT.
func TestUploadMultipartProbe(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	repo := uniqueKey(t, "local")
	createGenericLocal(t, c, repo)
	v, err := c.GetVersion()
	if err != nil {
		t.Fatal(err)
	}
	if parts, ok := parseVersion(v); !ok || versionLess(parts, [3]int{7, 82, 2}) {
		t.Fatalf("server version %q < 7.82.2: the client never probes uploads/config (Arca reports 7.104.x or later)", v)
	}

	data := content(3, 256*1024)
	src := t.TempDir()
	writeFiles(t, src, map[string][]byte{"multi.bin": data})
	p := services.NewUploadParams()
	p.Pattern = filepath.Join(src, "multi.bin")
	p.Target = repo + "/mp/multi.bin"
	p.Flat = true
	p.MinSplitSize = 64 * 1024
	p.SplitCount = 2
	c.rec.reset()
	if ok, failed, err := c.UploadFiles(artifactory.UploadServiceOptions{}, p); err != nil || ok != 1 || failed != 0 {
		t.Fatalf("UploadFiles: uploaded %d, failed %d, err %v; requests:%s", ok, failed, err, c.rec.dump())
	}
	probes := c.rec.find(http.MethodGet, pathIs("api/v1/uploads/config"))
	if len(probes) != 1 || probes[0].Status != http.StatusOK {
		t.Errorf("want one GET api/v1/uploads/config answered 200, got:%s", c.rec.dump())
	}
	puts := c.rec.find(http.MethodPut, pathIs(repo+"/mp/multi.bin"))
	if n := len(puts); n == 0 || puts[n-1].BodyBytes != int64(len(data)) || !isUploadSuccess(puts[n-1].Status) {
		t.Errorf("want the body in a single successful PUT, got:%s", c.rec.dump())
	}
	checkFileInfo(t, c, repo+"/mp/multi.bin", data)
}

func versionLess(a, b [3]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// checkFileInfo compares GET /api/storage/{repoPath} with data: checksums, and size as a string.
func checkFileInfo(t testing.TB, c *client, repoPath string, data []byte) {
	t.Helper()
	info, err := c.FileInfo(repoPath)
	if err != nil {
		t.Errorf("FileInfo(%s): %v", repoPath, err)
		return
	}
	sum := sums(data)
	got := []string{info.Repo, info.Path, info.Size, info.Checksums.Sha1, info.Checksums.Sha256, info.Checksums.Md5}
	want := []string{repoOf(repoPath), "/" + pathOf(repoPath), strconv.Itoa(len(data)), sum.sha1, sum.sha256, sum.md5}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FileInfo(%s) [repo path size sha1 sha256 md5] (-want +got):\n%s", repoPath, diff)
	}
}

// repoOf and pathOf split "repo/some/path".
func repoOf(repoPath string) string {
	repo, _, _ := strings.Cut(repoPath, "/")
	return repo
}

func pathOf(repoPath string) string {
	_, p, _ := strings.Cut(repoPath, "/")
	return p
}
