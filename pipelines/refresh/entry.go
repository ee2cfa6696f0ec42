package refresh

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/odpe/odpe/pipelines/extract"
)

// MaxFileBytes bounds a source file: a larger one (a sparse file, a disk
// image dropped by mistake) is refused before it is hashed or read. The
// largest real source, a national births file, is well under 1 GiB.
var MaxFileBytes int64 = 16 << 30

// entry is what checkEntry found of one name under a job's source folder.
type entry struct {
	info   fs.FileInfo // the file read (a link's target); the link itself when rejected
	reject error       // why the entry is not read (matches extract.ErrRejected); nil when it may be
	// sig stands for the content hash of a rejected entry, which is never
	// read: what it is and why it was refused. The registry compares it
	// as it compares hashes, so an entry refused for the same reason is
	// not refused again at every run, and one that changes (a chmod, a
	// link repointed) is looked at again.
	sig string
}

// sourceFolder returns the real path of a job's source folder, which
// symbolic links found in it must not leave.
func sourceFolder(root string) string {
	if real, err := filepath.EvalSymlinks(root); err == nil {
		if abs, err := filepath.Abs(real); err == nil {
			return abs
		}
	}
	abs, _ := filepath.Abs(root)
	return abs
}

// checkEntry decides whether the entry at path, listed under the job's
// source folder (real path folder), may be read. Only regular files
// inside the folder are read: a symbolic link is followed only when its
// target stays inside the folder; a link in a loop, dangling or leading
// out, a FIFO, a socket, a device, a folder behind a link and a file the
// service account cannot read are each rejected alone (the other files
// of the job load). Nothing here ever blocks: no entry is opened before
// it is known to be a regular file, and the open is non-blocking. Only
// ok=false (the entry vanished meanwhile) leaves it out silently.
func checkEntry(folder, path string, d fs.DirEntry) (e entry, ok bool) {
	lst, err := d.Info()
	if errors.Is(err, fs.ErrNotExist) {
		return entry{}, false
	}
	if err != nil {
		return rejectEntry(nil, "cannot be examined", err.Error()), true
	}
	e.info = lst
	target := path
	if lst.Mode()&fs.ModeSymlink != 0 {
		link, _ := os.Readlink(path)
		real, err := filepath.EvalSymlinks(path)
		if _, serr := os.Stat(path); errors.Is(serr, syscall.ELOOP) {
			err = serr // EvalSymlinks says "too many links" in words of its own
		}
		switch {
		case errors.Is(err, syscall.ELOOP):
			return rejectEntry(lst, "a symbolic link in a loop (too many levels of links): expected a regular file", link), true
		case errors.Is(err, fs.ErrNotExist):
			return rejectEntry(lst, "a symbolic link to nothing (its target does not exist): expected a regular file", link), true
		case err != nil:
			return rejectEntry(lst, "a symbolic link that cannot be followed: expected a regular file", link), true
		}
		if abs, err := filepath.Abs(real); err == nil {
			real = abs
		}
		if !inside(folder, real) {
			return rejectEntry(lst, "a symbolic link to outside the source folder: only files inside it are read", link), true
		}
		target = real
	}
	st, err := os.Stat(target)
	if errors.Is(err, fs.ErrNotExist) {
		return entry{}, false
	}
	if err != nil {
		return rejectEntry(lst, "cannot be examined", err.Error()), true
	}
	if !st.Mode().IsRegular() {
		return rejectEntry(lst, extract.FileType(st.Mode())+", not a regular file: only regular files are read", st.Mode().String()), true
	}
	if st.Size() > MaxFileBytes {
		return rejectEntry(lst, fmt.Sprintf("a file of %d GiB: expected at most %d GiB", st.Size()>>30, MaxFileBytes>>30),
			strconv.FormatInt(st.Size(), 10)), true
	}
	f, err := extract.OpenRegular(path)
	switch {
	case errors.Is(err, fs.ErrPermission):
		return rejectEntry(lst, "cannot be read by the account that runs odpe (permission denied): expected a readable file",
			st.Mode().Perm().String()), true
	case errors.Is(err, fs.ErrNotExist):
		return entry{}, false
	case err != nil:
		return rejectEntry(lst, "cannot be opened", err.Error()), true
	}
	f.Close()
	e.info = st
	return e, true
}

// rejectEntry refuses an entry for reason; detail (a link's target, a
// mode) tells two refusals apart in the registry and, cut short, helps
// the operator.
func rejectEntry(info fs.FileInfo, reason, detail string) entry {
	name := "the entry"
	mode := ""
	if info != nil {
		name, mode = info.Name(), info.Mode().String()
	}
	msg := reason
	if detail != "" && strings.HasPrefix(reason, "a symbolic link") {
		msg = fmt.Sprintf("%s (it points to %q)", reason, extract.Cut(detail))
	}
	return entry{info: info, reject: extract.Rejectf("%s: %s", extract.Message(name), msg), sig: rejectedSig(name, reason, detail, mode)}
}

// rejectedSig is the registry's stand-in for the content hash of an entry
// refused unread: its name, why, and what it is. No content hash looks
// like it ("rejected:" and 32 hex digits), and two refused entries have
// the same one only when they are the same entry refused for the same
// reason (never taken for duplicates of each other).
func rejectedSig(parts ...string) string {
	h := sha256.Sum256([]byte("rejected entry\x00" + strings.Join(parts, "\x00")))
	return "rejected:" + hex.EncodeToString(h[:16])
}

// inside reports whether path is folder or under it (both absolute and
// clean).
func inside(folder, path string) bool {
	rel, err := filepath.Rel(folder, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
