package acceptance

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jfrog/jfrog-client-go/artifactory/services"
)

func ptr[T any](v T) *T { return &v }

// repoCase is one repository of TestRepositoryLifecycle, created and updated through the
// library's per-class services (the ones `jf rt repo-create/-update` use).
type repoCase struct {
	name     string
	rclass   string
	key      string
	create   any            // params sent on create (PUT)
	defaults map[string]any // fields not sent, with their documented effective values
	update   any            // params sent on update (POST); the server merges them
	want     map[string]any // fields after the update (sent on update, or kept from create)
	secret   string         // a value that GET must never echo (a remote's password)
}

// Flows "repo create, update, delete" and "repo get, list": a local, a remote and a
// virtual generic repository go through create → get → list (with filters) → update → get →
// delete → get (400).
func TestRepositoryLifecycle(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	details := c.GetConfig().GetServiceDetails()
	local, remote, virtual := uniqueKey(t, "local"), uniqueKey(t, "remote"), uniqueKey(t, "virtual")

	lp := services.NewGenericLocalRepositoryParams()
	lp.Key = local
	lp.Description = "local generic"
	lp.Notes = "notes survive updates"
	lp.IncludesPattern = "**/*"
	lp.ExcludesPattern = "secret/**"
	lp.RepoLayoutRef = "simple-default"
	lp.XrayIndex = ptr(false)
	lp.ArchiveBrowsingEnabled = ptr(true)
	lpUpdate := services.NewGenericLocalRepositoryParams()
	lpUpdate.Key = local
	lpUpdate.Description = "local generic, updated"

	rp := services.NewGenericRemoteRepositoryParams()
	rp.Key = remote
	rp.Url = "http://127.0.0.1:9/artifactory/upstream-generic" // never contacted: offline
	rp.Username = "upstream-user"
	rp.Password = "upstream-password"
	rp.Description = "remote generic"
	rp.Offline = ptr(true)
	rp.RetrievalCachePeriodSecs = ptr(600)
	rp.ListRemoteFolderItems = ptr(true)
	rp.ContentSynchronisation = &services.ContentSynchronisation{
		Enabled:    ptr(true),
		Statistics: &services.ContentSynchronisationStatistics{Enabled: ptr(true)},
		Properties: &services.ContentSynchronisationProperties{Enabled: ptr(false)},
		Source:     &services.ContentSynchronisationSource{OriginAbsenceDetection: ptr(true)},
	}
	rpUpdate := services.NewGenericRemoteRepositoryParams()
	rpUpdate.Key = remote
	rpUpdate.Url = rp.Url // "url" is never omitted by the library, so an update always carries it
	rpUpdate.RetrievalCachePeriodSecs = ptr(900)

	vp := services.NewGenericVirtualRepositoryParams()
	vp.Key = virtual
	vp.Description = "virtual generic"
	vp.Repositories = []string{local, remote}
	vp.DefaultDeploymentRepo = local
	vp.ArtifactoryRequestsCanRetrieveRemoteArtifacts = ptr(true)
	vpUpdate := services.NewGenericVirtualRepositoryParams()
	vpUpdate.Key = virtual
	vpUpdate.Repositories = []string{remote, local} // the order is the resolution order: kept as sent

	cases := []*repoCase{
		{
			name: "local", rclass: "local", key: local, create: lp,
			defaults: map[string]any{
				"blackedOut": false, "downloadRedirect": false, "cdnRedirect": false,
				"priorityResolution": false, "projectKey": "",
			},
			update: lpUpdate,
			want: map[string]any{
				"description": "local generic, updated", "notes": "notes survive updates",
				"excludesPattern": "secret/**", "archiveBrowsingEnabled": true,
			},
		},
		{
			name: "remote", rclass: "remote", key: remote, create: rp,
			defaults: map[string]any{
				"includesPattern": "**/*", "excludesPattern": "", "repoLayoutRef": "simple-default",
				"hardFail": false, "storeArtifactsLocally": true, "blockMismatchingMimeTypes": true,
				"socketTimeoutMillis": 15000.0, "missedRetrievalCachePeriodSecs": 1800.0,
				"assumedOfflinePeriodSecs": 300.0, "metadataRetrievalTimeoutSecs": 60.0,
				"unusedArtifactsCleanupPeriodHours": 0.0,
			},
			update: rpUpdate,
			want: map[string]any{
				"retrievalCachePeriodSecs": 900.0, "offline": true, "username": "upstream-user",
				"url": rp.Url, "description": "remote generic",
			},
			secret: rp.Password,
		},
		{
			name: "virtual", rclass: "virtual", key: virtual, create: vp,
			defaults: map[string]any{
				"includesPattern": "**/*", "excludesPattern": "", "repoLayoutRef": "simple-default",
			},
			update: vpUpdate,
			want: map[string]any{
				"repositories":          []any{remote, local},
				"defaultDeploymentRepo": local,
				"description":           "virtual generic",
				"artifactoryRequestsCanRetrieveRemoteArtifacts": true,
			},
		},
	}

	// Each class through its own service, constructed as jfrog-client-go's manager does.
	send := func(rc *repoCase, isUpdate bool, params any) error {
		switch p := params.(type) {
		case services.GenericLocalRepositoryParams:
			s := services.NewLocalRepositoryService(c.Client(), isUpdate)
			s.ArtDetails = details
			return s.Generic(p)
		case services.GenericRemoteRepositoryParams:
			s := services.NewRemoteRepositoryService(c.Client(), isUpdate)
			s.ArtDetails = details
			return s.Generic(p)
		case services.GenericVirtualRepositoryParams:
			s := services.NewVirtualRepositoryService(c.Client(), isUpdate)
			s.ArtDetails = details
			return s.Generic(p)
		}
		return fmt.Errorf("unexpected params %T", params)
	}

	created := map[string]bool{}
	t.Cleanup(func() { // if the test stops half-way; deleting virtual first
		for i := len(cases) - 1; i >= 0; i-- {
			if created[cases[i].key] {
				_ = c.DeleteRepository(cases[i].key)
			}
		}
	})

	for _, rc := range cases {
		t.Run("create/"+rc.name, func(t *testing.T) {
			if err := send(rc, false, rc.create); err != nil {
				t.Fatalf("create %s: %v", rc.key, err)
			}
			created[rc.key] = true
		})
	}
	for _, rc := range cases {
		t.Run("get/"+rc.name, func(t *testing.T) {
			got := getRepoConfig(t, c, rc.key)
			want := jsonFields(t, rc.create)
			delete(want, "password")
			if diff := cmp.Diff(want, project(got, want)); diff != "" {
				t.Errorf("GET api/repositories/%s: fields sent on create (-sent +got):\n%s", rc.key, diff)
			}
			if diff := cmp.Diff(rc.defaults, project(got, rc.defaults)); diff != "" {
				t.Errorf("GET api/repositories/%s: fields not sent must have their defaults (-want +got):\n%s", rc.key, diff)
			}
			checkNoSecret(t, got, rc.secret)
			exists, err := c.IsRepoExists(rc.key)
			if err != nil || !exists {
				t.Errorf("IsRepoExists(%s) = %v, %v; want true", rc.key, exists, err)
			}
		})
	}

	t.Run("list", func(t *testing.T) {
		all := map[string]bool{local: true, remote: true, virtual: true}
		for _, f := range []struct {
			filter services.RepositoriesFilterParams
			want   map[string]bool // which of our keys must be listed; the others must not
		}{
			{services.RepositoriesFilterParams{}, all},
			{services.RepositoriesFilterParams{RepoType: "local"}, map[string]bool{local: true}},
			{services.RepositoriesFilterParams{RepoType: "remote"}, map[string]bool{remote: true}},
			{services.RepositoriesFilterParams{RepoType: "virtual"}, map[string]bool{virtual: true}},
			{services.RepositoriesFilterParams{PackageType: "generic"}, all},
			{services.RepositoriesFilterParams{RepoType: "local", PackageType: "generic"}, map[string]bool{local: true}},
			{services.RepositoriesFilterParams{RepoType: "remote", PackageType: "maven"}, map[string]bool{}},
		} {
			list, err := c.GetAllRepositoriesFiltered(f.filter)
			if err != nil {
				t.Errorf("GetAllRepositoriesFiltered(%+v): %v", f.filter, err)
				continue
			}
			listed := map[string]services.RepositoryDetails{}
			for _, r := range *list {
				listed[r.Key] = r
			}
			for _, rc := range cases {
				r, ok := listed[rc.key]
				if ok != f.want[rc.key] {
					t.Errorf("filter %+v: %s listed = %v, want %v", f.filter, rc.key, ok, f.want[rc.key])
					continue
				}
				if !ok {
					continue
				}
				if !strings.EqualFold(r.GetRepoType(), rc.rclass) {
					t.Errorf("filter %+v: %s has type %q, want %s", f.filter, rc.key, r.GetRepoType(), rc.rclass)
				}
				if !strings.EqualFold(r.PackageType, "generic") {
					t.Errorf("filter %+v: %s has packageType %q, want generic", f.filter, rc.key, r.PackageType)
				}
				if want := jsonFields(t, rc.create)["description"]; r.Description != want {
					t.Errorf("filter %+v: %s has description %q, want %q", f.filter, rc.key, r.Description, want)
				}
			}
			// And every listed repository honours the filter.
			for _, r := range *list {
				if f.filter.RepoType != "" && !strings.EqualFold(r.GetRepoType(), f.filter.RepoType) {
					t.Errorf("filter %+v: listed %s of type %q", f.filter, r.Key, r.GetRepoType())
				}
				if f.filter.PackageType != "" && !strings.EqualFold(r.PackageType, f.filter.PackageType) {
					t.Errorf("filter %+v: listed %s of packageType %q", f.filter, r.Key, r.PackageType)
				}
			}
		}
	})

	for _, rc := range cases {
		t.Run("update/"+rc.name, func(t *testing.T) {
			if err := send(rc, true, rc.update); err != nil {
				t.Fatalf("update %s: %v", rc.key, err)
			}
			got := getRepoConfig(t, c, rc.key)
			if diff := cmp.Diff(rc.want, project(got, rc.want)); diff != "" {
				t.Errorf("GET api/repositories/%s after the update (-want +got):\n%s", rc.key, diff)
			}
			checkNoSecret(t, got, rc.secret)
		})
	}

	// Delete the virtual first: it refers to the other two.
	for i := len(cases) - 1; i >= 0; i-- {
		rc := cases[i]
		t.Run("delete/"+rc.name, func(t *testing.T) {
			c.rec.reset()
			if err := c.DeleteRepository(rc.key); err != nil {
				t.Fatalf("DeleteRepository(%s): %v", rc.key, err)
			}
			delete(created, rc.key)
			var v map[string]any
			if err := c.GetRepository(rc.key, &v); err == nil {
				t.Errorf("GetRepository(%s) after delete succeeded: %v", rc.key, v)
			}
			if exists, err := c.IsRepoExists(rc.key); err != nil || exists {
				t.Errorf("IsRepoExists(%s) after delete = %v, %v; want false", rc.key, exists, err)
			}
			gets := c.rec.find(http.MethodGet, pathIs("api/repositories/"+rc.key))
			for _, g := range gets {
				if g.Status != http.StatusBadRequest {
					t.Errorf("%s: want 400 for a deleted repository", g)
				}
			}
		})
	}
	list, err := c.GetAllRepositories()
	if err != nil {
		t.Fatalf("GetAllRepositories: %v", err)
	}
	for _, r := range *list {
		if r.Key == local || r.Key == remote || r.Key == virtual {
			t.Errorf("deleted repository %s is still listed", r.Key)
		}
	}
}

