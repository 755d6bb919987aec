package fn

import (
	"fmt"
	"sort"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/render"
)

// assemble is the output: the input items, minus objects an earlier run
// rendered for the clusters rendered now (so a second run replaces rather
// than duplicates them), in a stable order, then each cluster's rendered
// objects in cluster order. The order depends only on content, never on
// the input order. Each passed-through cluster gets the hash of the spec
// its objects were rendered from (hashes[i] is clusters[i]'s).
func assemble(items []*yaml.RNode, clusters []cluster, rendered [][]*yaml.RNode, hashes []string) ([]*yaml.RNode, error) {
	owned := make(map[clusterKey]string, len(clusters))
	for i, c := range clusters {
		owned[c.key()] = hashes[i]
	}
	kept := make([]keyedNode, 0, len(items))
	for _, item := range items {
		if previouslyRendered(item, owned) {
			continue
		}
		if err := annotateCluster(item, owned); err != nil {
			return nil, err
		}
		if err := annotateMetadata(item); err != nil {
			return nil, err
		}
		kept = append(kept, newKeyedNode(item))
	}
	var textErr error
	sort.SliceStable(kept, func(i, j int) bool {
		less, err := kept[i].less(&kept[j])
		if err != nil {
			textErr = err
		}
		return less
	})
	if textErr != nil {
		return nil, textErr
	}
	out := make([]*yaml.RNode, 0, len(kept)+len(clusters)*16)
	for _, k := range kept {
		out = append(out, k.node)
	}
	for _, objs := range rendered {
		out = append(out, objs...)
	}
	return out, nil
}

// previouslyRendered says whether item is an object this function rendered
// for one of the clusters being rendered now.
func previouslyRendered(item *yaml.RNode, owned map[clusterKey]string) bool {
	labels := item.GetLabels()
	if labels[v1alpha1.LabelManagedBy] != v1alpha1.ManagedBy {
		return false
	}
	name, ok := labels[v1alpha1.LabelCluster]
	if !ok {
		return false
	}
	_, mine := owned[clusterKey{namespace: item.GetNamespace(), name: name}]
	return mine
}

// keyedNode is an item with its sort key: apiVersion, kind, namespace and
// name. Items that share an identity are ordered by their whole text,
// computed only then because serialising every item is costly.
type keyedNode struct {
	node *yaml.RNode
	key  [4]string
	text *string
}

func newKeyedNode(n *yaml.RNode) keyedNode {
	return keyedNode{node: n, key: [4]string{n.GetApiVersion(), n.GetKind(), n.GetNamespace(), n.GetName()}}
}

func (a *keyedNode) less(b *keyedNode) (bool, error) {
	for i := range a.key {
		if a.key[i] != b.key[i] {
			return a.key[i] < b.key[i], nil
		}
	}
	ta, err := a.fullText()
	if err != nil {
		return false, err
	}
	tb, err := b.fullText()
	if err != nil {
		return false, err
	}
	return ta < tb, nil
}

func (a *keyedNode) fullText() (string, error) {
	if a.text == nil {
		s, err := a.node.String()
		if err != nil {
			return "", err
		}
		a.text = &s
	}
	return *a.text, nil
}

// annotateCluster annotates a passed-through RocketMQCluster that was
// rendered now. It records the hash of the spec its objects came from
// (v1alpha1.AnnotationRenderedSpecHash; `krm-fn check` and the status
// controller compare it with the spec). And it puts the cluster in the last
// Argo CD sync wave, unless its author chose a wave: Argo CD waits for each
// wave to be healthy before the next, and a cluster only turns healthy once
// its brokers run, so in wave 0 it would hold the brokers back forever.
// Local-config copies are never applied; they are left alone.
func annotateCluster(item *yaml.RNode, owned map[clusterKey]string) error {
	if item.GetKind() != v1alpha1.KindRocketMQCluster || item.GetApiVersion() != v1alpha1.GroupVersion.String() {
		return nil
	}
	hash, mine := owned[clusterKey{namespace: item.GetNamespace(), name: item.GetName()}]
	if isLocalConfig(item) || !mine {
		return nil
	}
	if _, set := item.GetAnnotations()[render.AnnotationSyncWave]; !set {
		if err := item.PipeE(yaml.SetAnnotation(render.AnnotationSyncWave, render.ClusterSyncWave)); err != nil {
			return fmt.Errorf("while setting the sync wave of RocketMQCluster %s/%s: %w", item.GetNamespace(), item.GetName(), err)
		}
	}
	if err := item.PipeE(yaml.SetAnnotation(v1alpha1.AnnotationRenderedSpecHash, hash)); err != nil {
		return fmt.Errorf("while recording the spec hash of RocketMQCluster %s/%s: %w", item.GetNamespace(), item.GetName(), err)
	}
	return nil
}

// annotateMetadata puts a passed-through RocketMQTopic or
// RocketMQConsumerGroup in the Argo CD sync wave after the cluster's,
// unless its author chose a wave: Argo CD applies it once the cluster is
// Healthy, so the status controller creates the topic on running brokers,
// and prunes it before the cluster, while the brokers can still delete the
// topic (deletionPolicy Delete). Nothing else about it changes.
func annotateMetadata(item *yaml.RNode) error {
	if !isMetadataKind(item.GetKind()) || item.GetApiVersion() != v1alpha1.GroupVersion.String() || isLocalConfig(item) {
		return nil
	}
	if _, set := item.GetAnnotations()[render.AnnotationSyncWave]; set {
		return nil
	}
	if err := item.PipeE(yaml.SetAnnotation(render.AnnotationSyncWave, render.MetadataSyncWave)); err != nil {
		return fmt.Errorf("while setting the sync wave of %s %s/%s: %w", item.GetKind(), item.GetNamespace(), item.GetName(), err)
	}
	return nil
}
