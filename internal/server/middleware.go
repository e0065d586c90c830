package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"arca/internal/restapi"
)

// recorder captures the status and size of a response. It forwards ReadFrom so that
// http.ServeContent still reaches the connection's sendfile path through it.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
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

// ReadFrom implements io.ReaderFrom (sendfile on *os.File bodies).
func (w *recorder) ReadFrom(r io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	var n int64
	var err error
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(r)
	} else {
		n, err = io.Copy(w.ResponseWriter, r)
	}
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// requestInfo is what the outer middleware learns about a request from the inner ones.
type requestInfo struct {
	id   string
	user string // set by authenticate
}

type requestInfoKey struct{}

func info(r *http.Request) *requestInfo {
	if i, ok := r.Context().Value(requestInfoKey{}).(*requestInfo); ok {
		return i
	}
	return &requestInfo{}
}

func requestID(r *http.Request) string { return info(r).id }

// recover turns a panic into a logged 500 instead of a dropped connection.
func (s *Server) recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
				s.renderError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// requestLog assigns a request id and logs each request when it ends.
func (s *Server) requestLog(next http.Handler) http.Handler {
	var seq atomic.Uint64
	prefix := strconv.FormatInt(time.Now().UnixNano()%1e6, 36)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" {
			id = prefix + "-" + strconv.FormatUint(seq.Add(1), 36)
		}
		ri := &requestInfo{id: id}
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, ri))
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if s.logRequests || s.log.Enabled(r.Context(), slog.LevelDebug) {
			s.log.Info("request", "id", id, "method", r.Method, "path", r.URL.Path, "status", rec.status,
				"bytes", rec.bytes, "user", ri.user, "ms", time.Since(start).Milliseconds())
		}
	})
}

// headers sets the headers Artifactory puts on every response.
func (s *Server) headers(next http.Handler) http.Handler {
	server := "Artifactory/" + restapi.Version
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Artifactory-Id", s.api.InstanceID)
		h.Set("X-Artifactory-Node-Id", s.api.InstanceID)
		h.Set("Server", server)
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
			s.renderError(w, r, err)
			return
		}
		info(r).user = p.Name
		next.ServeHTTP(w, r.WithContext(restapi.WithPrincipal(r.Context(), p)))
	})
}
