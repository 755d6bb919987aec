package transfer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/topictransfer"
)

// stopAfter wraps the admin client: before any call it reads the transfer
// from the API server, and once the status shows step `after` completed
// (step after+1 entered) it stops the manager and fails the call, so that
// nothing of step after+1 happens in this run.
type stopAfter struct {
	topictransfer.Admin
	f     *fixture
	name  string
	after int32

	mu      sync.Mutex
	stop    func()
	stopped bool
}

var errStopped = errors.New("manager stopped by the test")

func (s *stopAfter) gate(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return errStopped
	}
	var tt v1alpha1.TopicTransfer
	if err := env.Client.Get(ctx, client.ObjectKey{Namespace: s.f.ns, Name: s.name}, &tt); err != nil {
		return fmt.Errorf("test gate: %w", err)
	}
	if tt.Status.Step > s.after || tt.Status.Phase.Final() {
		s.stopped = true
		go s.stop()
		return errStopped
	}
	return nil
}

func (s *stopAfter) ClusterInfo(ctx context.Context, ns string) (*admin.ClusterInfo, error) {
	if err := s.gate(ctx); err != nil {
		return nil, err
	}
	return s.Admin.ClusterInfo(ctx, ns)
}

// mutations counts the mutating requests each emulator received.
func (f *fixture) mutations() map[string]int {
	out := map[string]int{}
	add := func(who string, e interface{ CallCount(int) int }, codes ...int) {
		for _, c := range codes {
			if n := e.CallCount(c); n > 0 {
				out[fmt.Sprintf("%s/%d", who, c)] = n
			}
		}
	}
	muts := []int{admin.CodeUpdateAndCreateTopic, admin.CodeUpdateAndCreateSubscriptionGroup,
		admin.CodeDeleteTopicInBroker, admin.CodeDeleteSubscriptionGroup}
	for i, b := range f.src.brokers {
		add(fmt.Sprintf("src%d", i), b, muts...)
	}
	for i, b := range f.tgt.brokers {
		add(fmt.Sprintf("tgt%d", i), b, muts...)
	}
	add("srcNS", f.src.ns, admin.CodeDeleteTopicInNamesrv)
	add("tgtNS", f.tgt.ns, admin.CodeDeleteTopicInNamesrv)
	return out
}

// expectedMutations of one clean transfer of the fixture: per target
// broker two groups, two retry topics and the topic; per source broker one
// perm change, one topic delete, two group deletes; one route delete.
func expectedMutations() map[string]int {
	return map[string]int{
		"tgt0/200": 2, "tgt1/200": 2, "tgt0/17": 3, "tgt1/17": 3,
		"src0/17": 1, "src1/17": 1, "src0/215": 1, "src1/215": 1,
		"src0/207": 2, "src1/207": 2, "srcNS/216": 1,
	}
}

// The manager is stopped right after each step and a new one started: the
// transfer resumes at the next step and ends Succeeded, with every
// mutating admin call made exactly once over both runs.
func TestRestartAfterEveryStepResumesAndDoesEachStepOnce(t *testing.T) {
	for after := v1alpha1.StepNumberCheck; after < v1alpha1.StepNumberDone; after++ {
		t.Run(fmt.Sprintf("stopped after step %d %s", after, v1alpha1.StepName(after)), func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.lag("shipping", 3)
			gate := &stopAfter{Admin: f.admin, f: f, name: "move", after: after}
			gate.stop = f.startManager(f.testOptions(gate))
			f.create("move", f.spec())
			if after >= v1alpha1.StepNumberDrain {
				f.drainAfterAPoll()
			}
			f.wait("move", "the first manager to stop", func(tt *v1alpha1.TopicTransfer) bool {
				gate.mu.Lock()
				defer gate.mu.Unlock()
				// Step 6 ends the transfer in the same transition: it is
				// Succeeded before any further admin call.
				return gate.stopped || (after == v1alpha1.StepNumberDeleteFromSource && tt.Status.Phase.Final())
			})
			gate.stop()
			mid := f.get("move")
			require.Equal(t, after+1, mid.Status.Step, statusString(mid))

			f.startManager(f.testOptions(nil))
			if after < v1alpha1.StepNumberDrain {
				f.drainAfterAPoll()
			}
			tt := f.waitFinal("move")
			require.Equal(t, v1alpha1.TransferSucceeded, tt.Status.Phase, statusString(tt))
			f.assertTransferred(t)
			assert.Equal(t, expectedMutations(), f.mutations())
		})
	}
}

