package transfer

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

func (f *fixture) deleteCluster(name string) {
	f.t.Helper()
	c := &v1alpha1.RocketMQCluster{}
	c.Namespace, c.Name = f.ns, name
	require.NoError(f.t, env.Client.Delete(context.Background(), c))
}

func (f *fixture) waitGone(name string) {
	f.t.Helper()
	require.Eventually(f.t, func() bool {
		err := env.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: name}, &v1alpha1.TopicTransfer{})
		return apierrors.IsNotFound(err)
	}, waitFor, 20*time.Millisecond, "transfer %s was never released", name)
}

// The source RocketMQCluster deleted while the transfer drains: the
// transfer ends Abandoned with a Warning Event and holds no finalizer, so
// deleting it (or its namespace) completes.
func TestDeletedClusterAbandonsTheTransfer(t *testing.T) {
	f := newFixture(t)
	f.lag("billing", 5)
	f.startManager(f.testOptions(nil))
	f.create("move", f.spec())
	f.wait("move", "draining", func(tt *v1alpha1.TopicTransfer) bool {
		return tt.Status.Drain != nil && tt.Status.Drain.Polls > 0
	})
	f.deleteCluster("src")

	tt := f.wait("move", "final and released", func(tt *v1alpha1.TopicTransfer) bool {
		return tt.Status.Phase.Final() && len(tt.Finalizers) == 0
	})
	require.Equal(t, v1alpha1.TransferAbandoned, tt.Status.Phase, statusString(tt))
	assert.Empty(t, tt.Finalizers)
	assert.Contains(t, tt.Status.Message, `the source RocketMQCluster "src" was deleted`)
	assert.Contains(t, tt.Status.Message, "read-only")
	_, reason, _ := conditionOf(tt, v1alpha1.ConditionStalled)
	assert.Equal(t, v1alpha1.ReasonClusterDeleted, reason)
	f.assertEvents(t, "move", "StepDrain", v1alpha1.ReasonAbandoned)
	assert.Empty(t, f.dataLoss())

	require.NoError(t, env.Client.Delete(context.Background(), tt))
	f.waitGone("move")
}

// Namespace deletion: the transfer and its cluster are deleted together
// (envtest has no namespace controller, so the test deletes both). The
// rollback cannot reach the source any more; the transfer is released.
func TestTransferAndClusterDeletedTogetherIsReleased(t *testing.T) {
	f := newFixture(t)
	f.lag("billing", 5)
	f.startManager(f.testOptions(nil))
	f.create("move", f.spec())
	tt := f.wait("move", "draining", func(tt *v1alpha1.TopicTransfer) bool {
		return tt.Status.Drain != nil && tt.Status.Drain.Polls > 0
	})
	// The snapshot is taken: from now on the source refuses the reads
	// the restore needs.
	f.src.brokers[0].FailAlways(admin.CodeGetTopicConfig, admin.CodeSystemError, "injected: broker going away")
	require.NoError(t, env.Client.Delete(context.Background(), tt))
	f.wait("move", "rolling back", func(tt *v1alpha1.TopicTransfer) bool {
		return tt.Status.Phase == v1alpha1.TransferRollingBack && tt.Status.Attempts > 0
	})
	f.deleteCluster("src")
	f.waitGone("move")
	f.assertEvents(t, "move", "RollingBack", v1alpha1.ReasonAbandoned)
}

// A rollback that can never finish (the source refuses the restore) holds
// the finalizer until the force-release annotation lets it go.
func TestForceReleaseAnnotationReleasesTheFinalizer(t *testing.T) {
	f := newFixture(t)
	f.lag("billing", 5)
	f.startManager(f.testOptions(nil))
	f.create("move", f.spec())
	tt := f.wait("move", "draining", func(tt *v1alpha1.TopicTransfer) bool {
		return tt.Status.Drain != nil && tt.Status.Drain.Polls > 0
	})
	// The snapshot is taken: from now on the source refuses the reads
	// the restore needs.
	f.src.brokers[0].FailAlways(admin.CodeGetTopicConfig, admin.CodeSystemError, "injected: restore refused")
	require.NoError(t, env.Client.Delete(context.Background(), tt))
	tt = f.wait("move", "a failing rollback", func(tt *v1alpha1.TopicTransfer) bool {
		return tt.Status.Phase == v1alpha1.TransferRollingBack && tt.Status.Attempts >= 3
	})
	assert.Contains(t, tt.Finalizers, Finalizer, "the rollback retries forever")

	patch := client.MergeFrom(tt.DeepCopy())
	tt.Annotations = map[string]string{v1alpha1.AnnotationForceRelease: "true"}
	require.NoError(t, env.Client.Patch(context.Background(), tt, patch))
	f.waitGone("move")
	f.assertEvents(t, "move", "RollingBack", v1alpha1.ReasonAbandoned)
}
