package server

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"arca/internal/restapi"
)

// recorder captures the status and size of a response. It forwards ReadFrom so that
// http.ServeContent still reaches the connection's sendfile path through it.
type recorder struct {
	http.ResponseWriter
	status  int
	bytes   int64
	buffers *sync.Pool // of *[]byte, for copying in-memory bodies
}

func (w *recorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// ReadFrom implements io.ReaderFrom. A file body goes to the connection's ReadFrom, which uses
// sendfile; any other body (a small blob served from memory) is copied through Write, so it
// joins the headers in the connection's buffer and leaves in a single write.
func (w *recorder) ReadFrom(r io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	var n int64
	var err error
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok && isFile(r) {
		n, err = rf.ReadFrom(r)
	} else {
		buf := w.buffers.Get().(*[]byte)
		n, err = io.CopyBuffer(writerOnly{w.ResponseWriter}, r, *buf)
		w.buffers.Put(buf)
	}
	w.bytes += n
	return n, err
}

// isFile reports whether r is (a limited view of) an *os.File, the case sendfile serves.
func isFile(r io.Reader) bool {
	if lr, ok := r.(*io.LimitedReader); ok {
		r = lr.R
	}
	_, ok := r.(*os.File)
	return ok
}

// writerOnly hides a writer's ReadFrom so io.CopyBuffer uses the buffer.
type writerOnly struct{ io.Writer }

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func requestID(r *http.Request) string { return restapi.StateFrom(r.Context()).RequestID() }

// recover turns a panic into a logged 500 instead of a dropped connection.
func (s *Server) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				s.renderError(w, r, fmt.Errorf("panic: %v", v), nil)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// requestLog assigns a request id and logs each request when it ends.
func (s *Server) requestLog(next http.Handler) http.Handler {
	var seq atomic.Uint64
	prefix := strconv.FormatInt(time.Now().UnixNano()%1e6, 36)
	// exchange is a request's state and its response recorder, allocated together.
	type exchange struct {
		st  restapi.RequestState
		rec recorder
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		logging := s.logRequests || s.log.Enabled(r.Context(), slog.LevelDebug)
		var start time.Time
		if logging || s.metrics != nil { // a clock read is ~50 ns on a VM: only when needed
			start = time.Now()
		}
		x := &exchange{
			st:  restapi.RequestState{ID: r.Header.Get("X-Request-Id"), Seq: seq.Add(1), Prefix: prefix, Authz: s.api.Authz},
			rec: recorder{ResponseWriter: w, buffers: &s.buffers},
		}
		st, rec := &x.st, &x.rec
		if len(r.Header["X-Artifactory-Originated"]) > 0 || len(r.Header["Origin-Artifactory"]) > 0 {
			st.Originated = restapi.OriginatedIDs(r.Header)
		}
		r = r.WithContext(restapi.WithState(r.Context(), st))
		next.ServeHTTP(rec, r)
		if s.metrics != nil {
			class, repo := routeClass(r.Method, r.URL.Path)
			if repo != "" && !s.knownRepo(repo) {
				repo = "other"
			}
			s.metrics.Request(class, repo, r.Method, rec.status, max(r.ContentLength, 0), rec.bytes, time.Since(start))
		}
		if logging {
			s.log.Info("request", "id", st.RequestID(), "method", r.Method, "path", r.URL.Path, "status", rec.status,
				"bytes", rec.bytes, "user", restapi.PrincipalFrom(r.Context()).Name, "ms", time.Since(start).Milliseconds())
		}
	})
}

// headers sets the headers Artifactory puts on every response. The value slices are shared by
// all responses: they are never written into (their capacity is capped, so Add reallocates).
func (s *Server) headers(next http.Handler) http.Handler {
	shared := func(v string) []string { return []string{v}[:1:1] }
	id, server := shared(s.api.InstanceID), shared("Artifactory/"+restapi.Version)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["X-Artifactory-Id"] = id
		h["X-Artifactory-Node-Id"] = id
		h["Server"] = server
		next.ServeHTTP(w, r)
	})
}

// authenticate resolves the caller once per request. Bad credentials are refused here (401) on
// every endpoint but the public ones; no credentials make an anonymous principal, which each
// handler's authorization then accepts or refuses.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authn.Authenticate(r)
		if err != nil {
			if isPublic(r) {
				next.ServeHTTP(w, r)
				return
			}
			s.renderError(w, r, err, nil)
			return
		}
		st := restapi.StateFrom(r.Context())
		st.Principal, st.Authenticated = p, true
		next.ServeHTTP(w, r)
	})
}
