package restapi

import (
	"encoding/json"
	"net/http"

	"arca/internal/repo"
)

type memberJSON struct {
	Key      string   `json:"key"`
	Class    string   `json:"class"`
	Via      []string `json:"via"`
	Priority bool     `json:"priority"`
}

type resolutionJSON struct {
	Key      string       `json:"key"`
	Members  []memberJSON `json:"members"`
	Warnings []string     `json:"warnings"`
}

// Resolution handles GET /api/repositories/{key}/resolution: a virtual repository's effective
// resolution list, in the order requests are resolved (locals, then remote caches, then remotes;
// priority members first), each member with its class and the nested virtuals it is reached
// through, plus the warnings resolution produced (cycles, missing members). Arca's own endpoint.
func (a *API) Resolution(w http.ResponseWriter, r *http.Request) error {
	rep, err := a.readableRepo(r)
	if err != nil {
		return err
	}
	v, ok := rep.(*repo.Virtual)
	if !ok {
		return repoNotVirtual(rep.Config().Key())
	}
	res := v.Resolution()
	out := resolutionJSON{Key: v.Config().Key(), Members: []memberJSON{}, Warnings: res.Warnings}
	if out.Warnings == nil {
		out.Warnings = []string{}
	}
	for _, m := range res.Members {
		key := m.Config.Key()
		if m.Class == repo.ClassRemoteCache {
			key += repo.CacheSuffix
		}
		via := m.Via
		if via == nil {
			via = []string{}
		}
		out.Members = append(out.Members, memberJSON{Key: key, Class: string(m.Class), Via: via, Priority: m.Priority})
	}
	return writeJSON(w, http.StatusOK, out)
}

// configJSON is a repository's GET document; a virtual's carries its resolution warnings too.
func configJSON(rep repo.Repository) ([]byte, error) {
	body, err := json.Marshal(rep.Config())
	if err != nil {
		return nil, err
	}
	v, ok := rep.(*repo.Virtual)
	if !ok {
		return body, nil
	}
	warnings := v.Resolution().Warnings
	if len(warnings) == 0 {
		return body, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, err
	}
	fields["warnings"], _ = json.Marshal(warnings)
	return json.Marshal(fields)
}
