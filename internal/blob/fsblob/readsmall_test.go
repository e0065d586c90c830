//go:build unix

package fsblob_test

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"arca"
	"arca/internal/blob/blobtest"
)

func TestReadSmall(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	content := []byte("hello, small blob")
	info := blobtest.Put(t, s, content, arca.Checksums{})
	empty := blobtest.Put(t, s, nil, arca.Checksums{})
	for _, tt := range []struct {
		name   string
		digest string
		max    int64
		want   string
		asFile bool // want an *os.File, not the content
	}{
		{name: "at most max", digest: info.Digest, max: int64(len(content)), want: string(content)},
		{name: "empty", digest: empty.Digest, max: 10, want: ""},
		{name: "larger than max", digest: info.Digest, max: int64(len(content)) - 1, want: string(content), asFile: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, f, err := s.ReadSmall(ctx, tt.digest, tt.max)
			if err != nil {
				t.Fatalf("ReadSmall: %v", err)
			}
			if !tt.asFile {
				if f != nil || string(b) != tt.want {
					t.Fatalf("ReadSmall = %q, %v; want %q and no file", b, f, tt.want)
				}
				return
			}
			if b != nil {
				t.Errorf("ReadSmall returned content %q as well as a file", b)
			}
			if _, ok := f.(*os.File); !ok {
				t.Fatalf("ReadSmall returned %T, want *os.File (for sendfile)", f)
			}
			defer f.Close()
			got, err := io.ReadAll(f)
			if err != nil || string(got) != tt.want {
				t.Errorf("the file reads %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, _, err := s.ReadSmall(ctx, strings.Repeat("0", 64), 100); !errors.Is(err, arca.ErrNotFound) {
		t.Errorf("ReadSmall of an unknown digest: %v, want ErrNotFound", err)
	}
	if _, _, err := s.ReadSmall(ctx, "../etc/passwd", 100); !errors.Is(err, arca.ErrInvalid) {
		t.Errorf("ReadSmall of an invalid digest: %v, want ErrInvalid", err)
	}
}
