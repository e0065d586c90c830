package e2e

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestReleaseBuild runs the documented release command (release.sh) and checks what the README
// promises of its output: a static binary (no ELF interpreter, so no runtime dependencies), the
// stamped version in `arca version`, and a size under the README's figure with headroom.
func TestReleaseBuild(t *testing.T) {
	if testing.Short() || runtime.GOOS != "linux" {
		t.Skip("builds a release binary; the static check reads ELF")
	}
	out := filepath.Join(t.TempDir(), "arca")
	cmd := exec.Command("bash", "release.sh")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "OUT="+out, "VERSION=v9.9.9-release-test")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("release.sh: %v\n%s", err, b)
	}
	f, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the release binary has an ELF interpreter: it is dynamically linked")
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("the release binary needs shared libraries: %v", libs)
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() > 24<<20 {
		t.Errorf("the release binary is %d bytes; the README says about 21 MiB", st.Size())
	}
	t.Logf("release binary: %.1f MiB", float64(st.Size())/(1<<20))
	v, err := exec.Command(out, "version").Output()
	if err != nil || !strings.HasPrefix(string(v), "arca v9.9.9-release-test\n") {
		t.Errorf("arca version = %q, %v; want the stamped version first", v, err)
	}
}
