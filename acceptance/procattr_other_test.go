//go:build !linux

package acceptance

import "os/exec"

// dieWithParent is a no-op where the kernel offers no parent-death signal; TestMain's deferred
// stop still covers every ordinary exit.
func dieWithParent(cmd *exec.Cmd) {}
