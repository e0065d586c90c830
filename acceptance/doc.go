// Package acceptance drives a freshly built Arca server through jfrog-client-go, the library the
// JFrog CLI is built on, so that its AQL, upload, download, retry and checksum code is exactly the
// CLI's.
//
// It is a separate Go module: it never imports the server's packages. TestMain builds
// ../cmd/arca into a temporary directory, starts it on 127.0.0.1:0 with an empty data directory and
// the admin password "secret", waits for GET /api/system/ping, runs the tests and stops the server.
//
// Every test covers one client flow that JFrog's clients depend on and creates its own
// repositories, so tests are independent of each other and of their order. Besides what the client
// library reports, most tests assert on the wire exchange (status codes, checksum-deploy, range
// requests) recorded by a RoundTripper installed in the client, and on the server's state read back
// through the storage API.
//
// Run with:
//
//	cd acceptance && go test -count=1 ./...
//
// Set ARCA_ACCEPTANCE_LOG=DEBUG to see the client's log (URLs and AQL).
package acceptance
