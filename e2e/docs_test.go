package e2e

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// docFiles are the documents whose shell examples TestDocsExamples runs, in the order a reader
// meets them (the README links the others in this order). A user's examples run in an empty
// working directory; a contributor's (inRepo) in the repository's root.
var docFiles = []struct {
	path   string
	inRepo bool
}{{"README.md", false}, {"docs/api.md", false}, {"docs/virtual.md", false}, {"docs/remote.md", false},
	{"docs/maven.md", false}, {"docs/npm.md", false}, {"docs/formats.md", false}, {"docs/development.md", true}}

// docsAddr is the address the documents assume: Arca's default listen address.
const docsAddr = "127.0.0.1:8081"

// shellBlocks returns the ```sh blocks of a Markdown document in order. A block whose info
// string has "norun" after the language (```sh norun) is shown to readers but not run: it
// starts a server, needs the internet, or is interactive.
func shellBlocks(md string) []string {
	var blocks []string
	var cur *strings.Builder
	indent := ""
	sc := bufio.NewScanner(strings.NewReader(md))
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimLeft(line, " ")
		if cur == nil {
			if fields := strings.Fields(strings.TrimPrefix(trimmed, "```")); strings.HasPrefix(trimmed, "```") &&
				len(fields) > 0 && fields[0] == "sh" {
				if len(fields) > 1 && fields[1] == "norun" {
					cur, indent = &strings.Builder{}, "skip"
					continue
				}
				cur, indent = &strings.Builder{}, line[:len(line)-len(trimmed)]
			}
			continue
		}
		if strings.HasPrefix(trimmed, "```") {
			if indent != "skip" {
				blocks = append(blocks, cur.String())
			}
			cur = nil
			continue
		}
		cur.WriteString(strings.TrimPrefix(line, indent) + "\n")
	}
	return blocks
}

func TestShellBlocks(t *testing.T) {
	md := "text\n```sh\na\nb\n```\n```sh norun\nnot me\n```\n```json\n{}\n```\n  ```sh\n  indented\n  ```\n"
	got := shellBlocks(md)
	if len(got) != 2 || got[0] != "a\nb\n" || got[1] != "indented\n" {
		t.Errorf("shellBlocks = %q", got)
	}
}

// TestDocsExamples runs every shell example of the README and docs/, in the order written,
// against the real arca binary started as the README says — on first start, no password set —
// from a fresh home directory, as a newcomer would copy and paste them. Only the address is
// changed (the examples assume 127.0.0.1:8081). Examples that need mvn or npm are run with the
// real clients; the test fails in CI when a client is missing.
func TestDocsExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the binary")
	}
	for _, tool := range []string{"bash", "curl", "npm", "node"} {
		if _, err := exec.LookPath(tool); err != nil {
			clientMissing(t, tool, tool+" is needed to run the documentation's examples")
		}
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	home, work := filepath.Join(dir, "home"), filepath.Join(dir, "work")
	for _, d := range []string{home, work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "TMPDIR=" + os.TempDir(),
		"NPM_CONFIG_UPDATE_NOTIFIER=false", "NO_COLOR=1"}
	// The Go caches are the machine's, so a contributor's `go install` does not rebuild the world.
	for _, v := range []string{"GOCACHE", "GOMODCACHE", "GOPROXY", "GOFLAGS"} {
		if out, err := exec.Command("go", "env", v).Output(); err == nil && len(strings.TrimSpace(string(out))) > 0 {
			env = append(env, v+"="+strings.TrimSpace(string(out)))
		}
	}
	// The README's default data directory, ~/.arca, under the fresh home.
	srv := serveArca(t, env, filepath.Join(home, ".arca"))
	addr := strings.TrimPrefix(strings.TrimSuffix(srv.url, "/artifactory"), "http://")

	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	for _, f := range docFiles {
		md, err := os.ReadFile(filepath.Join(root, f.path))
		if err != nil {
			t.Fatal(err)
		}
		dir := work
		if f.inRepo {
			dir = root
		}
		fmt.Fprintf(&script, "echo '=== %s'\ncd %q\n", f.path, dir)
		for i, b := range shellBlocks(string(md)) {
			fmt.Fprintf(&script, "echo '--- %s block %d'\n%s", f.path, i+1, strings.ReplaceAll(b, docsAddr, addr))
		}
	}
	sh := exec.Command("bash", "-c", script.String())
	sh.Dir, sh.Env = work, env
	timer := time.AfterFunc(8*time.Minute, func() { _ = sh.Process.Kill() })
	out, err := sh.CombinedOutput()
	timer.Stop()
	if err != nil {
		t.Fatalf("the documentation's examples failed: %v\n%s", err, out) // serveArca logs the server's output
	}
	// The npm examples configure a project .npmrc, never the user's.
	if _, err := os.Stat(filepath.Join(home, ".npmrc")); err == nil {
		t.Error("the examples wrote ~/.npmrc: npm must be configured per project")
	}
	t.Logf("examples ran:\n%s", tail(string(out), 20))
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
