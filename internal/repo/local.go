package repo

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"path"
	"strings"

	"arca"
	"arca/internal/blob"
	"arca/internal/format"
	"arca/internal/meta"
	"arca/internal/repoconfig"
)

// Store is what a local repository needs from the metadata store.
type Store interface {
	meta.Items
	meta.Props
}

// Local is a repository whose content is deployed into it. Federated repositories use it too
// (their mirroring is layered on top). A remote repository's cache is a Local under the key
// "<remote>-cache" that accepts writes only from the remote itself.
type Local struct {
	cfg   *repoconfig.Config
	key   string // the storage key: the repository key, or "<remote>-cache"
	meta  Store
	blobs blob.Store
	now   Clock
	// format's optional hooks (index maintenance, checksum files, deploy checks); nil: none.
	format format.Format
	log    *slog.Logger
}

var _ Repository = (*Local)(nil)

// withFormat sets the repository's package format, whose optional hooks the repository then
// honours (see local_format.go).
func (l *Local) withFormat(f format.Format, log *slog.Logger) *Local {
	l.format, l.log = f, log
	return l
}

// NewLocal returns a local repository storing items under key.
func NewLocal(cfg *repoconfig.Config, key string, m Store, b blob.Store, now Clock) *Local {
	return &Local{cfg: cfg, key: key, meta: m, blobs: b, now: now}
}

// Config implements Repository.
func (l *Local) Config() *repoconfig.Config { return l.cfg }

// Key is the key items are stored under.
func (l *Local) Key() string { return l.key }

func (l *Local) checkRead(p string) error {
	if l.cfg.BlackedOut() {
		return arca.Errorf(arca.ErrForbidden, "repository '%s' is blacked out", l.key)
	}
	if p != "" && !l.cfg.Filter().Allows(p) && !l.cfg.Filter().AllowsFolder(p) {
		return arca.Errorf(arca.ErrNotFound, "could not find resource '%s/%s'", l.key, p)
	}
	return nil
}

func (l *Local) checkWrite(p string) error {
	if l.cfg.BlackedOut() {
		return arca.Errorf(arca.ErrForbidden, "repository '%s' is blacked out", l.key)
	}
	if !l.cfg.Filter().Allows(p) {
		return arca.Errorf(arca.ErrForbidden,
			"path '%s' is not allowed by the include/exclude patterns of repository '%s'", p, l.key)
	}
	return nil
}

// Stat implements Repository.
func (l *Local) Stat(ctx context.Context, p string) (arca.Item, error) {
	it, err := l.statStored(ctx, p)
	if a, ok := l.assembler(p, err); ok {
		it, _, err = a.Assemble(ctx, storedParts{l}, l.key, p)
	}
	return it, err
}

// statStored returns the item stored at p (no assembly).
func (l *Local) statStored(ctx context.Context, p string) (arca.Item, error) {
	if err := l.checkRead(p); err != nil {
		return arca.Item{}, err
	}
	it, err := l.meta.GetItem(ctx, l.key, p)
	if err != nil {
		return arca.Item{}, notFound(err, l.key, p)
	}
	if !it.Folder && !l.cfg.Filter().Allows(p) {
		return arca.Item{}, arca.Errorf(arca.ErrNotFound, "could not find resource '%s/%s'", l.key, p)
	}
	return it, nil
}

// Open implements Repository.
func (l *Local) Open(ctx context.Context, p string) (arca.Item, blob.File, error) {
	it, err := l.statStored(ctx, p)
	if a, ok := l.assembler(p, err); ok {
		it, doc, err := a.Assemble(ctx, storedParts{l}, l.key, p)
		if err != nil {
			return arca.Item{}, nil, err
		}
		return it, blob.BytesFile(doc), nil
	}
	return l.openBlob(ctx, it, err)
}

