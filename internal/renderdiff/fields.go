package renderdiff

import (
	"encoding/json"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// FieldChange is one leaf that differs between the two renders.
type FieldChange struct {
	// Path in dotted form; list items with a unique name are addressed by
	// it (containers[broker]), others by index (args[2]).
	Path string
	// Old and New are the values as short text; Absent when the field does
	// not exist on that side.
	Old, New string
	// Lines is a line diff ("-old", "+new") for multi-line strings such as
	// broker.conf, which would be unreadable as a single value.
	Lines []string
}

// Absent stands for a field missing on one side.
const Absent = "(none)"

const maxValueLen = 120

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

func joinKey(path, key string) string {
	if !plainKey.MatchString(key) {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// diffFields appends every differing leaf under path.
func diffFields(path string, a, b any, out *[]FieldChange) {
	switch av := a.(type) {
	case map[string]any:
		if bv, ok := b.(map[string]any); ok {
			diffMaps(path, av, bv, out)
			return
		}
	case []any:
		if bv, ok := b.([]any); ok {
			diffLists(path, av, bv, out)
			return
		}
	}
	if reflect.DeepEqual(a, b) {
		return
	}
	*out = append(*out, leafChange(path, a, b))
}

func diffMaps(path string, a, b map[string]any, out *[]FieldChange) {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		av, aok := a[k]
		bv, bok := b[k]
		p := joinKey(path, k)
		switch {
		case !aok:
			*out = append(*out, FieldChange{Path: p, Old: Absent, New: format(bv)})
		case !bok:
			*out = append(*out, FieldChange{Path: p, Old: format(av), New: Absent})
		default:
			diffFields(p, av, bv, out)
		}
	}
}

// diffLists matches items by their name when every item on both sides has
// a unique one (containers, env, ports, volumes), so inserting an env var
// reads as one addition rather than a shift of every later item.
func diffLists(path string, a, b []any, out *[]FieldChange) {
	an, aok := namedItems(a)
	bn, bok := namedItems(b)
	if aok && bok {
		diffNamed(path, a, b, an, bn, out)
		return
	}
	if len(a) != len(b) && (scalars(a) || scalars(b)) {
		*out = append(*out, FieldChange{Path: path, Old: format(a), New: format(b)})
		return
	}
	for i := 0; i < len(a) || i < len(b); i++ {
		p := path + "[" + strconv.Itoa(i) + "]"
		switch {
		case i >= len(a):
			*out = append(*out, FieldChange{Path: p, Old: Absent, New: format(b[i])})
		case i >= len(b):
			*out = append(*out, FieldChange{Path: p, Old: format(a[i]), New: Absent})
		default:
			diffFields(p, a[i], b[i], out)
		}
	}
}

func diffNamed(path string, a, b []any, an, bn map[string]any, out *[]FieldChange) {
	for _, name := range orderedNames(a, b) {
		av, aok := an[name]
		bv, bok := bn[name]
		p := path + "[" + name + "]"
		switch {
		case !aok:
			*out = append(*out, FieldChange{Path: p, Old: Absent, New: format(bv)})
		case !bok:
			*out = append(*out, FieldChange{Path: p, Old: format(av), New: Absent})
		default:
			diffFields(p, av, bv, out)
		}
	}
}

// orderedNames lists item names in old order, then names only in new.
func orderedNames(a, b []any) []string {
	seen := map[string]bool{}
	var names []string
	for _, list := range [][]any{a, b} {
		for _, it := range list {
			n := it.(map[string]any)["name"].(string)
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	return names
}

// namedItems indexes a list by the "name" of its items, when each item is
// a map with a unique, non-empty string name.
func namedItems(list []any) (map[string]any, bool) {
	if len(list) == 0 {
		return map[string]any{}, true
	}
	m := make(map[string]any, len(list))
	for _, it := range list {
		im, ok := it.(map[string]any)
		if !ok {
			return nil, false
		}
		n, ok := im["name"].(string)
		if !ok || n == "" {
			return nil, false
		}
		if _, dup := m[n]; dup {
			return nil, false
		}
		m[n] = it
	}
	return m, true
}

func scalars(list []any) bool {
	for _, it := range list {
		switch it.(type) {
		case map[string]any, []any:
			return false
		}
	}
	return true
}

func leafChange(path string, a, b any) FieldChange {
	as, aok := a.(string)
	bs, bok := b.(string)
	if aok && bok && (strings.Contains(as, "\n") || strings.Contains(bs, "\n")) {
		return FieldChange{Path: path, Old: "(text)", New: "(text)", Lines: lineDiff(as, bs)}
	}
	return FieldChange{Path: path, Old: format(a), New: format(b)}
}

// format renders a value as short text: scalars as they read in YAML,
// maps and lists as compact JSON cut to maxValueLen.
func format(v any) string {
	var s string
	switch x := v.(type) {
	case nil:
		s = "null"
	case string:
		s = x
		if x == "" {
			s = `""`
		}
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		s = strconv.FormatInt(x, 10)
	case bool:
		s = strconv.FormatBool(x)
	default:
		b, err := json.Marshal(x)
		if err != nil {
			s = "(unprintable)"
		} else {
			s = string(b)
		}
	}
	if r := []rune(s); len(r) > maxValueLen {
		s = string(r[:maxValueLen-1]) + "…"
	}
	return s
}