// drainAfterAPoll lets the lagging group catch up once the transfer has
// polled consume stats at least once.
func (f *fixture) drainAfterAPoll() {
	f.t.Helper()
	f.wait("move", "a drain poll", func(tt *v1alpha1.TopicTransfer) bool {
		return tt.Status.Drain != nil && tt.Status.Drain.Polls > 0
	})
	f.lag("shipping", 0)
}

func TestDrainTimeoutRollsBack(t *testing.T) {
	f := newFixture(t)
	f.lag("billing", 5)
	f.startManager(f.testOptions(nil))
	spec := f.spec()
	spec.DrainTimeout = &metav1.Duration{Duration: 300 * time.Millisecond}
	f.create("move", spec)
	tt := f.waitFinal("move")
	require.Equal(t, v1alpha1.TransferRolledBack, tt.Status.Phase, statusString(tt))
	require.NotNil(t, tt.Status.Rollback)
	assert.Equal(t, v1alpha1.RollbackDrainTimeout, tt.Status.Rollback.Reason)
	assert.Equal(t, v1alpha1.StepNumberDrain, tt.Status.Rollback.FromStep)
	assert.True(t, tt.Status.Rollback.SourceRestored)
	assert.Contains(t, tt.Status.Rollback.Message, "billing")
	_, reason, _ := conditionOf(tt, v1alpha1.ConditionStalled)
	assert.Equal(t, string(v1alpha1.RollbackDrainTimeout), reason)
	f.assertRolledBack(t, v1alpha1.StepNumberDrain)
	f.assertEvents(t, "move", "StepDrain", "RollingBack", "SourceRestored", v1alpha1.ConditionTargetRetained, v1alpha1.ReasonRolledBack)
	retained, reason, _ := conditionOf(tt, v1alpha1.ConditionTargetRetained)
	assert.Equal(t, "True", retained)
	assert.Equal(t, v1alpha1.ReasonTargetRetained, reason)
}

func TestUserAbortRollsBack(t *testing.T) {
	f := newFixture(t)
	f.lag("billing", 5)
	f.startManager(f.testOptions(nil))
	f.create("move", f.spec())
	f.wait("move", "draining", func(tt *v1alpha1.TopicTransfer) bool {
		return tt.Status.Drain != nil && tt.Status.Drain.Polls > 1
	})
	require.NoError(t, f.update("move", func(s *v1alpha1.TopicTransferSpec) { s.Abort = true }))
	tt := f.waitFinal("move")
	require.Equal(t, v1alpha1.TransferRolledBack, tt.Status.Phase, statusString(tt))
	assert.Equal(t, v1alpha1.RollbackAborted, tt.Status.Rollback.Reason)
	f.assertRolledBack(t, v1alpha1.StepNumberDrain)
}

// Past the point of no return spec.abort is refused with a condition and
// the transfer rolls forward.
func TestAbortAfterDeletionBeganIsRefused(t *testing.T) {
	f := newFixture(t)
	failFirst(f.src.brokers[1].Endpoint, admin.CodeDeleteTopicInBroker, 1000)
	opts := f.testOptions(nil)
	opts.RetryInterval = 20 * time.Millisecond
	f.startManager(opts)
	f.create("move", f.spec())
	f.wait("move", "deleting from the source", func(tt *v1alpha1.TopicTransfer) bool {
		return tt.Status.Step == v1alpha1.StepNumberDeleteFromSource && tt.Status.Attempts > 0
	})
	require.NoError(t, f.update("move", func(s *v1alpha1.TopicTransferSpec) { s.Abort = true }))
	f.wait("move", "abort refused", func(tt *v1alpha1.TopicTransfer) bool {
		st, reason, _ := conditionOf(tt, v1alpha1.ConditionSpecChangeRefused)
		return st == "True" && reason == v1alpha1.ReasonAbortTooLate
	})
	f.src.brokers[1].ClearFaults()
	tt := f.waitFinal("move")
	require.Equal(t, v1alpha1.TransferSucceeded, tt.Status.Phase, statusString(tt))
	f.assertTransferred(t)
}

