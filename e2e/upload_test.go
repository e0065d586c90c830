package e2e

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"strings"
	"testing"
)

// Large uploads: bodies of several ingest chunks (1 MiB) and more than one writeback step
// (8 MiB), with and without a Content-Length.

// unsized hides a reader's length, so that net/http sends it chunked.
type unsized struct{ r io.Reader }

func (u unsized) Read(p []byte) (int, error) { return u.r.Read(p) }

func largeBody(t *testing.T) []byte {
	t.Helper()
	b := make([]byte, 9<<20+17)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLargeDeployRoundTrip(t *testing.T) {
	s := start(t)
	s.local("libs")
	data := largeBody(t)
	s256, s1, m5 := sums(data)
	for _, tc := range []struct {
		name string
		body io.Reader
	}{
		{"content-length", bytes.NewReader(data)},
		{"chunked", unsized{bytes.NewReader(data)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := "/libs/big/" + tc.name + ".bin"
			r := s.must(201, req{method: "PUT", path: p, body: tc.body})
			var info struct {
				Size      string            `json:"size"`
				Checksums map[string]string `json:"checksums"`
			}
			r.json(t, &info)
			want := map[string]string{"sha256": s256, "sha1": s1, "md5": m5}
			for k, v := range want {
				if info.Checksums[k] != v {
					t.Errorf("deploy answer %s = %q, want %q", k, info.Checksums[k], v)
				}
			}
			if info.Size != fmt.Sprint(len(data)) {
				t.Errorf("deploy answer size = %q, want %d", info.Size, len(data))
			}
			got := s.must(200, req{method: "GET", path: p})
			if !bytes.Equal(got.body, data) {
				t.Errorf("GET returned %d bytes that differ from the %d deployed", len(got.body), len(data))
			}
			if h := got.Header.Get("X-Checksum-Md5"); h != m5 {
				t.Errorf("X-Checksum-Md5 = %q, want %q", h, m5)
			}
		})
	}
	assertNoTempFiles(t, s)
}

// A declared checksum that does not match refuses the deploy of a large chunked body, and
// nothing of it is left: no item, no blob, no temp file.
func TestLargeChunkedDeployChecksumMismatch(t *testing.T) {
	s := start(t)
	s.local("libs")
	data := largeBody(t)
	s256, s1, m5 := sums(data)
	for _, h := range []struct{ name, value string }{
		{"X-Checksum-Sha1", strings.Repeat("0", 40)},
		{"X-Checksum-Md5", strings.Repeat("0", 32)},
		{"X-Checksum-Sha256", strings.Repeat("0", 64)},
	} {
		t.Run(h.name, func(t *testing.T) {
			// The other two declared right: only the wrong one may refuse.
			hdr := map[string]string{"X-Checksum-Sha1": s1, "X-Checksum-Md5": m5, "X-Checksum-Sha256": s256}
			hdr[h.name] = h.value
			r := s.do(req{method: "PUT", path: "/libs/big.bin", body: unsized{bytes.NewReader(data)}, header: hdr})
			if r.StatusCode != 409 {
				t.Fatalf("status %d, want 409: %s", r.StatusCode, r.body)
			}
			s.must(404, req{method: "GET", path: "/libs/big.bin"})
			if s.blobStored(t, s256) {
				t.Errorf("the refused body is stored as a blob")
			}
			assertNoTempFiles(t, s)
		})
	}
}

// A client that goes away after a few megabytes of a large upload leaves nothing.
func TestLargeUploadDisconnectLeavesNothing(t *testing.T) {
	disconnectMidUpload(t, 64<<20, largeBody(t))
}
