// Package npmtest holds what tests of npm repositories share: the document npm publish sends.
package npmtest

import (
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
)

// PublishBody is the document `npm publish` sends for name@version with content as the
// tarball: one version, latest pointing at it, the tarball attached in base64 with its
// shasum and integrity.
func PublishBody(name, version, content string) string {
	data := []byte(content)
	s512, s1 := sha512.Sum512(data), sha1.Sum(data)
	file := name + "-" + version + ".tgz"
	doc, _ := json.Marshal(map[string]any{"_id": name, "name": name, "description": "d", "dist-tags": map[string]string{"latest": version},
		"versions": map[string]any{version: map[string]any{"name": name, "version": version, "_id": name + "@" + version,
			"dist": map[string]any{"shasum": hex.EncodeToString(s1[:]), "integrity": "sha512-" + base64.StdEncoding.EncodeToString(s512[:]),
				"tarball": "http://registry.invalid/" + name + "/-/" + file}}},
		"_attachments": map[string]any{file: map[string]any{"content_type": "application/octet-stream",
			"data": base64.StdEncoding.EncodeToString(data), "length": len(data)}}})
	return string(doc)
}
