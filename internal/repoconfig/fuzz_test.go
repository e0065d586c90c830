package repoconfig

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"arca"
)

// FuzzParse checks that Parse never panics, that its errors are arca.ErrInvalid, and that a
// configuration that parses survives storage (Load of StoredJSON gives the same GET form) and a
// GET → POST round trip unchanged.
func FuzzParse(f *testing.F) {
	seeds := []struct{ key, body string }{
		{"libs", `{"rclass":"local","packageType":"maven","handleSnapshots":"false","maxUniqueSnapshots":"5"}`},
		{"npm-remote", remoteBody},
		{"v", `{"rclass":"virtual","packageType":"npm","repositories":"a,b","defaultDeploymentRepo":"a"}`},
		{"fed", `{"rclass":"federated","packageType":"generic","members":[{"url":"http://a/artifactory/fed","enabled":"false"}]}`},
		{"r", `{"rclass":"remote","packageType":"generic","url":"http://x","contentSynchronisation":"true,false,true,false"}`},
		{"", `{"key":"b","rclass":"LOCAL","packageType":"Docker","dockerApiVersion":"v1","curated":null,"customHttpHeaders":{"z":[]}}`},
		{"k", `{"rclass":"local","packageType":"generic","includesPatern":"**"}`},
		{"k", `{"rclass":"local","packageType":"generic","includesPattern":"a/**,b/*.jar","excludesPattern":"**/x/"}`},
		{"k", `{"rclass":"local"}`},
		{"k", `[]`},
	}
	for _, s := range seeds {
		f.Add(s.key, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, key string, body []byte) {
		c, err := Parse(key, body)
		if err != nil {
			if !errors.Is(err, arca.ErrInvalid) {
				t.Fatalf("Parse error %v does not wrap arca.ErrInvalid", err)
			}
			return
		}
		get, err := c.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		l, err := Load(c.StoredJSON())
		if err != nil {
			t.Fatalf("Load(StoredJSON %s): %v", c.StoredJSON(), err)
		}
		lget, _ := l.MarshalJSON()
		if diff := cmp.Diff(string(get), string(lget)); diff != "" {
			t.Fatalf("GET form changed by store/load (-want +got):\n%s", diff)
		}
		u, err := c.Update(get)
		if err != nil {
			t.Fatalf("Update(own GET form %s): %v", get, err)
		}
		uget, _ := u.MarshalJSON()
		if diff := cmp.Diff(string(get), string(uget)); diff != "" {
			t.Fatalf("GET → POST changed the GET form (-want +got):\n%s", diff)
		}
		if u.Password() != c.Password() {
			t.Fatalf("GET → POST changed the password %q → %q", c.Password(), u.Password())
		}
	})
}
