package cluster

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"arca/internal/testnet"
)

// buildArca builds the arca binary into dir.
func buildArca(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "arca")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/arca")
	cmd.Dir = "../.." // the module root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/arca: %v\n%s", err, out)
	}
	return bin
}

// node is one arca serve process of the cluster, restartable on its data directory and port.
type node struct {
	t    *testing.T
	bin  string
	env  []string
	dir  string
	addr string // 127.0.0.1:PORT
	cmd  *exec.Cmd
	log  *os.File
	done chan error
}

func newNode(t *testing.T, bin string, env []string, dir string) *node {
	port, err := testnet.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return &node{t: t, bin: bin, env: env, dir: dir, addr: "127.0.0.1:" + strconv.Itoa(port)}
}

func (n *node) url() string { return "http://" + n.addr + "/artifactory" }

// start runs the process and waits until its ping answers.
func (n *node) start() {
	n.t.Helper()
	if err := os.MkdirAll(n.dir, 0o700); err != nil {
		n.t.Fatal(err)
	}
	log, err := os.OpenFile(filepath.Join(n.dir, "..", filepath.Base(n.dir)+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		n.t.Fatal(err)
	}
	n.log = log
	n.cmd = exec.Command(n.bin, "serve", "--listen", n.addr, "--data-dir", n.dir)
	n.cmd.Env = n.env
	n.cmd.Stdout, n.cmd.Stderr = log, log
	if err := n.cmd.Start(); err != nil {
		n.t.Fatal(err)
	}
	n.done = make(chan error, 1)
	go func(cmd *exec.Cmd, done chan error) { done <- cmd.Wait() }(n.cmd, n.done)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if res, err := http.Get(n.url() + "/api/system/ping"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		select {
		case err := <-n.done:
			n.t.Fatalf("node %s exited at start: %v\n%s", n.addr, err, n.logText())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			n.t.Fatalf("node %s not ready after 30 s\n%s", n.addr, n.logText())
		}
	}
}

// kill ends the process with SIGKILL: no draining, no flush.
func (n *node) kill() {
	_ = n.cmd.Process.Kill()
	<-n.done
	n.log.Close()
}

// stop ends the process with SIGTERM, as an operator would.
func (n *node) stop() {
	if n.cmd == nil || n.cmd.ProcessState != nil {
		return
	}
	_ = n.cmd.Process.Signal(os.Interrupt)
	select {
	case <-n.done:
	case <-time.After(40 * time.Second):
		_ = n.cmd.Process.Kill()
		<-n.done
	}
	n.log.Close()
}

func (n *node) logText() string {
	b, _ := os.ReadFile(n.log.Name())
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// startNginx runs nginx in front of the nodes on a free port and returns its base URL.
func startNginx(t *testing.T, dir string, nodes []*node) string {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		for _, p := range []string{"/usr/sbin/nginx", "/sbin/nginx"} {
			if _, err2 := os.Stat(p); err2 == nil {
				bin, err = p, nil
			}
		}
	}
	if err != nil {
		t.Fatal("nginx is not installed (Debian: apt-get install nginx-light)")
	}
	port, err := testnet.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	var servers strings.Builder
	for _, n := range nodes {
		fmt.Fprintf(&servers, "    server %s max_fails=1 fail_timeout=2s;\n", n.addr)
	}
	conf := fmt.Sprintf(`pid %[1]s/nginx.pid;
error_log %[1]s/nginx-error.log;
events {}
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  client_max_body_size 0;
  proxy_request_buffering off;
  proxy_buffering off;
  proxy_http_version 1.1;
  upstream arca {
%[2]s    keepalive 32;
  }
  server {
    listen 127.0.0.1:%[3]d;
    location / {
      proxy_pass http://arca;
      proxy_set_header Connection "";
      proxy_set_header Host $host:$server_port;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_connect_timeout 2s;
    }
  }
}
`, dir, servers.String(), port)
	cf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(cf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-c", cf, "-p", dir).CombinedOutput(); err != nil {
		t.Fatalf("nginx: %v\n%s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command(bin, "-c", cf, "-p", dir, "-s", "stop").Run() })
	return "http://127.0.0.1:" + strconv.Itoa(port) + "/artifactory"
}
