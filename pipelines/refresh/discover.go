package refresh

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/odpe/odpe/configs"
	"github.com/odpe/odpe/pipelines/extract"
	"github.com/odpe/odpe/pipelines/warehouse"
)

// candidate is a source file of a job, with what the registry knows of it.
type candidate struct {
	file    extract.File
	dep     string
	changed bool   // new or different content from its last registered version
	dupOf   string // the relative path under which its content is already loaded: a duplicate
	reject  error  // set when the entry is refused (see checkEntry), or its name carries no date where the job needs one
}

// load reports whether the candidate's rows are to be read (not a
// duplicate).
func (c candidate) load() bool { return c.changed && c.dupOf == "" }

// discover lists a job's files: every file under its source folder (or
// matching its glob) whose name matches the pattern, hidden files aside.
// An entry that is not a regular file inside the folder is refused unread
// (see checkEntry). A file is known by its path relative to the source
// folder and its content: files whose size and modification time match
// the registry are not read again; others are hashed, and count as
// changed only if the hash differs, so that moving the whole tree, or
// touching a file, reloads nothing. A changed file whose content is
// already loaded under another name is a duplicate. The files come in
// the order they are to be loaded: by the key their name gives (namer,
// when the job has one), then by relative path; never by modification
// time.
func discover(ctx context.Context, job configs.Job, kind extract.Kind, namer extract.Namer, reg warehouse.Known, quiet time.Duration, now time.Time) ([]candidate, []string, error) {
	root, pattern := job.Source, job.Pattern
	if pattern == "" {
		pattern = kind.Pattern
	}
	if strings.ContainsAny(filepath.Base(root), "*?[") {
		root, pattern = filepath.Dir(root), filepath.Base(root)
	}
	if reg.Files == nil {
		reg.Files = map[string]warehouse.Registered{}
	}
	// registered returns what the registry knows of the entry at p, whose
	// path relative to the source folder is rel.
	registered := func(p, rel, nameKey string) (warehouse.Registered, bool) {
		prev, known := reg.Files[rel]
		if !known {
			prev, known = reg.Files[p] // registered by its absolute path, before relative paths were kept
			if known && prev.RelPath == "" && prev.NameKey != nameKey {
				known = false // registered without what its name says: read it once more
			}
		}
		return prev, known
	}
	relative := func(p string) string {
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return filepath.ToSlash(p)
		}
		return filepath.ToSlash(rel)
	}
	var out []candidate
	var notReady []string
	folder := sourceFolder(root)
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if strings.HasPrefix(filepath.Base(p), ".") && p != root {
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if err != nil && p != root && errors.Is(err, fs.ErrNotExist) {
			return nil // gone since the folder was listed
		}
		if err != nil {
			// A folder that cannot be listed (the job's own included):
			// refused alone, the rest of the job and the other jobs
			// load.
			c := candidate{file: extract.File{Path: p, Name: filepath.Base(p), RelPath: relative(p)}, dep: job.Departement,
				reject: extract.Rejectf("%s: a folder that cannot be listed: %s", extract.Message(filepath.Base(p)), extract.Message(err.Error()))}
			c.file.SHA256 = rejectedSig(p, "unlistable", err.Error())
			prev, known := registered(p, c.file.RelPath, "")
			c.changed = !known || prev.SHA256 != c.file.SHA256
			out = append(out, c)
			if d != nil && d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if ok, _ := filepath.Match(pattern, d.Name()); !ok {
			return nil
		}
		e, ok := checkEntry(folder, p, d)
		if !ok {
			return nil
		}
		info := e.info
		if info != nil && quiet > 0 && now.Sub(info.ModTime()) < quiet {
			notReady = append(notReady, p)
			return nil
		}
		c := candidate{file: extract.File{Path: p, Name: d.Name(), RelPath: relative(p)}}
		if info != nil {
			c.file.Size, c.file.ModTime = info.Size(), info.ModTime()
		}
		c.dep = job.Departement
		if c.dep == "{folder}" {
			c.dep = filepath.Base(filepath.Dir(p))
		}
		if namer != nil {
			c.file.NameKey, c.reject = namer.NameKey(d.Name())
		}
		prev, known := registered(p, c.file.RelPath, c.file.NameKey)
		if e.reject != nil {
			c.reject, c.file.SHA256 = e.reject, e.sig
			c.changed = !known || prev.SHA256 != e.sig
			out = append(out, c)
			return nil
		}
		if known && prev.Size == c.file.Size && prev.Modified.Equal(c.file.ModTime) {
			c.file.SHA256 = prev.SHA256
			out = append(out, c)
			return nil
		}
		if c.file.SHA256, err = hashFile(ctx, p); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, fs.ErrNotExist) {
				return nil // gone since it was listed
			}
			c.reject = extract.Rejectf("%s: cannot be read: %s", extract.Message(d.Name()), extract.Message(err.Error()))
			c.file.SHA256 = rejectedSig(p, "unreadable", err.Error())
		}
		c.changed = !known || prev.SHA256 != c.file.SHA256
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("job %s: list %s: %w", job.Name, root, err)
	}
	// In the order the names give, so that a later revision is loaded
	// after the file it revises and is seen (registered) after it.
	sort.Slice(out, func(i, j int) bool {
		if out[i].file.NameKey != out[j].file.NameKey {
			return out[i].file.NameKey < out[j].file.NameKey
		}
		return out[i].file.RelPath < out[j].file.RelPath
	})
	// A new name for content loaded already is a duplicate. New files with
	// the same content: the one with the shortest relative path loads (a
	// copy's name is the original's with something added: "… (1).csv",
	// "Copie de …"), the others are its duplicates. A refused entry is
	// nobody's duplicate (its stand-in hash names its path).
	original := map[string]string{} // hash -> relative path of the file that loads it
	for _, c := range out {
		if !c.changed || c.reject != nil {
			continue
		}
		if of, ok := reg.Content[c.file.SHA256]; ok && of != c.file.RelPath && of != c.file.Path {
			continue
		}
		rel := c.file.RelPath
		if o, ok := original[c.file.SHA256]; !ok || len(rel) < len(o) || len(rel) == len(o) && rel < o {
			original[c.file.SHA256] = rel
		}
	}
	for i := range out {
		c := &out[i]
		if !c.changed || c.reject != nil {
			continue
		}
		if of, ok := reg.Content[c.file.SHA256]; ok && of != c.file.RelPath && of != c.file.Path {
			c.dupOf = of
		} else if of := original[c.file.SHA256]; of != c.file.RelPath {
			c.dupOf = of
		}
	}
	return out, notReady, nil
}

