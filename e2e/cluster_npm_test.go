package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestNodesNpmReadBack: versions published alternately through two nodes show in both nodes'
// packuments, local and virtual, within a second of each publish.
func TestNodesNpmReadBack(t *testing.T) {
	nodes := startNodes(t, 2)
	nodes[0].createRepo("npm-local", `{"rclass":"local","packageType":"npm"}`)
	nodes[0].createRepo("npm", `{"rclass":"virtual","packageType":"npm","repositories":["npm-local"],"defaultDeploymentRepo":"npm-local"}`)
	time.Sleep(500 * time.Millisecond)
	for n := 0; n < 12; n++ {
		v := fmt.Sprintf("1.0.%d", n)
		w := nodes[n%2]
		w.must(201, req{method: "PUT", path: "/api/npm/npm/pkg", body: strings.NewReader(publishBody("pkg", v, "c"+v)),
			header: map[string]string{"Content-Type": "application/json"}})
		for i, r := range nodes {
			for _, key := range []string{"npm", "npm-local"} {
				ok := false
				for try := 0; try < 50 && !ok; try++ {
					p := r.packument(t, key, "pkg")
					_, ok = p.Versions[v]
					if !ok {
						time.Sleep(20 * time.Millisecond)
					}
				}
				if !ok {
					t.Errorf("publish %s via node %d: node %d's %s lacks it after 1 s", v, n%2, i, key)
				}
			}
		}
	}
}
