package repo

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"

	"arca"
	"arca/internal/format"
)

// maxInspected bounds a body read whole for a format's deploy check (a POM).
const maxInspected = 16 << 20

// deployPath is where a deploy of p is stored: the format's Renamer applies the repository's
// snapshotVersionBehavior.
func (l *Local) deployPath(ctx context.Context, p string) (string, error) {
	rn, ok := l.format.(format.Renamer)
	if !ok {
		return p, nil
	}
	return rn.DeployPath(ctx, l, l.cfg, p, l.now())
}

// formatPut applies the format's deploy hooks before a file is stored. It reports handled when
// the deploy is complete without storing the body as sent (a checksum file, an index document).
func (l *Local) formatPut(ctx context.Context, p string, body io.Reader, opt *PutOptions) (arca.Item, bool, error) {
	if l.format == nil {
		return arca.Item{}, false, nil
	}
	fp := l.format.Classify(p)
	if fp.Release && !l.cfg.HandleReleases() {
		return arca.Item{}, true, arca.Errorf(arca.ErrConflict,
			"repository '%s' does not handle releases (handleReleases is false): '%s' is a release", l.key, p)
	}
	if fp.Snapshot && !l.cfg.HandleSnapshots() {
		return arca.Item{}, true, arca.Errorf(arca.ErrConflict,
			"repository '%s' does not handle snapshots (handleSnapshots is false): '%s' is a snapshot", l.key, p)
	}
	if cf, ok := l.format.(format.ChecksumFiles); ok {
		if c, ok := cf.ChecksumFile(p); ok {
			if _, indexed := l.format.(format.Indexer); indexed && l.format.Classify(c.Of).Kind == format.Metadata {
				// The checksum of the client's own copy of an index document, which is not
				// served: acknowledged, not verified (the computed document has its own).
				_, _ = io.Copy(io.Discard, io.LimitReader(body, 4096))
				now := l.now()
				return arca.Item{Repo: l.key, Path: p, MimeType: "text/plain", Created: now, Modified: now, Updated: now}, true, nil
			}
			if it, handled, err := l.putChecksum(ctx, p, c, body, opt.By); handled || err != nil {
				return it, handled, err
			}
		}
	}
	if _, ok := l.format.(format.Indexer); ok && fp.Kind == format.Metadata {
		// The client's copy is accepted; the computed one is stored and served.
		_, _ = io.Copy(io.Discard, io.LimitReader(body, maxInspected))
		l.reindex(ctx, p)
		it, err := l.meta.GetItem(ctx, l.key, p)
		if errors.Is(err, arca.ErrNotFound) {
			now := l.now()
			it = arca.Item{Repo: l.key, Path: p, Created: now, Modified: now, Updated: now}
			err = nil
		}
		return it, true, err
	}
	if dc, ok := l.format.(format.DeployChecker); ok && dc.Inspect(l.cfg, p) {
		b, err := io.ReadAll(io.LimitReader(body, maxInspected+1))
		if err != nil {
			return arca.Item{}, true, arca.Errorf(arca.ErrInvalid, "reading the request body: %v", err)
		}
		if len(b) > maxInspected {
			return arca.Item{}, true, arca.Errorf(arca.ErrInvalid, "'%s' is larger than %d bytes", p, maxInspected)
		}
		if err := dc.Check(p, b); err != nil {
			return arca.Item{}, true, err
		}
		opt.inspected = bytes.NewReader(b)
	}
	return arca.Item{}, false, nil
}

// putChecksum handles an uploaded checksum file: when the artifact it describes is stored, the
// value is checked against the artifact (checksumPolicyType client-checksums: a mismatch is
// refused; server-generated-checksums: the server's own checksums win and the upload is only
// acknowledged) and nothing is stored. A checksum file of a missing artifact is stored as a
// plain file.
func (l *Local) putChecksum(ctx context.Context, p string, c format.ChecksumFile, body io.Reader, by string) (arca.Item, bool, error) {
	art, err := l.meta.GetItem(ctx, l.key, c.Of)
	if errors.Is(err, arca.ErrNotFound) || (err == nil && art.Folder) {
		return arca.Item{}, false, nil
	}
	if err != nil {
		return arca.Item{}, true, err
	}
	b, err := io.ReadAll(io.LimitReader(body, 4096))
	if err != nil {
		return arca.Item{}, true, arca.Errorf(arca.ErrInvalid, "reading the request body: %v", err)
	}
	declared := strings.ToLower(firstField(string(b)))
	actual, err := l.checksum(ctx, art, c.Algorithm)
	if err != nil {
		return arca.Item{}, true, err
	}
	if declared != actual && !l.cfg.ServerGeneratedChecksums() {
		return arca.Item{}, true, arca.Errorf(arca.ErrChecksum,
			"the %s checksum uploaded for '%s' (%s) does not match the stored artifact (%s)", c.Algorithm, c.Of, declared, actual)
	}
	now := l.now()
	return arca.Item{Repo: l.key, Path: p, Size: int64(len(b)), MimeType: "text/plain",
		Created: now, CreatedBy: by, Modified: now, ModifiedBy: by, Updated: now}, true, nil
}

