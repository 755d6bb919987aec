package transfer

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/topictransfer"
)

// maxTransitionsPerReconcile bounds one reconcile, so that a transfer with
// many groups shares the workers with others; the rest follows at once.
const maxTransitionsPerReconcile = 50

// Reconciler reconciles one TopicTransfer.
type Reconciler struct {
	client    client.Client
	apiReader client.Reader
	events    recorder.EventRecorder
	machine   *topictransfer.Machine
	opts      Options
}

func newReconciler(mgr ctrl.Manager, opts Options) *Reconciler {
	return &Reconciler{
		client:    mgr.GetClient(),
		apiReader: mgr.GetAPIReader(),
		events:    mgr.GetEventRecorder(FieldOwner),
		opts:      opts,
		machine: &topictransfer.Machine{
			Now: opts.Now, PollInterval: opts.PollInterval,
			RetryInterval: opts.RetryInterval, MaxAttempts: opts.MaxAttempts,
		},
	}
}

// +kubebuilder:rbac:groups=rocketmq.gitops.dev,resources=topictransfers,verbs=get;list;watch;patch
// +kubebuilder:rbac:groups=rocketmq.gitops.dev,resources=topictransfers/status,verbs=patch
// +kubebuilder:rbac:groups=rocketmq.gitops.dev,resources=rocketmqclusters,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=pods,verbs=list
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile advances one transfer as far as it can go now, persisting the
// status after every transition so that a restart resumes exactly there.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	// The status is the transfer's only memory. Read it from the API server,
	// not the cache: the cache may still lag behind this controller's last
	// write, and acting on an older status would run a step again.
	var tt v1alpha1.TopicTransfer
	if err := r.apiReader.Get(ctx, req.NamespacedName, &tt); err != nil {
		if apierrors.IsNotFound(err) {
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, fmt.Errorf("while reading TopicTransfer %s: %w", req.NamespacedName, err)
	}
	if tt.Status.Phase.Final() {
		if err := r.releaseFinalizer(ctx, &tt); err != nil || !tt.DeletionTimestamp.IsZero() {
			return ctrl.Result{}, err
		}
		return ctrl.Result{}, r.checkFinished(ctx, &tt)
	}
	if !tt.DeletionTimestamp.IsZero() && !controllerutil.ContainsFinalizer(&tt, Finalizer) {
		return ctrl.Result{}, nil
	}
	if reason, why, err := r.abandonReason(ctx, &tt); err != nil || reason != "" {
		if err != nil {
			return ctrl.Result{}, err
		}
		return ctrl.Result{}, r.abandon(ctx, &tt, reason, why)
	}
	if notStarted(&tt) {
		if errs := tt.Validate(); len(errs) > 0 {
			return ctrl.Result{}, r.refuseInvalid(ctx, &tt, errs.ToAggregate().Error())
		}
	}
	if err := r.holdFinalizer(ctx, &tt); err != nil {
		return ctrl.Result{}, err
	}
	if rest := r.notYet(&tt); rest > 0 {
		return ctrl.Result{RequeueAfter: rest}, nil
	}
	res, err := r.advance(ctx, &tt)
	if err == nil && tt.Status.Phase.Final() {
		err = r.releaseFinalizer(ctx, &tt)
	}
	return res, err
}

// advance runs transitions until the machine waits or the transfer ends.
func (r *Reconciler) advance(ctx context.Context, tt *v1alpha1.TopicTransfer) (ctrl.Result, error) {
	log := ctrl.LoggerFrom(ctx)
	sess := &session{r: r}
	defer sess.close()
	for range maxTransitionsPerReconcile {
		in, err := r.input(ctx, tt, sess)
		if err != nil {
			return ctrl.Result{}, err
		}
		before := tt.DeepCopy()
		stepCtx, cancel := context.WithTimeout(ctx, r.opts.AdminTimeout)
		out := r.machine.Advance(stepCtx, in, &tt.Status)
		cancel()
		r.schedule(tt, out.Wait)
		if err := r.persist(ctx, before, tt); err != nil {
			return ctrl.Result{}, err
		}
		r.record(tt, out.Events)
		log.V(1).Info("transition", "phase", tt.Status.Phase, "step", tt.Status.StepName, "wait", out.Wait)
		if tt.Status.Phase.Final() {
			return ctrl.Result{}, nil
		}
		if out.Wait > 0 {
			return ctrl.Result{RequeueAfter: out.Wait}, nil
		}
	}
	return ctrl.Result{RequeueAfter: time.Millisecond}, nil
}

// input builds the machine's input; the conflict lookup only matters
// before the transfer passed step 1.
func (r *Reconciler) input(ctx context.Context, tt *v1alpha1.TopicTransfer, sess *session) (topictransfer.Input, error) {
	in := topictransfer.Input{
		Spec:       *tt.Spec.DeepCopy(),
		Generation: tt.Generation,
		Resolve: func(ctx context.Context) (topictransfer.Endpoint, topictransfer.Endpoint, error) {
			return sess.resolveBoth(ctx, tt)
		},
	}
	if !tt.DeletionTimestamp.IsZero() {
		// Deleting an unfinished transfer aborts it: rolled back when it
		// still can be, else finished; the finalizer holds the object until then.
		in.Spec.Abort = true
	}
	if notStarted(tt) || tt.Status.Step == v1alpha1.StepNumberCheck {
		conflict, err := r.conflict(ctx, tt)
		if err != nil {
			return in, err
		}
		in.Conflict = conflict
	}
	return in, nil
}

// notYet is how long a reconcile that came before status.nextAttemptAt
// must still wait; 0 when it may act now. A spec change (abort) or a
// deletion is acted on at once.
func (r *Reconciler) notYet(tt *v1alpha1.TopicTransfer) time.Duration {
	next := tt.Status.NextAttemptAt
	if next == nil || !tt.DeletionTimestamp.IsZero() || tt.Generation != tt.Status.ObservedGeneration {
		return 0
	}
	return next.Sub(r.opts.Now())
}

// schedule records when the transfer acts next, so that reconciles in
// between (a RocketMQCluster's status change, a resync, a restart) wait
// for it instead of polling or retrying early.
func (r *Reconciler) schedule(tt *v1alpha1.TopicTransfer, wait time.Duration) {
	if wait <= 0 || tt.Status.Phase.Final() {
		tt.Status.NextAttemptAt = nil
		return
	}
	tt.Status.NextAttemptAt = &metav1.MicroTime{Time: r.opts.Now().Add(wait)}
}

func notStarted(tt *v1alpha1.TopicTransfer) bool {
	return tt.Status.Phase == "" || (tt.Status.Phase == v1alpha1.TransferPending && tt.Status.Step <= v1alpha1.StepNumberCheck)
}

// record turns the machine's events into Kubernetes Events.
func (r *Reconciler) record(tt *v1alpha1.TopicTransfer, events []topictransfer.Event) {
	for _, e := range events {
		typ := corev1.EventTypeNormal
		if e.Warning {
			typ = corev1.EventTypeWarning
		}
		r.events.Eventf(tt, nil, typ, e.Reason, string(tt.Status.StepName), "%s", e.Message)
	}
}
