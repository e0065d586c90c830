package e2e

import (
	"bytes"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

func sums(b []byte) (sha256hex, sha1hex, md5hex string) {
	a, s, m := sha256.Sum256(b), sha1.Sum(b), md5.Sum(b)
	return hex.EncodeToString(a[:]), hex.EncodeToString(s[:]), hex.EncodeToString(m[:])
}

func TestDeployDownloadRoundTrip(t *testing.T) {
	s := start(t)
	s.local("libs")
	body := "hello, arca\n"
	s256, s1, m5 := sums([]byte(body))

	r := s.must(201, req{method: "PUT", path: "/libs/org/acme/a.txt;k=a+b;m=1;m=2", body: strings.NewReader(body),
		header: map[string]string{"X-Checksum-Sha1": s1, "X-Checksum": s256}})
	var info struct {
		Repo, Path, Size, DownloadURI, URI string
		Checksums                          map[string]string
	}
	r.json(t, &info)
	if info.Repo != "libs" || info.Path != "/org/acme/a.txt" || info.Size != fmt.Sprint(len(body)) ||
		info.Checksums["sha256"] != s256 || info.DownloadURI != s.base+"/libs/org/acme/a.txt" {
		t.Fatalf("deploy response: %s", r.body)
	}

	g := s.must(200, req{method: "GET", path: "/libs/org/acme/a.txt"})
	if g.text() != body {
		t.Fatalf("body = %q", g.body)
	}
	for h, want := range map[string]string{
		"X-Checksum-Sha1": s1, "X-Checksum-Sha256": s256, "X-Checksum-Md5": m5, "Accept-Ranges": "bytes",
		"ETag": `"` + s1 + `"`, "X-Artifactory-Filename": "a.txt", "Content-Length": fmt.Sprint(len(body)),
	} {
		if got := g.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if g.Header.Get("X-Artifactory-Id") == "" || g.Header.Get("Last-Modified") == "" {
		t.Errorf("missing X-Artifactory-Id or Last-Modified: %v", g.Header)
	}

	h := s.must(200, req{method: "HEAD", path: "/libs/org/acme/a.txt"})
	if h.Header.Get("Content-Length") != fmt.Sprint(len(body)) || len(h.body) != 0 {
		t.Errorf("HEAD: %v %q", h.Header, h.body)
	}

	for ext, want := range map[string]string{".sha1": s1, ".md5": m5, ".sha256": s256} {
		if got := s.must(200, req{method: "GET", path: "/libs/org/acme/a.txt" + ext}).text(); got != want {
			t.Errorf("%s = %q, want %q", ext, got, want)
		}
	}

	// Matrix parameters became properties.
	var props struct{ Properties map[string][]string }
	s.must(200, req{method: "GET", path: "/api/storage/libs/org/acme/a.txt?properties"}).json(t, &props)
	if fmt.Sprint(props.Properties) != "map[k:[a b] m:[1 2]]" {
		t.Errorf("properties = %v", props.Properties)
	}
}

func TestRangeRequests(t *testing.T) {
	s := start(t)
	s.local("big")
	data := make([]byte, 3<<20)
	rand.Read(data)
	s.must(201, req{method: "PUT", path: "/big/blob.bin", body: bytes.NewReader(data)})
	r := s.must(206, req{method: "GET", path: "/big/blob.bin", header: map[string]string{"Range": "bytes=1000-1999"}})
	if !bytes.Equal(r.body, data[1000:2000]) {
		t.Fatal("ranged body differs")
	}
	if got := r.Header.Get("Content-Range"); got != fmt.Sprintf("bytes 1000-1999/%d", len(data)) {
		t.Errorf("Content-Range = %q", got)
	}
	s.must(416, req{method: "GET", path: "/big/blob.bin", header: map[string]string{"Range": "bytes=9999999-"}})
	full := s.must(200, req{method: "GET", path: "/big/blob.bin"})
	if !bytes.Equal(full.body, data) {
		t.Fatal("full body differs")
	}
}

func TestChecksumMismatchStoresNothing(t *testing.T) {
	s := start(t)
	s.local("libs")
	for _, h := range []string{"X-Checksum-Sha1", "X-Checksum-Md5", "X-Checksum-Sha256", "X-Checksum"} {
		wrong := strings.Repeat("0", map[string]int{"X-Checksum-Md5": 32, "X-Checksum-Sha1": 40}[h]+
			map[bool]int{true: 64}[strings.Contains(h, "256") || h == "X-Checksum"])
		r := s.do(req{method: "PUT", path: "/libs/bad.txt", body: strings.NewReader("content"), header: map[string]string{h: wrong}})
		if r.StatusCode != 409 {
			t.Fatalf("%s mismatch: status %d, want 409: %s", h, r.StatusCode, r.body)
		}
		errorMessage(t, r)
		s.must(404, req{method: "GET", path: "/libs/bad.txt"})
	}
	// Nothing half-written remains in the blob store.
	assertNoTempFiles(t, s)
}

func assertNoTempFiles(t *testing.T, s *server) {
	t.Helper()
	if left := s.tempUploads(t); len(left) != 0 {
		t.Fatalf("temp files left behind: %v", left)
	}
}

func TestDisconnectMidUploadLeavesNothing(t *testing.T) {
	disconnectMidUpload(t, 100000, bytes.Repeat([]byte("x"), 5000))
}

// disconnectMidUpload declares a PUT of declared bytes, sends sent (fewer), hangs up, and checks
// that nothing of the upload remains: no item, no temp file.
func disconnectMidUpload(t *testing.T, declared int, sent []byte) {
	t.Helper()
	s := start(t)
	s.local("libs")
	conn, err := net.Dial("tcp", strings.TrimPrefix(strings.TrimSuffix(s.base, "/artifactory"), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "PUT /artifactory/libs/partial.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Basic %s\r\nContent-Length: %d\r\n\r\n",
		basic("admin", adminPassword), declared)
	if _, err := conn.Write(sent); err != nil {
		t.Fatal(err)
	}
	// Give the server the time to take the bytes (its temp file exists; an S3 store keeps
	// less than a part in memory, so wait for the first of a large upload), then hang up.
	for i := 0; i < 250; i++ {
		if len(s.tempUploads(t)) > 0 {
			break
		}
		sleep()
	}
	conn.Close()
	// The server notices the disconnect when it next reads. The upload may not even have started
	// yet, so give it time to begin, then poll until it has been abandoned.
	time.Sleep(300 * time.Millisecond)
	for i := 0; i < 250; i++ {
		if len(s.tempUploads(t)) == 0 {
			break
		}
		sleep()
	}
	s.must(404, req{method: "GET", path: "/libs/partial.bin"})
	assertNoTempFiles(t, s)
}

func TestChecksumDeploy(t *testing.T) {
	s := start(t)
	s.local("libs")
	content := strings.Repeat("payload ", 4096)
	s256, s1, m5 := sums([]byte(content))
	hdr := map[string]string{"X-Checksum-Deploy": "true", "X-Checksum-Sha1": s1, "X-Checksum": s256, "X-Checksum-Md5": m5}
	s.must(404, req{method: "PUT", path: "/libs/first.bin", header: hdr})
	s.must(201, req{method: "PUT", path: "/libs/first.bin", body: strings.NewReader(content)})
	s.must(201, req{method: "PUT", path: "/libs/copy/second.bin", header: hdr})
	if got := s.must(200, req{method: "GET", path: "/libs/copy/second.bin"}).text(); got != content {
		t.Fatal("checksum-deployed content differs")
	}
}

func TestFoldersAndListing(t *testing.T) {
	s := start(t)
	s.local("libs")
	s.must(201, req{method: "PUT", path: "/libs/empty/dir/"})
	s.put("/libs/a/b/c.txt", "c")
	s.put("/libs/a/d.txt", "d")
	r := s.must(200, req{method: "GET", path: "/libs/a/"})
	for _, want := range []string{`<a href="b/">b/</a>`, `<a href="d.txt">d.txt</a>`} {
		if !strings.Contains(r.text(), want) {
			t.Errorf("listing lacks %s:\n%s", want, r.body)
		}
	}
	if top := s.must(200, req{method: "GET", path: "/"}).text(); !strings.Contains(top, `<a href="libs/">libs/</a>`) {
		t.Errorf("repository index:\n%s", top)
	}
	s.must(401, req{method: "GET", path: "/", user: "-"})
	root := s.must(200, req{method: "GET", path: "/libs/"}).text()
	if !strings.Contains(root, `<a href="empty/">empty/</a>`) {
		t.Errorf("root listing:\n%s", root)
	}
	var info struct {
		Children []struct {
			URI    string
			Folder bool
		}
	}
	s.must(200, req{method: "GET", path: "/api/storage/libs/a"}).json(t, &info)
	if fmt.Sprint(info.Children) != "[{/b true} {/d.txt false}]" {
		t.Errorf("children = %v", info.Children)
	}
	var list struct {
		Files []struct {
			URI    string
			Size   int64
			Folder bool
		}
	}
	s.must(200, req{method: "GET", path: "/api/storage/libs/a?list&deep=1&listFolders=1"}).json(t, &list)
	if fmt.Sprint(list.Files) != "[{/b -1 true} {/b/c.txt 1 false} {/d.txt 1 false}]" {
		t.Errorf("list = %v", list.Files)
	}
	s.must(204, req{method: "DELETE", path: "/libs/a/"})
	s.must(404, req{method: "GET", path: "/libs/a/b/c.txt"})
}

func TestDeployErrors(t *testing.T) {
	s := start(t)
	s.createRepo("ext", `{"key":"ext","rclass":"remote","packageType":"generic","url":"http://127.0.0.1:1/x"}`)
	s.createRepo("filtered", `{"key":"filtered","rclass":"local","packageType":"generic","includesPattern":"org/**","excludesPattern":"org/secret/**"}`)
	s.createRepo("dark", `{"key":"dark","rclass":"local","packageType":"generic","blackedOut":true}`)
	tests := []struct {
		name, path string
		status     int
		msg        string
	}{
		{"unknown repository", "/nope/a.txt", 404, "does not exist"},
		{"remote repository", "/ext/a.txt", 405, "remote repository"},
		{"remote cache", "/ext-cache/a.txt", 405, "remote repository"},
		{"excluded path", "/filtered/org/secret/a.txt", 403, "include/exclude"},
		{"not included", "/filtered/com/a.txt", 403, "include/exclude"},
		{"blacked out", "/dark/a.txt", 403, "blacked out"},
		{"dot segment", "/filtered/org/%2E%2E/a.txt", 400, ".."},
		{"control character", "/filtered/org/a%00.txt", 400, "control"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.put(tt.path, "x")
			if r.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", r.StatusCode, tt.status, r.body)
			}
			if msg := errorMessage(t, r); !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q lacks %q", msg, tt.msg)
			}
		})
	}
	s.must(201, req{method: "PUT", path: "/filtered/org/ok/a.txt", body: strings.NewReader("ok")})
}

