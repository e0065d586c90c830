package restapi

import (
	"net/http"
	"testing"
	"time"

	"arca"
)

func TestHeadersOf(t *testing.T) {
	created := time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC)
	base := arca.Item{Repo: "libs", Path: "a/b/c.jar", Size: 42, MimeType: "application/java-archive",
		Checksums: arca.Checksums{SHA256: "s256", SHA1: "s1", MD5: "m5"},
		Created:   created, CreatedBy: "alice", Modified: created.Add(time.Hour), ModifiedBy: "bob"}
	want := map[string]string{
		"Content-Type": "application/java-archive", "Etag": `"s1"`, "X-Checksum-Sha1": "s1", "X-Checksum-Md5": "m5",
		"X-Checksum-Sha256": "s256", "X-Artifactory-Filename": "c.jar", "X-Artifactory-Created": "1767323045006",
		"X-Artifactory-Created-By": "alice", "X-Artifactory-Last-Modified": "1767326645006",
		"X-Artifactory-Modified-By": "bob", "Accept-Ranges": "bytes",
		"Last-Modified": "Fri, 02 Jan 2026 04:04:05 GMT", "Content-Length": "42",
	}
	h := http.Header{}
	fh := headersOf(base)
	fh.setCommon(h)
	fh.setPlain(h)
	if len(h) != len(want) {
		t.Errorf("%d headers, want %d: %v", len(h), len(want), h)
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	// A shared value is never written through: Add reallocates.
	h.Add("Accept-Ranges", "none")
	h2 := http.Header{}
	fh.setCommon(h2)
	if got := h2.Values("Accept-Ranges"); len(got) != 1 || got[0] != "bytes" {
		t.Errorf("after Add on one response, another has Accept-Ranges %q", got)
	}

	unknown := base
	unknown.Size = -1
	h3 := http.Header{}
	headersOf(unknown).setPlain(h3)
	if _, ok := h3["Content-Length"]; ok {
		t.Error("Content-Length set for an unknown size")
	}

	// Memoised per version: the same block for copies of one cached item, a fresh one for a
	// copy that differs in any field a header comes from.
	cached := base
	cached.Memo = new(arca.Memo)
	first := headersOf(cached)
	if headersOf(cached) != first {
		t.Error("second headersOf of the same cached item rebuilt the headers")
	}
	for name, change := range map[string]func(*arca.Item){
		"size":      func(it *arca.Item) { it.Size = 7 },
		"checksums": func(it *arca.Item) { it.Checksums.SHA1 = "other" },
		"path":      func(it *arca.Item) { it.Path = "a/b/d.jar" },
		"modified":  func(it *arca.Item) { it.Modified = it.Modified.Add(time.Second) },
		"mime type": func(it *arca.Item) { it.MimeType = "text/plain" },
		"created":   func(it *arca.Item) { it.CreatedBy = "carol" },
	} {
		adjusted := cached
		change(&adjusted)
		if got := headersOf(adjusted); got == first || got.basis != basisOf(adjusted) {
			t.Errorf("%s changed: got the original's headers", name)
		}
	}
}
