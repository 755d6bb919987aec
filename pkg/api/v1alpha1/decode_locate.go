package v1alpha1

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var (
	clusterType     = reflect.TypeFor[RocketMQCluster]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	quantityType    = reflect.TypeFor[resource.Quantity]()
)

// checkValue walks a generic JSON value against the Go type it decodes
// into and returns a field error for every leaf that cannot decode. Unknown
// fields are reported too, because sigs.k8s.io/json drops its strict errors
// when a value fails to decode.
func checkValue(t reflect.Type, v any, path *field.Path) field.ErrorList {
	if v == nil && (t.Kind() == reflect.Pointer || !reflect.PointerTo(t).Implements(unmarshalerType)) {
		return nil // null leaves the field unset, as json does
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return checkUnmarshaler(t, v, path)
	}
	switch t.Kind() {
	case reflect.Struct:
		return checkStruct(t, v, path)
	case reflect.Map:
		return checkMap(t, v, path)
	case reflect.Slice:
		return checkSlice(t, v, path)
	case reflect.Interface:
		return nil
	default:
		return checkScalar(t, v, path)
	}
}

func checkUnmarshaler(t reflect.Type, v any, path *field.Path) field.ErrorList {
	raw, err := json.Marshal(v)
	if err != nil {
		return field.ErrorList{field.Invalid(path, v, err.Error())}
	}
	target := reflect.New(t).Interface().(json.Unmarshaler)
	if err := target.UnmarshalJSON(raw); err != nil {
		msg := err.Error()
		if t == quantityType {
			msg = "must be a quantity such as 50Gi, 512Mi or 500m"
		}
		var bad any = string(raw)
		if s, ok := v.(string); ok {
			bad = s
		}
		return field.ErrorList{field.Invalid(path, bad, msg)}
	}
	return nil
}

func checkStruct(t reflect.Type, v any, path *field.Path) field.ErrorList {
	obj, ok := v.(map[string]any)
	if !ok {
		return field.ErrorList{typeError(path, v, "an object")}
	}
	var errs field.ErrorList
	for _, k := range sortedMapKeys(obj) {
		ft, ok := jsonField(t, k)
		if !ok {
			errs = append(errs, unknownFieldError(path.Child(k).String(), jsonFieldNames(t)))
			continue
		}
		errs = append(errs, checkValue(ft, obj[k], path.Child(k))...)
	}
	return errs
}

func checkMap(t reflect.Type, v any, path *field.Path) field.ErrorList {
	obj, ok := v.(map[string]any)
	if !ok {
		return field.ErrorList{typeError(path, v, "an object")}
	}
	var errs field.ErrorList
	for _, k := range sortedMapKeys(obj) {
		errs = append(errs, checkValue(t.Elem(), obj[k], path.Key(k))...)
	}
	return errs
}

func checkSlice(t reflect.Type, v any, path *field.Path) field.ErrorList {
	if t.Elem().Kind() == reflect.Uint8 {
		return checkScalar(reflect.TypeFor[string](), v, path) // []byte is base64 text
	}
	list, ok := v.([]any)
	if !ok {
		return field.ErrorList{typeError(path, v, "a list")}
	}
	var errs field.ErrorList
	for i, item := range list {
		errs = append(errs, checkValue(t.Elem(), item, path.Index(i))...)
	}
	return errs
}

func checkScalar(t reflect.Type, v any, path *field.Path) field.ErrorList {
	switch t.Kind() {
	case reflect.String:
		if _, ok := v.(string); !ok {
			return field.ErrorList{typeError(path, v, "a string (quote it)")}
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return field.ErrorList{typeError(path, v, "true or false")}
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return checkInteger(t, v, path)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return checkInteger(t, v, path)
	case reflect.Float32, reflect.Float64:
		if _, ok := v.(json.Number); !ok {
			return field.ErrorList{typeError(path, v, "a number")}
		}
	}
	return nil
}

func checkInteger(t reflect.Type, v any, path *field.Path) field.ErrorList {
	n, ok := v.(json.Number)
	if !ok {
		return field.ErrorList{typeError(path, v, "a whole number")}
	}
	i, err := strconv.ParseInt(n.String(), 10, 64)
	if err != nil {
		return field.ErrorList{field.Invalid(path, n.String(), "must be a whole number")}
	}
	if t.Kind() == reflect.Int32 && (i < math.MinInt32 || i > math.MaxInt32) {
		return field.ErrorList{field.Invalid(path, i, "must fit in 32 bits")}
	}
	if t.Kind() >= reflect.Uint && t.Kind() <= reflect.Uint64 && i < 0 {
		return field.ErrorList{field.Invalid(path, i, "must not be negative")}
	}
	return nil
}

func typeError(path *field.Path, v any, want string) *field.Error {
	return field.TypeInvalid(path, v, fmt.Sprintf("must be %s, not %s", want, jsonKind(v)))
}

func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	default:
		return "null"
	}
}

