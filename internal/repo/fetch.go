package repo

import (
	"context"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strings"

	"arca"
	"arca/internal/blob"
	"arca/internal/format"
	"arca/internal/meta"
	"arca/internal/upstream"
)

// flight is the one upstream fetch of a missing path; requests that find it in progress wait for
// it and are then served from the cache.
type flight struct {
	done chan struct{}
	err  error // set before done is closed
}

// fetch gets a missing path from the upstream: as the leader of a new flight, or by waiting for
// the flight in progress.
func (r *Remote) fetch(ctx context.Context, p string) (arca.Item, blob.File, error) {
	if !r.cfg.StoreArtifactsLocally() {
		return r.passThrough(ctx, p) // nothing is stored, so there is nothing to wait for
	}
	fl := &flight{done: make(chan struct{})}
	if prev, loaded := r.flights.LoadOrStore(p, fl); loaded {
		r.fetched("joined")
		other := prev.(*flight)
		select {
		case <-other.done:
		case <-ctx.Done():
			return arca.Item{}, nil, ctx.Err()
		}
		if other.err != nil {
			return arca.Item{}, nil, other.err
		}
		return r.cache.Open(ctx, p)
	}
	land := func(err error) {
		fl.err = err
		r.flights.Delete(p)
		close(fl.done)
	}
	// The previous flight may have landed between our cache miss and our LoadOrStore.
	if it, f, err := r.cache.Open(ctx, p); err == nil {
		land(nil)
		return it, f, nil
	}
	if r.locks != nil {
		// One flight across the nodes too: the leader of each node waits for the cluster's
		// lock of the path, held until its flight lands.
		unlock, err := r.locks.Lock(ctx, "fetch\x00"+r.cache.Key()+"\x00"+p)
		if err != nil {
			land(err)
			return arca.Item{}, nil, err
		}
		local := land
		land = func(err error) {
			unlock()
			local(err)
		}
		// Another node's flight may have landed while this one waited.
		if it, f, err := r.cache.Open(ctx, p); err == nil {
			land(nil)
			return it, f, nil
		}
	}
	res, err := r.client.Do(context.WithoutCancel(ctx), upstream.Request{Method: http.MethodGet, Path: r.upstreamPath(p), Originated: originated(ctx)})
	if err != nil {
		r.fetched("failed")
		err = r.fetchFailed(p, err)
		land(err)
		return arca.Item{}, nil, err
	}
	r.fetched("fetched")
	r.misses.Remove(p)
	it := r.upstreamItem(p, res)
	w, err := r.cache.blobs.Create(ctx)
	if err != nil {
		res.Body.Close()
		land(err)
		return arca.Item{}, nil, err
	}
	t := &teeFile{remote: r, path: p, res: res, w: w, item: it, land: land, companion: r.companion(ctx, p, res),
		declared: r.declared(ctx, p)}
	if t.declared.SHA512 != "" {
		t.sha512 = sha512.New()
	}
	return it, t, nil
}

// fetched tells Options.OnFetch of a fetch's outcome.
func (r *Remote) fetched(result string) {
	if r.onFetch != nil {
		r.onFetch(r.cfg.Key(), result)
	}
}

// companion fetches, in the background, the upstream's SHA-1 companion file of p when the
// upstream declared no checksum and the format has checksum files (a plain Maven repository):
// the body is verified against it before it is stored. Nil when not needed; the channel yields
// "" when the upstream has no usable companion.
func (r *Remote) companion(ctx context.Context, p string, res *upstream.Response) <-chan string {
	cf, ok := r.format.(format.ChecksumFiles)
	if !ok || res.Checksums != (arca.Checksums{}) || r.format.Classify(p).Kind == format.Metadata {
		return nil
	}
	if _, isChecksum := cf.ChecksumFile(p); isChecksum {
		return nil
	}
	ch := make(chan string, 1)
	go func() {
		ch <- r.fetchSHA1(context.WithoutCancel(ctx), p+".sha1")
	}()
	return ch
}

