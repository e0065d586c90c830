package arca

import (
	"errors"
	"fmt"
	"net/http"
)

// The sentinel errors. Storage and repository code wraps them (with %w or Errorf) and never
// speaks HTTP; HTTPStatus is the one table that turns them into status codes.
var (
	ErrNotFound      = errors.New("not found")
	ErrExists        = errors.New("already exists")
	ErrInvalid       = errors.New("invalid request")
	ErrConflict      = errors.New("conflict")
	ErrChecksum      = errors.New("checksum mismatch")
	ErrUnauthorized  = errors.New("unauthorized")
	ErrForbidden     = errors.New("forbidden")
	ErrNotAllowed    = errors.New("method not allowed")
	ErrUnavailable   = errors.New("unavailable")
	ErrRangeNotValid = errors.New("requested range not satisfiable")

	// ErrBadGateway and ErrGatewayTimeout are the kinds of ErrUnavailable (errors.Is holds for
	// both) that blame an upstream Arca proxies: it failed or answered nonsense (502), or it did
	// not answer in time or is assumed offline after a network failure (504).
	ErrBadGateway     = fmt.Errorf("bad gateway: %w", ErrUnavailable)
	ErrGatewayTimeout = fmt.Errorf("gateway timeout: %w", ErrUnavailable)
)

// statusTable is searched in order, so a kind comes before the kinds it wraps.
var statusTable = []struct {
	err    error
	status int
}{
	{ErrNotFound, http.StatusNotFound},
	{ErrExists, http.StatusConflict},
	{ErrInvalid, http.StatusBadRequest},
	{ErrConflict, http.StatusConflict},
	{ErrChecksum, http.StatusConflict},
	{ErrUnauthorized, http.StatusUnauthorized},
	{ErrForbidden, http.StatusForbidden},
	{ErrNotAllowed, http.StatusMethodNotAllowed},
	{ErrBadGateway, http.StatusBadGateway},
	{ErrGatewayTimeout, http.StatusGatewayTimeout},
	{ErrUnavailable, http.StatusServiceUnavailable},
	{ErrRangeNotValid, http.StatusRequestedRangeNotSatisfiable},
}

// HTTPStatus maps an error to its HTTP status: an *Error with an explicit Status wins, then the
// first sentinel it wraps, else 500.
func HTTPStatus(err error) int {
	var e *Error
	if errors.As(err, &e) && e.Status != 0 {
		return e.Status
	}
	for _, s := range statusTable {
		if errors.Is(err, s.err) {
			return s.status
		}
	}
	return http.StatusInternalServerError
}

// Error is an error with a message meant for the client. Kind is one of the sentinels above;
// Status, when non-zero, overrides the status the table gives for Kind. Only the HTTP layer
// (internal/restapi, internal/server) sets Status, for Artifactory's quirks on one endpoint (the
// repository API answers "does not exist" with 400, for example); code below it chooses a Kind.
type Error struct {
	Kind   error
	Status int
	Msg    string
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Kind }

// Errorf builds an *Error of the given kind with a formatted client-facing message.
func Errorf(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// StatusErrorf is Errorf with an explicit HTTP status, for the HTTP layer only (see Error).
func StatusErrorf(kind error, status int, format string, args ...any) error {
	return &Error{Kind: kind, Status: status, Msg: fmt.Sprintf(format, args...)}
}
