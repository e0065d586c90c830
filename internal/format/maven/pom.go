package maven

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"arca"
)

// rawPOM is the part of a POM the consistency check needs.
type rawPOM struct {
	GroupID    string `xml:"groupId"`
	ArtifactID string `xml:"artifactId"`
	Version    string `xml:"version"`
	Packaging  string `xml:"packaging"`
	Parent     struct {
		GroupID string `xml:"groupId"`
		Version string `xml:"version"`
	} `xml:"parent"`
}

// POMCoordinates reads the coordinates a POM declares, for the check that a deployed POM
// matches its path. groupId and version are inherited from <parent> when the project does not
// declare them; packaging defaults to "jar". Values are returned as written: property
// references such as ${revision} are not interpolated (callers that compare should skip values
// containing "${"). It fails, with arca.ErrInvalid, when the document is not a well-formed
// <project> or any of groupId, artifactId and version stays empty.
func POMCoordinates(pom []byte) (groupID, artifactID, version, packaging string, err error) {
	var p rawPOM
	if err := decodeRoot(pom, "project", &p); err != nil {
		return "", "", "", "", err
	}
	groupID = strings.TrimSpace(p.GroupID)
	if groupID == "" {
		groupID = strings.TrimSpace(p.Parent.GroupID)
	}
	version = strings.TrimSpace(p.Version)
	if version == "" {
		version = strings.TrimSpace(p.Parent.Version)
	}
	artifactID = strings.TrimSpace(p.ArtifactID)
	packaging = strings.TrimSpace(p.Packaging)
	if packaging == "" {
		packaging = "jar"
	}
	switch {
	case groupID == "":
		return "", "", "", "", arca.Errorf(arca.ErrInvalid, "the POM declares no groupId (nor a parent's)")
	case artifactID == "":
		return "", "", "", "", arca.Errorf(arca.ErrInvalid, "the POM declares no artifactId")
	case version == "":
		return "", "", "", "", arca.Errorf(arca.ErrInvalid, "the POM declares no version (nor a parent's)")
	}
	return groupID, artifactID, version, packaging, nil
}

// The values of a repository's pomRepositoryReferencesCleanupPolicy.
const (
	DiscardActiveReference = "discard_active_reference" // Artifactory's default
	DiscardAnyReference    = "discard_any_reference"
	KeepReferences         = "nothing"
)

// CleanPOMRepositories applies pomRepositoryReferencesCleanupPolicy to a deployed POM, so that
// builds resolve through Arca and not through repositories the POM names:
//
//   - "discard_any_reference" removes every <repositories> and <pluginRepositories> element of
//     the project and of all its profiles;
//   - "discard_active_reference" (also for "") removes those of the project and of the profiles
//     that are active by default (<activation><activeByDefault>true);
//   - "nothing", and any other value, leaves the POM alone.
//
// The elements are cut out of the original text, together with the indentation and line break
// around them when they sit on lines of their own; every other byte is kept, so comments,
// formatting and order survive. changed is false, and the POM is returned as it is, when
// nothing was removed or the POM is not well-formed XML.
func CleanPOMRepositories(pom []byte, policy string) (cleaned []byte, changed bool) {
	var all bool
	switch policy {
	case DiscardAnyReference:
		all = true
	case DiscardActiveReference, "":
	default:
		return pom, false
	}
	spans, err := repositorySpans(pom, all)
	if err != nil || len(spans) == 0 {
		return pom, false
	}
	out := make([]byte, 0, len(pom))
	last := 0
	for _, s := range spans {
		start, end := widenToLines(pom, s[0], s[1])
		if start < last { // cannot happen for disjoint elements; be safe
			start = last
		}
		out = append(out, pom[last:start]...)
		last = end
	}
	out = append(out, pom[last:]...)
	return out, true
}

// repositorySpans returns the byte ranges, in the original document and in order, of the
// repository elements the policy removes.
func repositorySpans(pom []byte, all bool) ([][2]int, error) {
	u, err := toUTF8(pom)
	if err != nil {
		return nil, err
	}
	d := newDecoder(u.text)
	var (
		spans   [][2]int
		path    []string // local names of the open elements
		profile [][2]int // spans inside the current profile
		active  bool     // the current profile is active by default
		text    strings.Builder
	)
	for {
		off := int(d.InputOffset())
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return spans, nil
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			if name == "repositories" || name == "pluginRepositories" {
				top := pathIs(path, "project")
				inProfile := pathIs(path, "project", "profiles", "profile")
				if top || inProfile {
					if err := d.Skip(); err != nil {
						return nil, err
					}
					span := [2]int{u.origOffset(off), u.origOffset(int(d.InputOffset()))}
					if top {
						spans = append(spans, span)
					} else {
						profile = append(profile, span)
					}
					continue
				}
			}
			if len(path) == 0 && name != "project" {
				return nil, arca.Errorf(arca.ErrInvalid, "root element is <%s>, want <project>", name)
			}
			if pathIs(path, "project", "profiles") && name == "profile" {
				profile, active = nil, false
			}
			path = append(path, name)
			text.Reset()
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			if pathIs(path, "project", "profiles", "profile", "activation", "activeByDefault") {
				active = strings.EqualFold(strings.TrimSpace(text.String()), "true")
			}
			if pathIs(path, "project", "profiles", "profile") && (all || active) {
				spans = append(spans, profile...)
			}
			path = path[:len(path)-1]
		}
	}
}

// pathIs reports whether the open elements are exactly names.
func pathIs(path []string, names ...string) bool {
	if len(path) != len(names) {
		return false
	}
	for i := range names {
		if path[i] != names[i] {
			return false
		}
	}
	return true
}

// widenToLines extends the span [start, end) over the blanks before it and the blanks and line
// break after it when the element has its line to itself, so removing it leaves no empty line.
func widenToLines(b []byte, start, end int) (int, int) {
	s := start
	for s > 0 && (b[s-1] == ' ' || b[s-1] == '\t') {
		s--
	}
	if s > 0 && b[s-1] != '\n' {
		return start, end
	}
	e := end
	for e < len(b) && (b[e] == ' ' || b[e] == '\t') {
		e++
	}
	switch {
	case e == len(b):
	case b[e] == '\n':
		e++
	case b[e] == '\r' && e+1 < len(b) && b[e+1] == '\n':
		e += 2
	default:
		return start, end
	}
	return s, e
}
