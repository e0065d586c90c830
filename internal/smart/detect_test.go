package smart

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
)

func TestDetect(t *testing.T) {
	version := func(status int, body, id string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if id != "" {
				w.Header().Set("X-Artifactory-Id", id)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}
	}
	v7 := version(200, `{"version":"7.104.5","revision":"1","license":"x"}`, "other")
	tests := []struct {
		name      string
		version   http.HandlerFunc
		repo      http.HandlerFunc // nil: 404
		want      Upstream
		wantErr   error
		wantCalls int
	}{
		{name: "artifactory, local upstream", version: v7, repo: text(200, `{"key":"libs","rclass":"local"}`),
			want: Upstream{Version: "7.104.5", Smart: true}, wantCalls: 2},
		{name: "remote upstream", version: v7, repo: text(200, `{"rclass":"remote"}`),
			want: Upstream{Version: "7.104.5", Smart: true}, wantCalls: 2},
		{name: "virtual upstream", version: v7, repo: text(200, `{"rclass":"virtual"}`),
			want: Upstream{Version: "7.104.5", Why: "the upstream repository 'libs' is virtual"}, wantCalls: 2},
		{name: "401 on the repository still counts", version: v7, repo: text(401, `{"errors":[]}`),
			want: Upstream{Version: "7.104.5", Smart: true}, wantCalls: 2},
		{name: "same instance", version: version(200, `{"version":"7.1.0"}`, ownID),
			want: Upstream{Version: "7.1.0", Why: "the upstream is this instance (same X-Artifactory-Id)"}, wantCalls: 1},
		{name: "not artifactory: 404", version: text(404, "nope"), wantCalls: 1},
		{name: "not artifactory: html", version: version(200, "<html></html>", ""), wantCalls: 1},
		{name: "json without version", version: version(200, `{"name":"nexus"}`, ""), wantCalls: 1},
		{name: "version 503 is undecided", version: text(503, ""), wantErr: arca.ErrUnavailable, wantCalls: 1},
		{name: "repositories 502 is undecided", version: v7, repo: text(502, ""), wantErr: arca.ErrUnavailable, wantCalls: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			routes := map[string]http.HandlerFunc{"GET /artifactory/api/system/version": tt.version}
			if tt.repo != nil {
				routes["GET /artifactory/api/repositories/libs"] = tt.repo
			}
			up := newUpstream(t, routes)
			got, err := up.peer("libs").Detect(context.Background())
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.want.Smart || tt.want.Why != "" {
				if got.Smart && tt.want.Why == "" {
					got.Why = "" // the assumption note is informational
				}
				if diff := cmp.Diff(tt.want, got); diff != "" {
					t.Errorf("Detect (-want +got):\n%s", diff)
				}
			} else if got.Smart || (err == nil && got.Why == "") {
				t.Errorf("Detect = %+v, want not smart with a reason", got)
			}
			if reqs, _ := up.recorded(); len(reqs) != tt.wantCalls {
				t.Errorf("%d requests, want %d", len(reqs), tt.wantCalls)
			}
		})
	}
}

func TestDetectUnreachable(t *testing.T) {
	up := newUpstream(t, nil)
	p := up.peer("libs")
	up.Close()
	if _, err := p.Detect(context.Background()); !errors.Is(err, arca.ErrUnavailable) {
		t.Fatalf("err = %v, want arca.ErrUnavailable", err)
	}
}

func TestDetectNoKey(t *testing.T) {
	got, err := NewPeer(nil, "http://h/", ownID, "", "").Detect(context.Background())
	if err != nil || got.Smart || got.Why == "" {
		t.Fatalf("Detect = %+v, %v; want not smart with a reason", got, err)
	}
}

func TestSupports(t *testing.T) {
	tests := []struct {
		version string
		smart   bool
		f       Feature
		want    bool
	}{
		{"7.104.5", true, EventReplication, true},
		{"7.104.5", false, PropertySync, false},
		{"4.1.0", true, PropertySync, true},
		{"4.1.0", true, RemoteListing, true},
		{"4.1.9", true, StatisticsPush, false},
		{"4.2.0", true, StatisticsPush, true},
		{"4.3.2", true, OriginAbsence, false},
		{"4.3.3", true, OriginAbsence, true},
		{"4.10", true, OriginAbsence, true},
		{"5.3.9-rc1", true, EventReplication, false},
		{"5.4.0-rc1", true, EventReplication, true},
		{"3.9.0", true, PropertySync, false},
		{"6.x", true, EventReplication, true},
		{"dev", true, OriginAbsence, true},
		{"7.0.0", true, Feature(99), false},
	}
	for _, tt := range tests {
		if got := (Upstream{Version: tt.version, Smart: tt.smart}).Supports(tt.f); got != tt.want {
			t.Errorf("Upstream{%q, %v}.Supports(%d) = %v, want %v", tt.version, tt.smart, tt.f, got, tt.want)
		}
	}
}
