// Package javaprops reads and writes java.util.Properties text: the
// broker.conf and controller.conf files the renderer writes, and the
// bodies of GET_BROKER_CONFIG and UPDATE_BROKER_CONFIG.
package javaprops

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Encode writes a map as java.util.Properties text, one
// `key=value` line per entry in key order, escaping what Properties.load
// would otherwise interpret (backslashes, line breaks, separators in keys,
// leading blanks in values).
func Encode(m map[string]string) []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(escapeProperty(k, true))
		b.WriteByte('=')
		b.WriteString(escapeProperty(m[k], false))
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

func escapeProperty(s string, key bool) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == ' ' && (key || i == 0):
			b.WriteString(`\ `)
		case key && (r == '=' || r == ':' || r == '#' || r == '!'):
			b.WriteByte('\\')
			b.WriteRune(r)
		case !key && i == 0 && (r == '#' || r == '!'):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r > 0x7e:
			// broker.conf and controller.conf are read as ISO-8859-1
			// (Properties.load(InputStream)); \uXXXX reads the same there
			// and in remoting bodies, which are read as UTF-8.
			writeUnicodeEscape(&b, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// writeUnicodeEscape writes r as Java's \uXXXX, as a UTF-16 surrogate pair
// outside the Basic Multilingual Plane.
func writeUnicodeEscape(b *strings.Builder, r rune) {
	for _, u := range utf16.Encode([]rune{r}) {
		_, _ = fmt.Fprintf(b, `\u%04x`, u) // a strings.Builder never fails
	}
}

// Decode parses java.util.Properties text the way
// Properties.load does for the subset MixAll.properties2String writes:
// comment lines (# or !), blank lines, a key ending at the first unescaped
// '=', ':' or blank, and backslash escapes. Line continuations are joined.
func Decode(text []byte) map[string]string {
	out := make(map[string]string)
	for _, line := range logicalLines(string(text)) {
		trimmed := strings.TrimLeft(line, " \t\f")
		if trimmed == "" || trimmed[0] == '#' || trimmed[0] == '!' {
			continue
		}
		k, v := splitProperty(trimmed)
		out[unescapeProperty(k)] = unescapeProperty(v)
	}
	return out
}

// logicalLines joins lines ending in an odd number of backslashes.
func logicalLines(text string) []string {
	raw := strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == '\r' })
	var out []string
	var cur strings.Builder
	for _, l := range raw {
		if cur.Len() > 0 {
			l = strings.TrimLeft(l, " \t\f")
		}
		n := len(l) - len(strings.TrimRight(l, `\`))
		if n%2 == 1 {
			cur.WriteString(l[:len(l)-1])
			continue
		}
		cur.WriteString(l)
		out = append(out, cur.String())
		cur.Reset()
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

func splitProperty(line string) (string, string) {
	i := 0
	for i < len(line) {
		c := line[i]
		if c == '\\' {
			i += 2
			continue
		}
		if c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f' {
			break
		}
		i++
	}
	if i >= len(line) {
		return line, ""
	}
	key, rest := line[:i], line[i:]
	rest = strings.TrimLeft(rest, " \t\f")
	if rest != "" && (rest[0] == '=' || rest[0] == ':') {
		rest = strings.TrimLeft(rest[1:], " \t\f")
	}
	return key, rest
}

func unescapeProperty(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'u':
			if r, n, ok := unicodeEscape(s[i+1:]); ok {
				b.WriteRune(r)
				i += n
				continue
			}
			b.WriteByte('u')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'f':
			b.WriteByte('\f')
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// unicodeEscape reads the hex digits after a \u (and, for a high
// surrogate, the \uXXXX of its low half) and returns the rune and how many
// bytes it used.
func unicodeEscape(s string) (rune, int, bool) {
	hi, ok := hex4(s)
	if !ok {
		return 0, 0, false
	}
	if utf16.IsSurrogate(rune(hi)) && len(s) >= 10 && s[4:6] == `\u` {
		if lo, ok := hex4(s[6:]); ok {
			if r := utf16.DecodeRune(rune(hi), rune(lo)); r != utf8.RuneError {
				return r, 10, true
			}
		}
	}
	return rune(hi), 4, true
}

func hex4(s string) (uint16, bool) {
	if len(s) < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(s[:4], 16, 16)
	return uint16(n), err == nil
}
