package npm

import (
	"net/http/httptest"
	"testing"
	"time"
)

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"gzip, deflate, br", true},
		{"deflate,gzip", true},
		{"GZIP", true},
		{"gzip;q=0.5", true},
		{"gzip; q=0", false},
		{"gzip;q=0.0", false},
		{"deflate", false},
		{"identity", false},
		{"x-gzip", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Encoding", tt.header)
		if got := acceptsGzip(r); got != tt.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestRenderCacheBounded(t *testing.T) {
	c := newRenderCache(400)
	for i := range 20 {
		c.put(string(rune('a'+i)), rendered{source: "s", body: make([]byte, 60), gz: make([]byte, 20)})
		if size := c.entries.Cost(); size > 400 {
			t.Fatalf("after %d puts: size %d > max 400", i+1, size)
		}
	}
	if _, ok := c.get("t", "s"); !ok {
		t.Error("the most recent rendering was evicted")
	}
	if _, ok := c.get("a", "s"); ok {
		t.Error("the oldest rendering survived 20 puts into room for 5")
	}
	c.put("big", rendered{source: "s", body: make([]byte, 101)}) // over max/4: not kept
	if _, ok := c.get("big", "s"); ok {
		t.Error("an entry over a quarter of the cache was kept")
	}
	c.put("k", rendered{source: "v1", body: make([]byte, 10)})
	c.put("k", rendered{source: "v2", body: make([]byte, 10)})
	if _, ok := c.get("k", "v1"); ok {
		t.Error("a replaced rendering was served for its old source")
	}
	if _, ok := c.get("k", "v2"); !ok {
		t.Error("the current rendering was not kept")
	}
	var sum int64
	for _, k := range c.entries.Keys() {
		e, _ := c.entries.Get(k)
		sum += int64(len(e.body) + len(e.gz))
	}
	if sum != c.entries.Cost() {
		t.Errorf("accounted size %d, entries hold %d", c.entries.Cost(), sum)
	}
}

func TestNotModified(t *testing.T) {
	mod := time.Date(2026, 1, 2, 3, 4, 5, 600_000_000, time.UTC)
	tests := []struct {
		name, noneMatch, since string
		want                   bool
	}{
		{"unconditional", "", "", false},
		{"etag matches", `"abc"`, "", true},
		{"gzip etag matches", `"abc-gz"`, "", true},
		{"etag differs", `"def"`, "", false},
		{"etag wins over the date", `"def"`, "Fri, 02 Jan 2026 03:04:05 GMT", false},
		{"same second", "", "Fri, 02 Jan 2026 03:04:05 GMT", true},
		{"later", "", "Sat, 03 Jan 2026 00:00:00 GMT", true},
		{"earlier", "", "Fri, 02 Jan 2026 03:04:04 GMT", false},
		{"malformed date", "", "yesterday", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		if tt.noneMatch != "" {
			r.Header.Set("If-None-Match", tt.noneMatch)
		}
		if tt.since != "" {
			r.Header.Set("If-Modified-Since", tt.since)
		}
		if got := notModified(r, "abc", mod); got != tt.want {
			t.Errorf("%s: notModified = %v, want %v", tt.name, got, tt.want)
		}
	}
}
