package server

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// An error returned before anything was written is rendered as Artifactory's error document; one
// returned after the response started breaks the connection instead of being appended to the body.
func TestHandleErrorBeforeAndAfterTheResponseStarted(t *testing.T) {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	before := s.handle(func(w http.ResponseWriter, r *http.Request) error { return errors.New("boom") })
	after := s.handle(func(w http.ResponseWriter, r *http.Request) error {
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "<pre>partial")
		return errors.New("store failed mid-listing")
	})
	call := func(h http.Handler) (w *httptest.ResponseRecorder, aborted bool) {
		w = httptest.NewRecorder()
		rec := &recorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v != http.ErrAbortHandler {
					panic(v)
				}
				aborted = true
			}
		}()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/artifactory/libs/", nil))
		return w, false
	}
	w, aborted := call(before)
	if aborted || w.Code != 500 || !strings.Contains(w.Body.String(), `"errors"`) {
		t.Errorf("error before the response: aborted %v, status %d, body %q; want a rendered 500", aborted, w.Code, w.Body)
	}
	w, aborted = call(after)
	if !aborted || strings.Contains(w.Body.String(), "errors") {
		t.Errorf("error after the response started: aborted %v, body %q; want the connection broken, no error document", aborted, w.Body)
	}
}
