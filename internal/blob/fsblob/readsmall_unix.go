//go:build unix

package fsblob

import (
	"context"
	"fmt"
	"io"
	"os"
	"syscall"

	"arca/internal/blob"
)

var _ blob.SmallReader = (*Store)(nil)

// ReadSmall implements blob.SmallReader with open, fstat, read and close (os.Open, Seek and
// Read cost twice the system calls: os.Open tries the network poller, and the size takes two
// seeks), falling back to an *os.File for a blob larger than max.
func (s *Store) ReadSmall(ctx context.Context, digest string, max int64) ([]byte, blob.File, error) {
	p, err := s.path(digest)
	if err != nil {
		return nil, nil, err
	}
	var fd int
	for {
		fd, err = syscall.Open(p, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, nil, notFound(digest, &os.PathError{Op: "open", Path: p, Err: err})
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		syscall.Close(fd)
		return nil, nil, fmt.Errorf("fsblob: blob %s: %w", digest, err)
	}
	if st.Size > max {
		return nil, os.NewFile(uintptr(fd), p), nil
	}
	defer syscall.Close(fd)
	b := make([]byte, st.Size)
	for n := 0; n < len(b); {
		m, err := syscall.Read(fd, b[n:])
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return nil, nil, fmt.Errorf("fsblob: blob %s: %w", digest, err)
		case m == 0:
			return nil, nil, fmt.Errorf("fsblob: blob %s: %w", digest, io.ErrUnexpectedEOF)
		}
		n += m
	}
	return b, nil, nil
}
