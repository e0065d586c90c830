package restapi

import (
	"arca/internal/notify"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"arca"
)

// SettingAnonymous is the settings key that persists the anonymous-access switch.
const SettingAnonymous = "security.anonAccessEnabled"

// Switches are the instance-wide settings that can change at run time.
type Switches struct {
	// Anonymous enables anonymous read access.
	Anonymous atomic.Bool
}

// GetConfiguration handles GET /api/system/configuration (admin): the subset of Artifactory's
// central configuration XML that Arca manages, read by Terraform's general-security resource.
func (a *API) GetConfiguration(w http.ResponseWriter, r *http.Request) error {
	if err := a.requireAdmin(r); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/xml")
	_, err := fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"+
		"<config xmlns=\"http://artifactory.jfrog.org/xsd/3.1.x\">\n  <security>\n    <anonAccessEnabled>%t</anonAccessEnabled>\n  </security>\n</config>\n",
		a.Switches.Anonymous.Load())
	return err
}

// PatchConfiguration handles PATCH /api/system/configuration (admin) with a YAML body, as
// Terraform's provider sends it. Arca applies security.anonAccessEnabled and refuses a body
// that sets nothing it manages, so a change is never silently ignored.
func (a *API) PatchConfiguration(w http.ResponseWriter, r *http.Request) error {
	if err := a.requireAdmin(r); err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, 1<<20))
	if err != nil {
		return arca.Errorf(arca.ErrInvalid, "reading the body: %v", err)
	}
	v, found, err := yamlBool(body, "security", "anonAccessEnabled")
	if err != nil {
		return err
	}
	if !found {
		return arca.Errorf(arca.ErrInvalid, "the configuration patch sets nothing Arca manages (supported: security.anonAccessEnabled)")
	}
	if err := a.Meta.SetSetting(r.Context(), SettingAnonymous, strconv.FormatBool(v)); err != nil {
		return err
	}
	a.Switches.Anonymous.Store(v)
	if a.Bus != nil {
		a.Bus.Publish(r.Context(), notify.Settings, SettingAnonymous)
	}
	a.Log.Info("configuration changed", "anonAccessEnabled", v)
	a.audited(r, "configuration.update", "security.anonAccessEnabled", strconv.FormatBool(v))
	return writeText(w, http.StatusOK, "1 changes to config merged successfully")
}

// yamlBool finds section.key in a small block-style YAML document (two levels, spaces for
// indentation) and parses its boolean value.
func yamlBool(doc []byte, section, key string) (value, found bool, err error) {
	sc := bufio.NewScanner(bytes.NewReader(doc))
	in := false
	for sc.Scan() {
		line := sc.Text()
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		indented := strings.HasPrefix(line, " ")
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			return false, false, arca.Errorf(arca.ErrInvalid, "malformed YAML line %q", line)
		}
		if !indented {
			in = strings.TrimSpace(k) == section
			continue
		}
		if in && strings.TrimSpace(k) == key {
			b, err := strconv.ParseBool(strings.Trim(strings.TrimSpace(v), `"'`))
			if err != nil {
				return false, false, arca.Errorf(arca.ErrInvalid, "%s.%s: %q is not a boolean", section, key, strings.TrimSpace(v))
			}
			return b, true, nil
		}
	}
	return false, false, nil
}
