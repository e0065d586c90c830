package metatest

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sync/errgroup"

	"arca"
)

func (h harness) users(t *testing.T) {
	ctx := context.Background()
	st := h.open(t)
	alice := arca.User{Name: "Alice", Email: "a@example.com", PasswordHash: "$2a$hash", Admin: true, Created: at(1)}
	must(t, "CreateUser", st.CreateUser(ctx, alice))
	must(t, "CreateUser", st.CreateUser(ctx, arca.User{Name: "bob", Created: at(2)}))
	wantErr(t, "CreateUser(other case)", st.CreateUser(ctx, arca.User{Name: "alice"}), arca.ErrExists)

	for _, name := range []string{"Alice", "alice", "ALICE"} {
		got, err := st.GetUser(ctx, name)
		must(t, "GetUser", err)
		if d := cmp.Diff(alice, got); d != "" {
			t.Errorf("GetUser(%s) (-want +got):\n%s", name, d)
		}
	}
	_, err := st.GetUser(ctx, "nobody")
	wantErr(t, "GetUser(missing)", err, arca.ErrNotFound)

	upd := alice
	upd.Email, upd.PasswordHash, upd.Admin, upd.Disabled = "new@example.com", "$2a$other", false, true
	must(t, "UpdateUser", st.UpdateUser(ctx, upd))
	got, err := st.GetUser(ctx, "alice")
	must(t, "GetUser", err)
	if d := cmp.Diff(upd, got); d != "" {
		t.Errorf("after UpdateUser (-want +got):\n%s", d)
	}
	wantErr(t, "UpdateUser(missing)", st.UpdateUser(ctx, arca.User{Name: "nobody"}), arca.ErrNotFound)

	must(t, "CreateUser", st.CreateUser(ctx, arca.User{Name: "Carol", Created: at(3)}))
	list, err := st.ListUsers(ctx)
	must(t, "ListUsers", err)
	var names []string
	for _, u := range list {
		names = append(names, u.Name)
	}
	if d := cmp.Diff([]string{"Alice", "bob", "Carol"}, names); d != "" {
		t.Errorf("ListUsers (-want +got):\n%s", d)
	}

	must(t, "DeleteUser", st.DeleteUser(ctx, "ALICE"))
	_, err = st.GetUser(ctx, "Alice")
	wantErr(t, "GetUser(deleted)", err, arca.ErrNotFound)
	wantErr(t, "DeleteUser(missing)", st.DeleteUser(ctx, "alice"), arca.ErrNotFound)
}

func (h harness) tokens(t *testing.T) {
	ctx := context.Background()
	st := h.open(t)
	t1 := arca.Token{ID: "t1", Subject: "alice", Scope: "applied-permissions/user", Hash: "h1", RefreshHash: "rh1", Created: at(1), Expires: at(3600)}
	t2 := arca.Token{ID: "t2", Subject: "alice", Hash: "h2", Created: at(2)} // never expires, not refreshable
	t3 := arca.Token{ID: "t3", Subject: "bob", Hash: "h3", Created: at(3)}
	for _, tk := range []arca.Token{t1, t2, t3} {
		must(t, "CreateToken", st.CreateToken(ctx, tk))
	}
	wantErr(t, "CreateToken(duplicate)", st.CreateToken(ctx, t1), arca.ErrExists)

	got, err := st.GetToken(ctx, "t1")
	must(t, "GetToken", err)
	if d := cmp.Diff(t1, got); d != "" {
		t.Errorf("GetToken (-want +got):\n%s", d)
	}
	got, err = st.GetToken(ctx, "t2")
	must(t, "GetToken", err)
	if d := cmp.Diff(t2, got); d != "" {
		t.Errorf("GetToken(no expiry) (-want +got):\n%s", d)
	}
	_, err = st.GetToken(ctx, "nope")
	wantErr(t, "GetToken(missing)", err, arca.ErrNotFound)

	got, err = st.GetTokenByRefresh(ctx, "rh1")
	must(t, "GetTokenByRefresh", err)
	if got.ID != "t1" {
		t.Errorf("GetTokenByRefresh = %s, want t1", got.ID)
	}
	_, err = st.GetTokenByRefresh(ctx, "")
	wantErr(t, "GetTokenByRefresh(\"\")", err, arca.ErrNotFound)
	_, err = st.GetTokenByRefresh(ctx, "nope")
	wantErr(t, "GetTokenByRefresh(missing)", err, arca.ErrNotFound)

	ids := func(subject string) []string {
		ts, err := st.ListTokens(ctx, subject)
		must(t, "ListTokens", err)
		var out []string
		for _, tk := range ts {
			out = append(out, tk.ID)
		}
		sort.Strings(out)
		return out
	}
	if d := cmp.Diff([]string{"t1", "t2"}, ids("alice")); d != "" {
		t.Errorf("ListTokens(alice) (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"t1", "t2", "t3"}, ids("")); d != "" {
		t.Errorf("ListTokens(all) (-want +got):\n%s", d)
	}

	must(t, "RevokeToken", st.RevokeToken(ctx, "t1"))
	got, _ = st.GetToken(ctx, "t1")
	if !got.Revoked {
		t.Errorf("token not revoked")
	}
	wantErr(t, "RevokeToken(missing)", st.RevokeToken(ctx, "nope"), arca.ErrNotFound)
}

func (h harness) settings(t *testing.T) {
	ctx := context.Background()
	st := h.open(t)
	_, err := st.GetSetting(ctx, "k")
	wantErr(t, "GetSetting(missing)", err, arca.ErrNotFound)
	must(t, "SetSetting", st.SetSetting(ctx, "k", "v1"))
	must(t, "SetSetting", st.SetSetting(ctx, "k", "v2"))
	if v, err := st.GetSetting(ctx, "k"); err != nil || v != "v2" {
		t.Errorf("GetSetting = %q, %v; want v2", v, err)
	}
	if v, err := st.SetSettingIfAbsent(ctx, "k", "v3"); err != nil || v != "v2" {
		t.Errorf("SetSettingIfAbsent(existing) = %q, %v; want v2", v, err)
	}
	if v, err := st.SetSettingIfAbsent(ctx, "new", "n1"); err != nil || v != "n1" {
		t.Errorf("SetSettingIfAbsent(new) = %q, %v; want n1", v, err)
	}

	// Racing callers all get the value of the one that won.
	const n = 16
	got := make([]string, n)
	var g errgroup.Group
	for i := range n {
		g.Go(func() error {
			v, err := st.SetSettingIfAbsent(ctx, "instance-id", fmt.Sprintf("id-%d", i))
			got[i] = v
			return err
		})
	}
	must(t, "SetSettingIfAbsent", g.Wait())
	stored, err := st.GetSetting(ctx, "instance-id")
	must(t, "GetSetting", err)
	for i, v := range got {
		if v != stored {
			t.Errorf("caller %d got %q, stored %q", i, v, stored)
		}
	}
}
