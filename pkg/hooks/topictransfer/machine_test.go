package topictransfer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// subnet gives each rig its own 127.67.<n>.0/24.
var subnet atomic.Int32

// subnetBase starts each test process at its own place in the range, so
// that two processes running these tests at once (go test ./... next to a
// -run of one test) rarely pick the same subnet.
var subnetBase = int32(os.Getpid() % 250)

// nextSubnet is the third octet of the next rig's subnet, within 1..250.
func nextSubnet() int32 { return (subnet.Add(1)-1+subnetBase)%250 + 1 }

// rig is a source cluster with the topic and a group on two brokers, an
// empty target cluster with two brokers, and the machine's input.
type rig struct {
	src, tgt   []*rmqtest.Broker
	srcNS      *rmqtest.NameServer
	tgtNS      *rmqtest.NameServer
	admin      Admin
	origTopics []admin.TopicConfig
}

func newRig(t testing.TB) *rig {
	t.Helper()
	// Wrap within 1..250: rigs of finished (sub)tests are closed, and the
	// fault-schedule test makes hundreds.
	prefix := rigPrefix(t)
	r := &rig{}
	r.srcNS, r.src = emulate(t, prefix, 1, "src")
	r.tgtNS, r.tgt = emulate(t, prefix, 10, "tgt")
	c := admin.New(admin.Options{})
	t.Cleanup(func() { _ = c.Close() })
	r.admin = c
	for _, b := range r.src {
		tc := admin.NewTopicConfig("t")
		tc.ReadQueueNums, tc.WriteQueueNums, tc.Attributes = 2, 2, map[string]string{"message.type": "NORMAL"}
		b.PutTopics(tc)
		b.PutGroups(admin.NewSubscriptionGroupConfig("g"))
		for q := range 2 {
			b.SetQueueOffsets("t", q, 10)
			b.SetConsumerOffset("g", "t", q, 10)
		}
		r.origTopics = append(r.origTopics, b.Topics()["t"])
	}
	return r
}

// rigPrefix returns the next subnet whose rig addresses are all free:
// another process running these tests at the same time may hold some.
func rigPrefix(t testing.TB) string {
	t.Helper()
	for range 250 {
		prefix := fmt.Sprintf("127.67.%d.", nextSubnet())
		if addrsFree(prefix, "1:9876", "2:10911", "3:10911", "10:9876", "11:10911", "12:10911") {
			return prefix
		}
	}
	t.Fatal("no free 127.67.x.0/24 subnet")
	return ""
}

func addrsFree(prefix string, hostPorts ...string) bool {
	for _, hp := range hostPorts {
		l, err := net.Listen("tcp", prefix+hp)
		if err != nil {
			return false
		}
		_ = l.Close()
	}
	return true
}

func emulate(t testing.TB, prefix string, first int, cluster string) (*rmqtest.NameServer, []*rmqtest.Broker) {
	t.Helper()
	ns, err := rmqtest.NewNameServer(fmt.Sprintf("%s%d:9876", prefix, first))
	require.NoError(t, err)
	t.Cleanup(func() { _ = ns.Close() })
	var brokers []*rmqtest.Broker
	for g := range 2 {
		b, err := rmqtest.NewBroker(rmqtest.BrokerOptions{
			Addr: fmt.Sprintf("%s%d:10911", prefix, first+1+g), ClusterName: cluster,
			BrokerName: fmt.Sprintf("%s-%d", cluster, g), NameServers: []string{ns.Addr()},
		})
		require.NoError(t, err)
		t.Cleanup(func() { _ = b.Close() })
		brokers = append(brokers, b)
	}
	return ns, brokers
}

func (r *rig) input(a Admin) Input {
	return Input{
		Spec: v1alpha1.TopicTransferSpec{
			Topic: "t", ConsumerGroups: []string{"g"},
			DrainTimeout: &metav1.Duration{Duration: time.Minute},
			// No POP consumers unless a test says so (popTransfer).
			PopInvisibleTime: &metav1.Duration{},
		},
		Generation: 1,
		Resolve: func(context.Context) (Endpoint, Endpoint, error) {
			return Endpoint{ClusterName: "src", NameServers: []string{r.srcNS.Addr()}, Admin: a},
				Endpoint{ClusterName: "tgt", NameServers: []string{r.tgtNS.Addr()}, Admin: a}, nil
		},
	}
}

func machine() *Machine {
	return &Machine{PollInterval: time.Millisecond, RetryInterval: time.Millisecond, MaxAttempts: 3, ReviveSlack: time.Millisecond}
}

