package demo

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// AddPMIMonth writes into the PMI folder dir (a folder or a glob of
// folders, one per département: into the last one) one new monthly file, as the
// PMI system would send it the next month: the January of the year after
// the latest file's, made from that file's January rows. It returns the
// new file's path. Benchmarks and tests use it for a one-file refresh.
func AddPMIMonth(dir string) (string, error) {
	roots, err := filepath.Glob(dir) // "pmi/*": one folder per département at national scale
	if err != nil {
		return "", err
	}
	var files []string
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if ok, _ := filepath.Match("pmi_activite_*.csv", d.Name()); ok && !d.IsDir() {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			return "", err
		}
	}
	if len(files) == 0 {
		return "", fmt.Errorf("no pmi_activite_*.csv file in %s", dir)
	}
	sort.Strings(files)
	latest := files[len(files)-1]
	data, err := os.ReadFile(latest)
	if err != nil {
		return "", err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var out bytes.Buffer
	year := ""
	for n := 0; sc.Scan(); n++ {
		f := strings.Split(sc.Text(), ";")
		if n == 0 {
			out.WriteString(sc.Text() + "\n")
			continue
		}
		if len(f) < 3 || f[2] != "1" {
			continue
		}
		y, err := strconv.Atoi(f[1])
		if err != nil {
			return "", fmt.Errorf("%s: year %q", latest, f[1])
		}
		year = strconv.Itoa(y + 1)
		f[1] = year
		out.WriteString(strings.Join(f, ";") + "\n")
	}
	if year == "" {
		return "", fmt.Errorf("%s: no January row", latest)
	}
	path := filepath.Join(filepath.Dir(latest), "pmi_activite_"+year+"_01.csv")
	return path, os.WriteFile(path, out.Bytes(), 0o644)
}
