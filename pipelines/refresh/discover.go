package refresh

import (
	"crypto/sha256"
	"encoding/hex"
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
	nameErr error  // its name carries no date where the job needs one: it is rejected
}

// load reports whether the candidate's rows are to be read (not a
// duplicate).
func (c candidate) load() bool { return c.changed && c.dupOf == "" }

// discover lists a job's files: every file under its source folder (or
// matching its glob) whose name matches the pattern, hidden files aside.
// A file is known by its path relative to the source folder and its
// content: files whose size and modification time match the registry are
// not read again; others are hashed, and count as changed only if the
// hash differs, so that moving the whole tree, or touching a file,
// reloads nothing. A changed file whose content is already loaded under
// another name is a duplicate. The files come in the order they are to
// be loaded: by the key their name gives (namer, when the job has one),
// then by relative path; never by modification time.
func discover(job configs.Job, kind extract.Kind, namer extract.Namer, reg warehouse.Known, quiet time.Duration, now time.Time) ([]candidate, []string, error) {
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
	var out []candidate
	var notReady []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") && p != root {
			if d.IsDir() {
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
		info, err := d.Info()
		if err != nil {
			return err
		}
		if quiet > 0 && now.Sub(info.ModTime()) < quiet {
			notReady = append(notReady, p)
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		c := candidate{file: extract.File{Path: p, Name: d.Name(), Size: info.Size(), ModTime: info.ModTime(), RelPath: filepath.ToSlash(rel)}}
		c.dep = job.Departement
		if c.dep == "{folder}" {
			c.dep = filepath.Base(filepath.Dir(p))
		}
		if namer != nil {
			c.file.NameKey, c.nameErr = namer.NameKey(d.Name())
		}
		prev, known := reg.Files[c.file.RelPath]
		if !known {
			prev, known = reg.Files[p] // registered by its absolute path, before relative paths were kept
			if known && prev.RelPath == "" && prev.NameKey != c.file.NameKey {
				known = false // registered without what its name says: read it once more
			}
		}
		if known && prev.Size == c.file.Size && prev.Modified.Equal(c.file.ModTime) {
			c.file.SHA256 = prev.SHA256
			out = append(out, c)
			return nil
		}
		if c.file.SHA256, err = hashFile(p); err != nil {
			return err
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
	// "Copie de …"), the others are its duplicates.
	original := map[string]string{} // hash -> relative path of the file that loads it
	for _, c := range out {
		if !c.changed || c.nameErr != nil {
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
		if !c.changed || c.nameErr != nil {
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

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("hash %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// setAside copies a rejected file next to the warehouse so that it can be
// examined even after the source system overwrites it. The source itself
// is never touched. A rejected ASE extract still holds names: the copies
// are readable by their owner only.
func setAside(dir string, runID int64, path string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	dst := filepath.Join(dir, fmt.Sprintf("%d-%s", runID, filepath.Base(path)))
	in, err := os.Open(path)
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
