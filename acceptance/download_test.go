package acceptance

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jfrog/jfrog-client-go/artifactory/services"
)

// Flow "download": a search, then a GET per file; files above MinSplitSize go as a HEAD
// (200 + Accept-Ranges: bytes) and parallel ranged GETs that must each answer 206. The client
// checks every file against the actual_sha1 of its search row.
func TestDownload(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	repo := uniqueKey(t, "local")
	createGenericLocal(t, c, repo)
	small := map[string][]byte{
		"dir/a.txt":     []byte("a\n"),
		"dir/b.txt":     content(20, 12*1024),
		"dir/sub/c.txt": content(21, 100),
	}
	large := content(22, 6*1024*1024+12345) // > 5 MiB
	deploy(t, c, repo, "", small)
	deploy(t, c, repo, "", map[string][]byte{"big/large.bin": large})

	download := func(t *testing.T, p services.DownloadParams, want int) {
		t.Helper()
		c.rec.reset()
		n, failed, err := c.DownloadFiles(p)
		if err != nil || n != want || failed != 0 {
			t.Fatalf("DownloadFiles(%q): downloaded %d, failed %d, err %v; want %d; requests:%s",
				p.Pattern, n, failed, err, want, c.rec.dump())
		}
	}

	t.Run("hierarchy kept", func(t *testing.T) {
		out := t.TempDir()
		p := services.NewDownloadParams()
		p.Pattern = repo + "/dir/*"
		p.Recursive = true
		p.Target = out + "/"
		download(t, p, len(small))
		for rel, data := range small {
			checkLocalFile(t, filepath.Join(out, filepath.FromSlash(rel)), data)
			gets := c.rec.find(http.MethodGet, pathIs(repo+"/"+rel))
			if len(gets) != 1 || gets[0].Status != http.StatusOK {
				t.Errorf("%s: want one GET answered 200, got:%s", rel, c.rec.dump())
				continue
			}
			sum := sums(data)
			for h, want := range map[string]string{
				"X-Checksum-Sha1": sum.sha1, "X-Checksum-Sha256": sum.sha256, "X-Checksum-Md5": sum.md5,
			} {
				if got := gets[0].RespHeader.Get(h); got != want {
					t.Errorf("GET %s: %s = %q, want %q", rel, h, got, want)
				}
			}
		}
	})

	t.Run("flat", func(t *testing.T) {
		out := t.TempDir()
		p := services.NewDownloadParams()
		p.Pattern = repo + "/dir/*.txt"
		p.Recursive = true
		p.Flat = true
		p.Target = out + "/"
		download(t, p, len(small))
		for rel, data := range small {
			checkLocalFile(t, filepath.Join(out, filepath.Base(rel)), data)
		}
	})

	t.Run("split download", func(t *testing.T) {
		out := t.TempDir()
		p := services.NewDownloadParams()
		p.Pattern = repo + "/big/large.bin"
		p.Flat = true
		p.Target = out + "/"
		p.SplitCount = 4
		p.MinSplitSize = 1024 // KB
		download(t, p, 1)
		checkLocalFile(t, filepath.Join(out, "large.bin"), large)

		heads := c.rec.find(http.MethodHead, pathIs(repo+"/big/large.bin"))
		if len(heads) != 1 {
			t.Fatalf("want one HEAD, got:%s", c.rec.dump())
		}
		h := heads[0]
		if h.Status != http.StatusOK || h.RespHeader.Get("Accept-Ranges") != "bytes" ||
			h.RespHeader.Get("Content-Length") != strconv.Itoa(len(large)) {
			t.Errorf("HEAD: %s, Accept-Ranges %q, Content-Length %q; want 200, bytes, %d",
				h, h.RespHeader.Get("Accept-Ranges"), h.RespHeader.Get("Content-Length"), len(large))
		}
		gets := c.rec.find(http.MethodGet, pathIs(repo+"/big/large.bin"))
		if len(gets) != p.SplitCount {
			t.Fatalf("want %d ranged GETs, got:%s", p.SplitCount, c.rec.dump())
		}
		var ranges [][2]int64
		for _, g := range gets {
			r := g.Header.Get("Range")
			var from, to int64
			if _, err := fmt.Sscanf(r, "bytes=%d-%d", &from, &to); err != nil {
				t.Fatalf("%s: Range %q: %v", g, r, err)
			}
			ranges = append(ranges, [2]int64{from, to})
			if g.Status != http.StatusPartialContent {
				t.Errorf("%s (Range %s): want 206", g, r)
			}
			if want := fmt.Sprintf("bytes %d-%d/%d", from, to, len(large)); g.RespHeader.Get("Content-Range") != want {
				t.Errorf("%s: Content-Range %q, want %q", g, g.RespHeader.Get("Content-Range"), want)
			}
		}
		// The ranges tile the file (a sanity check of what was asked).
		slices.SortFunc(ranges, func(a, b [2]int64) int { return int(a[0] - b[0]) })
		var next int64
		for _, r := range ranges {
			if r[0] != next {
				t.Errorf("ranges %v do not tile the file", ranges)
				break
			}
			next = r[1] + 1
		}

		// Downloading again over an identical local file is skipped after the search.
		download(t, p, 1)
		if n := len(c.rec.find(http.MethodGet, pathIs(repo+"/big/large.bin"))); n != 0 {
			t.Errorf("identical local file: %d GETs, want none (the search's actual_sha1 must match)", n)
		}
	})

	t.Run("large file in one GET", func(t *testing.T) {
		out := t.TempDir()
		p := services.NewDownloadParams()
		p.Pattern = repo + "/big/*.bin"
		p.Flat = true
		p.Target = out + "/"
		p.SplitCount = 0
		download(t, p, 1)
		checkLocalFile(t, filepath.Join(out, "large.bin"), large)
		gets := c.rec.find(http.MethodGet, pathIs(repo+"/big/large.bin"))
		if len(gets) != 1 || gets[0].Status != http.StatusOK || gets[0].Header.Get("Range") != "" {
			t.Errorf("want one plain GET answered 200, got:%s", c.rec.dump())
		}
	})

	t.Run("raw ranges", func(t *testing.T) {
		for _, tc := range []struct {
			rangeHeader  string
			from, to     int // inclusive
			contentRange string
		}{
			{"bytes=10-19", 10, 19, fmt.Sprintf("bytes 10-19/%d", len(large))},
			{"bytes=0-0", 0, 0, fmt.Sprintf("bytes 0-0/%d", len(large))},
			{fmt.Sprintf("bytes=%d-", len(large)-5), len(large) - 5, len(large) - 1,
				fmt.Sprintf("bytes %d-%d/%d", len(large)-5, len(large)-1, len(large))},
			{"bytes=-7", len(large) - 7, len(large) - 1,
				fmt.Sprintf("bytes %d-%d/%d", len(large)-7, len(large)-1, len(large))},
		} {
			req, err := http.NewRequest(http.MethodGet, baseURL+repo+"/big/large.bin", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.SetBasicAuth(adminUser, adminPassword)
			req.Header.Set("Range", tc.rangeHeader)
			resp, err := (&http.Client{Transport: newTransport()}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body := new(bytes.Buffer)
			_, _ = body.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusPartialContent {
				t.Errorf("Range %s: %s, want 206", tc.rangeHeader, resp.Status)
				continue
			}
			if got := resp.Header.Get("Content-Range"); got != tc.contentRange {
				t.Errorf("Range %s: Content-Range %q, want %q", tc.rangeHeader, got, tc.contentRange)
			}
			if !bytes.Equal(body.Bytes(), large[tc.from:tc.to+1]) {
				t.Errorf("Range %s: got %d bytes that differ from bytes %d-%d", tc.rangeHeader, body.Len(), tc.from, tc.to)
			}
		}
	})
}

// checkLocalFile compares a downloaded file with the deployed bytes.
func checkLocalFile(t *testing.T, path string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		entries, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*"))
		t.Errorf("reading %s: %v (directory holds %s)", path, err, strings.Join(entries, ", "))
		return
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s: %d bytes that differ from the %d deployed (sha256 %s, want %s)",
			path, len(got), len(want), sums(got).sha256, sums(want).sha256)
	}
}