// Flow "batch create / update": PUT /api/v2/repositories/batch answers 201, POST 200.
func TestRepositoryBatch(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	a, b := uniqueKey(t, "a"), uniqueKey(t, "b")
	t.Cleanup(func() {
		_ = c.DeleteRepository(a)
		_ = c.DeleteRepository(b)
	})
	create := fmt.Sprintf(`[{"key":%q,"rclass":"local","packageType":"generic","description":"batch a"},`+
		`{"key":%q,"rclass":"local","packageType":"generic","description":"batch b","notes":"kept"}]`, a, b)
	if err := c.CreateUpdateRepositoriesInBatch([]byte(create), false); err != nil {
		t.Fatalf("batch create: %v", err)
	}
	update := fmt.Sprintf(`[{"key":%q,"rclass":"local","description":"batch a, updated"},`+
		`{"key":%q,"rclass":"local","description":"batch b, updated"}]`, a, b)
	if err := c.CreateUpdateRepositoriesInBatch([]byte(update), true); err != nil {
		t.Fatalf("batch update: %v", err)
	}
	for key, want := range map[string]map[string]any{
		a: {"rclass": "local", "packageType": "generic", "description": "batch a, updated"},
		b: {"rclass": "local", "packageType": "generic", "description": "batch b, updated", "notes": "kept"},
	} {
		got := getRepoConfig(t, c, key)
		if diff := cmp.Diff(want, project(got, want)); diff != "" {
			t.Errorf("GET api/repositories/%s (-want +got):\n%s", key, diff)
		}
	}
}

