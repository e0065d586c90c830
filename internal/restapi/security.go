package restapi

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"arca"
	"arca/internal/auth"
)

// CreateToken handles POST /api/security/token (form-encoded): issue an access token, or
// refresh one with grant_type=refresh_token. A user may create tokens for themselves; only an
// admin for others.
func (a *API) CreateToken(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	if err := r.ParseForm(); err != nil {
		return arca.Errorf(arca.ErrInvalid, "malformed form body: %v", err)
	}
	f := r.PostForm
	if f.Get("grant_type") == "refresh_token" {
		issued, err := a.Tokens.Refresh(r.Context(), f.Get("refresh_token"), f.Get("access_token"))
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, issued)
	}
	if p.Anonymous {
		return arca.Errorf(arca.ErrUnauthorized, "authentication is required to create a token")
	}
	user := f.Get("username")
	if user == "" {
		user = p.Name
	}
	if !strings.EqualFold(user, p.Name) && !p.Admin {
		return arca.Errorf(arca.ErrForbidden, "only an admin may create tokens for other users")
	}
	if _, err := a.Meta.GetUser(r.Context(), user); err != nil {
		if errors.Is(err, arca.ErrNotFound) {
			return arca.Errorf(arca.ErrInvalid, "user '%s' does not exist", user)
		}
		return err
	}
	expires := time.Hour
	if s := f.Get("expires_in"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return arca.Errorf(arca.ErrInvalid, "expires_in: %q is not a non-negative number of seconds", s)
		}
		expires = time.Duration(n) * time.Second
	}
	scope := f.Get("scope")
	if scope == "" {
		scope = "member-of-groups:*"
	}
	refreshable := strings.EqualFold(f.Get("refreshable"), "true")
	issued, err := a.Tokens.Issue(r.Context(), user, scope, expires, refreshable)
	if err != nil {
		return err
	}
	a.audited(r, "token.create", user, "scope "+scope+", expires in "+expires.String())
	return writeJSON(w, http.StatusOK, issued)
}

// RevokeToken handles POST /api/security/token/revoke (form: token=… or token_id=…). A user may
// revoke their own tokens; an admin any.
func (a *API) RevokeToken(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	if p.Anonymous {
		return arca.Errorf(arca.ErrUnauthorized, "authentication is required")
	}
	if err := r.ParseForm(); err != nil {
		return arca.Errorf(arca.ErrInvalid, "malformed form body: %v", err)
	}
	target := r.PostForm.Get("token")
	if target == "" {
		target = r.PostForm.Get("token_id")
	}
	if target == "" {
		return arca.Errorf(arca.ErrInvalid, "token or token_id is required")
	}
	if !p.Admin {
		var t arca.Token
		var err error
		if strings.Count(target, ".") == 2 {
			t, err = a.Tokens.Verify(r.Context(), target)
		} else {
			t, err = a.Meta.GetToken(r.Context(), target)
		}
		if err != nil {
			return err
		}
		if !strings.EqualFold(t.Subject, p.Name) {
			return arca.Errorf(arca.ErrForbidden, "only an admin may revoke other users' tokens")
		}
	}
	if err := a.Tokens.Revoke(r.Context(), target); err != nil {
		return err
	}
	if strings.Count(target, ".") == 2 {
		target = "a token given by value" // never the token itself
	}
	a.audited(r, "token.revoke", target, "")
	return writeText(w, http.StatusOK, "Token revoked")
}

// EncryptedPassword handles GET /api/security/encryptedPassword. `jf c add` stores the answer
// and sends it back as the Basic password later, so the caller's own password is returned:
// Arca never stores a reversible form of it.
func (a *API) EncryptedPassword(w http.ResponseWriter, r *http.Request) error {
	p := PrincipalFrom(r.Context())
	_, pw, ok := r.BasicAuth()
	if p.Anonymous || !ok {
		return arca.Errorf(arca.ErrUnauthorized, "basic authentication is required")
	}
	return writeText(w, http.StatusOK, pw)
}

