package frcsv

import (
	"bytes"
	"errors"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// encoding is the character set of a file, decided from its bytes.
type encoding int

const (
	undecided encoding = iota // only ASCII seen so far
	utf8Text
	windows1252
)

func (e encoding) String() string {
	switch e {
	case utf8Text:
		return "UTF-8"
	case windows1252:
		return "Windows-1252"
	}
	return "ASCII"
}

// sniff decides the encoding from the first bytes of a file: a BOM or
// valid UTF-8 with some non-ASCII text means UTF-8, invalid UTF-8 means
// Windows-1252, pure ASCII leaves the question open. atEOF says that head is
// the whole file (else its last rune may be cut).
func sniff(head []byte, atEOF bool) encoding {
	if bytes.HasPrefix(head, bom) {
		return utf8Text
	}
	i := firstNonASCII(head)
	if i < 0 {
		return undecided
	}
	tail := head[i:]
	if !atEOF {
		tail = trimPartialRune(tail)
	}
	if utf8.Valid(tail) {
		return utf8Text
	}
	return windows1252
}

var bom = []byte("\uFEFF")

func firstNonASCII(b []byte) int {
	for i, c := range b {
		if c >= utf8.RuneSelf {
			return i
		}
	}
	return -1
}

// trimPartialRune drops an incomplete UTF-8 sequence at the end of b.
func trimPartialRune(b []byte) []byte {
	for i := 1; i <= utf8.UTFMax && i <= len(b); i++ {
		if c := b[len(b)-i]; utf8.RuneStart(c) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			return b
		}
	}
	return b
}

// errMixedEncoding is returned by the decoder when a file that began as
// UTF-8 holds a byte sequence that is not UTF-8.
var errMixedEncoding = errors.New("invalid UTF-8")

// decoder turns the bytes of a file into UTF-8. A file that is ASCII so far
// stays undecided until its first non-ASCII byte: up to there both readings
// agree, so deciding late loses nothing.
type decoder struct {
	enc  encoding
	line int  // newlines passed, for error positions
	bad  byte // the offending byte after errMixedEncoding
}

// Reset keeps the decided encoding: a decoder serves one file.
func (d *decoder) Reset() {}

func (d *decoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		if d.enc == undecided {
			i := firstNonASCII(src[nSrc:])
			if i < 0 {
				i = len(src) - nSrc
			}
			n := copy(dst[nDst:], src[nSrc:nSrc+i])
			d.line += bytes.Count(src[nSrc:nSrc+n], newline)
			nDst, nSrc = nDst+n, nSrc+n
			if n < i {
				return nDst, nSrc, transform.ErrShortDst
			}
			if nSrc == len(src) {
				return nDst, nSrc, nil
			}
			if !atEOF && !utf8.FullRune(src[nSrc:]) {
				return nDst, nSrc, transform.ErrShortSrc
			}
			d.enc = sniff(src[nSrc:], atEOF)
		}
		var n, m int
		switch d.enc {
		case utf8Text:
			n, m, err = d.passUTF8(dst[nDst:], src[nSrc:], atEOF)
		default:
			n, m, err = d.from1252(dst[nDst:], src[nSrc:])
		}
		nDst, nSrc = nDst+n, nSrc+m
		return nDst, nSrc, err
	}
	return nDst, nSrc, nil
}

var newline = []byte{'\n'}

// passUTF8 copies valid UTF-8 and stops at an invalid sequence.
func (d *decoder) passUTF8(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	n := min(len(dst), len(src))
	chunk := src[:n]
	if n < len(src) || !atEOF {
		chunk = trimPartialRune(chunk)
	}
	if !utf8.Valid(chunk) {
		i := 0
		for i < len(chunk) {
			r, size := utf8.DecodeRune(chunk[i:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			i += size
		}
		copy(dst, chunk[:i])
		d.line += bytes.Count(chunk[:i], newline)
		d.bad = chunk[i]
		return i, i, errMixedEncoding
	}
	copy(dst, chunk)
	d.line += bytes.Count(chunk, newline)
	k := len(chunk)
	switch {
	case k == len(src):
		return k, k, nil
	case n < len(src):
		return k, k, transform.ErrShortDst
	default: // an incomplete rune at the end: wait for the rest
		return k, k, transform.ErrShortSrc
	}
}

// from1252 decodes Windows-1252, copying ASCII runs as they are.
func (d *decoder) from1252(dst, src []byte) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		c := src[nSrc]
		if c < utf8.RuneSelf {
			if nDst >= len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			if c == '\n' {
				d.line++
			}
			dst[nDst] = c
			nDst++
			nSrc++
			continue
		}
		r := charmap.Windows1252.DecodeByte(c)
		if nDst+utf8.RuneLen(r) > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += utf8.EncodeRune(dst[nDst:], r)
		nSrc++
	}
	return nDst, nSrc, nil
}
