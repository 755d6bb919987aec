package render

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
)

// toUnstructured converts a typed object into the clean unstructured form
// the function emits (see converter): no status, no null values, and no
// empty strings, maps or lists anywhere. Typed API structs serialise zero values such as
// `creationTimestamp: null`, `resources: {}` and `status: {}`; stripping them
// keeps the output short and, more importantly, stable: kustomize and kyaml
// drop some of these on a round trip, and the function must be idempotent on
// its own output.
func toUnstructured(conv *converter, obj runtime.Object) (*unstructured.Unstructured, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		m, _ := cleanValue(u.DeepCopy().Object)
		return finish(m, u.GetKind())
	}
	m, err := conv.object(obj)
	if err != nil {
		return nil, err
	}
	return finish(m, fmt.Sprintf("%T", obj))
}

func finish(v any, what string) (*unstructured.Unstructured, error) {
	m, ok := v.(map[string]any)
	if !ok || m["apiVersion"] == nil || m["kind"] == nil {
		return nil, fmt.Errorf("object %s has no apiVersion or kind", what)
	}
	delete(m, "status")
	return &unstructured.Unstructured{Object: m}, nil
}

// cleanValue returns v without nulls and empty strings, maps and lists, and
// whether anything is left. Zero numbers and false are kept: they are
// meaningful (brokerId 0, allowPrivilegeEscalation false).
func cleanValue(v any) (any, bool) {
	switch t := v.(type) {
	case nil:
		return nil, false
	case string:
		return t, t != ""
	case map[string]any:
		for k, child := range t {
			if k == "apiGroups" {
				// RBAC's "" is the core API group, not an empty value: a
				// rule without apiGroups is refused by the API server.
				continue
			}
			c, keep := cleanValue(child)
			if keep || meaningfulEmpty(k, child) {
				t[k] = c
			} else {
				delete(t, k)
			}
		}
		return t, len(t) > 0
	case []any:
		out := t[:0]
		for _, child := range t {
			if c, keep := cleanValue(child); keep {
				out = append(out, c)
			}
		}
		return out, len(out) > 0
	default:
		return v, true
	}
}

// meaningfulEmpty reports whether an empty value under key k must survive
// cleaning because its presence alone means something: `emptyDir: {}` is a
// volume source, and dropping it would leave a volume without one.
func meaningfulEmpty(k string, v any) bool {
	m, ok := v.(map[string]any)
	return ok && len(m) == 0 && k == "emptyDir"
}
