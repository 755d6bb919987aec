package fn

import (
	"fmt"
	"sort"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/krm"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// localConfigAnnotation marks a resource that tools must not apply;
// kustomize sets it on a generator's functionConfig and also passes that
// functionConfig in as the only item.
const localConfigAnnotation = "config.kubernetes.io/local-config"

// cluster is one RocketMQCluster to render, as written in the input.
type cluster struct {
	node *yaml.RNode
	ref  yaml.ResourceIdentifier
}

// key identifies a cluster (and the rendered objects that belong to it).
func (c cluster) key() clusterKey {
	return clusterKey{namespace: c.ref.Namespace, name: c.ref.Name}
}

type clusterKey struct{ namespace, name string }

// findClusters returns the clusters to render, sorted by namespace and
// name. A cluster given both as an item and as the functionConfig (kustomize
// generators, kpt with the config file inside the package) is rendered once,
// from the item, because the item carries the edits of earlier pipeline
// steps. Two items naming the same cluster are an error.
func findClusters(items []*yaml.RNode, functionConfig *yaml.RNode) ([]cluster, krm.Results) {
	var results krm.Results
	byKey := map[clusterKey]cluster{}
	for i, item := range items {
		if !isObject(item) {
			results = append(results, errorResult(nil, "",
				fmt.Sprintf("input item %d is not a Kubernetes object (a YAML mapping with apiVersion and kind, whose metadata, labels and annotations are mappings)", i)))
			continue
		}
		c, ok, rs := asCluster(item)
		results = append(results, rs...)
		if !ok {
			continue
		}
		prev, exists := byKey[c.key()]
		switch {
		case !exists:
			byKey[c.key()] = c
		case isLocalConfig(item):
			// A local copy (kustomize's copy of the functionConfig): the
			// cluster already found wins.
		case isLocalConfig(prev.node):
			byKey[c.key()] = c
		default:
			results = append(results, errorResult(&c.ref, "metadata.name",
				"Duplicate value: the same RocketMQCluster is in the input twice; keep one"))
		}
	}
	fc, isCluster, fcResults := asCluster(functionConfig)
	if !isCopyOfAnItem(functionConfig, items) {
		// kustomize passes a transformer's or generator's config in as an
		// item too: its problems are already reported, once.
		results = append(results, fcResults...)
	}
	if _, exists := byKey[fc.key()]; isCluster && !exists {
		byKey[fc.key()] = fc
	}
	return sortedClusters(byKey), results
}

// isCopyOfAnItem says whether node names the same object as one of items.
func isCopyOfAnItem(node *yaml.RNode, items []*yaml.RNode) bool {
	if !isObject(node) {
		return false
	}
	for _, item := range items {
		if isObject(item) && item.GetApiVersion() == node.GetApiVersion() && item.GetKind() == node.GetKind() &&
			item.GetNamespace() == node.GetNamespace() && item.GetName() == node.GetName() {
			return true
		}
	}
	return false
}

func sortedClusters(byKey map[clusterKey]cluster) []cluster {
	out := make([]cluster, 0, len(byKey))
	for _, c := range byKey {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].key(), out[j].key()
		if a.namespace != b.namespace {
			return a.namespace < b.namespace
		}
		return a.name < b.name
	})
	return out
}

// asCluster says whether node is a RocketMQCluster. A RocketMQCluster of an
// apiVersion this function does not know is an error, not something to pass
// through silently.
func asCluster(node *yaml.RNode) (cluster, bool, krm.Results) {
	if !isObject(node) {
		return cluster{}, false, nil
	}
	meta, err := node.GetMeta()
	if err != nil || meta.Kind != v1alpha1.KindRocketMQCluster {
		return cluster{}, false, nil
	}
	ref := yaml.ResourceIdentifier{TypeMeta: meta.TypeMeta, NameMeta: meta.NameMeta}
	group, _, _ := strings.Cut(meta.APIVersion, "/")
	if group != v1alpha1.Group {
		return cluster{}, false, nil
	}
	if meta.APIVersion != v1alpha1.GroupVersion.String() {
		return cluster{}, false, krm.Results{errorResult(&ref, "apiVersion",
			fmt.Sprintf("apiVersion %q is not supported; this function renders %s", meta.APIVersion, v1alpha1.GroupVersion))}
	}
	return cluster{node: node, ref: ref}, true, nil
}

// isObject says whether node is shaped like a Kubernetes object: a mapping
// whose metadata, labels and annotations, when present, are mappings too.
// kyaml's writers fail on anything else, after the work is done.
func isObject(node *yaml.RNode) bool {
	if !isMapping(node.YNode()) {
		return false
	}
	// Every Kubernetes object has both; without them an item has no
	// identity to sort by, and the output could not be stable.
	if node.GetApiVersion() == "" || node.GetKind() == "" {
		return false
	}
	meta := node.Field(yaml.MetadataField)
	if meta == nil {
		return true
	}
	if !isMapping(meta.Value.YNode()) {
		return false
	}
	for _, f := range []string{yaml.LabelsField, yaml.AnnotationsField} {
		if v := meta.Value.Field(f); v != nil && !isMapping(v.Value.YNode()) && !yaml.IsYNodeTaggedNull(v.Value.YNode()) {
			return false
		}
	}
	return true
}

func isMapping(n *yaml.Node) bool {
	return n != nil && n.Kind == yaml.MappingNode
}

func isLocalConfig(node *yaml.RNode) bool {
	v := node.GetAnnotations()[localConfigAnnotation]
	return v != "" && v != "false"
}

// describe names a resource for messages: namespace/name or name.
func describe(ref yaml.ResourceIdentifier) string {
	if ref.Namespace == "" {
		return ref.Name
	}
	return ref.Namespace + "/" + ref.Name
}