// openStored opens the file stored at p (no assembly).
func (l *Local) openStored(ctx context.Context, p string) (arca.Item, blob.File, error) {
	it, err := l.statStored(ctx, p)
	return l.openBlob(ctx, it, err)
}

// openBlob opens the blob of it, the result of a stat (err): folders and errors pass through.
func (l *Local) openBlob(ctx context.Context, it arca.Item, err error) (arca.Item, blob.File, error) {
	if err != nil || it.Folder {
		return it, nil, err
	}
	f, err := l.blobs.Open(ctx, it.Checksums.SHA256)
	if err != nil {
		return arca.Item{}, nil, err
	}
	return it, f, nil
}

// Put implements Repository. The blob is committed first and the item row second, so a crash
// between the two leaves only an unreferenced blob for garbage collection; a failed or
// cancelled upload leaves nothing.
func (l *Local) Put(ctx context.Context, p string, body io.Reader, opt PutOptions) (arca.Item, error) {
	if p == "" {
		return arca.Item{}, arca.Errorf(arca.ErrInvalid, "cannot deploy to the root of repository '%s'", l.key)
	}
	p, err := l.deployPath(ctx, p)
	if err != nil {
		return arca.Item{}, err
	}
	if err := l.checkWrite(p); err != nil {
		return arca.Item{}, err
	}
	if it, handled, err := l.formatPut(ctx, p, body, &opt); handled || err != nil {
		return it, err
	}
	if opt.inspected != nil {
		body = opt.inspected
	}
	it, err := l.store(ctx, p, body, opt)
	if err != nil {
		return it, err
	}
	l.prune(ctx, p)
	l.reindex(ctx, p)
	return it, nil
}

// store writes a file: the blob first, then the item row.
func (l *Local) store(ctx context.Context, p string, body io.Reader, opt PutOptions) (arca.Item, error) {
	var sums arca.Checksums
	var size int64
	if opt.ByChecksum {
		it, err := l.findBlob(ctx, opt.Want)
		if err != nil {
			return arca.Item{}, err
		}
		sums, size = it.Checksums, it.Size
	} else {
		w, err := l.blobs.Create(ctx)
		if err != nil {
			return arca.Item{}, err
		}
		defer w.Cancel()
		if _, err := io.Copy(w, body); err != nil {
			return arca.Item{}, arca.Errorf(arca.ErrInvalid, "reading the request body: %v", err)
		}
		info, err := w.Commit(ctx, opt.Want)
		if err != nil {
			return arca.Item{}, err
		}
		sums, size = w.Sums(), info.Size
	}
	now := l.now()
	item := arca.Item{
		Repo: l.key, Path: p, Size: size, MimeType: MimeType(p),
		Checksums: sums, Original: original(opt.Want, sums),
		Created: now, CreatedBy: opt.By, Modified: now, ModifiedBy: opt.By, Updated: now,
	}
	return l.meta.PutFile(ctx, item, meta.PutOptions{Props: opt.Props})
}

// findBlob finds a stored blob by the strongest checksum the client declared.
func (l *Local) findBlob(ctx context.Context, want arca.Checksums) (arca.Item, error) {
	kinds := []struct{ kind, value string }{{"sha256", want.SHA256}, {"sha1", want.SHA1}, {"md5", want.MD5}}
	for _, k := range kinds {
		if k.value == "" {
			continue
		}
		items, err := l.meta.FindByChecksum(ctx, k.kind, strings.ToLower(k.value), nil)
		if err != nil {
			return arca.Item{}, err
		}
		for _, it := range items {
			if !matches(want, it.Checksums) {
				continue
			}
			if err := l.claimBlob(ctx, it.Checksums.SHA256); err == nil {
				return it, nil
			}
		}
		return arca.Item{}, arca.Errorf(arca.ErrNotFound, "checksum deploy failed: no stored binary with %s %s", k.kind, k.value)
	}
	return arca.Item{}, arca.Errorf(arca.ErrNotFound, "checksum deploy needs an X-Checksum-Sha256, X-Checksum-Sha1 or X-Checksum-Md5 header")
}