// jsonField finds the type of the struct field that JSON key name decodes
// into, looking through inline (embedded) structs as encoding/json does.
func jsonField(t reflect.Type, name string) (reflect.Type, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tagName, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tagName == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && tagName == "" {
			inner := f.Type
			for inner.Kind() == reflect.Pointer {
				inner = inner.Elem()
			}
			if inner.Kind() == reflect.Struct {
				if ft, ok := jsonField(inner, name); ok {
					return ft, true
				}
				continue
			}
		}
		if tagName == "" {
			tagName = f.Name
		}
		if tagName == name {
			return f.Type, true
		}
	}
	return nil, false
}

// jsonFieldNames lists the JSON names of a struct's fields, inline structs
// included.
func jsonFieldNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		tagName, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case tagName == "-":
		case f.Anonymous && tagName == "" && f.Type.Kind() == reflect.Struct:
			names = append(names, jsonFieldNames(f.Type)...)
		case f.IsExported():
			if tagName == "" {
				tagName = f.Name
			}
			names = append(names, tagName)
		}
	}
	return names
}

// fieldsAt returns the JSON field names of the struct (within root) that holds the
// unknown field at path (as sigs.k8s.io/json reports it, e.g.
// "spec.imagePullSecrets[0].nme"), or nil when the parent is not a struct
// of the API (a map, or a path that does not resolve).
func fieldsAt(root reflect.Type, path string) []string {
	segs := strings.Split(path, ".")
	t := root
	for _, s := range segs[:len(segs)-1] {
		if i := strings.IndexByte(s, '['); i >= 0 {
			s = s[:i]
		}
		ft, ok := jsonField(t, s)
		if !ok {
			return nil
		}
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice || ft.Kind() == reflect.Map {
			ft = ft.Elem()
		}
		if ft.Kind() != reflect.Struct {
			return nil
		}
		t = ft
	}
	return jsonFieldNames(t)
}

// suggestFieldName returns the field of valid most likely meant by the
// unknown name, or "" when none is close enough. In order of preference:
// the same name in another case (nameserver for nameServer); the one field
// that starts with the name, or that the name starts with (storageClass
// for storageClassName); the closest field by Damerau–Levenshtein distance
// ignoring case (replica for replicas, swapped letters count 1), when the
// distance is at most a third of the name's length (and at least 1).
func suggestFieldName(name string, valid []string) string {
	lower := strings.ToLower(name)
	for _, v := range valid {
		if strings.EqualFold(v, name) {
			return v
		}
	}
	if len(lower) >= 4 {
		var prefixed []string
		for _, v := range valid {
			lv := strings.ToLower(v)
			if strings.HasPrefix(lv, lower) || (strings.HasPrefix(lower, lv) && len(lv) >= 4) {
				prefixed = append(prefixed, v)
			}
		}
		if len(prefixed) == 1 {
			return prefixed[0]
		}
	}
	n := len([]rune(lower))
	best, bestDist := "", max(1, n/3)+1
	for _, v := range valid {
		lv := strings.ToLower(v)
		if abs(n-len([]rune(lv))) >= bestDist {
			continue // the distance is at least the difference in length; this also bounds the work on a huge key
		}
		if d := editDistance(lower, lv); d < bestDist {
			best, bestDist = v, d
		}
	}
	return best
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// editDistance is the optimal-string-alignment (restricted
// Damerau–Levenshtein) distance between a and b: insertions, deletions,
// substitutions and swaps of two adjacent characters each cost 1.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	// d[i][j] is the distance between ra[:i] and rb[:j].
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

func sortedMapKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