// fetchSHA1 reads a checksum file from the upstream ("" when missing or malformed).
func (r *Remote) fetchSHA1(ctx context.Context, p string) string {
	res, err := r.client.Do(ctx, upstream.Request{Method: http.MethodGet, Path: p, Originated: originated(ctx)})
	if err != nil {
		return ""
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1024))
	if err != nil {
		return ""
	}
	v := strings.ToLower(firstField(string(b)))
	if len(v) != 40 || strings.Trim(v, "0123456789abcdef") != "" {
		return ""
	}
	return v
}

// passThrough serves an upstream body without storing it (storeArtifactsLocally false).
func (r *Remote) passThrough(ctx context.Context, p string) (arca.Item, blob.File, error) {
	res, err := r.client.Do(ctx, upstream.Request{Method: http.MethodGet, Path: r.upstreamPath(p), Originated: originated(ctx)})
	if err != nil {
		return arca.Item{}, nil, r.fetchFailed(p, err)
	}
	r.misses.Remove(p)
	return r.upstreamItem(p, res), &passFile{body: res.Body, size: res.Size}, nil
}

// teeFile streams an upstream body to the client while writing it to a new blob. At the end of
// the body it verifies the upstream's declared checksums and stores the item; a mismatch or a
// truncated body stores nothing and fails the read, so the client's response is aborted. When
// the client stops reading early (a range, a disconnect), Close finishes the download in the
// background so the cache is filled and the waiting requests are served.
type teeFile struct {
	remote *Remote
	path   string
	res    *upstream.Response
	w      blob.Writer
	item   arca.Item
	land   func(error)
	// companion yields the upstream's SHA-1 companion when it declared no checksum (nil: none).
	companion <-chan string
	// declared are the checksums the format's cached metadata declares for the file; sha512
	// hashes the body when a SHA-512 is declared.
	declared format.Digests
	sha512   hash.Hash

	pos      int64 // bytes consumed from the upstream (and written to the blob)
	logical  int64 // bytes delivered to the reader (or skipped by a seek)
	carry    byte  // the held-back last byte, when carried
	carried  bool
	scratch  [1]byte
	finished bool
	err      error
}

// Read implements io.Reader. The last byte read is held back until the next read, so the final
// byte reaches the client only after the body was verified and stored: when verification fails
// the client's response ends one byte short and is seen as broken, never as complete.
func (t *teeFile) Read(p []byte) (int, error) {
	if t.err != nil {
		return 0, t.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if err := t.skipTo(t.logical); err != nil {
		return 0, err
	}
	if t.finished {
		if t.carried {
			p[0], t.carried = t.carry, false
			t.logical++
			return 1, io.EOF
		}
		return 0, io.EOF
	}
	head := 0
	if t.carried {
		p[0], t.carried, head = t.carry, false, 1
	}
	// With no room left after the carried byte, read into a one-byte scratch: that byte (or the
	// end of the body) decides what the carried byte is delivered with.
	dst := p[head:]
	if len(dst) == 0 {
		dst = t.scratch[:]
	}
	n, err := t.pull(dst)
	if err != nil && err != io.EOF {
		return 0, err
	}
	if err == io.EOF {
		if ferr := t.finish(); ferr != nil {
			return 0, ferr
		}
	}
	if len(p) == head { // dst was the scratch: p holds only the previously carried byte
		if n > 0 {
			t.carry, t.carried = dst[0], true
		}
		t.logical += int64(head)
		return head, nil // at the end, the new carry (if any) leaves with io.EOF on the next read
	}
	total := head + n
	if err == io.EOF {
		t.logical += int64(total)
		return total, io.EOF
	}
	if total > 0 {
		total--
		t.carry, t.carried = p[total], true
	}
	t.logical += int64(total)
	return total, nil
}

// pull reads upstream bytes into p and writes them to the blob. Errors other than io.EOF have
// already failed the download.
func (t *teeFile) pull(p []byte) (int, error) {
	n, err := t.res.Body.Read(p)
	if n > 0 {
		if _, werr := t.w.Write(p[:n]); werr != nil {
			return 0, t.fail(werr)
		}
		if t.sha512 != nil {
			t.sha512.Write(p[:n])
		}
		t.pos += int64(n)
	}
	if err != nil && err != io.EOF {
		return n, t.fail(err)
	}
	return n, err
}

// skipTo reads ahead (storing, not returning) up to offset.
func (t *teeFile) skipTo(offset int64) error {
	if t.carried && offset > t.logical {
		t.carried = false
		t.logical++
	}
	if offset <= t.pos || t.finished {
		return nil
	}
	_, err := io.CopyN(io.Discard, &readAhead{t}, offset-t.pos)
	t.logical = t.pos
	if err != nil && err != io.EOF {
		return err
	}
	return nil
}

// Seek implements io.Seeker for http.ServeContent: the size is known from Content-Length (or by
// reading to the end), and seeking forward reads ahead. Seeking back before data already
// passed is impossible and fails.
func (t *teeFile) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += t.logical
	case io.SeekEnd:
		if t.res.Size < 0 {
			if _, err := io.Copy(io.Discard, &readAhead{t}); err != nil {
				return 0, err
			}
			t.res.Size = t.pos
		}
		offset += t.res.Size
	}
	if offset < t.pos && !(offset == 0 && t.pos == 0) {
		return 0, fmt.Errorf("cannot seek back to %d in a streamed upstream body at %d", offset, t.pos)
	}
	t.logical = offset
	return offset, nil
}

