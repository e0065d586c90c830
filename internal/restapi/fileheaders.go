package restapi

import (
	"net/http"
	"strconv"
	"time"

	"arca"
)

// fileHeaders are the response headers of one version of a file, built once and shared by
// every response that serves that version (through the item's arca.Memo): the download hot
// path then sets a dozen headers without formatting or allocating any of them.
//
// The value slices are shared by all those responses and never written into: each has its
// capacity capped at 1, so a later Header.Add reallocates instead of writing into a neighbour,
// and Header.Set replaces the slice.
type fileHeaders struct {
	basis  headerBasis
	common []headerValue // on every file response
	plain  []headerValue // when the whole body is sent without http.ServeContent (which sets its own)
}

type headerValue struct {
	key string
	val []string
}

// headerBasis is every field of an item that a header is derived from: a memoised block is
// used only for an item equal to its basis, so a copy of a cached item that a layer adjusted
// (a virtual's filtered document, say) never gets the original's headers.
type headerBasis struct {
	path, mimeType, createdBy, modifiedBy string
	size                                  int64
	sums                                  arca.Checksums
	created, modified                     time.Time
}

// fileHeadersKey is this package's key in an arca.Memo.
type fileHeadersKey struct{}

func basisOf(it arca.Item) headerBasis {
	return headerBasis{path: it.Path, mimeType: it.MimeType, createdBy: it.CreatedBy, modifiedBy: it.ModifiedBy,
		size: it.Size, sums: it.Checksums, created: it.Created, modified: it.Modified}
}

// headersOf returns the headers of it, from its memo when they were built for this version.
func headersOf(it arca.Item) *fileHeaders {
	b := basisOf(it)
	if fh, ok := it.Memo.Get(fileHeadersKey{}).(*fileHeaders); ok && fh.basis == b {
		return fh
	}
	fh := buildFileHeaders(it, b)
	it.Memo.Put(fileHeadersKey{}, fh)
	return fh
}

// buildFileHeaders makes Artifactory's headers of a file response. The values share one
// backing array (one allocation for all of them).
func buildFileHeaders(it arca.Item, b headerBasis) *fileHeaders {
	vals := make([]string, 0, 13)
	kv := func(key, v string) headerValue {
		i := len(vals)
		vals = append(vals, v)
		return headerValue{key, vals[i : i+1 : i+1]}
	}
	fh := &fileHeaders{basis: b}
	fh.common = []headerValue{
		kv("Content-Type", it.MimeType),
		kv("Etag", `"`+it.Checksums.SHA1+`"`),
		kv("X-Checksum-Sha1", it.Checksums.SHA1),
		kv("X-Checksum-Md5", it.Checksums.MD5),
		kv("X-Checksum-Sha256", it.Checksums.SHA256),
		kv("X-Artifactory-Filename", it.Name()),
		kv("X-Artifactory-Created", strconv.FormatInt(it.Created.UnixMilli(), 10)),
		kv("X-Artifactory-Created-By", it.CreatedBy),
		kv("X-Artifactory-Last-Modified", strconv.FormatInt(it.Modified.UnixMilli(), 10)),
		kv("X-Artifactory-Modified-By", it.ModifiedBy),
		kv("Accept-Ranges", "bytes"),
	}
	fh.plain = []headerValue{kv("Last-Modified", it.Modified.UTC().Format(http.TimeFormat))}
	if it.Size >= 0 {
		fh.plain = append(fh.plain, kv("Content-Length", strconv.FormatInt(it.Size, 10)))
	}
	return fh
}

// setCommon sets the headers of every file response.
func (fh *fileHeaders) setCommon(h http.Header) {
	for _, v := range fh.common {
		h[v.key] = v.val
	}
}

// setPlain sets Last-Modified and (for a known size) Content-Length, for a response that sends
// the whole body itself.
func (fh *fileHeaders) setPlain(h http.Header) {
	for _, v := range fh.plain {
		h[v.key] = v.val
	}
}
