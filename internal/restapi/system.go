package restapi

import (
	"fmt"
	"net/http"
	"time"

	"arca/internal/auth"
)

// Ping handles GET /api/system/ping (no authentication needed, as on Artifactory): "OK" when
// the node can reach its metadata database and its blob store (API.Health), else 503 naming
// what it cannot reach, so that a load balancer takes the node out of rotation.
func (a *API) Ping(w http.ResponseWriter, r *http.Request) error {
	if a.Health != nil {
		if err := a.Health(r.Context()); err != nil {
			return writeText(w, http.StatusServiceUnavailable, "Unavailable: "+err.Error())
		}
	}
	return writeText(w, http.StatusOK, "OK")
}

// SystemVersion handles GET /api/system/version.
func (a *API) SystemVersion(w http.ResponseWriter, r *http.Request) error {
	if err := a.authorize(r, auth.Read, "", ""); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{
		"version":  Version,
		"revision": "arca-" + a.ArcaVersion,
		"addons":   a.addons(),
		"license":  "Arca",
	})
}

// addons lists what this instance offers in Artifactory's add-on terms: the REST add-ons, then
// the package type of every registered format.
func (a *API) addons() []string {
	out := []string{"build", "rest", "search", "aql"}
	for _, f := range a.Formats.Formats() {
		out = append(out, f.Name())
	}
	return out
}

// ServiceID handles GET /api/system/service_id: "jfrt@<instance id>".
func (a *API) ServiceID(w http.ResponseWriter, r *http.Request) error {
	return writeText(w, http.StatusOK, "jfrt@"+a.InstanceID)
}

// Licenses handles GET /api/system/licenses (read by Terraform's provider at configure time).
func (a *API) Licenses(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]any{
		"type": "Enterprise Plus", "validThrough": "", "licensedTo": "Arca",
	})
}

// UploadsConfig handles GET /api/v1/uploads/config: multipart upload is not offered, so JFrog
// clients at version ≥ 7.82.2 fall back to one PUT.
func (a *API) UploadsConfig(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, map[string]bool{"supported": false})
}

// Usage accepts the JFrog CLI's usage reports and discards them.
func (a *API) Usage(w http.ResponseWriter, r *http.Request) error {
	w.WriteHeader(http.StatusOK)
	return nil
}

// StorageGC handles POST /api/system/storage/gc (admin): runs a blob garbage collection now and
// answers, once it is done, with a plain-text summary. It deletes only blobs that no item
// references and that are older than the grace period, as the periodic collection does, and
// waits for one already running.
func (a *API) StorageGC(w http.ResponseWriter, r *http.Request) error {
	if err := a.requireAdmin(r); err != nil {
		return err
	}
	begin := time.Now()
	res, err := a.GC.Run(r.Context())
	if err != nil {
		return err
	}
	return writeText(w, http.StatusOK, fmt.Sprintf("Garbage collection finished: %d blobs scanned, %d deleted, %d bytes freed in %v\n",
		res.Scanned, res.Deleted, res.Freed, time.Since(begin).Round(time.Millisecond)))
}