// drive advances until the phase is final, returning the transitions made.
func drive(t *testing.T, m *Machine, in Input, st *v1alpha1.TopicTransferStatus) int {
	t.Helper()
	for n := 1; n < 500; n++ {
		m.Advance(context.Background(), in, st)
		if st.Phase.Final() {
			return n
		}
	}
	t.Fatalf("no final phase after 500 transitions: %+v", st)
	return 0
}

func (r *rig) assertTransferred(t *testing.T) {
	t.Helper()
	for _, b := range r.tgt {
		got := b.Topics()["t"]
		assert.True(t, got.Equal(r.origTopics[0]), "target topic %+v", got)
		assert.Contains(t, b.Groups(), "g")
		assert.Contains(t, b.Topics(), "%RETRY%g")
	}
	for _, b := range r.src {
		assert.NotContains(t, b.Topics(), "t")
		assert.NotContains(t, b.Groups(), "g")
	}
	_, ok := r.srcNS.Route("t")
	assert.False(t, ok, "source route")
}

// intentChecker fails the test when a mutating call happens without its
// intent already persisted: the step (or rollback) must be the one the
// persisted status names, and a target create must be persisted Creating.
type intentChecker struct {
	Admin
	t         *testing.T
	mu        sync.Mutex
	persisted *v1alpha1.TopicTransferStatus
	live      *v1alpha1.TopicTransferStatus
}

func (c *intentChecker) check(what string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, l := c.persisted, c.live
	if p.Phase != l.Phase || p.Step != l.Step {
		c.t.Errorf("%s while the persisted status says %s step %d but the live one %s step %d", what, p.Phase, p.Step, l.Phase, l.Step)
	}
}

func (c *intentChecker) checkCreating(kind v1alpha1.TargetResourceKind, name string) {
	c.check("create " + name)
	c.mu.Lock()
	defer c.mu.Unlock()
	if i := findTarget(c.persisted.Target, kind, name); i < 0 {
		c.t.Errorf("created %s %q on the target before recording it", kind, name)
	}
}

func (c *intentChecker) CreateGroup(ctx context.Context, addr string, g admin.SubscriptionGroupConfig) error {
	c.checkCreating(v1alpha1.TargetGroup, g.GroupName)
	return c.Admin.CreateGroup(ctx, addr, g)
}

func (c *intentChecker) CreateTopic(ctx context.Context, addr string, tc admin.TopicConfig) error {
	if c.live.Step == v1alpha1.StepNumberCreateOnTarget && c.live.Phase == v1alpha1.TransferRunning {
		kind := v1alpha1.TargetTopic
		if tc.TopicName != "t" {
			kind = v1alpha1.TargetRetryTopic
		}
		c.checkCreating(kind, tc.TopicName)
	} else {
		c.check("create topic " + tc.TopicName)
	}
	return c.Admin.CreateTopic(ctx, addr, tc)
}

// UpdateConsumerOffset must follow a persisted Committing (or later) entry
// of the group: the intent of step 3's offsets.
func (c *intentChecker) UpdateConsumerOffset(ctx context.Context, addr, group, topic string, q int, off int64) error {
	c.check("commit offset of " + group)
	c.mu.Lock()
	if !slices.ContainsFunc(c.persisted.TargetOffsets, func(o v1alpha1.TargetOffsets) bool { return o.Group == group }) {
		c.t.Errorf("committed an offset of group %q on the target before recording it", group)
	}
	c.mu.Unlock()
	return c.Admin.UpdateConsumerOffset(ctx, addr, group, topic, q, off)
}

func (c *intentChecker) DeleteTopicInBroker(ctx context.Context, addr, topic string) error {
	c.check("delete topic " + topic)
	return c.Admin.DeleteTopicInBroker(ctx, addr, topic)
}

func (c *intentChecker) DeleteGroup(ctx context.Context, addr, group string, clean bool) error {
	c.check("delete group " + group)
	return c.Admin.DeleteGroup(ctx, addr, group, clean)
}

