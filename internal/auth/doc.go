// Package auth answers two questions for every request: who is calling (Authenticator) and may
// they do this (Authorizer). It also owns the primitives behind them: bcrypt password hashes,
// Artifactory-compatible access tokens (HS256 JWTs, TokenService) and the first-start admin
// account (EnsureAdmin).
//
// # Hot path
//
// Authentication runs on every request, so neither a bcrypt comparison nor a metadata query may
// happen per request. Successful password checks are cached for a few minutes, token records
// and user records for seconds, all in bounded in-memory caches owned by the Authenticator and
// the TokenService (no package-level state). Local changes invalidate them at once
// (Authenticator.Invalidate, TokenService.Revoke), and so do other nodes' changes when the
// Authenticator Watches the cluster's notify.Bus; a notice lost between nodes is bounded by the
// cache TTLs.
//
// # Errors
//
// Failed authentication wraps arca.ErrUnauthorized; malformed input to the token service wraps
// arca.ErrInvalid; an unknown token to revoke wraps arca.ErrNotFound. Errors of the metadata
// store that are none of those are returned wrapped, so the server answers 500, never 401, when
// the database is down.
package auth
