package fn

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// Check finds RocketMQClusters in a rendered stream whose rendered objects
// do not come from the spec the stream carries: the cluster's SpecHash
// differs from its rendered-spec-hash annotation, or the annotation is
// missing while objects rendered for the cluster are present. That happens
// when a kustomize layer (an overlay) patches the spec after the layer
// that ran the function: kustomize then emits the patched cluster next to
// objects rendered from the unpatched one.
//
// kustomization names the directory that was built (the layer that must
// list the function); "" words the message without it. The error holds
// one line per stale cluster; nil means every cluster is fresh.
func Check(items []*yaml.RNode, kustomization string) error {
	rendered := map[clusterKey]int{}
	for _, item := range items {
		labels := item.GetLabels()
		if labels[v1alpha1.LabelManagedBy] != v1alpha1.ManagedBy {
			continue
		}
		if name, ok := labels[v1alpha1.LabelCluster]; ok {
			rendered[clusterKey{namespace: item.GetNamespace(), name: name}]++
		}
	}
	var problems []string
	for _, item := range items {
		c, ok, _ := asCluster(item)
		if !ok || isLocalConfig(item) {
			continue
		}
		if p := checkCluster(c, rendered[c.key()]); p != "" {
			problems = append(problems, p)
		}
	}
	if len(problems) == 0 {
		return nil
	}
	sort.Strings(problems)
	return errors.New(strings.Join(problems, "\n") + "\n" + fixHint(kustomization))
}

// checkCluster returns what is stale about one cluster, or "".
func checkCluster(c cluster, renderedObjects int) string {
	recorded := c.node.GetAnnotations()[v1alpha1.AnnotationRenderedSpecHash]
	name := "RocketMQCluster " + describe(c.ref)
	if recorded == "" {
		if renderedObjects == 0 {
			return ""
		}
		return fmt.Sprintf("%s: stale render: %d objects rendered for it but no %s annotation on it, so its spec was replaced after krm-fn ran",
			name, renderedObjects, v1alpha1.AnnotationRenderedSpecHash)
	}
	text, err := c.node.String()
	if err != nil {
		return fmt.Sprintf("%s: cannot serialise it: %v", name, err)
	}
	obj, err := v1alpha1.DecodeCluster([]byte(text))
	if err != nil {
		return fmt.Sprintf("%s: cannot decode it: %v", name, err)
	}
	current, err := obj.SpecHash()
	if err != nil {
		return fmt.Sprintf("%s: %v", name, err)
	}
	if current == recorded {
		return ""
	}
	return fmt.Sprintf("%s: stale render: its spec changed after krm-fn rendered it (rendered from spec %.12s, the spec now is %.12s), so the rendered objects do not match the spec",
		name, recorded, current)
}

// fixHint says what to change: the function must run in the layer that
// patches the spec, or in any layer above it.
func fixHint(kustomization string) string {
	where := "the kustomization that patches the spec (or one above it)"
	if kustomization != "" {
		where = strings.TrimSuffix(kustomization, "/") + "/kustomization.yaml"
	}
	return "fix: list the krm-fn function as a transformer in " + where +
		" (transformers: [a file with the config.kubernetes.io/function annotation]), so it re-renders from the final spec; see docs/gitops.md, \"Overlays\""
}