func TestEveryMutationFollowsItsPersistedIntent(t *testing.T) {
	for _, tc := range []struct {
		name  string
		abort bool
		want  v1alpha1.TransferPhase
	}{
		{"transfer", false, v1alpha1.TransferSucceeded},
		{"abort while draining", true, v1alpha1.TransferRolledBack},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			if tc.abort {
				r.src[0].SetConsumerOffset("g", "t", 0, 1)
			}
			chk := &intentChecker{Admin: r.admin, t: t}
			in := r.input(chk)
			m := machine()
			st := &v1alpha1.TopicTransferStatus{}
			for range 500 {
				chk.mu.Lock()
				chk.persisted, chk.live = st.DeepCopy(), st
				chk.mu.Unlock()
				m.Advance(context.Background(), in, st)
				in.Spec.Abort = tc.abort && st.Drain != nil && st.Drain.Polls > 0
				if st.Phase.Final() {
					break
				}
			}
			require.Equal(t, tc.want, st.Phase, st.Message)
			if !tc.abort {
				r.assertTransferred(t)
				return
			}
			for i, b := range r.src {
				assert.True(t, b.Topics()["t"].Equal(r.origTopics[i]), "source restored")
			}
			assert.Contains(t, r.tgt[0].Topics(), "t", "kept after step 4")
		})
	}
}

// A crash at any transition loses that transition's status change; the
// run resumed from the last persisted status must still end transferred.
func TestCrashAtEveryTransitionStillTransfers(t *testing.T) {
	clean := newRig(t)
	total := drive(t, machine(), clean.input(clean.admin), &v1alpha1.TopicTransferStatus{})
	require.Greater(t, total, 10)
	for crashAt := 1; crashAt <= total; crashAt++ {
		t.Run(fmt.Sprintf("crash at transition %d", crashAt), func(t *testing.T) {
			r := newRig(t)
			in, m := r.input(r.admin), machine()
			st := &v1alpha1.TopicTransferStatus{}
			for n := 1; n < crashAt; n++ {
				m.Advance(context.Background(), in, st)
			}
			lost := st.DeepCopy()
			m.Advance(context.Background(), in, lost) // its actions happen, its status is never written
			drive(t, m, in, st)
			require.Equal(t, v1alpha1.TransferSucceeded, st.Phase, st.Message)
			r.assertTransferred(t)
		})
	}
}

func TestDrainTimeoutRollsBackToTheSnapshot(t *testing.T) {
	r := newRig(t)
	r.src[1].SetConsumerOffset("g", "t", 1, 3)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	m := machine()
	m.Now = func() time.Time { now = now.Add(10 * time.Second); return now }
	st := &v1alpha1.TopicTransferStatus{}
	drive(t, m, r.input(r.admin), st)
	require.Equal(t, v1alpha1.TransferRolledBack, st.Phase, st.Message)
	assert.Equal(t, v1alpha1.RollbackDrainTimeout, st.Rollback.Reason)
	assert.Equal(t, v1alpha1.StepNumberDrain, st.Rollback.FromStep)
	for i, b := range r.src {
		assert.True(t, b.Topics()["t"].Equal(r.origTopics[i]), "source topic restored on %d", i)
	}
	for _, b := range r.tgt {
		assert.Contains(t, b.Topics(), "t", "kept: producers may have written to it")
		assert.Contains(t, b.Topics(), "%RETRY%g")
		assert.Contains(t, b.Groups(), "g")
	}
	for _, tr := range st.Target {
		assert.Equal(t, v1alpha1.TargetRetained, tr.State)
	}
	c := findCondition(st, v1alpha1.ConditionTargetRetained)
	require.NotNil(t, c)
	assert.Equal(t, metav1.ConditionTrue, c.Status)
}

func TestWhatWasOnTheTargetIsNeverDeleted(t *testing.T) {
	r := newRig(t)
	keep := admin.NewSubscriptionGroupConfig("g")
	keep.RetryMaxTimes = 3
	r.tgt[0].PutGroups(keep)
	r.src[0].SetConsumerOffset("g", "t", 0, 1)
	in := r.input(r.admin)
	in.Spec.Abort = false
	m := machine()
	st := &v1alpha1.TopicTransferStatus{}
	for st.Step != v1alpha1.StepNumberDrain || st.Drain == nil || st.Drain.Polls == 0 {
		m.Advance(context.Background(), in, st)
	}
	in.Spec.Abort = true
	drive(t, m, in, st)
	require.Equal(t, v1alpha1.TransferRolledBack, st.Phase, st.Message)
	assert.Equal(t, v1alpha1.RollbackAborted, st.Rollback.Reason)
	assert.Equal(t, 3, r.tgt[0].Groups()["g"].RetryMaxTimes, "the pre-existing group is untouched")
	assert.Equal(t, v1alpha1.TargetPreExisting, st.Target[findTarget(st.Target, v1alpha1.TargetGroup, "g")].State)
	assert.Equal(t, v1alpha1.TargetRetained, st.Target[findTarget(st.Target, v1alpha1.TargetTopic, "t")].State)
}

