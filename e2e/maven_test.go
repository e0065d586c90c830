//go:build unix

package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"hash"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// debianMavenRepo is where Debian's Maven plugin packages put the plugins (docs/development.md):
// the test machines cannot reach Maven Central, so every build takes its plugins from there.
const debianMavenRepo = "/usr/share/maven-repo"

// mavenPlugins are the plugin versions the tests name in full: those of Debian 12's packages.
var mavenPlugins = map[string]string{
	"maven-deploy-plugin":     "3.0.0",
	"maven-install-plugin":    "3.1.0",
	"maven-dependency-plugin": "3.5.0",
	"maven-compiler-plugin":   "3.10.1",
	"maven-jar-plugin":        "3.3.0",
	"maven-resources-plugin":  "3.3.0",
	"maven-surefire-plugin":   "2.22.3",
}

// requireMaven skips the test when mvn, javac or the Debian plugins are missing, unless the test
// runs in CI (CI non-empty), where that is a failure: the CI installs them (.ci/run).
func requireMaven(t *testing.T) {
	t.Helper()
	var missing []string
	for _, tool := range []string{"mvn", "java", "javac"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool+" (not on PATH)")
		}
	}
	for plugin, version := range mavenPlugins {
		dir := filepath.Join(debianMavenRepo, "org/apache/maven/plugins", plugin, version)
		if _, err := os.Stat(dir); err != nil {
			missing = append(missing, dir)
		}
	}
	if len(missing) == 0 {
		clientFound("mvn")
		return
	}
	slices.Sort(missing)
	clientMissing(t, "mvn", "Maven client missing: "+strings.Join(missing, ", ")+
		"; install mvn, a JDK and the Debian Maven plugin packages with .ci/install-clients (docs/development.md)")
}

// mvnWork is one fresh Maven environment: its own HOME, local repository and settings.xml
// whose mirror sends everything but the Debian plugins to mirrorURL.
type mvnWork struct {
	dir, settings string
}

func newMvnWork(t *testing.T, mirrorURL string) mvnWork {
	t.Helper()
	dir := t.TempDir()
	w := mvnWork{dir: dir, settings: filepath.Join(dir, "settings.xml")}
	settings := `<settings>
  <localRepository>` + filepath.Join(dir, "m2") + `</localRepository>
  <servers><server><id>arca</id><username>admin</username><password>` + adminPassword + `</password></server></servers>
  <mirrors><mirror><id>arca</id><mirrorOf>*,!debian</mirrorOf>
    <url>` + mirrorURL + `</url></mirror></mirrors>
  <profiles><profile><id>debian-plugins</id>
    <repositories><repository><id>snapshots-enabled</id><url>` + mirrorURL + `</url>
      <snapshots><enabled>true</enabled><updatePolicy>always</updatePolicy></snapshots></repository></repositories>
    <pluginRepositories><pluginRepository><id>debian</id><url>file://` + debianMavenRepo + `</url>
      <releases><enabled>true</enabled><checksumPolicy>ignore</checksumPolicy></releases>
      <snapshots><enabled>false</enabled></snapshots></pluginRepository></pluginRepositories>
  </profile></profiles>
  <activeProfiles><activeProfile>debian-plugins</activeProfile></activeProfiles>
</settings>
`
	writeFile(t, w.settings, settings)
	return w
}

