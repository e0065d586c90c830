//go:build unix

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Helpers of the npm end-to-end tests, which drive the real npm 11, pnpm, yarn 4 and bun
// (docs/development.md). .ci/run installs pnpm, yarn and bun with npm into a directory it
// exports as ARCA_NPM_CLIENTS; the tests look there, then on PATH, then in .ci/run's default
// directory.

// npmClientTimeout bounds every client command.
const npmClientTimeout = 90 * time.Second

// npmTool returns the path of a client (npm, node, pnpm, yarn, bun). When it is missing the
// test is skipped, unless CI is set: there it fails, since .ci/run installs every client.
func npmTool(t *testing.T, name string) string {
	t.Helper()
	var dirs []string
	if d := os.Getenv("ARCA_NPM_CLIENTS"); d != "" {
		dirs = append(dirs, d)
	}
	if p, err := exec.LookPath(name); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, ".cache/arca-npm-clients/node_modules/.bin"))
	}
	for _, d := range dirs {
		if p := filepath.Join(d, name); isExecutable(p) {
			clientFound(name)
			return p
		}
	}
	clientMissing(t, name, name+" not found (ARCA_NPM_CLIENTS, PATH, ~/.cache/arca-npm-clients); "+
		"install the npm clients with .ci/install-clients (docs/development.md)")
	return ""
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// npmServerFor is s reporting to t: the helpers of server fail the test that started it, which
// must not happen from a parallel subtest.
func npmServerFor(s *server, t *testing.T) *server {
	c := *s
	c.t = t
	return &c
}

// npmToken creates an access token for user (through the admin).
func npmToken(t *testing.T, s *server, user string) string {
	t.Helper()
	form := url.Values{"username": {user}, "scope": {"member-of-groups:*"}, "expires_in": {"3600"}}
	r := npmServerFor(s, t).must(200, req{method: "POST", path: "/api/security/token", body: strings.NewReader(form.Encode()),
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	r.json(t, &tok)
	if tok.AccessToken == "" {
		t.Fatalf("no access token in %s", r.body)
	}
	return tok.AccessToken
}

// npmRegistry is the URL clients use for repository key on s (with the trailing slash).
func npmRegistry(s *server, key string) string { return s.base + "/api/npm/" + key + "/" }

// npmAuthKey is the npmrc key prefix of a registry URL: no scheme, with its path.
func npmAuthKey(registry string) string { return strings.TrimPrefix(registry, "http:") }

// npmrc is an npmrc with registry as the default registry and credentials for it; auth is
// "_authToken=TOKEN" or "_auth=BASE64". extra lines (scoped registries, their auth) follow.
func npmrc(registry, auth string, extra ...string) string {
	lines := []string{"registry=" + registry, npmAuthKey(registry) + ":" + auth}
	return strings.Join(append(lines, extra...), "\n") + "\n"
}

// npmWork is one client environment: its own HOME, npmrc, caches and stores, all under a
// temporary directory, never the user's.
type npmWork struct {
	dir, npmrc string
	cacheMu    sync.Mutex
	cache      int // npm cache generation: freshCache moves to a new, empty cache
}

func newNpmWork(t *testing.T, rc string) *npmWork {
	t.Helper()
	w := &npmWork{dir: t.TempDir()}
	w.npmrc = filepath.Join(w.dir, "npmrc")
	writeFile(t, w.npmrc, rc)
	writeFile(t, filepath.Join(w.dir, "global-npmrc"), "")
	if err := os.MkdirAll(filepath.Join(w.dir, "home"), 0o755); err != nil {
		t.Fatal(err)
	}
	return w
}

// freshCache makes the next commands start with an empty npm cache.
func (w *npmWork) freshCache() {
	w.cacheMu.Lock()
	w.cache++
	w.cacheMu.Unlock()
}

// environ is the client's environment: the test's, without anything configuring npm, pnpm,
// yarn or bun (nor CI, which turns pnpm and yarn to frozen lockfiles), plus this work's paths.
func (w *npmWork) environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		u := strings.ToUpper(k)
		switch {
		case strings.HasPrefix(u, "NPM_") || strings.HasPrefix(u, "YARN_") || strings.HasPrefix(u, "PNPM_") ||
			strings.HasPrefix(u, "BUN_") || strings.HasPrefix(u, "XDG_") || strings.HasPrefix(u, "COREPACK_"):
		case u == "HOME" || u == "CI" || u == "NODE_OPTIONS" || u == "NODE_ENV" || strings.HasSuffix(u, "_PROXY"):
		default:
			env = append(env, kv)
		}
	}
	w.cacheMu.Lock()
	cache := filepath.Join(w.dir, fmt.Sprintf("npm-cache-%d", w.cache))
	w.cacheMu.Unlock()
	d := w.dir
	return append(env,
		"HOME="+filepath.Join(d, "home"),
		"NO_PROXY=*", "NO_COLOR=1", "FORCE_COLOR=0",
		"NPM_CONFIG_USERCONFIG="+w.npmrc,
		"NPM_CONFIG_GLOBALCONFIG="+filepath.Join(d, "global-npmrc"),
		"NPM_CONFIG_CACHE="+cache,
		"NPM_CONFIG_UPDATE_NOTIFIER=false",
		"NPM_CONFIG_FUND=false",
		"XDG_CACHE_HOME="+filepath.Join(d, "xdg-cache"),
		"XDG_DATA_HOME="+filepath.Join(d, "xdg-data"),
		"XDG_STATE_HOME="+filepath.Join(d, "xdg-state"),
		"XDG_CONFIG_HOME="+filepath.Join(d, "xdg-config"),
		"YARN_GLOBAL_FOLDER="+filepath.Join(d, "yarn-global"),
		"YARN_CACHE_FOLDER="+filepath.Join(d, "yarn-cache"),
		"YARN_ENABLE_TELEMETRY=0",
		"BUN_INSTALL_CACHE_DIR="+filepath.Join(d, "bun-cache"),
		"DO_NOT_TRACK=1",
	)
}

