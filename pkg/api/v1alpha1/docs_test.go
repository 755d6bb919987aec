package v1alpha1

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDocsCoverTheAPI keeps docs/api.md in step with the types: every
// field of the spec and its sections, and every refused broker.conf key,
// must be named in it.
func TestDocsCoverTheAPI(t *testing.T) {
	b, err := os.ReadFile(repoRoot + "/docs/api.md")
	require.NoError(t, err)
	doc := string(b)
	for _, name := range specFieldNames(reflect.TypeFor[RocketMQClusterSpec](), "", 2) {
		assert.True(t, strings.Contains(doc, "`"+name+"`"), "docs/api.md does not document %s", name)
	}
	for _, o := range ownedConfigKeys {
		want := "`" + o.key + "`"
		if o.prefix {
			want = "`" + o.key + "*`"
		}
		assert.True(t, strings.Contains(doc, want), "docs/api.md does not list the refused key %s", want)
	}
}

// specFieldNames lists the JSON names of a struct's fields and, depth
// levels down, of the fields of this package's struct types, each as the
// docs write it (relative to its section, e.g. jvm.heap under nameServer).
func specFieldNames(t reflect.Type, prefix string, depth int) []string {
	var names []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if dottedInDocs(ft) {
			// documented by its fields: jvm.heap, storage.size, ...
			names = append(names, specFieldNames(ft, prefix+name+".", 0)...)
			continue
		}
		names = append(names, prefix+name)
		if depth > 0 && ft.Kind() == reflect.Struct && ft.PkgPath() == t.PkgPath() {
			names = append(names, specFieldNames(ft, "", depth-1)...)
		}
	}
	return names
}

func dottedInDocs(t reflect.Type) bool {
	switch t {
	case reflect.TypeFor[JVMSpec](), reflect.TypeFor[StorageSpec](),
		reflect.TypeFor[SecretCredentialsRef](), reflect.TypeFor[PodDisruptionBudgetSpec]():
		return true
	}
	return false
}
