package maven

import (
	"bytes"
	"encoding/xml"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"arca"
)

// Real-world POMs and metadata files are mostly UTF-8, sometimes with a byte order mark, and now
// and then declared ISO-8859-1 or windows-1252. encoding/xml reads UTF-8 only, so documents are
// turned into UTF-8 first; the text-level POM cleanup needs the offset of every byte of the
// converted text in the original document, which utf8Text keeps.

// latin1Labels are encoding labels read as ISO-8859-1 (windows-1252 differs in 0x80-0x9F only,
// characters that never matter to Maven coordinates); read-only.
var latin1Labels = []string{"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1",
	"windows-1252", "cp1252", "iso-8859-15", "latin9"}

// utf8Text is a document converted to UTF-8.
type utf8Text struct {
	text []byte
	// orig maps an offset in text to the offset in the original document; nil means "add
	// shift" (the document was UTF-8 already).
	orig  []int
	shift int
}

func (u utf8Text) origOffset(i int) int {
	if u.orig == nil {
		return i + u.shift
	}
	return u.orig[i]
}

// toUTF8 converts a document to UTF-8 according to its byte order mark and XML declaration.
// It fails, with arca.ErrInvalid, for UTF-16 and for encodings it does not know.
func toUTF8(doc []byte) (utf8Text, error) {
	if bytes.HasPrefix(doc, []byte{0xfe, 0xff}) || bytes.HasPrefix(doc, []byte{0xff, 0xfe}) {
		return utf8Text{}, arca.Errorf(arca.ErrInvalid, "UTF-16 XML documents are not supported")
	}
	if b, ok := bytes.CutPrefix(doc, []byte{0xef, 0xbb, 0xbf}); ok {
		return utf8Text{text: b, shift: 3}, nil
	}
	enc := strings.ToLower(declaredEncoding(doc))
	switch {
	case enc == "" || enc == "utf-8" || enc == "utf8" || enc == "us-ascii" || enc == "ascii":
		return utf8Text{text: doc}, nil
	case slices.Contains(latin1Labels, enc):
		if !hasHighBytes(doc) {
			return utf8Text{text: doc}, nil
		}
		out := make([]byte, 0, len(doc)+len(doc)/8)
		orig := make([]int, 0, cap(out)+1)
		for i, c := range doc {
			if c < utf8.RuneSelf {
				out = append(out, c)
				orig = append(orig, i)
				continue
			}
			out = utf8.AppendRune(out, rune(c))
			orig = append(orig, i, i)
		}
		orig = append(orig, len(doc))
		return utf8Text{text: out, orig: orig}, nil
	}
	return utf8Text{}, arca.Errorf(arca.ErrInvalid, "XML encoding %q is not supported", enc)
}

func hasHighBytes(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// declaredEncoding returns the encoding named in a leading XML declaration, "" when none.
func declaredEncoding(doc []byte) string {
	doc = bytes.TrimLeft(doc, " \t\r\n")
	if !bytes.HasPrefix(doc, []byte("<?xml")) {
		return ""
	}
	end := bytes.Index(doc, []byte("?>"))
	if end < 0 {
		return ""
	}
	decl := string(doc[:end])
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return ""
	}
	rest := strings.TrimLeft(decl[i+len("encoding"):], " \t\r\n")
	rest, ok := strings.CutPrefix(rest, "=")
	if !ok {
		return ""
	}
	rest = strings.TrimLeft(rest, " \t\r\n")
	if rest == "" || (rest[0] != '"' && rest[0] != '\'') {
		return ""
	}
	q := rest[0]
	j := strings.IndexByte(rest[1:], q)
	if j < 0 {
		return ""
	}
	return rest[1 : 1+j]
}

// newDecoder returns a strict decoder of UTF-8 text whose declaration may still name another
// encoding (the text was converted already, so any declared charset reads as is).
func newDecoder(text []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(text))
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	return d
}

// decodeRoot decodes a document into v after checking that its root element has the given
// local name (any namespace).
func decodeRoot(doc []byte, root string, v any) error {
	u, err := toUTF8(doc)
	if err != nil {
		return err
	}
	d := newDecoder(u.text)
	for {
		tok, err := d.Token()
		if err != nil {
			return arca.Errorf(arca.ErrInvalid, "no <%s> element: %v", root, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if se.Name.Local != root {
				return arca.Errorf(arca.ErrInvalid, "root element is <%s>, want <%s>", se.Name.Local, root)
			}
			if err := d.DecodeElement(v, &se); err != nil {
				return arca.Errorf(arca.ErrInvalid, "malformed <%s>: %v", root, err)
			}
			return nil
		}
	}
}