// command is bin args… in dir (the work directory when empty), bounded by npmClientTimeout,
// killed with its process group.
func (w *npmWork) command(ctx context.Context, dir, bin string, args ...string) *exec.Cmd {
	if dir == "" {
		dir = w.dir
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = w.environ()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// try runs bin args… in dir and returns its output (stdout and stderr) and error; goroutines
// may call it.
func (w *npmWork) try(dir, bin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), npmClientTimeout)
	defer cancel()
	cmd := w.command(ctx, dir, bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("%w (timed out after %v)", err, npmClientTimeout)
	}
	return out.String(), err
}

// run is try failing the test, with the client's output, when the command fails.
func (w *npmWork) run(t *testing.T, dir, bin string, args ...string) string {
	t.Helper()
	out, err := w.try(dir, bin, args...)
	if err != nil {
		t.Fatalf("%s %s (in %s): %v\n%s", filepath.Base(bin), strings.Join(args, " "), dir, err, out)
	}
	return out
}

// stdout runs bin args… and returns its standard output alone, failing the test (with both
// outputs) when the command fails.
func (w *npmWork) stdout(t *testing.T, dir, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), npmClientTimeout)
	defer cancel()
	cmd := w.command(ctx, dir, bin, args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", filepath.Base(bin), strings.Join(args, " "), err, out.String(), errOut.String())
	}
	return out.String()
}

// fails runs bin args…, which must fail; it returns the output.
func (w *npmWork) fails(t *testing.T, dir, bin string, args ...string) string {
	t.Helper()
	out, err := w.try(dir, bin, args...)
	if err == nil {
		t.Fatalf("%s %s succeeded, want a failure:\n%s", filepath.Base(bin), strings.Join(args, " "), out)
	}
	return out
}

