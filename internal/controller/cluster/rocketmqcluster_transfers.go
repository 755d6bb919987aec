package cluster

import (
	"context"
	"net"
	"slices"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// heldTopics maps each topic an unfinished TopicTransfer is moving off
// this cluster to that transfer (namespace/name). The metadata copy leaves
// them out: a new broker group that gained such a topic would take writes
// the transfer never drains, and its registration would bring the topic's
// route back after step 6.
//
// A transfer names its source by clusterRef (same namespace) or by
// NameServer addresses plus brokerClusterName; the addresses are compared
// with the cluster's status list (pod DNS names) and its NameServer pods'
// IPs, the two forms a user writes. A list error is logged and treated as
// no transfer: the transfer itself adopts a broker that gained its topic
// anyway (pkg/hooks/topictransfer), so this is the first of two guards.
func (r *Reconciler) heldTopics(ctx context.Context, c *v1alpha1.RocketMQCluster) map[string]string {
	var list v1alpha1.TopicTransferList
	if err := r.client.List(ctx, &list); err != nil {
		logf.FromContext(ctx).Error(err, "listing TopicTransfers; the metadata copy holds no topic back this time")
		return nil
	}
	var addrs []string
	looked := false
	held := map[string]string{}
	for i := range list.Items {
		tt := &list.Items[i]
		if tt.Status.Phase.Final() {
			continue
		}
		if !looked {
			addrs, looked = r.nameServerForms(ctx, c), true
		}
		if isSourceOf(tt, c, addrs) {
			held[tt.Spec.Topic] = tt.Namespace + "/" + tt.Name
		}
	}
	return held
}

// isSourceOf reports whether the transfer's source is cluster c, known by
// the addresses addrs.
func isSourceOf(tt *v1alpha1.TopicTransfer, c *v1alpha1.RocketMQCluster, addrs []string) bool {
	src := &tt.Spec.Source
	if src.ClusterRef != nil {
		return tt.Namespace == c.Namespace && src.ClusterRef.Name == c.Name
	}
	if src.EndpointClusterName() != c.Name {
		return false
	}
	return slices.ContainsFunc(src.NameServers, func(a string) bool { return slices.Contains(addrs, a) })
}

// nameServerForms lists the cluster's NameServer addresses as status
// has them and as <pod IP>:<port> of its NameServer pods.
func (r *Reconciler) nameServerForms(ctx context.Context, c *v1alpha1.RocketMQCluster) []string {
	out := slices.Clone(c.Status.NameServerAddresses)
	var pods corev1.PodList
	sel := client.MatchingLabels(c.SelectorLabels(v1alpha1.ComponentNameServer, -1))
	if err := r.client.List(ctx, &pods, client.InNamespace(c.Namespace), sel); err != nil {
		logf.FromContext(ctx).Error(err, "listing NameServer pods; TopicTransfers that name them by IP are not matched this time")
		return out
	}
	port := strconv.Itoa(v1alpha1.PortNameServer)
	for _, p := range pods.Items {
		if p.Status.PodIP != "" {
			out = append(out, net.JoinHostPort(p.Status.PodIP, port))
		}
	}
	return out
}

// mapTransferSource maps a TopicTransfer to the RocketMQCluster its
// clusterRef names as source, whose metadata copy may hold its topic back.
// A source named by NameServer addresses is found by the periodic resync.
func mapTransferSource(_ context.Context, o client.Object) []reconcile.Request {
	tt, ok := o.(*v1alpha1.TopicTransfer)
	if !ok || tt.Spec.Source.ClusterRef == nil {
		return nil
	}
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: tt.Namespace, Name: tt.Spec.Source.ClusterRef.Name}}}
}

// transferPhaseChanged passes creations, deletions and phase changes: what
// starts or ends holding a topic back.
func transferPhaseChanged() predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		o, ok1 := e.ObjectOld.(*v1alpha1.TopicTransfer)
		n, ok2 := e.ObjectNew.(*v1alpha1.TopicTransfer)
		return !ok1 || !ok2 || o.Status.Phase != n.Status.Phase
	}}
}