// firstField is the first whitespace-separated field of a checksum file ("<hex>  name").
func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

// checksum returns an item's checksum of an algorithm; SHA-512, not computed on ingest, is
// computed from the blob.
func (l *Local) checksum(ctx context.Context, it arca.Item, algorithm string) (string, error) {
	switch algorithm {
	case "sha1":
		return it.Checksums.SHA1, nil
	case "md5":
		return it.Checksums.MD5, nil
	case "sha256":
		return it.Checksums.SHA256, nil
	}
	f, err := l.blobs.Open(ctx, it.Checksums.SHA256)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return arca.SHA512Of(f)
}

// prune removes builds beyond maxUniqueSnapshots after a deploy of p (0: keep all). Failures
// are logged: the deploy itself is committed.
func (l *Local) prune(ctx context.Context, p string) {
	pr, ok := l.format.(format.Pruner)
	if !ok {
		return
	}
	paths, err := pr.Prune(ctx, l, l.cfg, p)
	if err != nil {
		l.log.Error("pruning snapshots", "repo", l.key, "path", p, "err", err)
		return
	}
	for _, old := range paths {
		if _, err := l.meta.Delete(ctx, l.key, old); err != nil && !errors.Is(err, arca.ErrNotFound) {
			l.log.Error("pruning snapshots", "repo", l.key, "path", old, "err", err)
		}
	}
}

// reindex lets the format recompute the index documents a change to p affects. Failures are
// logged: the change itself is already committed.
func (l *Local) reindex(ctx context.Context, p string) {
	idx, ok := l.format.(format.Indexer)
	if !ok {
		return
	}
	docs, err := idx.Reindex(ctx, l, p, l.now())
	if err != nil {
		l.log.Error("reindexing", "repo", l.key, "path", p, "err", err)
		return
	}
	for _, d := range docs {
		if d.Delete {
			if _, err := l.meta.Delete(ctx, l.key, d.Path); err != nil && !errors.Is(err, arca.ErrNotFound) {
				l.log.Error("removing an index document", "repo", l.key, "path", d.Path, "err", err)
			}
			continue
		}
		if _, err := l.store(ctx, d.Path, bytes.NewReader(d.Content), PutOptions{By: "arca"}); err != nil {
			l.log.Error("writing an index document", "repo", l.key, "path", d.Path, "err", err)
		}
	}
}

// assembler returns the format's Assembler when a lookup of p that failed with err should ask
// it: p is a metadata path that is not stored, in a repository that is not a remote's cache
// (whose documents come whole from the upstream).
func (l *Local) assembler(p string, err error) (format.Assembler, bool) {
	if err == nil || !errors.Is(err, arca.ErrNotFound) || l.format == nil || l.key != l.cfg.Key() {
		return nil, false
	}
	a, ok := l.format.(format.Assembler)
	if !ok || l.format.Classify(p).Kind != format.Metadata || !l.cfg.Filter().Allows(p) {
		return nil, false
	}
	return a, true
}

// storedParts implements format.Parts over a local repository's stored items.
type storedParts struct{ l *Local }

func (s storedParts) List(ctx context.Context, dir string, deep bool) ([]arca.Item, error) {
	return s.l.List(ctx, dir, deep)
}

func (s storedParts) Stat(ctx context.Context, p string) (arca.Item, error) {
	return s.l.statStored(ctx, p)
}

func (s storedParts) Open(ctx context.Context, p string) (arca.Item, io.ReadCloser, error) {
	it, f, err := s.l.openStored(ctx, p)
	if f == nil {
		return it, nil, err
	}
	return it, f, err
}

func (s storedParts) Read(ctx context.Context, it arca.Item) (io.ReadCloser, error) {
	if it.Folder {
		return nil, arca.Errorf(arca.ErrNotFound, "'%s' is a folder", it.Path)
	}
	return s.l.blobs.Open(ctx, it.Checksums.SHA256)
}