// TestConflictingSecondTransferWaits: a second transfer of the same topic
// from the same source waits in step 1 (Pending, Reconciling/Conflict,
// nothing written) while the first drains, and checks again once the
// first has finished; it then ends on its own merits (here its target
// cluster name matches no broker), never on the conflict.
func TestConflictingSecondTransferWaits(t *testing.T) {
	f := newFixture(t)
	f.lag("billing", 5)
	f.startManager(f.testOptions(nil))
	f.create("first", f.spec())
	f.wait("first", "draining", func(tt *v1alpha1.TopicTransfer) bool { return tt.Status.Step >= v1alpha1.StepNumberDrain })
	f.src.resetCounts()
	f.tgt.resetCounts()

	second := f.spec()
	second.Target = v1alpha1.TransferEndpoint{NameServers: []string{f.tgt.ns.Addr()}, ClusterName: "elsewhere"}
	f.create("second", second)
	tt := f.wait("second", "waiting for the first", func(tt *v1alpha1.TopicTransfer) bool {
		_, reason, _ := conditionOf(tt, v1alpha1.ConditionReconciling)
		return reason == v1alpha1.ReasonConflict
	})
	assert.Equal(t, v1alpha1.TransferPending, tt.Status.Phase, statusString(tt))
	assert.Contains(t, tt.Status.Message, f.ns+"/first")
	assert.Empty(t, f.mutations(), "the waiting transfer changed something")

	f.lag("billing", 0)
	first := f.waitFinal("first")
	require.Equal(t, v1alpha1.TransferSucceeded, first.Status.Phase, statusString(first))
	tt = f.waitFinal("second")
	_, reason, _ := conditionOf(tt, v1alpha1.ConditionReady)
	assert.NotEqual(t, v1alpha1.ReasonConflict, reason, statusString(tt))
	assert.NotContains(t, tt.Status.Message, "first", "it checked again after the first finished")
}

func TestKeepingTheSourceTopicLeavesItReadOnly(t *testing.T) {
	f := newFixture(t)
	f.startManager(f.testOptions(nil))
	spec := f.spec()
	spec.DeleteSourceTopic = ptr.To(false)
	f.create("copy", spec)
	tt := f.waitFinal("copy")
	require.Equal(t, v1alpha1.TransferSucceeded, tt.Status.Phase, statusString(tt))
	for i, b := range f.src.brokers {
		got := b.Topics()[topicName]
		want := f.origTopic[i]
		want.Perm = admin.PermRead
		assert.True(t, got.Equal(want), "source topic %+v", got)
		assert.Contains(t, b.Groups(), "billing")
	}
	for _, b := range f.tgt.brokers {
		assert.Contains(t, b.Topics(), topicName)
	}
}

// A transfer whose cluster is not there yet waits for it without giving
// up (GitOps may apply both at once), then runs when it appears.
func TestTransferWaitsForItsCluster(t *testing.T) {
	f := newFixture(t)
	f.startManager(f.testOptions(nil))
	spec := f.spec()
	spec.Target = v1alpha1.TransferEndpoint{ClusterRef: &v1alpha1.ClusterReference{Name: "later"}, ClusterName: "tgt"}
	f.create("move", spec)
	f.wait("move", "waiting for the cluster", func(tt *v1alpha1.TopicTransfer) bool {
		_, reason, _ := conditionOf(tt, v1alpha1.ConditionReconciling)
		return reason == v1alpha1.ReasonClusterUnavailable
	})
	time.Sleep(300 * time.Millisecond) // many times MaxAttempts x RetryInterval
	tt := f.get("move")
	assert.Equal(t, v1alpha1.TransferPending, tt.Status.Phase, statusString(tt))
	assert.Contains(t, tt.Status.Message, "later")
	assert.Zero(t, tt.Status.Attempts)

	f.createCluster("later", f.tgt.ns.Addr())
	tt = f.waitFinal("move")
	require.Equal(t, v1alpha1.TransferSucceeded, tt.Status.Phase, statusString(tt))
	f.assertTransferred(t)
}

