// Package metatest is the conformance suite of meta.Store: every implementation runs Run from
// its own test, and the suite holds the contract the doc comments of package meta state.
//
// Subtests are grouped by role (Repos, Items, List, ListPage, Bulk, FindItems, CopyMove, Props, Stats, Search, Users,
// Tokens, Settings, Cluster, Audit, Concurrency) and each opens its own store, so they can be run singly with
// -run.
package metatest

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
	"time"

	"arca"
	"arca/internal/meta"
)

// Run runs the suite. open must return a new, empty, migrated store for each call and arrange
// for it to be closed when t ends (t.Cleanup); the suite never closes it.
func Run(t *testing.T, open func(t *testing.T) meta.Store) {
	h := harness{open: open}
	t.Run("Repos", h.repos)
	t.Run("Items", h.itemsTests)
	t.Run("List", h.list)
	t.Run("ListPage", h.listPage)
	t.Run("Bulk", h.bulk)
	t.Run("Delete", h.delete)
	t.Run("Checksums", h.checksums)
	t.Run("FindItems", h.findItems)
	t.Run("CopyMove", h.copyMove)
	t.Run("Props", h.props)
	t.Run("Stats", h.stats)
	t.Run("Search", h.search)
	t.Run("Users", h.users)
	t.Run("Tokens", h.tokens)
	t.Run("Settings", h.settings)
	t.Run("Cluster", h.cluster)
	t.Run("Audit", h.audit)
	t.Run("Concurrency", h.concurrency)
}

// harness opens stores for the subtests.
type harness struct {
	open func(t *testing.T) meta.Store
}

// baseMs is the suite's base time in Unix milliseconds.
const baseMs = 1_700_000_000_000

// at returns the base time plus n seconds: whole milliseconds in UTC, as stores keep times.
func at(n int) time.Time { return time.UnixMilli(baseMs).UTC().Add(time.Duration(n) * time.Second) }

// fresh opens a store with the local repositories r1 and r2.
func (h harness) fresh(t *testing.T) meta.Store {
	t.Helper()
	st := h.open(t)
	for _, k := range []string{"r1", "r2"} {
		if err := st.CreateRepo(context.Background(), meta.RepoRecord{Key: k, Class: "local", PackageType: "generic", Config: []byte(`{}`), Created: at(0)}); err != nil {
			t.Fatalf("CreateRepo(%s): %v", k, err)
		}
	}
	return st
}

// sums returns the checksums of content.
func sums(content string) arca.Checksums {
	s256 := sha256.Sum256([]byte(content))
	s1 := sha1.Sum([]byte(content))
	m := md5.Sum([]byte(content))
	return arca.Checksums{SHA256: hex.EncodeToString(s256[:]), SHA1: hex.EncodeToString(s1[:]), MD5: hex.EncodeToString(m[:])}
}

// file returns a file item with content's checksums, created by "alice" at at(0).
func file(repo, path, content string) arca.Item {
	return arca.Item{
		Repo: repo, Path: path, Size: int64(len(content)), MimeType: "application/octet-stream",
		Checksums: sums(content), Created: at(0), CreatedBy: "alice", Modified: at(0), ModifiedBy: "alice", Updated: at(0),
	}
}

// put stores file(repo, path, content) with props and fails the test on error.
func put(t *testing.T, st meta.Store, repo, path, content string, props arca.Properties) arca.Item {
	t.Helper()
	it, err := st.PutFile(context.Background(), file(repo, path, content), meta.PutOptions{Props: props})
	if err != nil {
		t.Fatalf("PutFile(%s/%s): %v", repo, path, err)
	}
	return it
}

// wantErr fails unless errors.Is(err, target).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error %v, want %v", what, err, target)
	}
}

// must fails the test now on a non-nil error.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// paths returns the paths of items.
func paths(items []arca.Item) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.Path)
	}
	return out
}

// mustGet returns the item at repo/path.
func mustGet(t *testing.T, st meta.Store, repo, path string) arca.Item {
	t.Helper()
	it, err := st.GetItem(context.Background(), repo, path)
	must(t, "GetItem("+repo+"/"+path+")", err)
	return it
}
