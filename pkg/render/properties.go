package render

import (
	"sort"
	"strings"
)

// properties renders a Java properties file (broker.conf,
// controller.conf) with keys in sorted order, one `key=value` a line.
func properties(kv map[string]string) string {
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(propertiesValue(kv[k]))
		b.WriteByte('\n')
	}
	return b.String()
}

// propertiesValue escapes a value for java.util.Properties.load: '\' is
// its escape character, a line break would end the value, and leading
// blanks would be dropped.
func propertiesValue(v string) string {
	var b strings.Builder
	for i, r := range v {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == ' ' && i == 0:
			b.WriteString(`\ `)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
