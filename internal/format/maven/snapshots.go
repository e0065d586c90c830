package maven

import (
	"context"
	"errors"
	"path"
	"time"

	"arca"
	"arca/internal/format"
)

var _ format.Renamer = Format{}

// The snapshotVersionBehavior values.
const (
	UniqueSnapshots    = "unique"
	NonUniqueSnapshots = "non-unique"
	DeployerSnapshots  = "deployer"
)

// sameDeploy is how recent the newest build of a SNAPSHOT version must be for a non-unique file
// to join it instead of starting a new build (see DeployPath).
const sameDeploy = time.Minute

// DeployPath implements format.Renamer for snapshotVersionBehavior:
//   - "deployer": the name as sent.
//   - "non-unique": a unique snapshot name (app-1.0-20261121.052921-1.jar) is stored under the
//     version's SNAPSHOT name (app-1.0-SNAPSHOT.jar), which each deploy overwrites.
//   - "unique" (the default): a SNAPSHOT name gets a timestamped build. A client sending
//     non-unique names uploads the files of one deploy one by one, so a file joins the newest
//     build when that build was started less than a minute ago and has no file of its classifier
//     and extension yet; otherwise it starts build n+1 at the current time.
//
// Checksum files follow their artifact: the checksum of a renamed file names the renamed file.
// Paths outside a SNAPSHOT version, and metadata, are never renamed.
func (Format) DeployPath(ctx context.Context, l format.Lister, s format.Settings, p string, now time.Time) (string, error) {
	behavior := format.SettingString(s, "snapshotVersionBehavior")
	if behavior == "" {
		behavior = UniqueSnapshots
	}
	c, ok := ParsePath(p)
	if !ok || !c.Snapshot || behavior == DeployerSnapshots {
		return p, nil
	}
	switch {
	case behavior == NonUniqueSnapshots && c.Timestamp != "":
		c.FileVersion, c.Timestamp, c.BuildNumber = c.Version, "", 0
		return c.Path(), nil
	case behavior == UniqueSnapshots && c.Timestamp == "":
		b, err := buildFor(ctx, l, c, now)
		if err != nil {
			return "", err
		}
		c.FileVersion, c.Timestamp, c.BuildNumber = "", b.timestamp, b.number
		return c.Path(), nil
	}
	return p, nil
}

type snapshotBuild struct {
	timestamp string
	number    int
	created   time.Time
	has       map[string]bool // classifier + "\x00" + extension
}

// buildFor chooses the unique build a non-unique file of c joins (see DeployPath).
func buildFor(ctx context.Context, l format.Lister, c Coordinates, now time.Time) (snapshotBuild, error) {
	dir := path.Dir(c.ArtifactPath())
	items, err := l.List(ctx, dir, false)
	if err != nil && !errors.Is(err, arca.ErrNotFound) {
		return snapshotBuild{}, err
	}
	var newest snapshotBuild
	for _, it := range items {
		fc, ok := ParsePath(it.Path)
		if !ok || fc.Timestamp == "" || fc.ChecksumOf != "" {
			continue
		}
		if fc.Timestamp > newest.timestamp || (fc.Timestamp == newest.timestamp && fc.BuildNumber > newest.number) {
			newest = snapshotBuild{timestamp: fc.Timestamp, number: fc.BuildNumber, created: it.Created, has: map[string]bool{}}
		}
		if fc.Timestamp == newest.timestamp && fc.BuildNumber == newest.number {
			newest.has[fc.Classifier+"\x00"+fc.Extension] = true
			if it.Created.Before(newest.created) {
				newest.created = it.Created
			}
		}
	}
	key := c.Classifier + "\x00" + c.Extension
	if c.ChecksumOf != "" {
		// A checksum joins the newest build that has its artifact.
		if newest.number > 0 && newest.has[key] {
			return newest, nil
		}
	} else if newest.number > 0 && now.Sub(newest.created) < sameDeploy && !newest.has[key] {
		return newest, nil
	}
	return snapshotBuild{timestamp: now.UTC().Format(timestampLayout), number: newest.number + 1}, nil
}
