package maven

import "arca/internal/format"

var _ format.GuardDefaulter = Format{}

// GuardDefault implements format.GuardDefaulter: off. Maven Central verifies that a publisher
// owns a groupId's namespace, so nobody can claim an internal group there; and Maven's own rule
// holds unchanged — the "latest version" a virtual reports searches every member, remotes
// included — so a team that deployed one patched fork of a public library still sees the
// library's newer upstream releases. A virtual's dependencyConfusionGuard turns it on.
func (Format) GuardDefault() bool { return false }
