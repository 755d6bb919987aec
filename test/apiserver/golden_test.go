package apiserver_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// goldenCase is one folder of testdata/golden: input.yaml and either
// expected.yaml (valid) or errors.txt (invalid input).
type goldenCase struct {
	name     string
	dir      string
	inputs   []*unstructured.Unstructured
	expected []*unstructured.Unstructured
	errors   []goldenError
	// crdRejects is nil without a crd-rejects marker file; otherwise the
	// field paths (one per line) the rejection must name, empty meaning
	// every field path of errors.txt.
	crdRejects []string
	marked     bool
}

// goldenError is one "error: <Kind> <ns>/<name>: <path>: <message>" line.
type goldenError struct {
	kind, namespace, name, path string
}

var errorLine = regexp.MustCompile(`^error: (\S+) ([^/\s]*)/(\S+): (\S+): `)

func loadGoldenCases(t *testing.T) []goldenCase {
	t.Helper()
	root := filepath.Join(env.Root, "testdata", "golden")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatalf("reading %s: %v", root, err)
	}
	var cases []goldenCase
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		c, err := loadGoldenCase(filepath.Join(root, e.Name()))
		if err != nil {
			t.Fatalf("golden case %s: %v", e.Name(), err)
		}
		cases = append(cases, c)
	}
	if len(cases) == 0 {
		t.Fatalf("no golden cases in %s", root)
	}
	return cases
}

func loadGoldenCase(dir string) (goldenCase, error) {
	c := goldenCase{name: filepath.Base(dir), dir: dir}
	var err error
	if c.inputs, err = readObjects(filepath.Join(dir, "input.yaml")); err != nil {
		return c, err
	}
	c.inputs = unwrapResourceList(c.inputs)
	if exists(filepath.Join(dir, "errors.txt")) {
		if c.errors, err = readErrors(filepath.Join(dir, "errors.txt")); err != nil {
			return c, err
		}
	} else if c.expected, err = readObjects(filepath.Join(dir, "expected.yaml")); err != nil {
		return c, err
	}
	marker := filepath.Join(dir, "crd-rejects")
	if exists(marker) {
		c.marked = true
		b, err := os.ReadFile(marker)
		if err != nil {
			return c, fmt.Errorf("reading %s: %w", marker, err)
		}
		c.crdRejects = strings.Fields(string(b))
	}
	return c, nil
}

func (c goldenCase) invalid() bool { return c.expected == nil }

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// readObjects reads a multi-document YAML file; documents holding only
// comments are skipped.
func readObjects(path string) ([]*unstructured.Unstructured, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return parseObjects(b, path)
}

func parseObjects(b []byte, source string) ([]*unstructured.Unstructured, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(b)))
	var objs []*unstructured.Unstructured
	for i := 0; ; i++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading document %d of %s: %w", i, source, err)
		}
		obj := map[string]any{}
		if err := yaml.Unmarshal(doc, &obj); err != nil {
			return nil, fmt.Errorf("parsing document %d of %s: %w", i, source, err)
		}
		if len(obj) > 0 {
			objs = append(objs, &unstructured.Unstructured{Object: obj})
		}
	}
}

// unwrapResourceList turns a KRM ResourceList into its items and, when it
// is an object of its own kind, its functionConfig (without duplicates).
func unwrapResourceList(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	if len(objs) != 1 || objs[0].GetKind() != "ResourceList" {
		return objs
	}
	var out []*unstructured.Unstructured
	seen := map[string]bool{}
	add := func(m any) {
		if obj, ok := m.(map[string]any); ok {
			u := &unstructured.Unstructured{Object: obj}
			if key := objectKey(u); !seen[key] {
				seen[key] = true
				out = append(out, u)
			}
		}
	}
	items, _, _ := unstructured.NestedSlice(objs[0].Object, "items")
	for _, item := range items {
		add(item)
	}
	if fc, ok := objs[0].Object["functionConfig"]; ok {
		add(fc)
	}
	return out
}

func objectKey(u *unstructured.Unstructured) string {
	return u.GetAPIVersion() + "/" + u.GetKind() + " " + u.GetNamespace() + "/" + u.GetName()
}

func readErrors(path string) ([]goldenError, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var out []goldenError
	for _, line := range strings.Split(string(b), "\n") {
		if m := errorLine.FindStringSubmatch(line); m != nil {
			out = append(out, goldenError{kind: m[1], namespace: m[2], name: m[3], path: m[4]})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no error line", path)
	}
	return out, nil
}

// usesHostNetwork reports whether any input sets hostNetwork: true, at any
// depth: such pods cannot meet the restricted or baseline profile.
func usesHostNetwork(objs []*unstructured.Unstructured) bool {
	for _, o := range objs {
		if findTrue(o.Object, "hostNetwork") {
			return true
		}
	}
	return false
}

func findTrue(v any, key string) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, child := range v {
			if b, ok := child.(bool); k == key && ok && b {
				return true
			}
			if findTrue(child, key) {
				return true
			}
		}
	case []any:
		for _, child := range v {
			if findTrue(child, key) {
				return true
			}
		}
	}
	return false
}

// namespaceMap gives every namespace the golden files name (several cases
// share fixed names such as mq) a fresh test namespace with the given Pod
// Security level, so that cases never see each other's objects.
type namespaceMap map[string]string

func newNamespaceMap(t *testing.T, level string, objs []*unstructured.Unstructured) namespaceMap {
	t.Helper()
	m := namespaceMap{}
	var names []string
	for _, o := range objs {
		if _, ok := m[o.GetNamespace()]; !ok {
			m[o.GetNamespace()] = ""
			names = append(names, o.GetNamespace())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		m[n] = env.NewNamespace(t, level)
	}
	return m
}

// remap returns a copy of obj in its test namespace; cluster-scoped objects
// keep no namespace.
func (m namespaceMap) remap(t *testing.T, obj *unstructured.Unstructured) *unstructured.Unstructured {
	t.Helper()
	out := obj.DeepCopy()
	namespaced, err := env.Client.IsObjectNamespaced(out)
	if err != nil {
		t.Fatalf("%s: is it namespaced? %v", objectKey(obj), err)
	}
	if namespaced {
		out.SetNamespace(m[obj.GetNamespace()])
	}
	return out
}
