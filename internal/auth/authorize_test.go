package auth

import (
	"context"
	"testing"

	"arca"
)

func TestActionString(t *testing.T) {
	tests := []struct {
		a    Action
		want string
	}{
		{Read, "read"}, {Annotate, "annotate"}, {Deploy, "deploy"}, {Delete, "delete"}, {Manage, "manage"},
		{Action(42), "Action(42)"}, {Action(-1), "Action(-1)"},
	}
	for _, tt := range tests {
		if got := tt.a.String(); got != tt.want {
			t.Errorf("Action(%d).String() = %q, want %q", int(tt.a), got, tt.want)
		}
	}
}

func TestDefaultPolicy(t *testing.T) {
	admin := Principal{Name: "root", Admin: true}
	user := Principal{Name: "alice"}
	anon := Principal{Name: arca.Anonymous, Anonymous: true}
	on := func() bool { return true }
	off := func() bool { return false }
	all := []Action{Read, Annotate, Deploy, Delete, Manage}

	tests := []struct {
		name    string
		policy  DefaultPolicy
		p       Principal
		allowed []Action
	}{
		{"admin", DefaultPolicy{AnonymousRead: off}, admin, all},
		{"user", DefaultPolicy{AnonymousRead: off}, user, []Action{Read, Annotate, Deploy, Delete}},
		{"anonymous, off", DefaultPolicy{AnonymousRead: off}, anon, nil},
		{"anonymous, nil func", DefaultPolicy{}, anon, nil},
		{"anonymous, on", DefaultPolicy{AnonymousRead: on}, anon, []Action{Read}},
		{"zero principal counts as anonymous", DefaultPolicy{AnonymousRead: on}, Principal{}, []Action{Read}},
		{"anonymous flag beats admin flag", DefaultPolicy{AnonymousRead: off}, Principal{Name: "x", Admin: true, Anonymous: true}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := map[Action]bool{}
			for _, a := range tt.allowed {
				want[a] = true
			}
			for _, a := range append(all, Action(99)) {
				if got := tt.policy.Allowed(context.Background(), tt.p, a, "libs-release-local", "org/x.jar"); got != want[a] {
					t.Errorf("Allowed(%v) = %v, want %v", a, got, want[a])
				}
			}
		})
	}
}