type userJSON struct {
	Name                     string   `json:"name"`
	Email                    string   `json:"email,omitempty"`
	Password                 string   `json:"password,omitempty"`
	Admin                    *bool    `json:"admin,omitempty"`
	DisableUIAccess          bool     `json:"disableUIAccess"`
	InternalPasswordDisabled *bool    `json:"internalPasswordDisabled,omitempty"`
	Groups                   []string `json:"groups,omitempty"`
	Realm                    string   `json:"realm,omitempty"`
	URI                      string   `json:"uri,omitempty"`
}

// ListUsers handles GET /api/security/users (admin).
func (a *API) ListUsers(w http.ResponseWriter, r *http.Request) error {
	if err := a.requireAdmin(r); err != nil {
		return err
	}
	users, err := a.Meta.ListUsers(r.Context())
	if err != nil {
		return err
	}
	out := []userJSON{}
	base := a.baseURL(r)
	for _, u := range users {
		out = append(out, userJSON{Name: u.Name, URI: base + "/api/security/users/" + u.Name, Realm: "internal"})
	}
	return writeJSON(w, http.StatusOK, out)
}

// GetUser handles GET /api/security/users/{name} (admin, or the user themselves).
func (a *API) GetUser(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if p := PrincipalFrom(r.Context()); p.Anonymous || (!p.Admin && !strings.EqualFold(p.Name, name)) {
		if err := a.requireAdmin(r); err != nil {
			return err
		}
	}
	u, err := a.Meta.GetUser(r.Context(), name)
	if err != nil {
		return err
	}
	admin := u.Admin
	return writeJSON(w, http.StatusOK, userJSON{Name: u.Name, Email: u.Email, Admin: &admin, Realm: "internal"})
}

// PutUser handles PUT (create or replace) and POST (update) /api/security/users/{name} (admin).
func (a *API) PutUser(w http.ResponseWriter, r *http.Request) error {
	if err := a.requireAdmin(r); err != nil {
		return err
	}
	name := r.PathValue("name")
	var in userJSON
	if err := decodeJSON(r, &in); err != nil {
		return err
	}
	if in.Name != "" && !strings.EqualFold(in.Name, name) {
		return arca.Errorf(arca.ErrInvalid, "the body's name '%s' does not match the URL's '%s'", in.Name, name)
	}
	if strings.EqualFold(name, arca.Anonymous) || strings.TrimSpace(name) == "" || strings.ContainsAny(name, "/\\:") {
		return arca.Errorf(arca.ErrInvalid, "'%s' is not a valid user name", name)
	}
	ctx := r.Context()
	u, err := a.Meta.GetUser(ctx, name)
	exists := err == nil
	if err != nil && !errors.Is(err, arca.ErrNotFound) {
		return err
	}
	if !exists {
		if r.Method == http.MethodPost {
			return err
		}
		if in.Password == "" {
			return arca.Errorf(arca.ErrInvalid, "password is required for a new user")
		}
		u = arca.User{Name: name, Created: a.Now()}
	}
	if in.Email != "" || r.Method == http.MethodPut {
		u.Email = in.Email
	}
	if in.Admin != nil {
		u.Admin = *in.Admin
	}
	if in.Password != "" {
		h, err := auth.HashPassword(in.Password)
		if err != nil {
			return err
		}
		u.PasswordHash = h
	}
	if exists {
		err = a.Meta.UpdateUser(ctx, u)
	} else {
		err = a.Meta.CreateUser(ctx, u)
	}
	if err != nil {
		return err
	}
	a.Authn.Invalidate(u.Name)
	status, action := http.StatusOK, "user.update"
	if !exists {
		status, action = http.StatusCreated, "user.create"
	}
	detail := ""
	if in.Password != "" {
		detail = "password set"
	}
	a.audited(r, action, u.Name, detail)
	w.WriteHeader(status)
	return nil
}

// DeleteUser handles DELETE /api/security/users/{name} (admin).
func (a *API) DeleteUser(w http.ResponseWriter, r *http.Request) error {
	if err := a.requireAdmin(r); err != nil {
		return err
	}
	name := r.PathValue("name")
	if err := a.Meta.DeleteUser(r.Context(), name); err != nil {
		return err
	}
	a.Authn.Invalidate(name)
	a.audited(r, "user.delete", name, "")
	return writeText(w, http.StatusOK, "User '"+name+"' has been removed successfully.")
}
