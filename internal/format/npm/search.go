package npm

import (
	"encoding/json"
	"strings"
)

// SearchResult is one object of the search response (GET /-/v1/search,
// https://github.com/npm/registry/blob/main/docs/REGISTRY-API.md#get-v1search).
type SearchResult struct {
	Package     SearchPackage `json:"package"`
	Score       SearchScore   `json:"score"`
	SearchScore float64       `json:"searchScore"`
}

// SearchPackage describes the latest version of a found package.
type SearchPackage struct {
	Name        string            `json:"name"`
	Scope       string            `json:"scope"`
	Version     string            `json:"version"`
	Description string            `json:"description,omitempty"`
	Keywords    []string          `json:"keywords"`
	Date        string            `json:"date,omitempty"`
	Links       map[string]string `json:"links"`
	Publisher   *SearchUser       `json:"publisher,omitempty"`
	Maintainers []SearchUser      `json:"maintainers"`
}

// SearchUser is a publisher or maintainer.
type SearchUser struct {
	Username string `json:"username,omitempty"`
	Name     string `json:"name,omitempty"`
	Email    string `json:"email,omitempty"`
}

// SearchScore is the registry's score; Arca ranks by text match only and reports it as final.
type SearchScore struct {
	Final  float64            `json:"final"`
	Detail map[string]float64 `json:"detail"`
}

// Search matches a packument against a search text (words, all of which must occur in the
// name, description or keywords; "keywords:x" and "scope:x" qualifiers are understood) and
// returns its result, ok false when it does not match.
func Search(doc []byte, text string) (SearchResult, bool) {
	p, err := ParsePackument(doc)
	if err != nil || len(p.Versions) == 0 {
		return SearchResult{}, false
	}
	latest := p.DistTags["latest"]
	if _, ok := p.Versions[latest]; !ok {
		latest = Latest(p.sortedVersions())
	}
	var m struct {
		Description string          `json:"description"`
		Keywords    json.RawMessage `json:"keywords"`
		Author      json.RawMessage `json:"author"`
		Maintainers []registryUser  `json:"maintainers"`
		NPMUser     *struct {
			Name  string `json:"name"`
			Email string `json:"email"`
		} `json:"_npmUser"`
		Homepage string `json:"homepage"`
	}
	_ = json.Unmarshal(p.Versions[latest], &m)
	var keywords []string
	if json.Unmarshal(m.Keywords, &keywords) != nil {
		var s string
		if json.Unmarshal(m.Keywords, &s) == nil {
			keywords = strings.Fields(strings.ReplaceAll(s, ",", " "))
		}
	}
	scope := "unscoped"
	if s, _, ok := strings.Cut(p.Name, "/"); ok {
		scope = strings.TrimPrefix(s, "@")
	}
	score := 0.0
	hay := strings.ToLower(p.Name + " " + m.Description + " " + strings.Join(keywords, " "))
	for _, word := range strings.Fields(strings.ToLower(text)) {
		switch {
		case strings.HasPrefix(word, "keywords:"):
			if !containsFold(keywords, strings.TrimPrefix(word, "keywords:")) {
				return SearchResult{}, false
			}
		case strings.HasPrefix(word, "scope:"):
			if scope != strings.TrimPrefix(strings.TrimPrefix(word, "scope:"), "@") {
				return SearchResult{}, false
			}
		case strings.Contains(word, ":"):
			// Other qualifiers (author:, maintainer:, not:, is:, boost-exact:) are ignored.
		case !strings.Contains(hay, word):
			return SearchResult{}, false
		case strings.EqualFold(p.Name, word):
			score += 1
		case strings.Contains(strings.ToLower(p.Name), word):
			score += 0.5
		default:
			score += 0.1
		}
	}
	if keywords == nil {
		keywords = []string{}
	}
	if m.Maintainers == nil {
		_ = json.Unmarshal(p.Extra["maintainers"], &m.Maintainers)
	}
	// npm's search output maps over maintainers' usernames: always an array, names set.
	maintainers := make([]SearchUser, 0, len(m.Maintainers))
	for _, u := range m.Maintainers {
		maintainers = append(maintainers, u.searchUser())
	}
	links := map[string]string{}
	if m.Homepage != "" {
		links["homepage"] = m.Homepage
	}
	var publisher *SearchUser
	if m.NPMUser != nil {
		publisher = &SearchUser{Username: m.NPMUser.Name, Email: m.NPMUser.Email}
	}
	res := SearchResult{
		Package: SearchPackage{Name: p.Name, Scope: scope, Version: latest, Description: m.Description, Keywords: keywords,
			Date: p.Time["modified"], Links: links, Maintainers: maintainers},
		Score:       SearchScore{Final: score, Detail: map[string]float64{"quality": 0, "popularity": 0, "maintenance": 0}},
		SearchScore: score,
	}
	res.Package.Publisher = publisher
	return res, true
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// registryUser is a person as packuments record them ({"name", "email"}; sometimes "username").
type registryUser struct {
	Name     string `json:"name"`
	Username string `json:"username"`
	Email    string `json:"email"`
}

func (u registryUser) searchUser() SearchUser {
	name := u.Username
	if name == "" {
		name = u.Name
	}
	return SearchUser{Username: name, Email: u.Email}
}
