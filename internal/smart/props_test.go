package smart

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
)

func TestFetchProperties(t *testing.T) {
	const propsURL = "GET /artifactory/api/storage/libs/org/a b.jar"
	const headURL = "HEAD /artifactory/libs/org/a b.jar"
	tests := []struct {
		name    string
		props   http.HandlerFunc
		head    http.HandlerFunc // nil: 404
		want    RemoteProps
		wantErr error
	}{
		{name: "properties", props: text(200, `{"properties":{"k":["v1","v2"],"artifactory.replication.x":["1"],"sourceDeleted":["y"]},"uri":"…"}`),
			want: RemoteProps{Exists: true, Replace: true, Props: arca.Properties{"k": {"v1", "v2"}, "sourceDeleted": {"y"}}}},
		{name: "no properties, item exists: keep", props: text(404, `{"errors":[{"status":404,"message":"No properties could be found."}]}`),
			head: text(200, ""), want: RemoteProps{Exists: true, Props: arca.Properties{}}},
		{name: "item gone: none", props: text(404, "not found"),
			want: RemoteProps{Replace: true, Props: arca.Properties{}}},
		{name: "unauthorized", props: text(401, ""), wantErr: arca.ErrUnauthorized},
		{name: "forbidden", props: text(403, ""), wantErr: arca.ErrForbidden},
		{name: "upstream down", props: text(500, ""), wantErr: arca.ErrUnavailable},
		{name: "HEAD fails", props: text(404, ""), head: text(503, ""), wantErr: arca.ErrUnavailable},
		{name: "malformed JSON", props: text(200, "<html>"), wantErr: arca.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			routes := map[string]http.HandlerFunc{propsURL: tt.props}
			if tt.head != nil {
				routes[headURL] = tt.head
			}
			up := newUpstream(t, routes)
			got, err := up.peer("libs").FetchProperties(context.Background(), "org/a b.jar")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("FetchProperties (-want +got):\n%s", diff)
			}
			reqs, _ := up.recorded()
			if q := reqs[0].URL.RawQuery; q != "properties" {
				t.Errorf("query = %q, want properties", q)
			}
		})
	}
}

func TestSourceExists(t *testing.T) {
	tests := []struct {
		status  int
		want    bool
		wantErr error
	}{
		{200, true, nil},
		{404, false, nil},
		{410, false, nil},
		{401, false, arca.ErrUnauthorized},
		{503, false, arca.ErrUnavailable},
	}
	for _, tt := range tests {
		up := newUpstream(t, map[string]http.HandlerFunc{"HEAD /artifactory/libs/a.jar": text(tt.status, "")})
		p := up.peer("libs")
		p.QueryParams = "token=x"
		got, err := p.SourceExists(context.Background(), "a.jar")
		if got != tt.want || !errors.Is(err, tt.wantErr) {
			t.Errorf("status %d: SourceExists = %v, %v; want %v, %v", tt.status, got, err, tt.want, tt.wantErr)
		}
		if reqs, _ := up.recorded(); reqs[0].URL.RawQuery != "token=x" {
			t.Errorf("status %d: query params not sent: %q", tt.status, reqs[0].URL.RawQuery)
		}
	}
}

func TestSync(t *testing.T) {
	deleted := []string{SourceDeletedValue}
	tests := []struct {
		name          string
		cached        arca.Properties
		rp            RemoteProps
		originAbsence bool
		want          arca.Properties
		changed       bool
	}{
		{name: "replace, replication keys kept",
			cached: arca.Properties{"old": {"1"}, "artifactory.replication.a": {"x"}},
			rp:     RemoteProps{Exists: true, Replace: true, Props: arca.Properties{"new": {"2"}}},
			want:   arca.Properties{"new": {"2"}, "artifactory.replication.a": {"x"}}, changed: true},
		{name: "same properties: unchanged",
			cached: arca.Properties{"k": {"v"}},
			rp:     RemoteProps{Exists: true, Replace: true, Props: arca.Properties{"k": {"v"}}},
			want:   arca.Properties{"k": {"v"}}},
		{name: "exists without properties: keep",
			cached: arca.Properties{"k": {"v"}},
			rp:     RemoteProps{Exists: true, Props: arca.Properties{}},
			want:   arca.Properties{"k": {"v"}}},
		{name: "gone, origin absence: none plus sourceDeleted",
			cached: arca.Properties{"k": {"v"}}, originAbsence: true,
			rp:   RemoteProps{Replace: true, Props: arca.Properties{}},
			want: arca.Properties{SourceDeletedKey: deleted}, changed: true},
		{name: "gone, no origin absence: none",
			cached: arca.Properties{"k": {"v"}},
			rp:     RemoteProps{Replace: true, Props: arca.Properties{}},
			want:   arca.Properties{}, changed: true},
		{name: "upstream flags sourceDeleted",
			cached: arca.Properties{}, originAbsence: true,
			rp:   RemoteProps{Exists: true, Replace: true, Props: arca.Properties{SourceDeletedKey: {"x"}}},
			want: arca.Properties{SourceDeletedKey: deleted}, changed: true},
		{name: "item is back: flag removed, other cached kept",
			cached: arca.Properties{"k": {"v"}, SourceDeletedKey: deleted}, originAbsence: true,
			rp:   RemoteProps{Exists: true, Props: arca.Properties{}},
			want: arca.Properties{"k": {"v"}}, changed: true},
		{name: "still gone: unchanged",
			cached: arca.Properties{SourceDeletedKey: deleted}, originAbsence: true,
			rp:   RemoteProps{Replace: true, Props: arca.Properties{}},
			want: arca.Properties{SourceDeletedKey: deleted}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := cmp.Diff(arca.Properties{}, tt.cached)
			got, changed := Sync(tt.cached, tt.rp, tt.originAbsence)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Sync (-want +got):\n%s", diff)
			}
			if changed != tt.changed {
				t.Errorf("changed = %v, want %v", changed, tt.changed)
			}
			if after := cmp.Diff(arca.Properties{}, tt.cached); after != before {
				t.Error("Sync modified the cached properties")
			}
		})
	}
}
