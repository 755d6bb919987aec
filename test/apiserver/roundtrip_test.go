package apiserver_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// TestGoldenInputsRoundTrip stores every RocketMQCluster of every valid
// golden input (strict field validation, as kubectl does) and reads it
// back: each field the input sets must come back with the same value. A
// field the schema prunes, or a value it rewrites, fails the test; fields
// the schema defaults are allowed.
func TestGoldenInputsRoundTrip(t *testing.T) {
	for _, c := range loadGoldenCases(t) {
		if c.invalid() {
			continue
		}
		clusters := rocketMQClusters(c.inputs)
		if len(clusters) == 0 {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			ctx := testContext(t)
			ns := newNamespaceMap(t, "", clusters)
			for _, in := range clusters {
				obj := ns.remap(t, in)
				want := obj.DeepCopy()
				if err := env.Client.Create(ctx, obj, client.FieldValidation("Strict")); err != nil {
					t.Errorf("%s: create: %v", objectKey(in), err)
					continue
				}
				got := &unstructured.Unstructured{}
				got.SetGroupVersionKind(obj.GroupVersionKind())
				if err := env.Client.Get(ctx, client.ObjectKeyFromObject(obj), got); err != nil {
					t.Fatalf("%s: read back: %v", objectKey(in), err)
				}
				for _, d := range droppedOrChanged(t, want.Object, got.Object) {
					t.Errorf("%s: %s", objectKey(in), d)
				}
			}
		})
	}
}

func rocketMQClusters(objs []*unstructured.Unstructured) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range objs {
		if o.GetKind() == v1alpha1.KindRocketMQCluster {
			out = append(out, o)
		}
	}
	return out
}

// droppedOrChanged lists the fields of want that are missing from got or
// differ in got. Both go through JSON first, so that 2 (YAML int) and 2
// (JSON number) compare equal.
func droppedOrChanged(t *testing.T, want, got map[string]any) []string {
	t.Helper()
	return diffSubset("", normalize(t, want), normalize(t, got))
}

func normalize(t *testing.T, v map[string]any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encoding %v: %v", v, err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("decoding %s: %v", b, err)
	}
	return out
}

func diffSubset(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an object, read back %v", orRoot(path), got)}
		}
		return diffMap(path, w, g)
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: want %d items, read back %v", orRoot(path), len(w), got)}
		}
		var out []string
		for i := range w {
			out = append(out, diffSubset(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return out
	default:
		if !reflect.DeepEqual(want, got) {
			return []string{fmt.Sprintf("%s: wrote %#v, read back %#v", orRoot(path), want, got)}
		}
		return nil
	}
}

func diffMap(path string, want, got map[string]any) []string {
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		g, ok := got[k]
		if !ok {
			out = append(out, fmt.Sprintf("%s.%s: dropped (wrote %v)", path, k, want[k]))
			continue
		}
		out = append(out, diffSubset(path+"."+k, want[k], g)...)
	}
	return out
}

func orRoot(path string) string {
	if path == "" {
		return "."
	}
	return path
}

func TestDiffSubset(t *testing.T) {
	want := map[string]any{"spec": map[string]any{"a": 1, "l": []any{map[string]any{"x": "y"}}, "gone": true}}
	got := map[string]any{"spec": map[string]any{"a": 1.0, "l": []any{map[string]any{"x": "y", "default": 1}}, "extra": 2}}
	diffs := droppedOrChanged(t, want, got)
	if len(diffs) != 1 || diffs[0] != ".spec.gone: dropped (wrote true)" {
		t.Errorf("diffs = %q, want only the dropped .spec.gone", diffs)
	}
	got["spec"].(map[string]any)["gone"] = "true"
	if diffs := droppedOrChanged(t, want, got); len(diffs) != 1 || diffs[0] != `.spec.gone: wrote true, read back "true"` {
		t.Errorf("a bool read back as a string: diffs = %q", diffs)
	}
}
