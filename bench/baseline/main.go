// Command baseline is the reference server of bench/download.sh: the least a Go net/http server
// can do to answer the benchmark's requests. It serves a fixed set of files at fixed URL paths,
// checks the Authorization header against one expected value, and sends exactly the response
// headers recorded from Arca for the same file (header values built once at start). Small files
// are served from memory, large ones from disk through io.Copy (sendfile), as Arca does.
//
//	baseline -listen 127.0.0.1:8080 -auth 'Basic ...' -file /url/path=/disk/path=/headers.txt ...
//
// A headers file is an HTTP response head as curl -D writes it; its status line, Date and
// Content-Length are ignored (net/http writes those).
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/textproto"
	"os"
	"strconv"
	"strings"
)

// memLimit is the size up to which a file is served from memory.
const memLimit = 64 << 10

type file struct {
	disk   string
	size   int64
	data   []byte // nil: served from disk
	header http.Header
}

type files []string

func (f *files) String() string     { return strings.Join(*f, ",") }
func (f *files) Set(v string) error { *f = append(*f, v); return nil }

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	auth := flag.String("auth", "", "the Authorization header value every request must carry (empty: none)")
	var specs files
	flag.Var(&specs, "file", "urlpath=diskpath=headersfile (repeatable)")
	flag.Parse()
	routes := map[string]*file{}
	for _, s := range specs {
		parts := strings.SplitN(s, "=", 3)
		if len(parts) != 3 {
			log.Fatalf("-file %q: want urlpath=diskpath=headersfile", s)
		}
		f, err := load(parts[1], parts[2])
		if err != nil {
			log.Fatal(err)
		}
		routes[parts[0]] = f
	}
	challenge := []string{`Basic realm="baseline"`}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if *auth != "" && r.Header.Get("Authorization") != *auth {
			w.Header()["Www-Authenticate"] = challenge
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		f := routes[r.URL.Path]
		if f == nil {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		hdr := w.Header()
		for k, v := range f.header {
			hdr[k] = v
		}
		if r.Method == http.MethodHead {
			return
		}
		if f.data != nil {
			_, _ = w.Write(f.data)
			return
		}
		fd, err := os.Open(f.disk)
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		defer fd.Close()
		_, _ = io.Copy(w, fd)
	})
	srv := &http.Server{Addr: *listen, Handler: h}
	log.Fatal(srv.ListenAndServe())
}

// load reads a file's size (and bytes, when small) and its recorded response headers.
func load(disk, headers string) (*file, error) {
	st, err := os.Stat(disk)
	if err != nil {
		return nil, err
	}
	f := &file{disk: disk, size: st.Size()}
	if st.Size() <= memLimit {
		if f.data, err = os.ReadFile(disk); err != nil {
			return nil, err
		}
	}
	hf, err := os.Open(headers)
	if err != nil {
		return nil, err
	}
	defer hf.Close()
	tp := textproto.NewReader(bufio.NewReader(hf))
	if _, err := tp.ReadLine(); err != nil { // status line
		return nil, fmt.Errorf("%s: %w", headers, err)
	}
	mh, err := tp.ReadMIMEHeader()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", headers, err)
	}
	f.header = http.Header(mh)
	delete(f.header, "Date")
	f.header["Content-Length"] = []string{strconv.FormatInt(f.size, 10)}
	if len(f.header) < 2 {
		return nil, fmt.Errorf("%s: no headers recorded", headers)
	}
	return f, nil
}
