package births

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// linesRef is the obvious count of non-blank lines, for comparison.
func linesRef(s string) int64 {
	var n int64
	for _, l := range strings.Split(s, "\n") {
		if l != "" && l != "\r" {
			n++
		}
	}
	return n
}

func TestCountLines(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"", 0},
		{"\n", 0},
		{"a", 1},
		{"a\n", 1},
		{"a\r\nb\r\n", 2},
		{"a\n\nb", 2},
		{"a\r\n\r\n\r\nb\r\n\r\n", 2},
		{"\r", 0},
		{"\r\r\n", 1}, // two carriage returns are not a blank line
		{";;;\n", 1},  // a row of empty fields is a row
	}
	for _, tt := range tests {
		for name, r := range map[string]func(string) int64{
			"whole": func(s string) int64 {
				n, _ := countLines(context.Background(), strings.NewReader(s), make([]byte, 64))
				return n
			},
			"byte by byte": func(s string) int64 {
				n, _ := countLines(context.Background(), iotest.OneByteReader(strings.NewReader(s)), make([]byte, 64))
				return n
			},
		} {
			if got := r(tt.in); got != tt.want {
				t.Errorf("countLines(%q) %s = %d, want %d", tt.in, name, got, tt.want)
			}
		}
	}
}

func FuzzCountLines(f *testing.F) {
	for _, s := range []string{"", "a\r\n\r\nb", "\n\n\r\n", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := linesRef(s)
		// Chunks of every size up to 4 bytes, and the whole input.
		for size := 1; size <= 5; size++ {
			buf := make([]byte, size)
			if size == 5 {
				buf = make([]byte, len(s)+1)
			}
			if got, _ := countLines(context.Background(), strings.NewReader(s), buf); got != want {
				t.Fatalf("countLines(%q) in chunks of %d = %d, want %d", s, len(buf), got, want)
			}
		}
	})
}

func TestSplitHeader(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"\ufeffANAIS;MNAIS\r\n", []string{"ANAIS", "MNAIS"}},
		{`"ANAIS"; MNAIS ;`, []string{"ANAIS", "MNAIS", ""}},
		{"  \r\n", nil},
		{"", nil},
	}
	for _, tt := range tests {
		if got := splitHeader(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitHeader(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestField(t *testing.T) {
	tests := []struct {
		line string
		col  int
		want string
	}{
		{"30;2006;62;13;1", 3, "13"},
		{"30;2006;62;13;1\r", 4, "1"},
		{"30;2006;62;13;1", 0, "30"},
		{"30;2006;;13;1", 2, ""},
		{`30;"20""06";62`, 1, `20"06`},
		{"30;2006", 5, ""},
	}
	for _, tt := range tests {
		if got := field(tt.line, tt.col); got != tt.want {
			t.Errorf("field(%q, %d) = %q, want %q", tt.line, tt.col, got, tt.want)
		}
	}
}
