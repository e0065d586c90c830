package format

import "encoding/json"

// Settings is a repository's configuration as a format reads its own fields from it, by
// Artifactory's field names, with Arca's defaults applied (so a field the format declares a
// default for is always present). It is the one way a format sees configuration: the engines do
// not hand format-specific values over one by one.
type Settings interface {
	// Field returns a field's JSON value (ok false when the configuration has none).
	Field(name string) (value json.RawMessage, ok bool)
}

// SettingString returns a string field ("" when unset or not a string).
func SettingString(s Settings, name string) string {
	var v string
	if !decodeSetting(s, name, &v) {
		return ""
	}
	return v
}

// SettingBool returns a boolean field (def when unset or not a boolean).
func SettingBool(s Settings, name string, def bool) bool {
	v := def
	if !decodeSetting(s, name, &v) {
		return def
	}
	return v
}

// SettingInt returns an integer field (def when unset or not an integer).
func SettingInt(s Settings, name string, def int) int {
	v := def
	if !decodeSetting(s, name, &v) {
		return def
	}
	return v
}

func decodeSetting(s Settings, name string, v any) bool {
	if s == nil {
		return false
	}
	raw, ok := s.Field(name)
	if !ok || string(raw) == "null" {
		return false
	}
	return json.Unmarshal(raw, v) == nil
}
