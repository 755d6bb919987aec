// Package transfer is the TopicTransfer controller: it resolves the two
// clusters of a transfer, runs the step machine of pkg/hooks/topictransfer
// one persisted transition at a time, and reports progress in status and
// Events.
package transfer

import (
	"context"
	"fmt"
	"slices"
	"time"

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
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/topictransfer"
)

// ControllerName names the controller in logs, metrics and Events.
const ControllerName = "topictransfer"

// FieldOwner is the field manager of the status the controller writes.
const FieldOwner = "rocketmq-gitops-topictransfer"

// Options configure the TopicTransfer controller. Zero values take the
// defaults noted.
type Options struct {
	// Admin reaches clusters without ACL; nil makes one *admin.Client for
	// the manager's lifetime. Clusters with ACL get a client signed with
	// their credentials for the length of one reconcile.
	Admin topictransfer.Admin
	// NewACLAdmin makes a client for ACL credentials (default
	// *admin.Client); the returned func closes it.
	NewACLAdmin func(creds *admin.Credentials) (topictransfer.Admin, func())
	// PollInterval between drain checks (default 5s).
	PollInterval time.Duration
	// RetryInterval is the first backoff after a failed admin call
	// (default 2s, doubling up to 32x).
	RetryInterval time.Duration
	// MaxAttempts, when positive, also ends the retries of a failing step
	// after that many attempts; by default only spec.retryBudget does.
	MaxAttempts int32
	// AdminTimeout bounds one transition's admin calls (default 30s).
	AdminTimeout time.Duration
	// MaxConcurrentReconciles is how many transfers run at once (default 2).
	MaxConcurrentReconciles int
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.NewACLAdmin == nil {
		o.NewACLAdmin = func(creds *admin.Credentials) (topictransfer.Admin, func()) {
			c := admin.New(admin.Options{Credentials: creds})
			return c, func() { _ = c.Close() }
		}
	}
	if o.AdminTimeout <= 0 {
		o.AdminTimeout = 30 * time.Second
	}
	if o.MaxConcurrentReconciles <= 0 {
		o.MaxConcurrentReconciles = 2
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// SetupWithManager registers the TopicTransfer controller with mgr. It
// reconciles when a TopicTransfer is created or deleted, or its spec
// (generation), annotations, finalizers or deletion timestamp change, but
// not on its own status writes: those would re-run every wait at once.
// It also reconciles on changes of a RocketMQCluster that transfers in its
// namespace refer to (a transfer applied before its cluster is ready
// starts when the cluster is); status.nextAttemptAt keeps those from
// cutting a wait short.
func SetupWithManager(mgr ctrl.Manager, opts Options) error {
	opts = opts.withDefaults()
	if opts.Admin == nil {
		c := admin.New(admin.Options{})
		opts.Admin = c
		if err := mgr.Add(closeOnStop(c)); err != nil {
			return fmt.Errorf("while registering the admin client: %w", err)
		}
	}
	r := newReconciler(mgr, opts)
	err := ctrl.NewControllerManagedBy(mgr).
		Named(ControllerName).
		For(&v1alpha1.TopicTransfer{}, builder.WithPredicates(transferChanged())).
		Watches(&v1alpha1.RocketMQCluster{}, handler.EnqueueRequestsFromMapFunc(r.transfersOfCluster)).
		WithOptions(controller.Options{MaxConcurrentReconciles: opts.MaxConcurrentReconciles}).
		Complete(r)
	if err != nil {
		return fmt.Errorf("while setting up the %s controller: %w", ControllerName, err)
	}
	return nil
}

// transferChanged passes the TopicTransfer updates worth a reconcile: spec
// (generation), annotations (force-release), finalizers and deletion; not
// the controller's own status writes.
func transferChanged() predicate.Predicate {
	return predicate.Or(predicate.GenerationChangedPredicate{}, predicate.AnnotationChangedPredicate{}, lifecycleChanged())
}

// lifecycleChanged passes updates that set the deletion timestamp or
// change the finalizers.
func lifecycleChanged() predicate.Funcs {
	return predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		if e.ObjectOld == nil || e.ObjectNew == nil {
			return true
		}
		return e.ObjectOld.GetDeletionTimestamp().IsZero() != e.ObjectNew.GetDeletionTimestamp().IsZero() ||
			!slices.Equal(e.ObjectOld.GetFinalizers(), e.ObjectNew.GetFinalizers())
	}}
}

// closeOnStop closes the shared admin client when the manager stops.
func closeOnStop(c *admin.Client) manager.Runnable {
	return manager.RunnableFunc(func(ctx context.Context) error {
		<-ctx.Done()
		return c.Close()
	})
}

// transfersOfCluster maps a RocketMQCluster to the unfinished transfers of
// its namespace that refer to it.
func (r *Reconciler) transfersOfCluster(ctx context.Context, o client.Object) []reconcile.Request {
	var list v1alpha1.TopicTransferList
	if err := r.client.List(ctx, &list, client.InNamespace(o.GetNamespace())); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "listing TopicTransfers for a RocketMQCluster change", "cluster", o.GetName())
		return nil
	}
	var out []reconcile.Request
	for i := range list.Items {
		t := &list.Items[i]
		if !t.Status.Phase.Final() && refersTo(t, o.GetName()) {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(t)})
		}
	}
	return out
}

func refersTo(t *v1alpha1.TopicTransfer, cluster string) bool {
	for _, e := range []*v1alpha1.TransferEndpoint{&t.Spec.Source, &t.Spec.Target} {
		if e.ClusterRef != nil && e.ClusterRef.Name == cluster {
			return true
		}
	}
	return false
}