// Deleting an unfinished transfer (by hand, or a GitOps prune) rolls it
// back first: the finalizer keeps the object until the source is restored.
func TestDeletingARunningTransferRollsItBack(t *testing.T) {
	f := newFixture(t)
	f.lag("billing", 5)
	f.startManager(f.testOptions(nil))
	f.create("move", f.spec())
	tt := f.wait("move", "draining", func(tt *v1alpha1.TopicTransfer) bool {
		return tt.Status.Drain != nil && tt.Status.Drain.Polls > 0
	})
	assert.Contains(t, tt.Finalizers, Finalizer)
	require.NoError(t, env.Client.Delete(context.Background(), tt))
	require.Eventually(t, func() bool {
		err := env.Client.Get(context.Background(), client.ObjectKeyFromObject(tt), &v1alpha1.TopicTransfer{})
		return apierrors.IsNotFound(err)
	}, waitFor, 20*time.Millisecond, "the transfer was never released")
	f.assertRolledBack(t, v1alpha1.StepNumberDrain)
}

func TestFinishedTransferHoldsNoFinalizer(t *testing.T) {
	f := newFixture(t)
	f.startManager(f.testOptions(nil))
	f.create("move", f.spec())
	f.waitFinal("move")
	tt := f.wait("move", "the finalizer released", func(tt *v1alpha1.TopicTransfer) bool { return len(tt.Finalizers) == 0 })
	require.NoError(t, env.Client.Delete(context.Background(), tt))
	err := env.Client.Get(context.Background(), client.ObjectKeyFromObject(tt), &v1alpha1.TopicTransfer{})
	assert.True(t, apierrors.IsNotFound(err), "deleted at once: %v", err)
	f.assertTransferred(t)
}

// A RocketMQCluster with ACL on is reached with the admin credentials from
// the Secret its spec names; every request to its brokers is signed.
func TestTransferToAClusterWithACL(t *testing.T) {
	f := newFixture(t)
	auth := &rmqtest.Auth{AccessKey: "rocketmq-admin", SecretKey: "s3cret-for-tests"}
	f.tgt = startClusterWith(t, "secure", f.prefix, 20, 2, auth)
	sec := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "secure-admin"},
		Data:       map[string][]byte{"username": []byte(auth.AccessKey), "password": []byte(auth.SecretKey)},
	}
	require.NoError(t, env.Client.Create(context.Background(), sec))
	f.createCluster("secure", f.tgt.ns.Addr(), func(c *v1alpha1.RocketMQCluster) {
		c.Spec.ACL = v1alpha1.ACLSpec{Enabled: true, AdminSecretRef: &v1alpha1.SecretCredentialsRef{Name: sec.Name}}
	})
	f.startManager(f.testOptions(nil))
	spec := f.spec()
	spec.Target = v1alpha1.TransferEndpoint{ClusterRef: &v1alpha1.ClusterReference{Name: "secure"}}
	f.create("move", spec)
	tt := f.waitFinal("move")
	require.Equal(t, v1alpha1.TransferSucceeded, tt.Status.Phase, statusString(tt))
	f.assertTransferred(t)
	signed := 0
	for _, req := range f.tgt.brokers[0].Requests() {
		assert.Equal(t, auth.AccessKey, req.ExtFields["AccessKey"], "request %d unsigned", req.Code)
		signed++
	}
	assert.Positive(t, signed)
}

// TestSameClusterByTwoReferencesConflicts: a second transfer of the topic
// that names the source cluster by its NameServers instead of clusterRef
// is recognised as a transfer on the same cluster and waits.
func TestSameClusterByTwoReferencesConflicts(t *testing.T) {
	f := newFixture(t)
	f.lag("billing", 5)
	f.startManager(f.testOptions(nil))
	f.create("first", f.spec())
	f.wait("first", "draining", func(tt *v1alpha1.TopicTransfer) bool { return tt.Status.Step >= v1alpha1.StepNumberDrain })

	second := f.spec()
	second.Source = v1alpha1.TransferEndpoint{NameServers: []string{f.src.ns.Addr()}, ClusterName: "src"}
	second.Target = v1alpha1.TransferEndpoint{NameServers: []string{f.tgt.ns.Addr()}, ClusterName: "elsewhere"}
	f.create("second", second)
	tt := f.wait("second", "waiting for the first", func(tt *v1alpha1.TopicTransfer) bool {
		_, reason, _ := conditionOf(tt, v1alpha1.ConditionReconciling)
		return reason == v1alpha1.ReasonConflict
	})
	assert.Contains(t, tt.Status.Message, f.ns+"/first")
	f.lag("billing", 0)
	first := f.waitFinal("first")
	require.Equal(t, v1alpha1.TransferSucceeded, first.Status.Phase, statusString(first))
}