// readAhead drains a teeFile to its end, storing the rest of the body without delivering it.
type readAhead struct{ t *teeFile }

func (r *readAhead) Read(p []byte) (int, error) {
	t := r.t
	if t.err != nil {
		return 0, t.err
	}
	if t.finished {
		return 0, io.EOF
	}
	n, err := t.pull(p)
	if err == io.EOF {
		return n, t.finishEOF()
	}
	return n, err
}

// finishEOF is finish for readers that want io.EOF on success.
func (t *teeFile) finishEOF() error {
	if err := t.finish(); err != nil {
		return err
	}
	return io.EOF
}

// Streaming marks a body that arrives while it is sent: the server flushes each chunk.
func (t *teeFile) Streaming() bool { return true }

// Close implements io.Closer. An unfinished download goes on in the background.
func (t *teeFile) Close() error {
	if t.finished || t.err != nil {
		return nil
	}
	go func() {
		_, err := io.Copy(io.Discard, &readAhead{t})
		if err != nil {
			t.remote.log.Warn("remote repository: finishing a download", "repo", t.remote.cfg.Key(), "path", t.path, "err", err)
		}
	}()
	return nil
}

// finish verifies the downloaded artifact and stores it. It runs once, before the client's last
// byte is released: when the client has the whole body, the cache has it too.
func (t *teeFile) finish() error {
	if t.finished {
		return nil
	}
	t.finished = true
	t.res.Body.Close()
	if t.res.Size >= 0 && t.pos != t.res.Size {
		return t.fail(fmt.Errorf("upstream sent %d of %d bytes", t.pos, t.res.Size))
	}
	r := t.remote
	ctx := context.Background()
	if t.companion != nil {
		if v := <-t.companion; v != "" {
			t.res.Checksums.SHA1 = v
		}
	}
	if err := t.checkDeclared(); err != nil {
		return t.fail(err)
	}
	if _, err := t.w.Commit(ctx, t.res.Checksums); err != nil {
		return t.fail(err)
	}
	it := t.item
	it.Size, it.Checksums = t.w.Size(), t.w.Sums()
	it.Original = original(t.res.Checksums, it.Checksums)
	if _, err := r.cache.meta.PutFile(ctx, it, meta.PutOptions{}); err != nil {
		return t.fail(err)
	}
	t.land(nil)
	return nil
}

