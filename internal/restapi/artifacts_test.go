package restapi

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// readerFromRecorder records what its ReadFrom was handed.
type readerFromRecorder struct {
	bytes.Buffer
	src io.Reader
}

func (r *readerFromRecorder) ReadFrom(src io.Reader) (int64, error) {
	r.src = src
	return r.Buffer.ReadFrom(src)
}

// TestSendBodyKeepsTheFileForSendfile guards the sendfile path: the connection's ReadFrom only
// uses sendfile when it is handed the *os.File (or a LimitedReader over it).
func TestSendBodyKeepsTheFileForSendfile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "blob")
	if err := os.WriteFile(p, []byte("0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var w readerFromRecorder
	n, err := sendBody(&w, f, 10)
	if err != nil || n != 10 || w.String() != "0123456789" {
		t.Fatalf("sendBody = %d, %v, %q", n, err, w.String())
	}
	lr, ok := w.src.(*io.LimitedReader)
	if !ok {
		t.Fatalf("ReadFrom got %T, want *io.LimitedReader", w.src)
	}
	if _, ok := lr.R.(*os.File); !ok {
		t.Fatalf("ReadFrom got a LimitedReader over %T, want *os.File", lr.R)
	}
}
