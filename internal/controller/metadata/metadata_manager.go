// Package metadata is the controller of RocketMQTopic and
// RocketMQConsumerGroup: it reconciles all the topics and groups of one
// RocketMQCluster at a time, reading each master's tables once and sending
// what differs in batches, so that ten thousand declared topics cost a few
// admin requests per broker group.
package metadata

import (
	"context"
	"maps"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// ControllerName names the controller in logs, metrics and Events.
const ControllerName = "rocketmq-metadata"

// FieldOwner is the field manager of what the controller writes.
const FieldOwner = "rocketmq-gitops-metadata"

// indexClusterKey indexes cached topics and groups by the namespace/name
// of the cluster they reference.
const indexClusterKey = "rocketmq.gitops.dev/clusterKey"

// Defaults of Options.
const (
	DefaultResync        = time.Minute
	DefaultDeleteRecheck = 10 * time.Second
	// DefaultDeleteSettle covers a producer's route refresh
	// (ClientConfig.pollNameServerInterval, 30 s) after the broker has
	// re-registered the read-only topic, which it does at once
	// (BrokerController.registerIncrementBrokerData), plus a margin.
	DefaultDeleteSettle  = 45 * time.Second
	DefaultStatusWorkers = 32
	DefaultAdminTimeout  = 60 * time.Second
)

// Options configure the controller. Zero values take the defaults.
type Options struct {
	// MaxConcurrentReconciles is how many clusters reconcile at once (2).
	MaxConcurrentReconciles int
	// Resync re-reads every cluster's brokers this often, which puts back
	// what was changed by hand (DefaultResync).
	Resync time.Duration
	// DeleteRecheck is how often a deletion blocked by unconsumed messages
	// looks again (DefaultDeleteRecheck).
	DeleteRecheck time.Duration
	// DeleteSettle is how long a topic being deleted stays read-only on
	// every broker group before the deletion looks for unconsumed
	// messages: producers send on their cached route until they refresh
	// it (DefaultDeleteSettle).
	DeleteSettle time.Duration
	// StatusWorkers bounds the status and finalizer writes in flight
	// (DefaultStatusWorkers).
	StatusWorkers int
	// AdminTimeout bounds a reconcile's admin calls (DefaultAdminTimeout).
	AdminTimeout time.Duration
	// NewAdmin returns the client for a cluster (nil creds: no ACL) and a
	// func that releases it. Default: one shared *admin.Client without
	// ACL, a client of its own per reconcile with ACL.
	NewAdmin func(creds *admin.Credentials) (Admin, func())
}

func (o Options) withDefaults(mgr manager.Manager) (Options, error) {
	if o.MaxConcurrentReconciles <= 0 {
		o.MaxConcurrentReconciles = 2
	}
	if o.DeleteSettle <= 0 {
		o.DeleteSettle = DefaultDeleteSettle
	}
	if o.Resync <= 0 {
		o.Resync = DefaultResync
	}
	if o.DeleteRecheck <= 0 {
		o.DeleteRecheck = DefaultDeleteRecheck
	}
	if o.StatusWorkers <= 0 {
		o.StatusWorkers = DefaultStatusWorkers
	}
	if o.AdminTimeout <= 0 {
		o.AdminTimeout = DefaultAdminTimeout
	}
	if o.NewAdmin == nil {
		shared := admin.New(admin.Options{})
		if err := mgr.Add(manager.RunnableFunc(func(ctx context.Context) error {
			<-ctx.Done()
			return shared.Close()
		})); err != nil {
			return o, err
		}
		o.NewAdmin = func(creds *admin.Credentials) (Admin, func()) {
			if creds == nil {
				return shared, func() {}
			}
			c := admin.New(admin.Options{Credentials: creds})
			return c, func() { _ = c.Close() }
		}
	}
	return o, nil
}

// SetupWithManager registers the controller. Its requests are clusters:
// a topic or group change enqueues the cluster it references, a cluster
// change enqueues itself when its broker groups, masters, selector or ACL
// changed, and a namespace's label change enqueues every cluster, since
// selectors may now pick it or not.
func SetupWithManager(ctx context.Context, mgr ctrl.Manager, opts Options) error {
	opts, err := opts.withDefaults(mgr)
	if err != nil {
		return err
	}
	idx := mgr.GetFieldIndexer()
	for _, o := range []client.Object{&v1alpha1.RocketMQTopic{}, &v1alpha1.RocketMQConsumerGroup{}} {
		if err := idx.IndexField(ctx, o, indexClusterKey, clusterKeyOf); err != nil {
			return err
		}
	}
	r := &Reconciler{client: mgr.GetClient(), apiReader: mgr.GetAPIReader(), events: mgr.GetEventRecorder(FieldOwner), opts: opts}
	toCluster := handler.EnqueueRequestsFromMapFunc(clusterOf)
	return ctrl.NewControllerManagedBy(mgr).
		Named(ControllerName).
		Watches(&v1alpha1.RocketMQCluster{}, &handler.EnqueueRequestForObject{}, builder.WithPredicates(clusterChanged())).
		Watches(&v1alpha1.RocketMQTopic{}, toCluster, builder.WithPredicates(objectChanged())).
		Watches(&v1alpha1.RocketMQConsumerGroup{}, toCluster, builder.WithPredicates(objectChanged())).
		Watches(&corev1.Namespace{}, handler.EnqueueRequestsFromMapFunc(r.allClusters), builder.WithPredicates(labelsChanged())).
		WithOptions(controller.Options{MaxConcurrentReconciles: opts.MaxConcurrentReconciles}).
		Complete(r)
}

func clusterKeyOf(o client.Object) []string {
	switch v := o.(type) {
	case *v1alpha1.RocketMQTopic:
		return []string{v.Spec.ClusterRef.ClusterKey(v.Namespace)}
	case *v1alpha1.RocketMQConsumerGroup:
		return []string{v.Spec.ClusterRef.ClusterKey(v.Namespace)}
	}
	return nil
}

func clusterOf(_ context.Context, o client.Object) []reconcile.Request {
	var ref v1alpha1.MetadataClusterReference
	switch v := o.(type) {
	case *v1alpha1.RocketMQTopic:
		ref = v.Spec.ClusterRef
	case *v1alpha1.RocketMQConsumerGroup:
		ref = v.Spec.ClusterRef
	default:
		return nil
	}
	ns := ref.Namespace
	if ns == "" {
		ns = o.GetNamespace()
	}
	return []reconcile.Request{{NamespacedName: client.ObjectKey{Namespace: ns, Name: ref.Name}}}
}

func (r *Reconciler) allClusters(ctx context.Context, _ client.Object) []reconcile.Request {
	var list v1alpha1.RocketMQClusterList
	if err := r.client.List(ctx, &list); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "listing RocketMQClusters for a namespace change")
		return nil
	}
	out := make([]reconcile.Request, len(list.Items))
	for i := range list.Items {
		out[i] = reconcile.Request{NamespacedName: client.ObjectKeyFromObject(&list.Items[i])}
	}
	return out
}

