package format

import (
	"encoding/json"
	"testing"
)

type fields map[string]string // name → raw JSON

func (f fields) Field(name string) (json.RawMessage, bool) {
	v, ok := f[name]
	return json.RawMessage(v), ok
}

func TestSettings(t *testing.T) {
	s := fields{"s": `"x"`, "b": `true`, "n": `7`, "null": `null`, "bad": `{`}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"string", SettingString(s, "s"), "x"},
		{"string unset", SettingString(s, "none"), ""},
		{"string of a number", SettingString(s, "n"), ""},
		{"string null", SettingString(s, "null"), ""},
		{"bool", SettingBool(s, "b", false), true},
		{"bool unset keeps the default", SettingBool(s, "none", true), true},
		{"bool of a string keeps the default", SettingBool(s, "s", true), true},
		{"bool null keeps the default", SettingBool(s, "null", true), true},
		{"int", SettingInt(s, "n", 1), 7},
		{"int unset", SettingInt(s, "none", 3), 3},
		{"int malformed", SettingInt(s, "bad", 3), 3},
		{"nil settings", SettingInt(nil, "n", 4), 4},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}
