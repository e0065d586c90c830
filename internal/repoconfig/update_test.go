package repoconfig

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
)

const remoteBody = `{"rclass":"remote","packageType":"npm","url":"https://registry.npmjs.org",
	"username":"bob","password":"s3cret","description":"npmjs","offline":true,"customHttpHeaders":[1]}`

func TestUpdateMerges(t *testing.T) {
	tests := []struct {
		name  string
		patch string
		want  map[string]any // fields checked in the GET form after the update
	}{
		{"replace some keep others", `{"description":"new","retrievalCachePeriodSecs":"60"}`,
			map[string]any{"description": "new", "retrievalCachePeriodSecs": 60.0, "offline": true,
				"username": "bob", "customHttpHeaders": []any{1.0}}},
		{"null resets to default", `{"offline":null,"description":null,"customHttpHeaders":null}`,
			map[string]any{"offline": false, "description": "", "customHttpHeaders": nil}},
		{"identity repeated unchanged", `{"key":"npm-remote","rclass":"Remote","packageType":"NPM","notes":"n"}`,
			map[string]any{"key": "npm-remote", "rclass": "remote", "packageType": "npm", "notes": "n"}},
		{"new Artifactory field", `{"useNamespaces":{"x":true}}`,
			map[string]any{"useNamespaces": map[string]any{"x": true}, "description": "npmjs"}},
		{"field of another class", `{"repositories":5}`, map[string]any{"repositories": 5.0}},
		{"empty patch", `{}`, map[string]any{"description": "npmjs", "offline": true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := mustParse(t, "npm-remote", remoteBody)
			before, _ := orig.MarshalJSON()
			c, err := orig.Update([]byte(tt.patch))
			if err != nil {
				t.Fatalf("Update(%s): %v", tt.patch, err)
			}
			got := getJSON(t, c)
			sub := map[string]any{}
			for name := range tt.want {
				sub[name] = got[name]
			}
			if diff := cmp.Diff(tt.want, sub); diff != "" {
				t.Errorf("after update (-want +got):\n%s", diff)
			}
			if after, _ := orig.MarshalJSON(); string(after) != string(before) {
				t.Errorf("Update modified the receiver:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

func TestUpdateRefusals(t *testing.T) {
	tests := []struct {
		name  string
		patch string
		want  []string
	}{
		{"packageType", `{"packageType":"maven"}`, []string{`packageType cannot be changed (it is "npm")`}},
		{"rclass", `{"rclass":"local"}`, []string{`rclass cannot be changed (it is "remote")`}},
		{"key", `{"key":"other"}`, []string{`key cannot be changed (it is "npm-remote")`}},
		{"key case", `{"key":"NPM-remote"}`, []string{"key cannot be changed"}},
		{"key not string", `{"key":5}`, []string{"key cannot be changed"}},
		{"all and invalid values", `{"packageType":"maven","rclass":"virtual","offline":"perhaps","url":null}`,
			[]string{"packageType cannot be changed", "rclass cannot be changed", "offline: must be a boolean",
				"url is required for a remote repository"}},
		{"not JSON", `{`, []string{"not valid JSON"}},
		{"typo", `{"ofline":true}`, []string{"unknown repository field 'ofline' (did you mean 'offline'?)"}},
		{"typo set to null", `{"descripton":null}`, []string{"unknown repository field 'descripton'"}},
		{"typo beside a valid change", `{"notes":"n","hardFial":true,"zzzz":1}`,
			[]string{"unknown repository field 'hardFial' (did you mean 'hardFail'?); unknown repository field 'zzzz'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := mustParse(t, "npm-remote", remoteBody).Update([]byte(tt.patch))
			if err == nil {
				t.Fatalf("Update succeeded: %v", getJSON(t, c))
			}
			if !errors.Is(err, arca.ErrInvalid) {
				t.Errorf("error %v does not wrap arca.ErrInvalid", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestPasswordRedaction(t *testing.T) {
	c := mustParse(t, "npm-remote", remoteBody)
	if got := getJSON(t, c)["password"]; got != PasswordPlaceholder {
		t.Fatalf("GET password = %v, want the placeholder", got)
	}
	if b, _ := c.MarshalJSON(); strings.Contains(string(b), "s3cret") {
		t.Fatalf("GET form leaks the password: %s", b)
	}
	if c.Password() != "s3cret" {
		t.Fatalf("Password() = %q", c.Password())
	}

	// A client that GETs the configuration and POSTs it back unchanged keeps the password.
	get, _ := c.MarshalJSON()
	c2, err := c.Update(get)
	if err != nil {
		t.Fatalf("Update(GET form): %v", err)
	}
	if c2.Password() != "s3cret" {
		t.Errorf("after round trip Password() = %q, want s3cret", c2.Password())
	}
	get2, _ := c2.MarshalJSON()
	if diff := cmp.Diff(string(get), string(get2)); diff != "" {
		t.Errorf("GET → POST changed the GET form (-before +after):\n%s", diff)
	}

	// A new password replaces it; an empty one clears it and is shown as "".
	c3, err := c2.Update([]byte(`{"password":"n3w"}`))
	if err != nil || c3.Password() != "n3w" {
		t.Fatalf("Update(password n3w) = %v, Password() %q", err, c3.Password())
	}
	c4, err := c3.Update([]byte(`{"password":""}`))
	if err != nil || c4.Password() != "" || getJSON(t, c4)["password"] != "" {
		t.Fatalf("Update(password \"\") = %v, Password() %q, GET %v", err, c4.Password(), getJSON(t, c4)["password"])
	}

	// Storage keeps the real password (plaintext for now) and Load restores it.
	if !strings.Contains(string(c.StoredJSON()), "s3cret") {
		t.Errorf("StoredJSON lost the password: %s", c.StoredJSON())
	}
	l, err := Load(c.StoredJSON())
	if err != nil || l.Password() != "s3cret" {
		t.Fatalf("Load(StoredJSON) = %v, Password() %q", err, l.Password())
	}
}

func TestStoredJSONRoundTrip(t *testing.T) {
	for _, body := range []string{
		remoteBody,
		`{"rclass":"local","packageType":"maven","maxUniqueSnapshots":"3","customHttpHeaders":{"y":"<z>"}}`,
		`{"rclass":"virtual","packageType":"npm","repositories":"a,b"}`,
		`{"rclass":"federated","packageType":"generic","members":[{"url":"http://a/artifactory/k"}]}`,
	} {
		c := mustParse(t, "k", body)
		stored := c.StoredJSON()
		var m map[string]json.RawMessage
		if err := json.Unmarshal(stored, &m); err != nil {
			t.Fatalf("StoredJSON is not JSON: %v", err)
		}
		if _, ok := m["includesPattern"]; ok {
			t.Errorf("StoredJSON holds a default it was not sent: %s", stored)
		}
		l, err := Load(stored)
		if err != nil {
			t.Fatalf("Load(%s): %v", stored, err)
		}
		a, _ := c.MarshalJSON()
		b, _ := l.MarshalJSON()
		if diff := cmp.Diff(string(a), string(b)); diff != "" {
			t.Errorf("GET form changed by store/load (-want +got):\n%s", diff)
		}
		if string(l.StoredJSON()) != string(stored) {
			t.Errorf("StoredJSON not stable:\n%s\n%s", stored, l.StoredJSON())
		}
	}
	if _, err := Load([]byte(`{"rclass":"local","packageType":"generic"}`)); err == nil || !strings.Contains(err.Error(), "key is required") {
		t.Errorf("Load without key = %v, want key is required", err)
	}
}
