package e2e

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill the child if the test process dies without running its
// cleanup (a -timeout panic, a SIGKILL), so no server outlives its test run.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