// getRepoConfig reads a repository's configuration through the library (GetRepository).
func getRepoConfig(t testing.TB, c *client, key string) map[string]any {
	t.Helper()
	var got map[string]any
	if err := c.GetRepository(key, &got); err != nil {
		t.Fatalf("GetRepository(%s): %v", key, err)
	}
	return got
}

// jsonFields is the JSON object the library sends for params (it omits empty fields).
func jsonFields(t testing.TB, params any) map[string]any {
	t.Helper()
	b, err := json.Marshal(params)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// project keeps the keys of got that are in want; a key missing from got maps to "<absent>".
// Strings that are the same words in another case (packageType "Generic") are not equal.
func project(got, want map[string]any) map[string]any {
	out := make(map[string]any, len(want))
	for k := range want {
		v, ok := got[k]
		if !ok {
			v = "<absent>"
		}
		out[k] = v
	}
	return out
}

// checkNoSecret fails if secret appears anywhere in the configuration (the password must never be
// echoed in clear).
func checkNoSecret(t testing.TB, cfg map[string]any, secret string) {
	t.Helper()
	if secret == "" {
		return
	}
	b, _ := json.Marshal(cfg)
	if strings.Contains(string(b), secret) {
		t.Errorf("the configuration echoes the password in clear: %s", b)
	}
}
