package frcsv

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/odpe/odpe/pipelines/extract"
)

// TestHostileText: each input is rejected (extract.ErrRejected) with a
// message holding want and no more than a short excerpt of the file.
func TestHostileText(t *testing.T) {
	const secret = "S3CR3T-S3CR3T-S3CR3T-S3CR3T-S3CR3T-S3CR3T-S3CR3T-S3CR3T-S3CR3T-S3CR3T"
	tests := []struct {
		name, in, want string
	}{
		{"count too big", "Territoire;EPP\nARR;2147483648\n", `t.csv: line 2, column "EPP": value "2147483648": expected a count (whole number from 0 to 1 000)`},
		{"count with a syntax error", "Territoire;EPP\nARR;12a\n", `value "12a": expected a count (whole number ≥ 0)`},
		{"cell over the limit", "Territoire;EPP\nARR;" + strings.Repeat("é", MaxCellChars+1) + "\n", `column "EPP": value "éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé…": expected a value of at most 32767 characters`},
		{"long record", "Territoire;EPP\nARR;\"" + strings.Repeat("x\n", MaxRecordBytes) + "\"\n", `line 2: a line (or quoted field) longer than 1 MiB`},
		{"no line break", strings.Repeat("x", 3*MaxRecordBytes), `line 1: a line (or quoted field) longer than 1 MiB`},
		{"NUL byte", "Territoire;EPP\nARR;1\x00\n", `line 2: byte 0x00 is a control character`},
		{"UTF-16", "\xff\xfeT\x00e\x00r\x00\n\x00", `byte 0x00 is a control character`},
		{"escape sequence", "Territoire;EPP\nARR;\x1b]0;pwned\x07\n", `line 2: byte 0x1B is a control character`},
		{"not the source: header not quoted", secret + "\n", `missing column "Territoire": the first line (1 field(s) separated by ';') holds none of the expected columns`},
		{"the source: headers quoted", "Territoire;Autre\nARR;1\n", `missing column "EPP"; headers found: "Territoire", "Autre"`},
		{"long header cut", "Territoire;" + secret + "\nARR;1\n", `headers found: "Territoire", "S3CR3T-S3CR3T-S3CR3T-S3CR3T-S3CR3T-S3CR3T-S3CR3T-S3CR3T-S3CR…"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := readAll(tc.in)
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, extract.ErrRejected) {
				t.Errorf("not a rejection: %v", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error:\n got %s\nwant %s", msg, tc.want)
			}
			if strings.Contains(msg, secret) || len(msg) > 600 {
				t.Errorf("the message quotes too much of the file (%d bytes): %.300s", len(msg), msg)
			}
		})
	}
}

// readAll reads a PMI-like file: territory, then a count of at most 1000.
func readAll(in string) error {
	r, err := NewReader(strings.NewReader(in), "t.csv")
	if err != nil {
		return err
	}
	defer r.Close()
	terr, err := r.Column("Territoire")
	if err != nil {
		return err
	}
	epp, err := r.Column("EPP")
	if err != nil {
		return err
	}
	for r.Next() {
		_ = r.Get(terr)
		if _, _, err := r.CountIn(epp, 1000); err != nil {
			return err
		}
	}
	return r.Err()
}

// TestWorkbookBomb: a workbook whose zip declares too much is refused
// before it is expanded.
func TestWorkbookBomb(t *testing.T) {
	defer func(n int64) { MaxWorkbookBytes = n }(MaxWorkbookBytes)
	MaxWorkbookBytes = 8 << 20
	path := filepath.Join(t.TempDir(), "bomb.xlsx")
	f, _ := os.Create(path)
	zw := zip.NewWriter(f)
	w, _ := zw.Create("xl/worksheets/sheet1.xml")
	w.Write([]byte(strings.Repeat("<c/>", 4<<20)))
	zw.Close()
	f.Close()
	_, err := Open(path)
	if err == nil || !errors.Is(err, extract.ErrRejected) || !strings.Contains(err.Error(), "expand to more than 8 MiB") {
		t.Fatalf("Open = %v", err)
	}
}
