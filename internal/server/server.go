// Package server assembles Arca's HTTP server: the route table, the middleware chain
// (recover → request id → log → Artifactory headers → authenticate) and the one place where
// handler errors are rendered.
package server

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"arca"
	"arca/internal/auth"
	"arca/internal/format"
	"arca/internal/metrics"
	"arca/internal/restapi"
)

// Server is Arca's HTTP handler.
type Server struct {
	api         *restapi.API
	authn       *auth.Authenticator
	log         *slog.Logger
	logRequests bool
	metrics     *metrics.Metrics
	knownRepo   func(string) bool
	handler     http.Handler
	buffers     sync.Pool // of *[]byte: scratch buffers for copying in-memory bodies
}

// Options configure a Server.
type Options struct {
	// LogRequests logs one line per request at info level (else debug).
	LogRequests bool
	// Metrics, when set, records every request; KnownRepo tells which repository keys may be
	// label values (others are counted as "other", so that clients cannot grow the labels).
	Metrics   *metrics.Metrics
	KnownRepo func(key string) bool
}

// New builds the server around api.
func New(api *restapi.API, authn *auth.Authenticator, log *slog.Logger, opt Options) *Server {
	s := &Server{api: api, authn: authn, log: log, logRequests: opt.LogRequests, metrics: opt.Metrics, knownRepo: opt.KnownRepo}
	if s.knownRepo == nil {
		s.knownRepo = func(string) bool { return false }
	}
	s.buffers.New = func() any { b := make([]byte, 32<<10); return &b }
	rt := newRouter()
	s.routes(rt, api)
	rt.check()
	s.handler = s.recover(s.requestLog(s.headers(s.authenticate(rt))))
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// handle adapts a restapi.Handler: an error it returns is rendered here, and only here.
func (s *Server) handle(h restapi.Handler) http.Handler { return s.handleWith(h, nil) }

// handleWith is handle for a format's protocol: errors are written by the format's
// ErrorWriter (nil: Artifactory's error document).
func (s *Server) handleWith(h restapi.Handler, ew format.ErrorWriter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			if rec, ok := w.(*recorder); ok && rec.status != 0 {
				// The status line is out (a streamed listing, say): an error document now would
				// be appended to the body. Log it and break the connection, so the client sees
				// a broken response rather than a complete-looking one.
				s.log.Error("request failed after its response started", "method", r.Method, "path", r.URL.Path,
					"id", requestID(r), "status", rec.status, "err", err)
				panic(http.ErrAbortHandler)
			}
			s.renderError(w, r, err, ew)
		}
	})
}

// errorBody is Artifactory's error document.
type errorBody struct {
	Errors []errorEntry `json:"errors"`
}

type errorEntry struct {
	Status  int    `json:"status"`
	Message string `json:"message"`
}

// renderError writes err as {"errors":[{"status":…,"message":…}]} (or through ew, a format's
// own shape) with the status from arca.HTTPStatus. Internal errors are logged with the request
// id and shown without details.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error, ew format.ErrorWriter) {
	status := arca.HTTPStatus(err)
	msg := err.Error()
	if status == http.StatusInternalServerError {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "id", requestID(r), "err", err)
		msg = "internal server error (request id " + requestID(r) + ")"
	}
	if errors.Is(err, arca.ErrUnauthorized) {
		w.Header().Set("WWW-Authenticate", `Basic realm="Artifactory Realm"`)
	}
	h := w.Header()
	for _, k := range []string{"Content-Length", "Content-Range", "Accept-Ranges", "ETag", "Last-Modified", "Content-Encoding"} {
		h.Del(k)
	}
	if ew != nil {
		ew.WriteError(w, r, status, msg)
		return
	}
	h.Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	_ = json.NewEncoder(w).Encode(errorBody{Errors: []errorEntry{{Status: status, Message: msg}}})
}

// isPublic reports requests that need no authentication at all.
func isPublic(r *http.Request) bool {
	return r.URL.Path == "/artifactory/api/system/ping" || strings.HasPrefix(r.URL.Path, "/artifactory/api/system/service_id")
}
