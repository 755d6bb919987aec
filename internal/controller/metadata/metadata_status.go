package metadata

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/fanout"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// holdFinalizers keeps the finalizer on exactly the live members whose
// deletion must touch the brokers: managed, with deletionPolicy Delete.
func (r *Reconciler) holdFinalizers(ctx context.Context, live []*member) error {
	errs := make([]error, len(live))
	fanout.Each(len(live), r.opts.StatusWorkers, func(i int) {
		m := live[i]
		want := m.spec.policy == v1alpha1.DeletionDelete && m.managed()
		if want == controllerutil.ContainsFinalizer(m.obj, v1alpha1.FinalizerMetadata) {
			return
		}
		if want {
			controllerutil.AddFinalizer(m.obj, v1alpha1.FinalizerMetadata)
		} else {
			controllerutil.RemoveFinalizer(m.obj, v1alpha1.FinalizerMetadata)
		}
		errs[i] = r.patchMeta(ctx, m)
	})
	return errors.Join(errs...)
}

func (r *Reconciler) patchMeta(ctx context.Context, m *member) error {
	if err := r.client.Patch(ctx, m.obj, client.MergeFrom(m.before), client.FieldOwner(FieldOwner)); err != nil {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("while updating the finalizers of %s %s: %w", m.kind, client.ObjectKeyFromObject(m.obj), err)
	}
	m.before = m.obj.DeepCopyObject().(client.Object)
	return nil
}

// writeStatus writes, side by side with a bounded number of requests in
// flight, the status of every member whose status changed, releases the
// finalizers of the members that are gone or need none, and sends the
// members' Events.
func (r *Reconciler) writeStatus(ctx context.Context, cluster string, members []*member) error {
	errs := make([]error, len(members))
	fanout.Each(len(members), r.opts.StatusWorkers, func(i int) {
		m := members[i]
		if m.deleting() && (m.out.state == stateGone || !controllerutil.ContainsFinalizer(m.obj, v1alpha1.FinalizerMetadata) || m.releasable()) {
			errs[i] = r.release(ctx, m)
		} else {
			errs[i] = r.patchStatus(ctx, cluster, m)
		}
		r.sendEvents(m)
	})
	return errors.Join(errs...)
}

// releasable: a member being deleted whose deletion leaves the brokers
// alone (Retain, unmanaged, refused or the younger of two claimants).
func (m *member) releasable() bool {
	return m.spec.policy != v1alpha1.DeletionDelete || !m.managed() || m.out.state == stateStalled
}

func (r *Reconciler) release(ctx context.Context, m *member) error {
	if !controllerutil.ContainsFinalizer(m.obj, v1alpha1.FinalizerMetadata) {
		return nil
	}
	controllerutil.RemoveFinalizer(m.obj, v1alpha1.FinalizerMetadata)
	return r.patchMeta(ctx, m)
}

func (r *Reconciler) patchStatus(ctx context.Context, cluster string, m *member) error {
	m.conditions(cluster)
	if equality.Semantic.DeepEqual(m.prev, *m.status) && !nameChanged(m) {
		return nil
	}
	if err := r.client.Status().Patch(ctx, m.obj, client.MergeFrom(m.before), client.FieldOwner(FieldOwner)); err != nil {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("while writing the status of %s %s: %w", m.kind, client.ObjectKeyFromObject(m.obj), err)
	}
	return nil
}

// nameChanged covers the status fields outside MetadataObjectStatus.
func nameChanged(m *member) bool {
	switch {
	case m.topic != nil:
		b := m.before.(*v1alpha1.RocketMQTopic)
		return b.Status.TopicName != m.topic.Status.TopicName || !equality.Semantic.DeepEqual(b.Status.Current, m.topic.Status.Current)
	case m.group != nil:
		return m.before.(*v1alpha1.RocketMQConsumerGroup).Status.GroupName != m.group.Status.GroupName
	}
	return false
}

func (r *Reconciler) sendEvents(m *member) {
	for _, e := range m.events {
		typ := corev1.EventTypeNormal
		if e.warning {
			typ = corev1.EventTypeWarning
		}
		r.events.Eventf(m.obj, nil, typ, e.reason, "Reconcile", "%s", e.note)
	}
}
