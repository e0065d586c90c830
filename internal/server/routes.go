package server

import (
	"fmt"
	"strings"

	"arca/internal/format"
	"arca/internal/restapi"
)

// routes is THE route table: every endpoint Arca serves, and nothing else. Handlers live in
// restapi (and, later, in the format packages behind their catch-all routes).
//
// Every pattern names its method: a method-less pattern would conflict with the catch-all
// repository routes under net/http.ServeMux's precedence rules.
func (s *Server) routes(mux *router, a *restapi.API) {
	h := s.handle
	// System.
	mux.Handle("GET /artifactory/api/system/ping", h(a.Ping))
	mux.Handle("GET /artifactory/api/system/status", h(a.SystemStatus))
	mux.Handle("GET /artifactory/api/system/audit", h(a.AuditLog))
	mux.Handle("GET /artifactory/api/v1/system/liveness", h(a.Liveness))
	mux.Handle("GET /artifactory/api/v1/system/readiness", h(a.Readiness))
	mux.Handle("GET /artifactory/api/v1/metrics", h(a.Metrics))
	mux.Handle("GET /metrics", h(a.Metrics))
	mux.Handle("GET /artifactory/api/system/version", h(a.SystemVersion))
	mux.Handle("GET /artifactory/api/system/service_id", h(a.ServiceID))
	mux.Handle("GET /artifactory/api/system/licenses", h(a.Licenses))
	mux.Handle("POST /artifactory/api/system/usage", h(a.Usage))
	mux.Handle("POST /artifactory/api/system/storage/gc", h(a.StorageGC))
	mux.Handle("GET /artifactory/api/v1/uploads/config", h(a.UploadsConfig))
	mux.Handle("GET /artifactory/api/system/configuration", h(a.GetConfiguration))
	mux.Handle("PATCH /artifactory/api/system/configuration", h(a.PatchConfiguration))

	// Repositories.
	mux.Handle("GET /artifactory/api/repositories", h(a.ListRepositories))
	mux.Handle("GET /artifactory/api/repositories/{key}", h(a.GetRepository))
	mux.Handle("PUT /artifactory/api/repositories/{key}", h(a.CreateRepository))
	mux.Handle("POST /artifactory/api/repositories/{key}", h(a.UpdateRepository))
	mux.Handle("DELETE /artifactory/api/repositories/{key}", h(a.DeleteRepository))
	mux.Handle("GET /artifactory/api/v2/repositories/{key}", h(a.GetRepository))
	mux.Handle("GET /artifactory/api/repositories/{key}/resolution", h(a.Resolution))
	mux.Handle("PUT /artifactory/api/v2/repositories/batch", h(a.BatchRepositories))
	mux.Handle("POST /artifactory/api/v2/repositories/batch", h(a.BatchRepositories))

	// Storage API.
	mux.Handle("GET /artifactory/api/storage/{path...}", h(a.StorageGet))
	mux.Handle("PUT /artifactory/api/storage/statistics/{path...}", h(a.PutStatistics))
	mux.Handle("PUT /artifactory/api/storage/{path...}", h(a.StoragePut))
	mux.Handle("DELETE /artifactory/api/storage/{path...}", h(a.StorageDelete))

	// Copy and move.
	mux.Handle("POST /artifactory/api/copy/{path...}", h(a.Copy))
	mux.Handle("POST /artifactory/api/move/{path...}", h(a.Move))

	// Search.
	mux.Handle("POST /artifactory/api/search/aql", h(a.AQL))
	mux.Handle("GET /artifactory/api/search/artifact", h(a.SearchArtifact))
	mux.Handle("GET /artifactory/api/search/checksum", h(a.SearchChecksum))
	mux.Handle("GET /artifactory/api/search/prop", h(a.SearchProp))
	mux.Handle("GET /artifactory/api/search/gavc", h(a.SearchGAVC))

	// Security.
	mux.Handle("POST /artifactory/api/security/token", h(a.CreateToken))
	mux.Handle("POST /artifactory/api/security/token/revoke", h(a.RevokeToken))
	mux.Handle("GET /artifactory/api/security/encryptedPassword", h(a.EncryptedPassword))
	mux.Handle("GET /artifactory/api/security/users", h(a.ListUsers))
	mux.Handle("GET /artifactory/api/security/users/{name}", h(a.GetUser))
	mux.Handle("PUT /artifactory/api/security/users/{name}", h(a.PutUser))
	mux.Handle("POST /artifactory/api/security/users/{name}", h(a.PutUser))
	mux.Handle("DELETE /artifactory/api/security/users/{name}", h(a.DeleteUser))

	// Package APIs and the routes formats declare: each format parses its own sub-path (names
	// with slashes, "-/" endpoints). See formatRoutes.
	s.formatRoutes(mux, a)

	// Plain repository paths: browse, download, deploy, delete.
	mux.Handle("GET /artifactory/{$}", h(a.BrowseRoot))
	mux.Handle("GET /artifactory/{path...}", h(a.Download))
	mux.Handle("PUT /artifactory/{path...}", h(a.Deploy))
	mux.Handle("DELETE /artifactory/{path...}", h(a.DeleteItem))
}

// formatRoutes mounts every registered format's native protocol at
// /artifactory/api/<type>/{repo}/{path...} and the routes it declares (format.Router). Formats
// are registered in one list (internal/app); nothing here names one. A pattern declared twice
// panics with both formats named, at start-up.
func (s *Server) formatRoutes(mux *router, a *restapi.API) {
	owner := map[string]string{}
	mount := func(f format.Format, pattern string, h restapi.Handler, ew format.ErrorWriter) {
		if prev, dup := owner[pattern]; dup {
			panic(fmt.Sprintf("formats %s and %s both declare the route %q", prev, f.Name(), pattern))
		}
		owner[pattern] = f.Name()
		mux.Handle(pattern, s.handleWith(h, ew))
	}
	for _, f := range a.Formats.Formats() {
		ew, _ := f.(format.ErrorWriter)
		if n, ok := f.(format.Native); ok {
			prefix := " /artifactory/api/" + strings.ToLower(n.Name()) + "/{repo}/{path...}"
			for _, m := range []string{"GET", "PUT", "POST", "DELETE"} {
				mount(f, m+prefix, a.Native(n), ew)
			}
		}
		if rt, ok := f.(format.Router); ok {
			for _, route := range rt.Routes() {
				mount(f, route.Pattern, a.Route(route), ew)
			}
		}
	}
}
