package cluster

import (
	"context"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/metadatacopy"
)

// ControllerName names the controller in logs, metrics and Events.
const ControllerName = "rocketmqcluster"

// FieldOwner is the field manager of everything the controller writes.
const FieldOwner = "rocketmq-gitops-status-controller"

// DefaultAdminTimeout bounds one admin call: a broker answers admin
// requests in milliseconds, so a call this slow is a broker that hangs.
const DefaultAdminTimeout = 10 * time.Second

// Options configure the RocketMQCluster controller.
type Options struct {
	// MaxConcurrentReconciles is how many clusters reconcile at once.
	MaxConcurrentReconciles int
	// AdminTimeout bounds each RocketMQ admin call on its own (default
	// DefaultAdminTimeout); calls to different brokers run side by side.
	AdminTimeout time.Duration
	// MasterLostGrace is how long a broker group may lack a ready master
	// outside a rollout before the cluster is Degraded (default
	// DefaultMasterLostGrace).
	MasterLostGrace time.Duration
	// Resync re-checks every cluster this often even without events, since
	// a broker that restarts with a stale file can drift back.
	Resync time.Duration
	// RetireSettle is how long write permission of a group removed by a
	// scale-in must stay wiped on every NameServer before it can be
	// Drained (default DefaultRetireSettle).
	RetireSettle time.Duration
	// RetireRecheck is how often a retiring group is looked at again
	// (default DefaultRetireRecheck).
	RetireRecheck time.Duration
	// Backoff of metadata copy retries.
	Backoff metadatacopy.Backoff
	// Admin makes the RocketMQ admin client; nil uses pkg/admin.
	Admin AdminFactory
}

// SetupWithManager registers the RocketMQCluster controller: it reconciles
// on changes of the cluster and of the Pods, StatefulSets and Services that
// carry its cluster label. Its own ConfigMap is not watched (that would
// need list and watch on every ConfigMap): a ConfigMap changed or deleted
// by hand is rewritten at the next reconcile, at the latest after
// --resync-period.
func SetupWithManager(ctx context.Context, mgr ctrl.Manager, opts Options) error {
	for kind, obj := range map[string]client.Object{"pods": &corev1.Pod{}, "statefulsets": &appsv1.StatefulSet{}, "services": &corev1.Service{}} {
		if err := mgr.GetFieldIndexer().IndexField(ctx, obj, indexCluster, clusterIndexer); err != nil {
			return errIndex(kind, err)
		}
	}
	r := NewReconciler(mgr, opts)
	toCluster := handler.EnqueueRequestsFromMapFunc(mapToCluster)
	return ctrl.NewControllerManagedBy(mgr).
		Named(ControllerName).
		For(&v1alpha1.RocketMQCluster{}).
		Watches(&corev1.Pod{}, toCluster, builder.WithPredicates(podChanged())).
		Watches(&appsv1.StatefulSet{}, toCluster, builder.WithPredicates(predicate.Or(predicate.GenerationChangedPredicate{}, statusChanged()))).
		Watches(&corev1.Service{}, toCluster, builder.WithPredicates(existenceChanged())).
		Watches(&v1alpha1.TopicTransfer{}, handler.EnqueueRequestsFromMapFunc(mapTransferSource), builder.WithPredicates(transferPhaseChanged())).
		WithOptions(controller.Options{MaxConcurrentReconciles: max(1, opts.MaxConcurrentReconciles)}).
		Complete(r)
}

// mapToCluster maps a labelled object to its RocketMQCluster. Only
// LabelCluster is trusted: Argo CD rewrites app.kubernetes.io/instance.
func mapToCluster(_ context.Context, o client.Object) []reconcile.Request {
	name := o.GetLabels()[v1alpha1.LabelCluster]
	if name == "" || o.GetLabels()[v1alpha1.LabelManagedBy] != v1alpha1.ManagedBy {
		return nil
	}
	return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: o.GetNamespace(), Name: name}}}
}

// podChanged passes pod updates that change what status or address
// propagation reads: readiness, IPs, phase, deletion.
func podChanged() predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		o, ok1 := e.ObjectOld.(*corev1.Pod)
		n, ok2 := e.ObjectNew.(*corev1.Pod)
		if !ok1 || !ok2 {
			return true
		}
		return podView(o) != podView(n)
	}}
}

type podSummary struct {
	ready           bool
	deleting        bool
	phase           corev1.PodPhase
	podIP, hostIP   string
	hostNetwork     bool
	clusterLabel    string
	brokerGroupName string
}

func podView(p *corev1.Pod) podSummary {
	return podSummary{
		ready:           podReady(p),
		deleting:        p.DeletionTimestamp != nil,
		phase:           p.Status.Phase,
		podIP:           p.Status.PodIP,
		hostIP:          p.Status.HostIP,
		hostNetwork:     p.Spec.HostNetwork,
		clusterLabel:    p.Labels[v1alpha1.LabelCluster],
		brokerGroupName: p.Labels[v1alpha1.LabelBrokerGroup],
	}
}

func statusChanged() predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		o, ok1 := e.ObjectOld.(*appsv1.StatefulSet)
		n, ok2 := e.ObjectNew.(*appsv1.StatefulSet)
		if !ok1 || !ok2 {
			return true
		}
		return o.Status.ReadyReplicas != n.Status.ReadyReplicas ||
			o.Status.UpdatedReplicas != n.Status.UpdatedReplicas ||
			o.Status.ObservedGeneration != n.Status.ObservedGeneration ||
			o.Status.CurrentRevision != n.Status.CurrentRevision ||
			o.Status.UpdateRevision != n.Status.UpdateRevision
	}}
}

// existenceChanged passes creates and deletes only: the controller reads
// whether a Service exists, not what it says.
func existenceChanged() predicate.Predicate {
	return predicate.Funcs{UpdateFunc: func(event.UpdateEvent) bool { return false }}
}
