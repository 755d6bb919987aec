// Package cluster is the RocketMQCluster controller: it reports the
// cluster's health in status, keeps the brokers' NameServer list current,
// and copies metadata onto broker groups added by a scale-out. It never
// writes what Git owns (spec, labels or annotations of rendered objects).
package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// conflictRequeue is the fallback wait after a status write lost to a
// newer version of the cluster.
const conflictRequeue = time.Second

// Reconciler reconciles one RocketMQCluster.
type Reconciler struct {
	client    client.Client
	apiReader client.Reader
	scheme    *runtime.Scheme
	events    recorder.EventRecorder
	opts      Options
	now       func() time.Time
}

// NewReconciler builds the reconciler on the manager's cached client.
func NewReconciler(mgr ctrl.Manager, opts Options) *Reconciler {
	if opts.Admin == nil {
		opts.Admin = DefaultAdmin
	}
	if opts.AdminTimeout <= 0 {
		opts.AdminTimeout = DefaultAdminTimeout
	}
	if opts.RetireSettle <= 0 {
		opts.RetireSettle = DefaultRetireSettle
	}
	if opts.RetireRecheck <= 0 {
		opts.RetireRecheck = DefaultRetireRecheck
	}
	if opts.MasterLostGrace <= 0 {
		opts.MasterLostGrace = DefaultMasterLostGrace
	}
	return &Reconciler{
		client:    mgr.GetClient(),
		apiReader: mgr.GetAPIReader(),
		scheme:    mgr.GetScheme(),
		events:    mgr.GetEventRecorder(FieldOwner),
		opts:      opts,
		now:       time.Now,
	}
}

// The ClusterRole holds what the controller watches, plus status, Events
// and StatefulSet deletion. ConfigMaps and Secrets are not in it: the KRM
// function renders, per cluster, a Role granting get on the admin Secret
// and get/update on <cluster>-nameserver-addresses by name (create on
// ConfigMaps in that namespace), and ClientOptions reads both uncached.
// +kubebuilder:rbac:groups=rocketmq.gitops.dev,resources=rocketmqclusters,verbs=get;list;watch
// +kubebuilder:rbac:groups=rocketmq.gitops.dev,resources=rocketmqclusters/status,verbs=patch
// +kubebuilder:rbac:groups=rocketmq.gitops.dev,resources=topictransfers,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=pods;services,verbs=get;list;watch
// +kubebuilder:rbac:groups=apps,resources=statefulsets,verbs=get;list;watch;delete
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile observes the cluster, runs the stateful operations and writes
// status once, from a defer, and only when it changed.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (res ctrl.Result, retErr error) {
	c := &v1alpha1.RocketMQCluster{}
	if err := r.client.Get(ctx, req.NamespacedName, c); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !c.DeletionTimestamp.IsZero() {
		// The owned ConfigMap goes with the cluster through its owner
		// reference; there is nothing else to clean up.
		return ctrl.Result{}, nil
	}
	orig := c.DeepCopy()
	defer func() {
		err := r.patchStatus(ctx, orig, c)
		switch {
		case apierrors.IsConflict(err):
			// The cluster changed since the cache served it; its newer
			// version is on its way and is reconciled from scratch.
			logf.FromContext(ctx).V(1).Info("status is stale, reconciling again", "error", err.Error())
			if res.RequeueAfter == 0 || res.RequeueAfter > conflictRequeue {
				res.RequeueAfter = conflictRequeue
			}
		case err != nil:
			retErr = errors.Join(retErr, err)
		}
	}()
	return r.reconcile(ctx, c)
}

func (r *Reconciler) reconcile(ctx context.Context, c *v1alpha1.RocketMQCluster) (ctrl.Result, error) {
	want := c.DeepCopy()
	want.Default()
	o, err := r.observe(ctx, c)
	if err != nil {
		return ctrl.Result{}, err
	}
	var h health
	creds, act, credErr := r.preflight(ctx, c, want, &h)
	cl := withCallTimeout(r.opts.Admin(creds), r.opts.AdminTimeout)
	defer r.closeAdmin(ctx, cl)

	st := c.Status.DeepCopy()
	masters, masterErr := r.masters(ctx, want, o, cl)
	components(want, o, st)
	st.BrokerGroups = brokerGroups(want, o, masters, c.Status.BrokerGroups)
	errs := []error{credErr, masterErr}
	if act {
		errs = append(errs, r.syncNameServers(ctx, c, want, o, cl, st, &h))
	}
	after := r.syncMetadata(ctx, c, want, cl, st, masters, act)
	retireAfter, retireErr := r.syncRetiring(ctx, c, want, o, cl, st, masters, act)
	errs = append(errs, retireErr)
	after = sooner(after, retireAfter)
	rotateAfter, rotateErr := r.syncNextAdmin(ctx, c, want, o, cl, creds, st, &h, act)
	errs = append(errs, rotateErr)
	after = sooner(after, rotateAfter)
	now := r.now()
	trackMasterLoss(st.BrokerGroups, now)
	wake := judge(st, &h, judgeInput{now: now, grace: r.opts.MasterLostGrace, rollout: rollout(o, now, r.opts.MasterLostGrace)})
	setConditions(st, c.Generation, h)
	setRenderStale(st, c)
	r.recordTransitions(c, &c.Status, st)
	c.Status = *st
	return ctrl.Result{RequeueAfter: r.nextLook(sooner(after, wake))}, errors.Join(errs...)
}

