// Package sqltext reads the shape of SQL text without a database: where a
// script's statements end (outside quotes, dollar quotes and comments),
// whether a line typed at a prompt completes one, and a statement's first
// words. What a statement is, DuckDB's parser says (pipelines/sandbox).
package sqltext

import (
	"strings"
	"unicode"
)

// Split cuts a script into its statements at the semicolons that are
// outside quotes ('…', "…", $tag$…$tag$) and comments (-- and /* */).
// Statements are trimmed; empty ones are dropped. Splitting before DuckDB
// keeps its driver from running every statement of a script but the last
// while it prepares it.
func Split(script string) []string {
	var out []string
	start := 0
	for i := 0; i < len(script); {
		switch c := script[i]; {
		case c == '\'' || c == '"':
			i = skipQuoted(script, i, c)
		case c == '-' && strings.HasPrefix(script[i:], "--"):
			i = skipLine(script, i)
		case c == '/' && strings.HasPrefix(script[i:], "/*"):
			i = skipBlock(script, i)
		case c == '$':
			i = skipDollar(script, i)
		case c == ';':
			if s := strings.TrimSpace(script[start:i]); s != "" && !onlyComments(s) {
				out = append(out, s)
			}
			i++
			start = i
		default:
			i++
		}
	}
	if s := strings.TrimSpace(script[start:]); s != "" && !onlyComments(s) {
		out = append(out, s)
	}
	return out
}

// Complete reports whether a script typed at a prompt ends a statement: a
// semicolon outside quotes and comments is its last non-blank character.
func Complete(script string) bool {
	last := byte(0)
	for i := 0; i < len(script); {
		switch c := script[i]; {
		case c == '\'' || c == '"':
			i = skipQuoted(script, i, c)
			last = c
			if i > len(script) {
				return false
			}
		case c == '-' && strings.HasPrefix(script[i:], "--"):
			i = skipLine(script, i)
		case c == '/' && strings.HasPrefix(script[i:], "/*"):
			j := skipBlock(script, i)
			if j >= len(script) && !strings.HasSuffix(script, "*/") {
				return false
			}
			i = j
		case c == '$':
			j := skipDollar(script, i)
			if j > i+1 && j >= len(script) && !strings.HasSuffix(script, "$") {
				return false
			}
			last = c
			i = j
		default:
			if !unicode.IsSpace(rune(c)) {
				last = c
			}
			i++
		}
	}
	return last == ';'
}

// Keyword returns a statement's first keyword, upper-cased, after comments
// and opening parentheses ("" if none).
func Keyword(stmt string) string {
	i := 0
	for i < len(stmt) {
		switch c := stmt[i]; {
		case c == '-' && strings.HasPrefix(stmt[i:], "--"):
			i = skipLine(stmt, i)
		case c == '/' && strings.HasPrefix(stmt[i:], "/*"):
			i = skipBlock(stmt, i)
		case c == '(' || unicode.IsSpace(rune(c)):
			i++
		default:
			j := i
			for j < len(stmt) && (isWordByte(stmt[j])) {
				j++
			}
			return strings.ToUpper(stmt[i:j])
		}
	}
	return ""
}

// Words returns the first n words of a statement (keywords and bare
// identifiers, upper-cased; a quoted identifier or a string ends the list).
func Words(stmt string, n int) []string {
	var words []string
	i := 0
	for i < len(stmt) && len(words) < n {
		switch c := stmt[i]; {
		case c == '-' && strings.HasPrefix(stmt[i:], "--"):
			i = skipLine(stmt, i)
		case c == '/' && strings.HasPrefix(stmt[i:], "/*"):
			i = skipBlock(stmt, i)
		case unicode.IsSpace(rune(c)) || c == '(':
			i++
		case isWordByte(c):
			j := i
			for j < len(stmt) && isWordByte(stmt[j]) {
				j++
			}
			words = append(words, strings.ToUpper(stmt[i:j]))
			i = j
		default:
			return words
		}
	}
	return words
}

func isWordByte(c byte) bool {
	return c == '_' || c == '.' || c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

func onlyComments(s string) bool {
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '-' && strings.HasPrefix(s[i:], "--"):
			i = skipLine(s, i)
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			i = skipBlock(s, i)
		case unicode.IsSpace(rune(c)):
			i++
		default:
			return false
		}
	}
	return true
}

// skipQuoted returns the index after the quoted text starting at i (a
// doubled quote is part of it); past the end if it is not closed.
func skipQuoted(s string, i int, q byte) int {
	for j := i + 1; j < len(s); j++ {
		if s[j] == q {
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s) + 1
}

func skipLine(s string, i int) int {
	if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(s)
}

func skipBlock(s string, i int) int {
	if j := strings.Index(s[i+2:], "*/"); j >= 0 {
		return i + 2 + j + 2
	}
	return len(s)
}

// skipDollar skips a dollar-quoted string ($$…$$ or $tag$…$tag$) starting
// at i; a $ that does not open one ($1, a parameter) is one byte.
func skipDollar(s string, i int) int {
	j := i + 1
	for j < len(s) && (s[j] == '_' || (s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z') || (j > i+1 && s[j] >= '0' && s[j] <= '9')) {
		j++
	}
	if j >= len(s) || s[j] != '$' {
		return i + 1
	}
	tag := s[i : j+1]
	if k := strings.Index(s[j+1:], tag); k >= 0 {
		return j + 1 + k + len(tag)
	}
	return len(s)
}
