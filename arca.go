package arca

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"io"
	"sort"
	"strings"
	"time"
)

// Checksums are the digests of one blob, lower-case hex. SHA256 is the blob's address; SHA1 and
// MD5 are computed in the same pass on ingest and never recomputed on read.
type Checksums struct {
	SHA256 string
	SHA1   string
	MD5    string
}

// ChecksumsOf computes the checksums of b (content built in memory; stored blobs get theirs
// from the blob store's single ingest pass).
func ChecksumsOf(b []byte) Checksums {
	s256, s1, m5 := sha256.Sum256(b), sha1.Sum(b), md5.Sum(b)
	return Checksums{SHA256: hex.EncodeToString(s256[:]), SHA1: hex.EncodeToString(s1[:]), MD5: hex.EncodeToString(m5[:])}
}

// SHA512Of hashes r with SHA-512 (not computed on ingest: few clients ask for it).
func SHA512Of(r io.Reader) (string, error) {
	h := sha512.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Item is a file or folder at a path inside a repository (Artifactory's "repo path").
//
// Path is relative to the repository root, with no leading or trailing slash; the root itself
// has Path "". Files point to a blob by Checksums.SHA256; folders have no blob and Size 0.
type Item struct {
	Repo     string
	Path     string
	Folder   bool
	Size     int64
	MimeType string

	// Checksums are the actual digests of the stored bytes; Original are the ones the deployer
	// declared (equal to the actual ones when the deployer declared none).
	Checksums Checksums
	Original  Checksums

	Created    time.Time
	CreatedBy  string
	Modified   time.Time
	ModifiedBy string
	Updated    time.Time

	// Memo, when not nil, is shared by every copy of this version of the item handed out by
	// the same cache (see Memo); stores leave it nil.
	Memo *Memo
}

// Name is the last path segment ("" for the repository root).
func (i Item) Name() string { return BaseName(i.Path) }

// Dir is the parent folder path as AQL reports it: "." for items at the repository root.
func (i Item) Dir() string { return ParentDir(i.Path) }

// ParentDir returns the parent of a repository path, "." when p is at the root (or is the root).
func ParentDir(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	return "."
}

// BaseName returns the last segment of a repository path ("" for the root).
func BaseName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// Properties are multi-valued key → values on items. Values keep their order of insertion;
// a key with no values is allowed (Artifactory's "key=" sets an empty value).
type Properties map[string][]string

// Keys returns the property keys in sorted order, for deterministic output.
func (p Properties) Keys() []string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Clone returns a deep copy.
func (p Properties) Clone() Properties {
	if p == nil {
		return nil
	}
	c := make(Properties, len(p))
	for k, v := range p {
		c[k] = append([]string(nil), v...)
	}
	return c
}

// Stats are the download statistics of one item. Remote* are the downloads that smart remotes
// downstream reported, summed over origins (the latest one wins for the Last* fields).
type Stats struct {
	DownloadCount    int64
	LastDownloaded   time.Time
	LastDownloadedBy string

	RemoteDownloadCount    int64
	RemoteLastDownloaded   time.Time
	RemoteLastDownloadedBy string
}

// Download is a counted download, as recorded by the statistics pipeline: Count downloads
// of one item (0 counts as 1), the latest of them by By at At.
type Download struct {
	Repo  string
	Path  string
	By    string
	At    time.Time
	Count int64
}

// User is an account. PasswordHash is a bcrypt hash; it never leaves the server.
type User struct {
	Name         string
	Email        string
	PasswordHash string
	Admin        bool
	Disabled     bool
	Created      time.Time
}

// Anonymous is the name under which unauthenticated requests act when anonymous access is on.
const Anonymous = "anonymous"

// Token is an access token's server-side record. Only hashes of the secret parts are stored.
type Token struct {
	ID          string // the JWT's jti
	Subject     string // user name
	Scope       string
	Hash        string // hex sha256 of the whole token string
	RefreshHash string // hex sha256 of the refresh token, "" when not refreshable
	Created     time.Time
	Expires     time.Time // zero: never
	Revoked     bool
}
