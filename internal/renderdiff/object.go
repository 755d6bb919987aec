// Package renderdiff compares two renders of the same overlay object by
// object, so a pull-request reviewer reads "broker group orders-broker-2
// added, proxy replicas 2 → 3" instead of a wall of YAML. It is pure: two
// object lists in, a report out; rendering and git live in cmd/render-diff.
package renderdiff

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// Object is one rendered Kubernetes object as decoded from YAML or JSON.
type Object = map[string]any

// ID identifies an object across renders. The API version is left out on
// purpose: moving a kind from v1beta1 to v1 is a change, not a remove + add.
type ID struct {
	Group     string
	Kind      string
	Namespace string
	Name      string
}

// String reads Kind/namespace/name, or Kind/name for cluster-scoped objects.
func (id ID) String() string {
	if id.Namespace == "" {
		return id.Kind + "/" + id.Name
	}
	return id.Kind + "/" + id.Namespace + "/" + id.Name
}

func (id ID) less(o ID) bool {
	if id.Kind != o.Kind {
		return id.Kind < o.Kind
	}
	if id.Namespace != o.Namespace {
		return id.Namespace < o.Namespace
	}
	if id.Name != o.Name {
		return id.Name < o.Name
	}
	return id.Group < o.Group
}

// IDOf reads an object's identity; kind and metadata.name are required.
func IDOf(o Object) (ID, error) {
	apiVersion, _ := o["apiVersion"].(string)
	kind, _ := o["kind"].(string)
	meta, _ := o["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	namespace, _ := meta["namespace"].(string)
	if kind == "" || name == "" {
		return ID{}, fmt.Errorf("object without kind or metadata.name (apiVersion %q, kind %q)", apiVersion, kind)
	}
	group := ""
	if i := strings.Index(apiVersion, "/"); i >= 0 {
		group = apiVersion[:i]
	}
	return ID{Group: group, Kind: kind, Namespace: namespace, Name: name}, nil
}

// Parse decodes a multi-document YAML (or JSON) stream such as the output
// of `kustomize build`. Empty documents are skipped; a List is not expanded
// because kustomize never emits one.
func Parse(data []byte) ([]Object, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var objs []Object
	for i := 0; ; i++ {
		var o Object
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			return objs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("decoding document %d: %w", i, err)
		}
		if len(o) > 0 {
			objs = append(objs, o)
		}
	}
}

// index maps objects by ID and refuses duplicates, which would make the
// comparison ambiguous (kustomize refuses them too).
func index(objs []Object) (map[ID]Object, error) {
	m := make(map[ID]Object, len(objs))
	for _, o := range objs {
		id, err := IDOf(o)
		if err != nil {
			return nil, err
		}
		if _, dup := m[id]; dup {
			return nil, fmt.Errorf("object %s appears twice", id)
		}
		m[id] = o
	}
	return m, nil
}

func sortedIDs(sets ...map[ID]Object) []ID {
	seen := map[ID]bool{}
	var ids []ID
	for _, s := range sets {
		for id := range s {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i].less(ids[j]) })
	return ids
}

// labels returns metadata.labels (nil when absent).
func labels(o Object) map[string]any {
	meta, _ := o["metadata"].(map[string]any)
	l, _ := meta["labels"].(map[string]any)
	return l
}

// lookup walks a path of map keys.
func lookup(o Object, keys ...string) (any, bool) {
	var cur any = o
	for _, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = m[k]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}
