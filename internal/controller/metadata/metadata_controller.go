package metadata

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/recorder"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/clustercreds"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/fanout"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// Reconciler reconciles every RocketMQTopic and RocketMQConsumerGroup of
// one RocketMQCluster at a time: the request key is the cluster's.
type Reconciler struct {
	client    client.Client
	apiReader client.Reader
	events    recorder.EventRecorder
	opts      Options
}

// +kubebuilder:rbac:groups=rocketmq.gitops.dev,resources=rocketmqtopics;rocketmqconsumergroups,verbs=get;list;watch;update;patch
// +kubebuilder:rbac:groups=rocketmq.gitops.dev,resources=rocketmqtopics/status;rocketmqconsumergroups/status,verbs=patch
// +kubebuilder:rbac:groups=rocketmq.gitops.dev,resources=rocketmqtopics/finalizers;rocketmqconsumergroups/finalizers,verbs=update
// +kubebuilder:rbac:groups=rocketmq.gitops.dev,resources=rocketmqclusters,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=namespaces,verbs=get;list;watch
// +kubebuilder:rbac:groups="",resources=pods,verbs=get;list;watch
// The cluster's ACL admin Secret is read with the Role each cluster's
// render grants by name (pkg/render/rbac.go), not through the ClusterRole.
// +kubebuilder:rbac:groups="",resources=events,verbs=create;patch
// +kubebuilder:rbac:groups=events.k8s.io,resources=events,verbs=create;patch

// Reconcile brings the topics and groups declared for one cluster onto its
// brokers: it reads each master's tables once, sends only what differs in
// batches, deletes what deletionPolicy Delete lets go, and writes the
// status of the objects whose status changed.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	members, err := r.members(ctx, req.String())
	if err != nil {
		return ctrl.Result{}, err
	}
	var c v1alpha1.RocketMQCluster
	if err := r.client.Get(ctx, req.NamespacedName, &c); err != nil {
		if !apierrors.IsNotFound(err) {
			return ctrl.Result{}, fmt.Errorf("while reading RocketMQCluster %s: %w", req, err)
		}
		return ctrl.Result{}, r.clusterMissing(ctx, req.String(), members)
	}
	allowed, err := r.namespaceFilter(ctx, &c)
	if err != nil {
		return ctrl.Result{}, err
	}
	live, leaving := r.gate(members, allowed)
	if err := r.holdFinalizers(ctx, live); err != nil {
		return ctrl.Result{}, err
	}
	creds, err := clustercreds.Read(ctx, r.apiReader, &c)
	if err != nil {
		return ctrl.Result{}, err
	}
	cl, done := r.opts.NewAdmin(creds)
	defer done()
	actx, cancel := context.WithTimeout(ctx, r.opts.AdminTimeout)
	defer cancel()
	start := time.Now()
	groups := r.brokerGroups(ctx, &c)
	readTables(actx, cl, groups)
	read := time.Now()
	brokerErr := apply(actx, cl, live, groups)
	if topics, groupCount := creations(live); topics+groupCount > 0 {
		r.events.Eventf(&c, nil, corev1.EventTypeNormal, EventCreated, "Reconcile",
			"created %d declared topics and %d consumer groups on broker groups that lacked them", topics, groupCount)
	}
	waiting := r.removeAll(actx, cl, &c, leaving, groups)
	applied := time.Now()
	written, err := r.writeStatus(ctx, req.String(), members)
	ctrl.LoggerFrom(ctx).V(1).Info("reconciled topics and groups", "objects", len(members), "statusWrites", written,
		"read", read.Sub(start), "apply", applied.Sub(read), "status", time.Since(applied))
	if err != nil {
		return ctrl.Result{}, err
	}
	return r.result(brokerErr, waiting, groups)
}

func (r *Reconciler) result(brokerErr error, waiting bool, groups []*brokerGroup) (ctrl.Result, error) {
	for _, b := range groups {
		brokerErr = errors.Join(brokerErr, b.err)
	}
	if brokerErr != nil {
		// Retried with the controller's backoff.
		return ctrl.Result{}, fmt.Errorf("while reconciling topics and groups: %w", brokerErr)
	}
	if waiting {
		return ctrl.Result{RequeueAfter: r.opts.DeleteRecheck}, nil
	}
	return ctrl.Result{RequeueAfter: r.opts.Resync}, nil
}

// gate sorts out the members the brokers must not see: invalid specs,
// namespaces the cluster does not allow, the younger claimants of a name.
// It returns the members to apply and the members being deleted whose
// deletion touches the brokers; the others are settled here.
func (r *Reconciler) gate(members []*member, allowed func(string) bool) (live, leaving []*member) {
	var candidates []*member
	for _, m := range members {
		switch {
		case m.spec.invalid != "":
			m.set(stateStalled, v1alpha1.ReasonInvalidSpec, m.spec.invalid)
		case !allowed(m.obj.GetNamespace()):
			m.set(stateStalled, v1alpha1.ReasonNamespaceNotAllowed, fmt.Sprintf(
				"namespace %s is not allowed by the cluster's spec.topicNamespaceSelector", m.obj.GetNamespace()))
		default:
			candidates = append(candidates, m)
		}
	}
	for _, m := range markDuplicates(candidates) {
		switch {
		case !m.deleting():
			live = append(live, m)
		case m.spec.policy == v1alpha1.DeletionDelete && m.managed():
			leaving = append(leaving, m)
		}
	}
	return live, leaving
}

// apply plans every live member, sends the writes per broker group and
// settles each member's outcome.
func apply(ctx context.Context, cl Admin, live []*member, groups []*brokerGroup) error {
	p := &plan{topics: map[string][]admin.TopicConfig{}, groups: map[string][]admin.SubscriptionGroupConfig{}}
	for _, m := range live {
		planMember(m, groups, p)
	}
	failed := make([]error, len(groups))
	fanout.Each(len(groups), 0, func(i int) {
		b := groups[i]
		if tcs := p.topics[b.name]; len(tcs) > 0 {
			failed[i] = cl.CreateTopics(ctx, b.addr, tcs)
		}
		if gs := p.groups[b.name]; len(gs) > 0 && failed[i] == nil {
			failed[i] = cl.CreateGroups(ctx, b.addr, gs)
		}
	})
	byGroup := map[string]error{}
	for i, err := range failed {
		if err != nil {
			byGroup[groups[i].name] = err
		}
	}
	for _, m := range live {
		settle(m, byGroup)
	}
	return errors.Join(failed...)
}

// removeAll deletes the leaving members that may go and releases their
// finalizers; it reports whether some wait. Topics go first; a group with
// offsets on a leaving topic that still waits waits too, since deleting
// its offsets would make the topic's messages look never consumed.
func (r *Reconciler) removeAll(ctx context.Context, cl Admin, c *v1alpha1.RocketMQCluster, leaving []*member, groups []*brokerGroup) bool {
	if len(leaving) == 0 {
		return false
	}
	ns := r.nameServers(ctx, c)
	waiting := false
	held := map[string]bool{}
	for _, m := range leaving {
		if m.topic == nil {
			continue
		}
		if remove(ctx, cl, ns, m, groups, nil, r.opts.DeleteSettle) {
			m.out.state = stateGone
			continue
		}
		held[m.name] = true
		waiting = true
	}
	for _, m := range leaving {
		if m.group == nil {
			continue
		}
		if remove(ctx, cl, ns, m, groups, held, r.opts.DeleteSettle) {
			m.out.state = stateGone
			continue
		}
		waiting = true
	}
	return waiting
}