// preflight decides whether this reconcile may talk to brokers: not with
// a spec that fails Validate (the renderer refuses it too, so the running
// pods come from an older, valid spec), nor without the ACL credentials.
func (r *Reconciler) preflight(ctx context.Context, c, want *v1alpha1.RocketMQCluster, h *health) (*admin.Credentials, bool, error) {
	specErr := c.Validate().ToAggregate()
	if specErr != nil {
		h.degrade(ReasonInvalidSpec, specErr.Error())
	}
	creds, credErr := r.credentials(ctx, want)
	if credErr != nil {
		h.degrade(ReasonAdminUnavailable, credErr.Error())
	}
	return creds, specErr == nil && credErr == nil, credErr
}

func (r *Reconciler) closeAdmin(ctx context.Context, cl AdminClient) {
	if err := cl.Close(); err != nil {
		logf.FromContext(ctx).V(1).Info("closing the admin client", "error", err.Error())
	}
}

// nextLook is the sooner of the metadata copy's wish and the resync period.
func (r *Reconciler) nextLook(after time.Duration) time.Duration {
	if r.opts.Resync > 0 && (after == 0 || r.opts.Resync < after) {
		return r.opts.Resync
	}
	return after
}

// patchStatus writes the status subresource when it changed. The merge
// patch carries the read resourceVersion, so a status computed from a stale
// cache is refused (and the reconcile retried) instead of overwriting
// newer progress.
func (r *Reconciler) patchStatus(ctx context.Context, orig, c *v1alpha1.RocketMQCluster) error {
	if equality.Semantic.DeepEqual(orig.Status, c.Status) {
		return nil
	}
	patch := client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{})
	if err := r.client.Status().Patch(ctx, c, patch, client.FieldOwner(FieldOwner)); err != nil {
		return fmt.Errorf("while writing the status of %s: %w", c.Name, err)
	}
	return nil
}

// event records a decision on the cluster.
func (r *Reconciler) event(c *v1alpha1.RocketMQCluster, typ, reason, action, msg string) {
	r.events.Eventf(c, nil, typ, reason, action, "%s", msg)
}

// transitionReasons name the Event of a condition turning True or False.
var transitionReasons = map[string][2]string{
	v1alpha1.ConditionReady:    {"ClusterReady", "ClusterNotReady"},
	v1alpha1.ConditionDegraded: {"ClusterDegraded", "ClusterRecovered"},
}

// recordTransitions records an Event when the cluster becomes Ready or
// Degraded, or stops being either; steady states record nothing, and a
// first status that is not Ready/Degraded is not news. Ready turning False
// is a Warning only when the cluster is Degraded: a rollout makes it False
// as a matter of course.
func (r *Reconciler) recordTransitions(c *v1alpha1.RocketMQCluster, before, after *v1alpha1.RocketMQClusterStatus) {
	degradedNow := meta.IsStatusConditionTrue(after.Conditions, v1alpha1.ConditionDegraded)
	for _, typ := range []string{v1alpha1.ConditionReady, v1alpha1.ConditionDegraded} {
		now := meta.FindStatusCondition(after.Conditions, typ)
		was := meta.FindStatusCondition(before.Conditions, typ)
		if now == nil || (was != nil && was.Status == now.Status) || (was == nil && now.Status != metav1.ConditionTrue) {
			continue
		}
		isTrue := now.Status == metav1.ConditionTrue
		reason := transitionReasons[typ][1]
		if isTrue {
			reason = transitionReasons[typ][0]
		}
		eventType := corev1.EventTypeNormal
		if degradedNow && (typ == v1alpha1.ConditionDegraded || !isTrue) {
			eventType = corev1.EventTypeWarning // Degraded turned True, or Ready turned False with it
		}
		r.event(c, eventType, reason, "Status", fmt.Sprintf("%s: %s", now.Reason, now.Message))
	}
}
