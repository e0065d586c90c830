package restapi

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"arca"
)

// TestRepositoryAPIStatuses: the repository layer reports kinds; this API turns "already
// exists" and "does not exist" into Artifactory's 400 and leaves every other error's status to
// the sentinel table (including the gateway kinds the remote layer uses).
func TestRepositoryAPIStatuses(t *testing.T) {
	exists := arca.Errorf(arca.ErrExists, "repository 'x' already exists")
	missing := arca.Errorf(arca.ErrNotFound, "repository 'x' does not exist")
	tests := []struct {
		name   string
		err    error
		kind   error
		status int
	}{
		{"create: exists", exists, arca.ErrExists, http.StatusBadRequest},
		{"create: exists, wrapped", fmt.Errorf("storing: %w", exists), arca.ErrExists, http.StatusBadRequest},
		{"create: invalid keeps 400", arca.Errorf(arca.ErrInvalid, "bad member"), arca.ErrExists, http.StatusBadRequest},
		{"create: a missing member is not rewritten", missing, arca.ErrExists, http.StatusNotFound},
		{"delete: missing", missing, arca.ErrNotFound, http.StatusBadRequest},
		{"delete: exists is not rewritten", exists, arca.ErrNotFound, http.StatusConflict},
		{"bad gateway untouched", arca.Errorf(arca.ErrBadGateway, "remote repository 'r': refused"), arca.ErrNotFound, http.StatusBadGateway},
		{"gateway timeout untouched", arca.Errorf(arca.ErrGatewayTimeout, "remote repository 'r': offline"), arca.ErrExists, http.StatusGatewayTimeout},
		{"internal untouched", errors.New("disk full"), arca.ErrExists, http.StatusInternalServerError},
	}
	for _, tt := range tests {
		got := asBadRequest(tt.err, tt.kind)
		if s := arca.HTTPStatus(got); s != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, s, tt.status)
		}
		if got.Error() != tt.err.Error() {
			t.Errorf("%s: message %q, want %q", tt.name, got.Error(), tt.err.Error())
		}
		for _, k := range []error{arca.ErrExists, arca.ErrNotFound} {
			if errors.Is(got, k) != errors.Is(tt.err, k) {
				t.Errorf("%s: errors.Is(%v) changed", tt.name, k)
			}
		}
	}
	if asBadRequest(nil, arca.ErrExists) != nil {
		t.Error("asBadRequest(nil) is not nil")
	}
	if s := arca.HTTPStatus(repoNotFound("x")); s != http.StatusBadRequest {
		t.Errorf("repoNotFound status %d, want 400", s)
	}
}