func TestRefusals(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(*rig, *Input)
		reason string
	}{
		{"topic missing", func(_ *rig, in *Input) { in.Spec.Topic = "nope" }, v1alpha1.ReasonSourceTopicMissing},
		{"group missing", func(_ *rig, in *Input) { in.Spec.ConsumerGroups = []string{"g", "ghost"} }, v1alpha1.ReasonGroupMissing},
		{"source unreachable", func(r *rig, _ *Input) {
			r.srcNS.FailAlways(admin.CodeGetBrokerClusterInfo, admin.CodeSystemError, "down")
		}, v1alpha1.ReasonClusterUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			in := r.input(r.admin)
			tc.mutate(r, &in)
			st := &v1alpha1.TopicTransferStatus{}
			drive(t, machine(), in, st)
			assert.Equal(t, v1alpha1.TransferFailed, st.Phase)
			ready := findCondition(st, v1alpha1.ConditionReady)
			require.NotNil(t, ready)
			assert.Equal(t, tc.reason, ready.Reason, ready.Message)
			for _, b := range r.tgt {
				assert.NotContains(t, b.Groups(), "g", "nothing created on the target")
			}
			for i, b := range r.src {
				assert.True(t, b.Topics()["t"].Equal(r.origTopics[i]))
			}
		})
	}
}

// TestConflictWaits: another unfinished transfer of the topic holds this
// one in step 1 (Reconciling, reason Conflict, nothing written, no retry
// spent); once it is gone the transfer runs to the end.
func TestConflictWaits(t *testing.T) {
	r := newRig(t)
	in := r.input(r.admin)
	in.Conflict = "ns/other"
	st := &v1alpha1.TopicTransferStatus{}
	m := machine()
	var last Outcome
	for i := 0; i < 5; i++ {
		last = m.Advance(context.Background(), in, st)
	}
	assert.Equal(t, v1alpha1.TransferPending, st.Phase, "a waiting transfer has not started: %s", st.Message)
	assert.Equal(t, v1alpha1.StepNumberCheck, st.Step)
	assert.Zero(t, st.Attempts, "waiting is not a failed attempt")
	assert.Equal(t, conflictWait, last.Wait)
	rec := findCondition(st, v1alpha1.ConditionReconciling)
	require.NotNil(t, rec)
	assert.Equal(t, v1alpha1.ReasonConflict, rec.Reason)
	assert.Contains(t, st.Message, "ns/other")
	for _, b := range r.tgt {
		assert.NotContains(t, b.Groups(), "g", "nothing created on the target while waiting")
	}
	in.Conflict = ""
	drive(t, m, in, st)
	assert.Equal(t, v1alpha1.TransferSucceeded, st.Phase, st.Message)
}

func findCondition(st *v1alpha1.TopicTransferStatus, typ string) *metav1.Condition {
	for i := range st.Conditions {
		if st.Conditions[i].Type == typ {
			return &st.Conditions[i]
		}
	}
	return nil
}

func TestUnlocatableClustersAreAwaitedOnlyBeforeAnyChange(t *testing.T) {
	r := newRig(t)
	in := r.input(r.admin)
	resolve := in.Resolve
	missing := errors.New("RocketMQCluster east not found")
	in.Resolve = func(context.Context) (Endpoint, Endpoint, error) { return Endpoint{}, Endpoint{}, missing }
	m, st := machine(), &v1alpha1.TopicTransferStatus{}
	var events []Event
	for range 20 {
		events = append(events, m.Advance(context.Background(), in, st).Events...)
	}
	assert.Equal(t, v1alpha1.TransferPending, st.Phase, "still waiting, not failed")
	assert.Zero(t, st.Attempts)
	assert.Contains(t, st.Message, "east")
	waits := 0
	for _, e := range events {
		if e.Reason == v1alpha1.ReasonClusterUnavailable {
			waits++
		}
	}
	assert.Equal(t, 1, waits, "one Event for the wait, not one per check")

	in.Resolve = resolve
	for st.Step < v1alpha1.StepNumberCreateOnTarget {
		m.Advance(context.Background(), in, st)
	}
	in.Resolve = func(context.Context) (Endpoint, Endpoint, error) { return Endpoint{}, Endpoint{}, missing }
	drive(t, m, in, st)
	assert.Equal(t, v1alpha1.TransferRolledBack, st.Phase, "past step 1 the failure counts; nothing had changed, so the rollback needs no cluster: %s", st.Message)
	assert.Empty(t, st.Target)
}
