package extract

import (
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"
)

// ExcerptLength is the most characters of a file's content that an error
// message quotes: a value, a header, a line.
const ExcerptLength = 60

// MessageLength bounds a whole error message about a file, as kept in
// meta.files, `odpe status`, the run history and the logs.
const MessageLength = 1000

// Excerpt returns at most ExcerptLength characters of s, control and
// invalid characters escaped, with "…" when it was cut. Error messages quote
// file content only through it (or %q of it): a message never carries more
// than a short excerpt of a file.
func Excerpt(s string) string {
	return bound(s, ExcerptLength)
}

// Message bounds an error message about a file to MessageLength
// characters, control characters escaped (a newline or an escape sequence
// in a file name or a library's message must not reach a terminal or a
// log line as such).
func Message(s string) string {
	return bound(s, MessageLength)
}

// Cut returns s cut to at most ExcerptLength characters (with "…" when it
// was cut), for quoting with %q, which escapes what remains.
func Cut(s string) string {
	count := 0
	for i := range s {
		if count == ExcerptLength {
			return s[:i] + "…"
		}
		count++
	}
	return s
}

func bound(s string, n int) string {
	var b strings.Builder
	count := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if count >= n {
			b.WriteString("…")
			break
		}
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029':
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
		count++
	}
	return b.String()
}

// OpenRegular opens a file for reading only if it is a regular file. The
// open never blocks (O_NONBLOCK: a FIFO or a device named like a source
// would otherwise hang the refresh), and the check is made on the opened
// file (fstat), so a file swapped for a FIFO after it was listed is
// refused too. Refusals match ErrRejected; failing to open is an
// *fs.PathError (a permission error, a file that vanished).
func OpenRegular(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, Rejectf("%s: %s, not a regular file: only regular files are read", Excerpt(st.Name()), FileType(st.Mode()))
	}
	return f, nil
}

// FileType names the type of a file mode in words.
func FileType(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a folder"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO (named pipe)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "a special file"
}
