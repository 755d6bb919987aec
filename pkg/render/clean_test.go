package render

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestCleanValue(t *testing.T) {
	in := map[string]any{
		"keep":     "x",
		"empty":    "",
		"null":     nil,
		"zero":     int64(0),
		"false":    false,
		"emptyMap": map[string]any{},
		"nested":   map[string]any{"a": map[string]any{"b": []any{}}},
		"list":     []any{"", nil, "y", map[string]any{}},
		"emptyDir": map[string]any{},
	}
	got, keep := cleanValue(in)
	want := map[string]any{"keep": "x", "zero": int64(0), "false": false, "list": []any{"y"}, "emptyDir": map[string]any{}}
	if !keep || mustYAML(t, got) != mustYAML(t, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if _, keep := cleanValue(map[string]any{"a": ""}); keep {
		t.Error("a map of empties is kept")
	}
}

func TestToUnstructuredStripsTypedNoise(t *testing.T) {
	svc := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: "x"},
	}
	u, err := toUnstructured(newConverter(), svc)
	if err != nil {
		t.Fatal(err)
	}
	if got := mustYAML(t, u.Object); got != "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n" {
		t.Fatalf("got:\n%s", got)
	}
	if _, err := toUnstructured(newConverter(), &corev1.Service{}); err == nil {
		t.Error("an object without apiVersion/kind was accepted")
	}
}
