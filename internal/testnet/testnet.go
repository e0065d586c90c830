// Package testnet holds the network helpers that test harnesses share.
package testnet

import "net"

// FreePort returns a loopback TCP port that was free a moment ago (for a server the caller
// starts in another process, which must bind it itself).
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
