//go:build !linux

package e2e

import "os/exec"

// dieWithParent has no equivalent outside Linux; test cleanups stop the servers.
func dieWithParent(*exec.Cmd) {}