// interact runs bin args… in a pseudo-terminal (script -qc) and answers its prompts: whenever
// the output ends with a key of answers (after trimming spaces), the value and a newline are
// typed. It returns the transcript.
func (w *npmWork) interact(t *testing.T, answers map[string]string, bin string, args ...string) string {
	t.Helper()
	script := npmTool(t, "script")
	line := shellQuote(bin)
	for _, a := range args {
		line += " " + shellQuote(a)
	}
	ctx, cancel := context.WithTimeout(context.Background(), npmClientTimeout)
	defer cancel()
	cmd := w.command(ctx, "", script, "-qec", line, "/dev/null")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var (
		mu     sync.Mutex
		out    bytes.Buffer
		waited = make(chan error, 1)
	)
	go func() { err := cmd.Wait(); pw.Close(); waited <- err }()
	answered := map[string]int{}
	buf := make([]byte, 4096)
	for {
		n, rerr := pr.Read(buf)
		mu.Lock()
		out.Write(buf[:n])
		tail := strings.TrimSpace(ansiEscape.ReplaceAllString(out.String(), ""))
		mu.Unlock()
		for prompt, answer := range answers {
			// Each prompt is answered once per appearance in the output.
			if strings.HasSuffix(tail, prompt) && strings.Count(tail, prompt) > answered[prompt] {
				answered[prompt] = strings.Count(tail, prompt)
				io.WriteString(stdin, answer+"\n")
			}
		}
		if rerr != nil {
			break
		}
	}
	err = <-waited
	if ctx.Err() != nil {
		err = fmt.Errorf("%w (timed out after %v)", err, npmClientTimeout)
	}
	if err != nil {
		t.Fatalf("%s %s (in a terminal): %v\n%s", filepath.Base(bin), strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// ansiEscape matches the terminal control sequences around npm's prompts.
var ansiEscape = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// npmPackage writes the package name@version with the given dependencies into dir: a
// package.json and an index.js exporting its name, version and its dependencies' exports, so
// that requiring the root of a tree shows the whole tree. It returns dir.
func npmPackage(t *testing.T, dir, name, version string, deps ...string) string {
	t.Helper()
	depMap := map[string]string{}
	var requires []string
	for _, d := range deps {
		n, spec, _ := strings.Cut(d[1:], "@")
		n = d[:1] + n
		depMap[n] = spec
		requires = append(requires, fmt.Sprintf("require(%q)", n))
	}
	pkg := map[string]any{"name": name, "version": version, "description": "fixture " + name, "main": "index.js", "license": "MIT"}
	if len(depMap) > 0 {
		pkg["dependencies"] = depMap
	}
	b, _ := json.MarshalIndent(pkg, "", "  ")
	writeFile(t, filepath.Join(dir, "package.json"), string(b)+"\n")
	writeFile(t, filepath.Join(dir, "index.js"), fmt.Sprintf("module.exports = { name: %q, version: %q, deps: [%s] };\n",
		name, version, strings.Join(requires, ", ")))
	return dir
}

// npmTree is the shape of index.js's export.
type npmTree struct {
	Name    string    `json:"name"`
	Version string    `json:"version"`
	Deps    []npmTree `json:"deps"`
}

func (n npmTree) String() string {
	s := n.Name + "@" + n.Version
	if len(n.Deps) > 0 {
		var d []string
		for _, c := range n.Deps {
			d = append(d, c.String())
		}
		s += "(" + strings.Join(d, " ") + ")"
	}
	return s
}

// npmRequire requires each module in project dir with node and returns their trees.
func npmRequire(t *testing.T, w *npmWork, dir string, modules ...string) string {
	t.Helper()
	node := npmTool(t, "node")
	var trees []string
	for _, m := range modules {
		out := w.stdout(t, dir, node, "-e", fmt.Sprintf("console.log(JSON.stringify(require(%q)))", m))
		var tree npmTree
		if err := json.Unmarshal([]byte(out), &tree); err != nil {
			t.Fatalf("require(%q) in %s printed %q: %v", m, dir, out, err)
		}
		trees = append(trees, tree.String())
	}
	return strings.Join(trees, " ")
}

// npmMustExist fails the test for each path (relative to dir) that does not exist.
func npmMustExist(t *testing.T, what, dir string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("%s: %s is missing: %v", what, p, err)
		}
	}
}