// hashFile returns the SHA-256 of a file, stopping on cancellation.
func hashFile(ctx context.Context, path string) (string, error) {
	f, err := extract.OpenRegular(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, ctxReader{ctx, f}); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ctxReader stops reading when its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// maxCopyBytes bounds the copy of a rejected file.
const maxCopyBytes = 1 << 30

// setAside copies a rejected file next to the warehouse so that it can be
// examined even after the source system overwrites it. The source itself
// is never touched. A rejected ASE extract still holds names: the copies
// are readable by their owner only.
func setAside(dir string, runID int64, path string) (string, error) {
	st, err := os.Lstat(path)
	if err != nil || !st.Mode().IsRegular() {
		// A link (even one kept inside the source folder) is not copied:
		// its target is no source system's file, and may be anything.
		return "", err
	}
	if st.Size() > maxCopyBytes {
		return "", fmt.Errorf("%d MiB: copies are kept of files of at most %d MiB", st.Size()>>20, maxCopyBytes>>20)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o700); err != nil { // made by an older version, perhaps wider
		return "", err
	}
	dst := filepath.Join(dir, fmt.Sprintf("%d-%s", runID, filepath.Base(path)))
	in, err := extract.OpenRegular(path)
	if err != nil {
		return "", err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return "", err
	}
	return dst, out.Close()
}

// RejectedDir is the folder of the copies of rejected files, beside the
// warehouse, readable by the service account only.
func RejectedDir(cfg *configs.Config) string {
	return filepath.Join(filepath.Dir(cfg.Warehouse), "rejected")
}
