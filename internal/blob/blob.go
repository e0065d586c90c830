// Package blob defines Arca's content-addressed blob store.
//
// A blob is immutable bytes addressed by the lower-case hex SHA-256 of its content. Stores have
// no directories and no renames, so a filesystem and an object store implement them alike.
// Implementations: fsblob (default, files on disk). The conformance suite in blobtest is run by
// every implementation's tests.
package blob

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"strings"
	"time"

	"arca"
)

// Info describes a stored blob.
type Info struct {
	Digest  string // hex sha256
	Size    int64
	ModTime time.Time // when the blob was committed; GC uses it for its grace period
}

// Writer ingests one blob. It hashes SHA-256, SHA-1 and MD5 in a single pass while writing.
//
// Nothing written is visible to Stat or Open until Commit succeeds. Cancel discards the bytes;
// it is safe to call after Commit (then it does nothing) and more than once, so
// `defer w.Cancel()` is always right.
type Writer interface {
	io.Writer
	// Size is the number of bytes written so far.
	Size() int64
	// Sums returns the checksums of the bytes written so far.
	Sums() arca.Checksums
	// Commit makes the blob durable (fsync) and visible under its SHA-256. If want has non-empty
	// fields that differ from the computed sums, nothing becomes visible and the error wraps
	// arca.ErrChecksum. Committing bytes that are already stored is not an error.
	Commit(ctx context.Context, want arca.Checksums) (Info, error)
	Cancel() error
}

// File is an open blob. Implementations backed by an *os.File return the *os.File itself, so
// that net/http can use sendfile.
type File interface {
	io.ReadSeekCloser
}

// BytesFile returns b as an open File (for content built in memory, such as merged metadata).
func BytesFile(b []byte) File { return bytesFile{bytes.NewReader(b), b} }

type bytesFile struct {
	*bytes.Reader
	b []byte
}

func (bytesFile) Close() error { return nil }

// Unread returns the bytes not read yet, without copying (the caller must not modify them).
func (f bytesFile) Unread() []byte { return f.b[len(f.b)-f.Len():] }

// Unreader is a File whose content is in memory: Unread returns what is left to read, without
// copying. Writers of a whole response use it to send the bytes in one Write.
type Unreader interface{ Unread() []byte }

// SmallReader is an optional capability of a Reader: read a small blob whole, in fewer
// system calls than Open, Seek and Read.
type SmallReader interface {
	// ReadSmall returns the blob's content (and a nil File) when it holds at most max bytes,
	// or else the blob open for reading at offset 0 (and nil content; the caller closes it).
	// Unknown digest: arca.ErrNotFound.
	ReadSmall(ctx context.Context, digest string, max int64) ([]byte, File, error)
}

// Reader gives access to stored blobs.
type Reader interface {
	// Stat returns the blob's info, or an error wrapping arca.ErrNotFound.
	Stat(ctx context.Context, digest string) (Info, error)
	// Open opens the blob for reading; the caller closes it. Unknown digest: arca.ErrNotFound.
	Open(ctx context.Context, digest string) (File, error)
}

// Ingester stores new blobs.
type Ingester interface {
	// Create starts a new blob. The caller must Commit or Cancel the writer.
	Create(ctx context.Context) (Writer, error)
}

// Collector is what garbage collection needs: enumerate and delete.
type Collector interface {
	// Delete removes a blob; deleting an unknown digest is not an error.
	Delete(ctx context.Context, digest string) error
	// Walk calls fn for every committed blob, in no particular order, stopping at fn's first error.
	Walk(ctx context.Context, fn func(Info) error) error
}

// Toucher is implemented by stores that can renew a blob's modification time. A deploy that
// reuses a stored blob without committing it again (checksum deploy) touches it first, so
// garbage collection's grace period protects it until the new item row references it.
// Unknown digest: arca.ErrNotFound.
type Toucher interface {
	Touch(ctx context.Context, digest string) error
}

// TempCleaner is an optional capability of a store: remove what uploads abandoned by a crash
// left behind more than olderThan ago, and report how many it removed. Call it at startup, or
// periodically with an olderThan well above the longest upload.
type TempCleaner interface {
	CleanTemp(ctx context.Context, olderThan time.Duration) (int, error)
}

// Store is a complete blob store.
type Store interface {
	Reader
	Ingester
	Collector
}

// ValidDigest reports whether d looks like a hex sha256 digest (64 lower-case hex characters).
// Stores reject anything else with arca.ErrInvalid before touching storage.
func ValidDigest(d string) bool {
	if len(d) != 64 {
		return false
	}
	for i := 0; i < len(d); i++ {
		c := d[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// Verify compares every declared (non-empty) checksum of want with the computed one in got,
// ignoring the case of the hex digits. A mismatch is arca.ErrChecksum naming each checksum that
// differs with both values. Stores call it at Commit.
func Verify(want, got arca.Checksums) error {
	var bad []string
	for _, c := range []struct{ name, want, got string }{
		{"sha256", want.SHA256, got.SHA256},
		{"sha1", want.SHA1, got.SHA1},
		{"md5", want.MD5, got.MD5},
	} {
		if c.want != "" && !strings.EqualFold(c.want, c.got) {
			bad = append(bad, fmt.Sprintf("%s declared %q, computed %q", c.name, c.want, c.got))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return arca.Errorf(arca.ErrChecksum, "checksum mismatch: %s", strings.Join(bad, "; "))
}

// SumsOf returns the checksums the three hashes have computed so far, in lower-case hex.
func SumsOf(sha256, sha1, md5 hash.Hash) arca.Checksums {
	return arca.Checksums{
		SHA256: hex.EncodeToString(sha256.Sum(nil)),
		SHA1:   hex.EncodeToString(sha1.Sum(nil)),
		MD5:    hex.EncodeToString(md5.Sum(nil)),
	}
}