// claimBlob makes sure a stored blob exists and survives garbage collection long enough for a
// new item to reference it: the store's Touch when it has one, else a Stat.
func (l *Local) claimBlob(ctx context.Context, digest string) error {
	if t, ok := l.blobs.(blob.Toucher); ok {
		return t.Touch(ctx, digest)
	}
	_, err := l.blobs.Stat(ctx, digest)
	return err
}

func matches(want, got arca.Checksums) bool {
	eq := func(w, g string) bool { return w == "" || strings.EqualFold(w, g) }
	return eq(want.SHA256, got.SHA256) && eq(want.SHA1, got.SHA1) && eq(want.MD5, got.MD5)
}

// original is what Artifactory reports as "originalChecksums": the declared value where the
// client declared one, the actual one otherwise.
func original(want, actual arca.Checksums) arca.Checksums {
	pick := func(w, a string) string {
		if w != "" {
			return strings.ToLower(w)
		}
		return a
	}
	return arca.Checksums{SHA256: pick(want.SHA256, actual.SHA256), SHA1: pick(want.SHA1, actual.SHA1), MD5: pick(want.MD5, actual.MD5)}
}

// MakeFolder implements Repository.
func (l *Local) MakeFolder(ctx context.Context, p, by string) (arca.Item, error) {
	if err := l.checkWriteFolder(p); err != nil {
		return arca.Item{}, err
	}
	return l.meta.MakeFolder(ctx, l.key, p, by, l.now())
}

func (l *Local) checkWriteFolder(p string) error {
	if l.cfg.BlackedOut() {
		return arca.Errorf(arca.ErrForbidden, "repository '%s' is blacked out", l.key)
	}
	if p != "" && !l.cfg.Filter().AllowsFolder(p) {
		return arca.Errorf(arca.ErrForbidden,
			"path '%s' is not allowed by the include/exclude patterns of repository '%s'", p, l.key)
	}
	return nil
}

// Delete implements Repository.
func (l *Local) Delete(ctx context.Context, p string) error {
	if err := l.checkRead(p); err != nil {
		return err
	}
	if _, err := l.meta.Delete(ctx, l.key, p); err != nil {
		return notFound(err, l.key, p)
	}
	l.reindex(ctx, p)
	return nil
}

// List implements Repository.
func (l *Local) List(ctx context.Context, dir string, deep bool) ([]arca.Item, error) {
	if err := l.checkRead(dir); err != nil {
		return nil, err
	}
	items, err := l.meta.List(ctx, l.key, dir, deep)
	if err != nil {
		return nil, notFound(err, l.key, dir)
	}
	f := l.cfg.Filter()
	if f.IsDefault() {
		return items, nil
	}
	out := items[:0]
	for _, it := range items {
		if (it.Folder && f.AllowsFolder(it.Path)) || (!it.Folder && f.Allows(it.Path)) {
			out = append(out, it)
		}
	}
	return out, nil
}

// notFound gives a store's bare ErrNotFound Artifactory's message.
func notFound(err error, key, p string) error {
	var e *arca.Error
	if err == nil || !errors.Is(err, arca.ErrNotFound) || errors.As(err, &e) {
		return err
	}
	return arca.Errorf(arca.ErrNotFound, "could not find resource '%s/%s'", key, p)
}

// MimeType guesses a file's media type from its name, as Artifactory does from its extension
// table; application/octet-stream when unknown.
func MimeType(p string) string {
	ext := path.Ext(p)
	switch ext {
	case ".pom", ".xml":
		return "application/xml"
	case ".jar", ".war", ".ear":
		return "application/java-archive"
	case ".tgz", ".gz":
		return "application/x-gzip"
	case ".sha1", ".md5", ".sha256", ".sha512", ".asc":
		return "text/plain"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}
