package arca

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestHTTPStatus(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"not found", ErrNotFound, http.StatusNotFound},
		{"exists", Errorf(ErrExists, "repository 'x' already exists"), http.StatusConflict},
		{"invalid", Errorf(ErrInvalid, "bad"), http.StatusBadRequest},
		{"conflict", ErrConflict, http.StatusConflict},
		{"checksum", ErrChecksum, http.StatusConflict},
		{"unauthorized", ErrUnauthorized, http.StatusUnauthorized},
		{"forbidden", ErrForbidden, http.StatusForbidden},
		{"not allowed", ErrNotAllowed, http.StatusMethodNotAllowed},
		{"unavailable", Errorf(ErrUnavailable, "later"), http.StatusServiceUnavailable},
		{"range", ErrRangeNotValid, http.StatusRequestedRangeNotSatisfiable},
		{"bad gateway", Errorf(ErrBadGateway, "remote repository 'r': connection refused"), http.StatusBadGateway},
		{"gateway timeout", Errorf(ErrGatewayTimeout, "remote repository 'r': timeout"), http.StatusGatewayTimeout},
		{"bad gateway wrapped with %w", fmt.Errorf("fetch: %w", Errorf(ErrBadGateway, "x")), http.StatusBadGateway},
		{"gateway timeout sentinel", fmt.Errorf("%w: x", ErrGatewayTimeout), http.StatusGatewayTimeout},
		{"explicit status wins", StatusErrorf(ErrNotFound, http.StatusBadRequest, "Repository 'x' does not exist"), http.StatusBadRequest},
		{"explicit status through %w", fmt.Errorf("repository 'x': %w", StatusErrorf(ErrExists, http.StatusBadRequest, "exists")), http.StatusBadRequest},
		{"plain error", errors.New("boom"), http.StatusInternalServerError},
		{"context canceled", context.Canceled, http.StatusInternalServerError},
	}
	for _, tt := range tests {
		if got := HTTPStatus(tt.err); got != tt.want {
			t.Errorf("%s: HTTPStatus(%v) = %d, want %d", tt.name, tt.err, got, tt.want)
		}
	}
}

// TestGatewayKindsAreUnavailable: code that asks "is the upstream unavailable?" still matches
// the two gateway kinds, and they are told apart from each other.
func TestGatewayKindsAreUnavailable(t *testing.T) {
	for _, kind := range []error{ErrBadGateway, ErrGatewayTimeout} {
		err := Errorf(kind, "remote repository 'r': down")
		if !errors.Is(err, ErrUnavailable) || !errors.Is(err, kind) {
			t.Errorf("%v: errors.Is(ErrUnavailable) = %v, errors.Is(kind) = %v", kind, errors.Is(err, ErrUnavailable), errors.Is(err, kind))
		}
		if err.Error() != "remote repository 'r': down" {
			t.Errorf("message %q changed by the kind", err.Error())
		}
	}
	if errors.Is(ErrBadGateway, ErrGatewayTimeout) || errors.Is(ErrGatewayTimeout, ErrBadGateway) {
		t.Error("the gateway kinds match each other")
	}
}