// fail discards the download; the client's read fails and waiting requests get a 502.
func (t *teeFile) fail(err error) error {
	if t.err != nil {
		return t.err
	}
	t.finished = true
	t.res.Body.Close()
	t.w.Cancel()
	r := t.remote
	r.log.Warn("remote repository: download not stored", "repo", r.cfg.Key(), "path", t.path, "err", err)
	if errors.Is(err, upstream.ErrTimeout) {
		t.err = arca.Errorf(arca.ErrGatewayTimeout, "remote repository '%s': %v", r.cfg.Key(), err)
	} else {
		t.err = arca.Errorf(arca.ErrBadGateway, "remote repository '%s': %v", r.cfg.Key(), err)
	}
	t.land(t.err)
	return t.err
}

// metaPut keeps an item's properties when it is written again.
func metaPut(props arca.Properties) meta.PutOptions { return meta.PutOptions{Props: props} }

// passFile passes an upstream body through without storing it (storeArtifactsLocally false).
type passFile struct {
	body io.ReadCloser
	size int64
	pos  int64
}

func (f *passFile) Read(p []byte) (int, error) {
	n, err := f.body.Read(p)
	f.pos += int64(n)
	return n, err
}

func (f *passFile) Seek(offset int64, whence int) (int64, error) {
	switch {
	case whence == io.SeekEnd && f.size >= 0:
		return f.size + offset, nil
	case whence == io.SeekStart && offset == f.pos:
		return offset, nil
	case whence == io.SeekCurrent && offset == 0:
		return f.pos, nil
	}
	return 0, errors.New("a passed-through upstream body cannot seek")
}

func (f *passFile) Close() error { return f.body.Close() }

// Streaming marks a body that arrives while it is sent: the server flushes each chunk.
func (f *passFile) Streaming() bool { return true }

// revalidate asks the upstream whether expired cached metadata changed (a conditional GET). A
// 304 renews the cached copy; new content replaces it. When the upstream cannot answer (5xx,
// 429, timeout, network) the stale copy is served with a Warning, unless hardFail.
func (r *Remote) revalidate(ctx context.Context, p string, cached arca.Item, f blob.File) (arca.Item, blob.File, error) {
	if err := r.mayFetch(p); err != nil && !errors.Is(err, arca.ErrNotFound) {
		return r.stale(cached, f, err)
	}
	res, err := r.client.Do(ctx, upstream.Request{Method: http.MethodGet, Path: r.upstreamPath(p), Originated: originated(ctx),
		LastModified: cached.Modified.UTC().Format(http.TimeFormat)})
	if err != nil {
		ferr := r.fetchFailed(p, err)
		if errors.Is(err, arca.ErrNotFound) {
			f.Close()
			return arca.Item{}, nil, ferr
		}
		return r.stale(cached, f, ferr)
	}
	if res.Status == http.StatusNotModified {
		res.Body.Close()
		cached.Updated = r.now()
		props, err := r.cache.meta.GetProps(ctx, r.cache.Key(), p)
		if err == nil {
			_, err = r.cache.meta.PutFile(ctx, cached, metaPut(props))
		}
		if err != nil {
			r.log.Warn("remote repository: renewing cached metadata", "repo", r.cfg.Key(), "path", p, "err", err)
		}
		return cached, f, nil
	}
	f.Close()
	w, err := r.cache.blobs.Create(ctx)
	if err != nil {
		res.Body.Close()
		return arca.Item{}, nil, err
	}
	t := &teeFile{remote: r, path: p, res: res, w: w, item: r.upstreamItem(p, res), land: func(error) {}}
	return t.item, t, nil
}

// stale serves an expired cached copy when the upstream cannot answer, with a Warning header,
// or fails with the upstream's error under hardFail.
func (r *Remote) stale(cached arca.Item, f blob.File, err error) (arca.Item, blob.File, error) {
	if r.cfg.HardFail() {
		f.Close()
		return arca.Item{}, nil, err
	}
	return cached, &warnFile{File: f, warning: `110 Arca "Response is Stale" (upstream: ` + err.Error() + `)`}, nil
}

// warnFile is a cached file served with a Warning header.
type warnFile struct {
	blob.File
	warning string
}

// Warning returns the Warning header value to send with the file.
func (w *warnFile) Warning() string { return w.warning }
