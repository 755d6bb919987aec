package metadata

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// members lists, from the cache, every topic and group that references
// the cluster key namespace/name. The objects are the cache's own (no copy
// of ten thousand objects per reconcile); members never write them.
func (r *Reconciler) members(ctx context.Context, key string) ([]*member, error) {
	var topics v1alpha1.RocketMQTopicList
	if err := r.client.List(ctx, &topics, client.MatchingFields{indexClusterKey: key}, client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("while listing the RocketMQTopics of %s: %w", key, err)
	}
	var groups v1alpha1.RocketMQConsumerGroupList
	if err := r.client.List(ctx, &groups, client.MatchingFields{indexClusterKey: key}, client.UnsafeDisableDeepCopy); err != nil {
		return nil, fmt.Errorf("while listing the RocketMQConsumerGroups of %s: %w", key, err)
	}
	out := make([]*member, 0, len(topics.Items)+len(groups.Items))
	for i := range topics.Items {
		out = append(out, topicMember(&topics.Items[i]))
	}
	for i := range groups.Items {
		out = append(out, groupMember(&groups.Items[i]))
	}
	return out, nil
}

// namespaceFilter says which namespaces may declare topics and groups on
// the cluster: its own always, others when spec.topicNamespaceSelector
// (unset: none) matches their labels.
func (r *Reconciler) namespaceFilter(ctx context.Context, c *v1alpha1.RocketMQCluster) (func(string) bool, error) {
	own := func(ns string) bool { return ns == c.Namespace }
	if c.Spec.TopicNamespaceSelector == nil {
		return own, nil
	}
	sel, err := metav1.LabelSelectorAsSelector(c.Spec.TopicNamespaceSelector)
	if err != nil {
		return nil, fmt.Errorf("while reading spec.topicNamespaceSelector of %s/%s: %w", c.Namespace, c.Name, err)
	}
	seen := map[string]bool{}
	return func(ns string) bool {
		if ok, cached := seen[ns]; cached {
			return ok
		}
		var n corev1.Namespace
		ok := own(ns) || r.client.Get(ctx, client.ObjectKey{Name: ns}, &n) == nil && sel.Matches(labels.Set(n.Labels))
		seen[ns] = ok
		return ok
	}, nil
}

// clusterMissing reports ClusterNotFound on every member and lets the
// deleted ones go: without a cluster there is nothing to remove them from.
func (r *Reconciler) clusterMissing(ctx context.Context, key string, members []*member) error {
	for _, m := range members {
		if m.deleting() {
			m.out.state = stateGone
			continue
		}
		m.set(stateReconciling, v1alpha1.ReasonClusterNotFound, fmt.Sprintf("RocketMQCluster %s does not exist (spec.clusterRef)", key))
	}
	_, err := r.writeStatus(ctx, key, members)
	return err
}