// objectChanged passes spec, annotation, finalizer and deletion changes,
// not the controller's own status writes: ten thousand of those would
// each enqueue the cluster again.
func objectChanged() predicate.Predicate {
	return predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{},
		predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
			return e.ObjectOld.GetDeletionTimestamp().IsZero() != e.ObjectNew.GetDeletionTimestamp().IsZero() ||
				!slices.Equal(e.ObjectOld.GetFinalizers(), e.ObjectNew.GetFinalizers())
		}})
}

// clusterChanged passes a cluster's spec changes (selector, ACL) and the
// status changes that move topics: broker groups and their masters.
func clusterChanged() predicate.Predicate {
	return predicate.Or(predicate.GenerationChangedPredicate{}, predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		o, ok1 := e.ObjectOld.(*v1alpha1.RocketMQCluster)
		n, ok2 := e.ObjectNew.(*v1alpha1.RocketMQCluster)
		return !ok1 || !ok2 || !equality.Semantic.DeepEqual(masters(o), masters(n)) ||
			!slices.Equal(o.Status.NameServerAddresses, n.Status.NameServerAddresses)
	}})
}

func masters(c *v1alpha1.RocketMQCluster) map[string]string {
	out := make(map[string]string, len(c.Status.BrokerGroups))
	for _, g := range c.Status.BrokerGroups {
		out[g.Name] = g.Master
	}
	return out
}

func labelsChanged() predicate.Predicate {
	return predicate.Funcs{
		CreateFunc: func(event.CreateEvent) bool { return false },
		DeleteFunc: func(event.DeleteEvent) bool { return false },
		UpdateFunc: func(e event.UpdateEvent) bool {
			return !maps.Equal(e.ObjectOld.GetLabels(), e.ObjectNew.GetLabels())
		},
	}
}
