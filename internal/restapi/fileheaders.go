package restapi

import (
	"net/http"
	"strconv"
	"time"

	"arca"
)

// fileHeaders are the response headers of one version of a file, built once and shared by
// every response that serves that version (through the item's arca.Memo): the download hot
// path then sets a dozen headers without formatting or allocating any of them. A block costs
// about half a kilobyte per cached item that is downloaded.
//
// The values are shared by all those responses and never written into: each header gets a
// one-element slice of vals with its capacity capped at 1, so a later Header.Add reallocates
// instead of writing into a neighbour, and Header.Set replaces the slice.
type fileHeaders struct {
	basis headerBasis
	vals  [len(fileHeaderKeys)]string
	plain int // fileHeaderKeys[:plain] are on every file response; the rest only on whole bodies
}

// fileHeaderKeys are the headers of a file response: the common ones, then Last-Modified and
// Content-Length, which are set only when the whole body is sent without http.ServeContent
// (which sets its own). Content-Length is last, as it is left out for an unknown size.
var fileHeaderKeys = [...]string{
	"Content-Type", "Etag", "X-Checksum-Sha1", "X-Checksum-Md5", "X-Checksum-Sha256",
	"X-Artifactory-Filename", "X-Artifactory-Created", "X-Artifactory-Created-By",
	"X-Artifactory-Last-Modified", "X-Artifactory-Modified-By", "Accept-Ranges",
	"Last-Modified", "Content-Length",
}

// commonHeaders is the number of fileHeaderKeys set on every file response.
const commonHeaders = 11

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

// buildFileHeaders makes Artifactory's headers of a file response.
func buildFileHeaders(it arca.Item, b headerBasis) *fileHeaders {
	fh := &fileHeaders{basis: b, plain: len(fileHeaderKeys)}
	fh.vals = [...]string{
		it.MimeType, `"` + it.Checksums.SHA1 + `"`, it.Checksums.SHA1, it.Checksums.MD5, it.Checksums.SHA256,
		it.Name(), strconv.FormatInt(it.Created.UnixMilli(), 10), it.CreatedBy,
		strconv.FormatInt(it.Modified.UnixMilli(), 10), it.ModifiedBy, "bytes",
		it.Modified.UTC().Format(http.TimeFormat), strconv.FormatInt(it.Size, 10),
	}
	if it.Size < 0 {
		fh.plain-- // no Content-Length
	}
	return fh
}

// setCommon sets the headers of every file response.
func (fh *fileHeaders) setCommon(h http.Header) { fh.set(h, 0, commonHeaders) }

// setPlain sets Last-Modified and (for a known size) Content-Length, for a response that sends
// the whole body itself.
func (fh *fileHeaders) setPlain(h http.Header) { fh.set(h, commonHeaders, fh.plain) }

func (fh *fileHeaders) set(h http.Header, from, to int) {
	for i := from; i < to; i++ {
		h[fileHeaderKeys[i]] = fh.vals[i : i+1 : i+1]
	}
}
