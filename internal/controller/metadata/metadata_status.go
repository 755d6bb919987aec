package metadata

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
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
		m.ownCopy()
		if want {
			controllerutil.AddFinalizer(m.obj, v1alpha1.FinalizerMetadata)
		} else {
			controllerutil.RemoveFinalizer(m.obj, v1alpha1.FinalizerMetadata)
		}
		errs[i] = r.patchMeta(ctx, m)
	})
	return errors.Join(errs...)
}

// patchMeta writes the object's finalizers, failing if the object changed
// since it was read (another finalizer may have come or gone).
func (r *Reconciler) patchMeta(ctx context.Context, m *member) error {
	body, err := json.Marshal(map[string]any{"metadata": map[string]any{
		"finalizers": m.obj.GetFinalizers(), "resourceVersion": m.obj.GetResourceVersion(),
	}})
	if err != nil {
		return fmt.Errorf("while encoding the finalizers of %s %s: %w", m.kind, client.ObjectKeyFromObject(m.obj), err)
	}
	// The response is decoded into a throwaway object: m.obj keeps the
	// status this reconcile computes on.
	scratch := m.statusOnly()
	if err := r.client.Patch(ctx, scratch, client.RawPatch(types.MergePatchType, body), client.FieldOwner(FieldOwner)); err != nil {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("while updating the finalizers of %s %s: %w", m.kind, client.ObjectKeyFromObject(m.obj), err)
	}
	m.obj.SetResourceVersion(scratch.GetResourceVersion())
	return nil
}

// writeStatus writes, side by side with a bounded number of requests in
// flight, the status of every member whose status changed, releases the
// finalizers of the members that are gone or need none, and sends the
// members' Events.
// It returns how many statuses it wrote.
func (r *Reconciler) writeStatus(ctx context.Context, cluster string, members []*member) (int, error) {
	errs := make([]error, len(members))
	var written atomic.Int32
	fanout.Each(len(members), r.opts.StatusWorkers, func(i int) {
		m := members[i]
		if m.deleting() && (m.out.state == stateGone || !controllerutil.ContainsFinalizer(m.obj, v1alpha1.FinalizerMetadata) || m.releasable()) {
			errs[i] = r.release(ctx, m)
		} else {
			var wrote bool
			wrote, errs[i] = r.patchStatus(ctx, cluster, m)
			if wrote {
				written.Add(1)
			}
		}
		r.sendEvents(m)
	})
	return int(written.Load()), errors.Join(errs...)
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
	m.ownCopy()
	controllerutil.RemoveFinalizer(m.obj, v1alpha1.FinalizerMetadata)
	return r.patchMeta(ctx, m)
}

func (r *Reconciler) patchStatus(ctx context.Context, cluster string, m *member) (bool, error) {
	m.conditions(cluster)
	after := m.statusOnly()
	if equality.Semantic.DeepEqual(m.origin, after) {
		return false, nil
	}
	if err := r.client.Status().Patch(ctx, after, client.MergeFrom(m.origin), client.FieldOwner(FieldOwner)); err != nil {
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return false, fmt.Errorf("while writing the status of %s %s: %w", m.kind, client.ObjectKeyFromObject(m.obj), err)
	}
	return true, nil
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