func TestDownloadStatistics(t *testing.T) {
	s := start(t)
	s.local("libs")
	s.put("/libs/x.bin", "x")
	for i := 0; i < 3; i++ {
		s.must(200, req{method: "GET", path: "/libs/x.bin"})
	}
	s.must(200, req{method: "HEAD", path: "/libs/x.bin"}) // not a download
	var st struct {
		DownloadCount    int64
		LastDownloaded   int64
		LastDownloadedBy string
	}
	s.must(200, req{method: "GET", path: "/api/storage/libs/x.bin?stats"}).json(t, &st)
	if st.DownloadCount != 3 || st.LastDownloadedBy != "admin" || st.LastDownloaded == 0 {
		t.Errorf("stats = %+v", st)
	}
}

func TestStatisticsSurviveRestartOfRequestsPath(t *testing.T) {
	// Every download is counted even when the next read of the statistics comes from another
	// code path than ?stats: AQL's include("stat").
	s := start(t)
	s.local("libs")
	s.put("/libs/y.bin", "y")
	s.must(200, req{method: "GET", path: "/libs/y.bin"})
	s.must(200, req{method: "GET", path: "/api/storage/libs/y.bin?stats"})
	r := s.must(200, req{method: "POST", path: "/api/search/aql",
		body: strings.NewReader(`items.find({"repo":"libs","name":"y.bin"}).include("name","stat")`)})
	if !strings.Contains(r.text(), `"downloads":1`) {
		t.Errorf("AQL stats: %s", r.body)
	}
}

func basic(u, p string) string {
	return encodeBase64(u + ":" + p)
}
