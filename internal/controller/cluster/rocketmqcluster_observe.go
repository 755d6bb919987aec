package cluster

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/brokeraddr"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/nsaddr"
)

// observed is what the cache holds about one cluster's rendered objects.
type observed struct {
	// pods by component; broker pods are also in brokers.
	pods map[string][]corev1.Pod
	// brokers holds broker pods by group number.
	brokers map[int32][]corev1.Pod
	// sets by name.
	sets map[string]*appsv1.StatefulSet
	// services by name.
	services map[string]bool
}

func (r *Reconciler) observe(ctx context.Context, c *v1alpha1.RocketMQCluster) (*observed, error) {
	opts := []client.ListOption{
		client.InNamespace(c.Namespace),
		client.MatchingFields{indexCluster: c.Name},
		client.MatchingLabels{v1alpha1.LabelManagedBy: v1alpha1.ManagedBy},
	}
	var pods corev1.PodList
	if err := r.client.List(ctx, &pods, opts...); err != nil {
		return nil, fmt.Errorf("while listing the pods of %s: %w", c.Name, err)
	}
	var sets appsv1.StatefulSetList
	if err := r.client.List(ctx, &sets, opts...); err != nil {
		return nil, fmt.Errorf("while listing the StatefulSets of %s: %w", c.Name, err)
	}
	var svcs corev1.ServiceList
	if err := r.client.List(ctx, &svcs, opts...); err != nil {
		return nil, fmt.Errorf("while listing the Services of %s: %w", c.Name, err)
	}
	o := &observed{
		pods:     map[string][]corev1.Pod{},
		brokers:  map[int32][]corev1.Pod{},
		sets:     make(map[string]*appsv1.StatefulSet, len(sets.Items)),
		services: make(map[string]bool, len(svcs.Items)),
	}
	for i := range pods.Items {
		o.addPod(pods.Items[i])
	}
	for i := range sets.Items {
		o.sets[sets.Items[i].Name] = &sets.Items[i]
	}
	for i := range svcs.Items {
		o.services[svcs.Items[i].Name] = true
	}
	for _, ps := range o.brokers {
		sort.Slice(ps, func(i, j int) bool { return ps[i].Name < ps[j].Name })
	}
	return o, nil
}

func (o *observed) addPod(p corev1.Pod) {
	comp := p.Labels[v1alpha1.LabelComponent]
	o.pods[comp] = append(o.pods[comp], p)
	if comp != v1alpha1.ComponentBroker {
		return
	}
	g, err := strconv.ParseInt(p.Labels[v1alpha1.LabelBrokerGroup], 10, 32)
	if err != nil || g < 0 {
		return
	}
	o.brokers[int32(g)] = append(o.brokers[int32(g)], p)
}

// serviceNames maps each StatefulSet to its governing Service, for pods
// whose spec.subdomain is not set.
func (o *observed) serviceNames() map[string]string {
	out := make(map[string]string, len(o.sets))
	for name, s := range o.sets {
		out[name] = s.Spec.ServiceName
	}
	return out
}

// readyCount counts ready pods.
func readyCount(pods []corev1.Pod) int32 {
	var n int32
	for i := range pods {
		if podReady(&pods[i]) {
			n++
		}
	}
	return n
}

func podReady(p *corev1.Pod) bool { return nsaddr.PodReady(p) }

// brokerAddr is where the controller reaches a broker: the pod IP from the
// Pod's status and the remoting port.
func brokerAddr(p *corev1.Pod) string { return brokeraddr.Remoting(p) }

// readyBrokers lists every ready broker pod that has a pod IP, in group
// and pod name order.
func (o *observed) readyBrokers() []*corev1.Pod {
	groups := make([]int32, 0, len(o.brokers))
	for g := range o.brokers {
		groups = append(groups, g)
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i] < groups[j] })
	var out []*corev1.Pod
	for _, g := range groups {
		for i := range o.brokers[g] {
			if p := &o.brokers[g][i]; brokerAddr(p) != "" && podReady(p) {
				out = append(out, p)
			}
		}
	}
	return out
}