// run runs mvn -B -s settings.xml args… in dir (the work directory when empty), bounded in
// time; it fails the test with mvn's output when mvn fails.
func (w mvnWork) run(t *testing.T, dir string, args ...string) {
	t.Helper()
	if out, err := w.try(dir, args...); err != nil {
		t.Fatalf("mvn %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// try is run returning mvn's output and error (safe from several goroutines).
func (w mvnWork) try(dir string, args ...string) (string, error) {
	if dir == "" {
		dir = w.dir
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "mvn", append([]string{"-B", "-s", w.settings}, args...)...)
	cmd.Dir = dir
	// HOME keeps ~/.m2 and ~/.mavenrc out of the test; the JIT flags shorten mvn's start.
	cmd.Env = append(os.Environ(), "HOME="+w.dir, "MAVEN_OPTS=-XX:+TieredCompilation -XX:TieredStopAtLevel=1")
	// mvn is a script starting java: a timeout kills the whole process group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("%w (timed out)", err)
	}
	return out.String(), err
}

func writeFile(t *testing.T, name, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// deployFile deploys a jar made for it as g:a:v with deploy-file to url (a repository URL).
func (w mvnWork) deployFile(gav, url string) (string, error) {
	g, rest, _ := strings.Cut(gav, ":")
	a, v, _ := strings.Cut(rest, ":")
	dir, err := os.MkdirTemp(w.dir, "deploy-file-")
	if err != nil {
		return "", err
	}
	jar, err := makeJar(dir, a+"-"+v, gav)
	if err != nil {
		return "", err
	}
	return w.try(dir, "org.apache.maven.plugins:maven-deploy-plugin:3.0.0:deploy-file",
		"-Dfile="+jar, "-DgroupId="+g, "-DartifactId="+a, "-Dversion="+v, "-Dpackaging=jar",
		"-DgeneratePom=true", "-DrepositoryId=arca", "-Durl="+url)
}

// makeJar writes dir/name.jar, a jar (zip) with a manifest and one entry holding content; it
// does not touch the test, so goroutines may call it.
func makeJar(dir, name, content string) (string, error) {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	f, err := z.Create("META-INF/MANIFEST.MF")
	if err == nil {
		_, err = f.Write([]byte("Manifest-Version: 1.0\r\n\r\n"))
	}
	if err == nil {
		f, err = z.Create("com/acme/" + name + ".txt")
	}
	if err == nil {
		_, err = f.Write([]byte(content + "\n"))
	}
	if err == nil {
		err = z.Close()
	}
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, name+".jar")
	return p, os.WriteFile(p, b.Bytes(), 0o644)
}

// parallel runs the functions at once and fails the test with the output of each that failed.
func parallel(t *testing.T, what []string, fs ...func() (string, error)) {
	t.Helper()
	outs, errs := make([]string, len(fs)), make([]error, len(fs))
	var wg sync.WaitGroup
	for i, f := range fs {
		wg.Go(func() { outs[i], errs[i] = f() })
	}
	wg.Wait()
	failed := false
	for i, err := range errs {
		if err != nil {
			t.Errorf("%s: %v\n%s", what[i], err, outs[i])
			failed = true
		}
	}
	if failed {
		t.FailNow()
	}
}

// mavenProject writes the multi-module project com.acme:app-parent (pom) + com.acme:app-lib
// (jar) at version, deploying to deployURL with the server id "arca", and returns its directory.
func mavenProject(t *testing.T, dir, version, deployURL string) string {
	t.Helper()
	var plugins strings.Builder
	for _, p := range slices.Sorted(maps.Keys(mavenPlugins)) {
		fmt.Fprintf(&plugins, "      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>%s</artifactId><version>%s</version></plugin>\n", p, mavenPlugins[p])
	}
	writeFile(t, filepath.Join(dir, "pom.xml"), `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.acme</groupId>
  <artifactId>app-parent</artifactId>
  <version>`+version+`</version>
  <packaging>pom</packaging>
  <modules><module>lib</module></modules>
  <properties>
    <maven.compiler.source>17</maven.compiler.source>
    <maven.compiler.target>17</maven.compiler.target>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <build><pluginManagement><plugins>
`+plugins.String()+`  </plugins></pluginManagement></build>
  <distributionManagement>
    <repository><id>arca</id><url>`+deployURL+`</url></repository>
    <snapshotRepository><id>arca</id><url>`+deployURL+`</url></snapshotRepository>
  </distributionManagement>
</project>
`)
	writeFile(t, filepath.Join(dir, "lib", "pom.xml"), `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <parent><groupId>com.acme</groupId><artifactId>app-parent</artifactId><version>`+version+`</version></parent>
  <artifactId>app-lib</artifactId>
  <packaging>jar</packaging>
</project>
`)
	writeFile(t, filepath.Join(dir, "lib", "src", "main", "java", "com", "acme", "Hello.java"), `package com.acme;

public final class Hello {
    public static String greet(String name) { return "Hello, " + name + " (`+version+`)"; }
}
`)
	return dir
}

// consumerProject writes com.acme:consumer (pom) depending on app-lib at libVersion, dep 2.0 and
// ranged [1.0,3.0).
func consumerProject(t *testing.T, dir, libVersion string) string {
	t.Helper()
	writeFile(t, filepath.Join(dir, "pom.xml"), `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.acme</groupId>
  <artifactId>consumer</artifactId>
  <version>1.0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>com.acme</groupId><artifactId>app-lib</artifactId><version>`+libVersion+`</version></dependency>
    <dependency><groupId>com.acme</groupId><artifactId>dep</artifactId><version>2.0</version></dependency>
    <dependency><groupId>com.acme</groupId><artifactId>ranged</artifactId><version>[1.0,3.0)</version></dependency>
  </dependencies>
</project>
`)
	return dir
}

// mavenMetadata is the part of maven-metadata.xml the test reads.
type mavenMetadata struct {
	GroupID    string `xml:"groupId"`
	ArtifactID string `xml:"artifactId"`
	Version    string `xml:"version"`
	Versioning struct {
		Latest   string   `xml:"latest"`
		Release  string   `xml:"release"`
		Versions []string `xml:"versions>version"`
		Snapshot struct {
			Timestamp   string `xml:"timestamp"`
			BuildNumber string `xml:"buildNumber"`
		} `xml:"snapshot"`
		SnapshotVersions []struct {
			Extension string `xml:"extension"`
			Value     string `xml:"value"`
		} `xml:"snapshotVersions>snapshotVersion"`
		LastUpdated string `xml:"lastUpdated"`
	} `xml:"versioning"`
}

func (s *server) metadata(t *testing.T, path string) mavenMetadata {
	t.Helper()
	r := s.do(req{method: "GET", path: path})
	if r.StatusCode != 200 {
		t.Errorf("GET %s: status %d, want 200\n%s", path, r.StatusCode, r.body)
		return mavenMetadata{}
	}
	var m mavenMetadata
	if err := xml.Unmarshal(r.body, &m); err != nil {
		t.Errorf("GET %s: not maven-metadata.xml: %v\n%s", path, err, r.body)
	}
	return m
}

// checkSums asserts that the file at path (under /artifactory) is served with want's content and
// that its .sha1, .md5, .sha256 and .sha512 answer 200 with the right values.
func (s *server) checkSums(t *testing.T, path string, want []byte) {
	t.Helper()
	got := s.must(200, req{method: "GET", path: path}).body
	if !bytes.Equal(got, want) {
		t.Errorf("GET %s: %d bytes differ from the %d bytes mvn built", path, len(got), len(want))
	}
	for _, c := range []struct {
		ext string
		h   hash.Hash
	}{{".sha1", sha1.New()}, {".md5", md5.New()}, {".sha256", sha256.New()}, {".sha512", sha512.New()}} {
		c.h.Write(want)
		sum := hex.EncodeToString(c.h.Sum(nil))
		r := s.do(req{method: "GET", path: path + c.ext})
		if fields := strings.Fields(r.text()); r.StatusCode != 200 || len(fields) == 0 || fields[0] != sum {
			t.Errorf("GET %s%s: status %d body %q, want 200 %s", path, c.ext, r.StatusCode, r.body, sum)
		}
	}
}

// TestMavenEndToEnd drives mvn 3.8 (docs/development.md) against two Arca instances: B holds an
// upstream local repository; A has a local, a remote proxying B and a virtual over both.
// Deploys (deploy-file, a multi-module release and SNAPSHOT) go through A's virtual; a second
// build resolves release, SNAPSHOT, remote-only and version-range dependencies through it.
func TestMavenEndToEnd(t *testing.T) {
	requireMaven(t)
	a, b, logA, logB := startPair(t)

	// 1. B: upstream-local with dep 2.0 and ranged 2.0.
	b.createRepo("upstream-local", `{"rclass":"local","packageType":"maven"}`)
	// 2. A: local, remote → B, virtual over both deploying to the local.
	a.createRepo("maven-local", `{"rclass":"local","packageType":"maven"}`)
	a.createRepo("maven-remote", `{"rclass":"remote","packageType":"maven","url":"`+b.base+`/upstream-local",
		"username":"admin","password":"`+adminPassword+`"}`)
	// ranged exists in maven-local (1.0) and on B (2.0): resolving 2.0 through the remote is
	// deliberate mixing, which needs the dependency-confusion guard off (docs/virtual.md).
	a.createRepo("maven-virtual", `{"rclass":"virtual","packageType":"maven","repositories":["maven-local","maven-remote"],
		"defaultDeploymentRepo":"maven-local","dependencyConfusionGuard":false}`)
	// The same members with the guard switched on (Maven's default is off), checked at the end.
	a.createRepo("maven-guarded", `{"rclass":"virtual","packageType":"maven","repositories":["maven-local","maven-remote"],"dependencyConfusionGuard":true}`)
	virtual := a.base + "/maven-virtual/"

	// Concurrent mvn runs each have their own local repository. B is complete before anything
	// asks A's remote about com.acme:ranged (a miss would be cached).
	start := time.Now()
	wb1, wb2 := newMvnWork(t, b.base+"/upstream-local/"), newMvnWork(t, b.base+"/upstream-local/")
	parallel(t, []string{"deploy-file dep:2.0 to B", "deploy-file ranged:2.0 to B"},
		func() (string, error) { return wb1.deployFile("com.acme:dep:2.0", b.base+"/upstream-local/") },
		func() (string, error) { return wb2.deployFile("com.acme:ranged:2.0", b.base+"/upstream-local/") })
	t.Logf("deploy-file ×2 to B: %v", time.Since(start).Round(time.Millisecond))
	for _, p := range []string{"dep/2.0/dep-2.0.jar", "dep/2.0/dep-2.0.pom", "ranged/2.0/ranged-2.0.jar", "ranged/2.0/ranged-2.0.pom"} {
		b.must(200, req{method: "GET", path: "/api/storage/upstream-local/com/acme/" + p})
	}
	if m := b.metadata(t, "/upstream-local/com/acme/ranged/maven-metadata.xml"); fmt.Sprint(m.Versioning.Versions) != "[2.0]" || m.Versioning.Release != "2.0" {
		t.Errorf("B's ranged maven-metadata.xml: versions %v release %q, want [2.0] 2.0", m.Versioning.Versions, m.Versioning.Release)
	}

	// 3. Through A's virtual: the multi-module project's release (with deploy-file of ranged 1.0
	// alongside), then its SNAPSHOT.
	start = time.Now()
	wa, wf := newMvnWork(t, virtual), newMvnWork(t, virtual)
	release := mavenProject(t, filepath.Join(wa.dir, "app-1.0"), "1.0", virtual)
	parallel(t, []string{"mvn deploy of app 1.0", "deploy-file ranged:1.0 to A's virtual"},
		func() (string, error) { return wa.try(release, "deploy", "-DskipTests") },
		func() (string, error) { return wf.deployFile("com.acme:ranged:1.0", virtual) })
	snapshot := mavenProject(t, filepath.Join(wa.dir, "app-1.1-SNAPSHOT"), "1.1-SNAPSHOT", virtual)
	wa.run(t, snapshot, "deploy", "-DskipTests")
	t.Logf("mvn deploy ×2 + deploy-file: %v", time.Since(start).Round(time.Millisecond))

	local := "/maven-local/com/acme/"
	for _, p := range []string{
		"app-parent/1.0/app-parent-1.0.pom", "app-lib/1.0/app-lib-1.0.pom", "app-lib/1.0/app-lib-1.0.jar",
		"ranged/1.0/ranged-1.0.jar", "ranged/1.0/ranged-1.0.pom",
	} {
		a.must(200, req{method: "GET", path: "/api/storage" + local + p})
	}
	// The SNAPSHOT files carry mvn's timestamp and build number.
	var folder struct{ Children []struct{ URI string } }
	a.must(200, req{method: "GET", path: "/api/storage" + local + "app-lib/1.1-SNAPSHOT"}).json(t, &folder)
	snapJar := regexp.MustCompile(`^/app-lib-1\.1-(\d{8}\.\d{6})-(\d+)\.jar$`)
	var snapTimestamp, snapBuild, snapJarName string
	var names []string
	for _, c := range folder.Children {
		names = append(names, c.URI)
		if m := snapJar.FindStringSubmatch(c.URI); m != nil {
			snapJarName, snapTimestamp, snapBuild = c.URI[1:], m[1], m[2]
		}
	}
	if snapJarName == "" {
		t.Fatalf("no timestamped jar in maven-local/com/acme/app-lib/1.1-SNAPSHOT: %v", names)
	}
	if !slices.Contains(names, "/"+strings.TrimSuffix(snapJarName, ".jar")+".pom") {
		t.Errorf("no timestamped pom next to %s: %v", snapJarName, names)
	}
	a.must(200, req{method: "GET", path: "/api/storage" + local + "app-parent/1.1-SNAPSHOT"})

	// Arca's maven-metadata.xml: both versions, latest the SNAPSHOT, release 1.0.
	for _, artifact := range []string{"app-parent", "app-lib"} {
		m := a.metadata(t, local+artifact+"/maven-metadata.xml")
		v := m.Versioning
		if m.GroupID != "com.acme" || m.ArtifactID != artifact || !slices.Contains(v.Versions, "1.0") ||
			!slices.Contains(v.Versions, "1.1-SNAPSHOT") || len(v.Versions) != 2 || v.Latest != "1.1-SNAPSHOT" || v.Release != "1.0" {
			t.Errorf("%s/maven-metadata.xml: %s:%s versions %v latest %q release %q; want com.acme:%s [1.0 1.1-SNAPSHOT] latest 1.1-SNAPSHOT release 1.0",
				artifact, m.GroupID, m.ArtifactID, v.Versions, v.Latest, v.Release, artifact)
		}
	}
	sm := a.metadata(t, local+"app-lib/1.1-SNAPSHOT/maven-metadata.xml")
	if sm.Version != "1.1-SNAPSHOT" || sm.Versioning.Snapshot.Timestamp != snapTimestamp || sm.Versioning.Snapshot.BuildNumber != snapBuild {
		t.Errorf("SNAPSHOT maven-metadata.xml: version %q timestamp %q buildNumber %q; want 1.1-SNAPSHOT %s %s (from %s)",
			sm.Version, sm.Versioning.Snapshot.Timestamp, sm.Versioning.Snapshot.BuildNumber, snapTimestamp, snapBuild, snapJarName)
	}
	snapValue := strings.TrimPrefix(strings.TrimSuffix(snapJarName, ".jar"), "app-lib-")
	var jarValue string
	for _, sv := range sm.Versioning.SnapshotVersions {
		if sv.Extension == "jar" {
			jarValue = sv.Value
		}
	}
	if jarValue != snapValue {
		t.Errorf("SNAPSHOT maven-metadata.xml: snapshotVersion for jar %q, want %q", jarValue, snapValue)
	}

	// Checksums of the jars mvn built, in the repository and through the virtual.
	builtRelease := readBytes(t, filepath.Join(release, "lib/target/app-lib-1.0.jar"))
	builtSnapshot := readBytes(t, filepath.Join(snapshot, "lib/target/app-lib-1.1-SNAPSHOT.jar"))
	a.checkSums(t, local+"app-lib/1.0/app-lib-1.0.jar", builtRelease)
	a.checkSums(t, "/maven-virtual/com/acme/app-lib/1.0/app-lib-1.0.jar", builtRelease)
	a.checkSums(t, local+"app-lib/1.1-SNAPSHOT/"+snapJarName, builtSnapshot)
	var info struct {
		Checksums struct{ SHA1, MD5, SHA256 string }
	}
	a.must(200, req{method: "GET", path: "/api/storage" + local + "app-lib/1.0/app-lib-1.0.jar"}).json(t, &info)
	if want := sha1.Sum(builtRelease); info.Checksums.SHA1 != hex.EncodeToString(want[:]) {
		t.Errorf("storage API sha1 of app-lib-1.0.jar = %q, want %x", info.Checksums.SHA1, want)
	}

	// The virtual merges ranged's metadata: 1.0 from maven-local, 2.0 from B through the remote.
	if m := a.metadata(t, "/maven-virtual/com/acme/ranged/maven-metadata.xml"); fmt.Sprint(m.Versioning.Versions) != "[1.0 2.0]" ||
		m.Versioning.Latest != "2.0" || m.Versioning.Release != "2.0" {
		t.Errorf("virtual ranged maven-metadata.xml: versions %v latest %q release %q; want [1.0 2.0] 2.0 2.0",
			m.Versioning.Versions, m.Versioning.Latest, m.Versioning.Release)
	}

	// 4. A consumer, with fresh local repositories: app-lib 1.0 in one build, 1.1-SNAPSHOT in
	// the other; both with dep 2.0 (only on B) and ranged [1.0,3.0).
	start = time.Now()
	resolve := "org.apache.maven.plugins:maven-dependency-plugin:3.5.0:resolve"
	c1, c2 := newMvnWork(t, virtual), newMvnWork(t, virtual)
	p1 := consumerProject(t, filepath.Join(c1.dir, "consumer"), "1.0")
	p2 := consumerProject(t, filepath.Join(c2.dir, "consumer"), "1.1-SNAPSHOT")
	var out1, out2 string
	parallel(t, []string{"resolve with app-lib 1.0", "resolve with app-lib 1.1-SNAPSHOT"},
		func() (string, error) {
			var err error
			out1, err = c1.try(p1, resolve)
			return out1, err
		},
		func() (string, error) {
			var err error
			out2, err = c2.try(p2, resolve)
			return out2, err
		})
	t.Logf("dependency:resolve ×2: %v", time.Since(start).Round(time.Millisecond))
	for _, c := range []struct {
		out, lib string
		w        mvnWork
	}{{out1, "1.0", c1}, {out2, "1.1-SNAPSHOT", c2}} {
		var problems []string
		for _, want := range []string{"com.acme:app-lib:jar:" + c.lib + ":compile", "com.acme:dep:jar:2.0:compile", "com.acme:ranged:jar:2.0:compile"} {
			if !strings.Contains(c.out, want) {
				problems = append(problems, "does not list "+want)
			}
		}
		m2 := filepath.Join(c.w.dir, "m2", "com", "acme", "ranged")
		if _, err := os.Stat(filepath.Join(m2, "2.0", "ranged-2.0.jar")); err != nil {
			problems = append(problems, "ranged [1.0,3.0) did not resolve to 2.0 (no ranged-2.0.jar in the local repository)")
		}
		if _, err := os.Stat(filepath.Join(m2, "1.0", "ranged-1.0.jar")); err == nil {
			problems = append(problems, "ranged-1.0.jar was downloaded")
		}
		if problems != nil {
			t.Errorf("dependency:resolve with app-lib %s: %s; its output:\n%s", c.lib, strings.Join(problems, "; "), c.out)
		}
	}
	// The SNAPSHOT resolved to the deployed timestamped jar.
	gotSnap := readBytes(t, filepath.Join(c2.dir, "m2/com/acme/app-lib/1.1-SNAPSHOT", snapJarName))
	if !bytes.Equal(gotSnap, builtSnapshot) {
		t.Errorf("resolved %s differs from the deployed one", snapJarName)
	}
	gotRelease := readBytes(t, filepath.Join(c1.dir, "m2/com/acme/app-lib/1.0/app-lib-1.0.jar"))
	if !bytes.Equal(gotRelease, builtRelease) {
		t.Errorf("resolved app-lib-1.0.jar differs from the deployed one")
	}
	// dep came from B through the remote and is now cached on A.
	for _, p := range []string{"dep/2.0/dep-2.0.jar", "ranged/2.0/ranged-2.0.jar"} {
		a.must(200, req{method: "GET", path: "/api/storage/maven-remote-cache/com/acme/" + p})
	}
	a.must(404, req{method: "GET", path: "/api/storage/maven-local/com/acme/dep/2.0/dep-2.0.jar"})

	// Every PUT mvn made was accepted: artifacts, POMs, metadata and the checksums of each.
	for _, l := range []struct {
		name string
		log  *syncBuffer
	}{{"A", logA}, {"B", logB}} {
		if bad := rejectedPuts(l.log.String()); bad != nil {
			t.Errorf("Arca %s rejected PUTs from mvn:\n%s", l.name, strings.Join(bad, "\n"))
		}
	}

	// With the guard on, a Maven package is groupId:artifactId: com.acme:ranged, taken in
	// maven-local, is not served from the remote's cache, while com.acme:dep (same group, not
	// local) still is.
	if r := a.do(req{method: "GET", path: "/maven-guarded/com/acme/ranged/2.0/ranged-2.0.jar"}); r.StatusCode != 404 {
		t.Errorf("guarded virtual: GET com/acme/ranged/2.0/ranged-2.0.jar (com.acme:ranged is in maven-local) = %d, want 404", r.StatusCode)
	}
	if r := a.do(req{method: "GET", path: "/maven-guarded/com/acme/dep/2.0/dep-2.0.pom"}); r.StatusCode != 200 {
		t.Errorf("guarded virtual: GET com/acme/dep/2.0/dep-2.0.pom (com.acme:dep is not local) = %d, want 200\n%s", r.StatusCode, r.body)
	}
}

var rejectedPut = regexp.MustCompile(`method=PUT path=(\S+) status=([45]\d\d)`)

// rejectedPuts returns "status path" for each PUT of the request log answered 4xx or 5xx.
func rejectedPuts(log string) []string {
	var bad []string
	for _, m := range rejectedPut.FindAllStringSubmatch(log, -1) {
		bad = append(bad, m[2]+" "+m[1])
	}
	return bad
}

func readBytes(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
