package topictransfer

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

func stats(rows ...any) *admin.ConsumeStats {
	s := &admin.ConsumeStats{OffsetTable: map[admin.MessageQueue]admin.OffsetWrapper{}}
	for i := 0; i+4 <= len(rows); i += 4 {
		mq := admin.MessageQueue{Topic: rows[i].(string), BrokerName: "b0", QueueID: rows[i+1].(int)}
		s.OffsetTable[mq] = admin.OffsetWrapper{BrokerOffset: int64(rows[i+2].(int)), ConsumerOffset: int64(rows[i+3].(int))}
	}
	return s
}

func TestQueuesDrained(t *testing.T) {
	for _, tc := range []struct {
		name   string
		stats  *admin.ConsumeStats
		queues int
		want   bool
		why    string
	}{
		{"all consumed", stats("t", 0, 10, 10, "t", 1, 5, 5), 2, true, ""},
		{"lag on one queue", stats("t", 0, 10, 10, "t", 1, 9, 5), 2, false, "4 messages left on b0"},
		{"empty queues count as drained", stats("t", 0, 0, 0, "t", 1, 0, 0), 2, true, ""},
		{"a missing queue is not drained", stats("t", 0, 10, 10), 2, false, "no consume stats for queue 1 on b0"},
		{"no stats at all is not drained", stats(), 1, false, "no consume stats for queue 0 on b0"},
		{"other topics are ignored", stats("t", 0, 1, 1, "other", 0, 50, 0), 1, true, ""},
		{"consumer ahead counts as zero lag", stats("t", 0, 10, 12), 1, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ok, why := queuesDrained(tc.stats, "t", "b0", tc.queues)
			assert.Equal(t, tc.want, ok)
			assert.Equal(t, tc.why, why)
		})
	}
}

func TestReadOnlyPerm(t *testing.T) {
	for perm, want := range map[int]int{6: 4, 4: 4, 7: 5, 2: 4, 14: 12} {
		assert.Equal(t, want, readOnlyPerm(perm), "perm %d", perm)
	}
}

func status(phase v1alpha1.TransferPhase, step int32) *v1alpha1.TopicTransferStatus {
	return &v1alpha1.TopicTransferStatus{Phase: phase, Step: step}
}

func TestAbortRequested(t *testing.T) {
	abort := &v1alpha1.TopicTransferSpec{Abort: true}
	for _, tc := range []struct {
		name string
		spec *v1alpha1.TopicTransferSpec
		st   *v1alpha1.TopicTransferStatus
		want bool
	}{
		{"no abort", &v1alpha1.TopicTransferSpec{}, status(v1alpha1.TransferRunning, 3), false},
		{"pending", abort, status(v1alpha1.TransferPending, 1), true},
		{"draining", abort, status(v1alpha1.TransferRunning, 5), true},
		{"deleting from source: too late", abort, status(v1alpha1.TransferRunning, 6), false},
		{"already rolling back", abort, status(v1alpha1.TransferRollingBack, 3), false},
		{"finished", abort, status(v1alpha1.TransferSucceeded, 7), false},
	} {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, abortRequested(tc.spec, tc.st)) })
	}
}

func TestDrainTimedOut(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	spec := &v1alpha1.TopicTransferSpec{DrainTimeout: &metav1.Duration{Duration: time.Minute}}
	draining := status(v1alpha1.TransferRunning, 5)
	draining.Drain = &v1alpha1.DrainStatus{StartedAt: metav1.NewTime(start)}
	assert.False(t, drainTimedOut(spec, draining, start.Add(59*time.Second)))
	assert.True(t, drainTimedOut(spec, draining, start.Add(61*time.Second)))
	assert.False(t, drainTimedOut(spec, status(v1alpha1.TransferRunning, 5), start.Add(time.Hour)), "not started")
	assert.True(t, drainTimedOut(&v1alpha1.TopicTransferSpec{}, draining, start.Add(11*time.Minute)), "default 10m")
}

func TestCanDeleteFromSource(t *testing.T) {
	ready := func() *v1alpha1.TopicTransferStatus {
		st := status(v1alpha1.TransferRunning, 6)
		st.Snapshot = &v1alpha1.TransferSnapshot{}
		st.Drain = &v1alpha1.DrainStatus{Polls: 2}
		return st
	}
	spec := &v1alpha1.TopicTransferSpec{}
	assert.True(t, canDeleteFromSource(spec, ready()))
	for name, mutate := range map[string]func(*v1alpha1.TopicTransferStatus){
		"groups still pending": func(st *v1alpha1.TopicTransferStatus) { st.Drain.Pending = []string{"g"} },
		"never polled":         func(st *v1alpha1.TopicTransferStatus) { st.Drain.Polls = 0 },
		"no drain record":      func(st *v1alpha1.TopicTransferStatus) { st.Drain = nil },
		"no snapshot":          func(st *v1alpha1.TopicTransferStatus) { st.Snapshot = nil },
		"rolling back":         func(st *v1alpha1.TopicTransferStatus) { st.Rollback = &v1alpha1.RollbackStatus{} },
		"wrong step":           func(st *v1alpha1.TopicTransferStatus) { st.Step = 5 },
	} {
		st := ready()
		mutate(st)
		assert.False(t, canDeleteFromSource(spec, st), name)
	}
	assert.False(t, canDeleteFromSource(&v1alpha1.TopicTransferSpec{DeleteSourceTopic: ptr.To(false)}, ready()), "deleteSourceTopic false")
}

func TestNextToUndoGoesNewestFirstAndSkipsWhatWasThere(t *testing.T) {
	target := []v1alpha1.TargetResource{
		{Kind: v1alpha1.TargetGroup, Name: "g", State: v1alpha1.TargetCreated},
		{Kind: v1alpha1.TargetRetryTopic, Name: "%RETRY%g", State: v1alpha1.TargetPreExisting},
		{Kind: v1alpha1.TargetTopic, Name: "t", State: v1alpha1.TargetCreating},
	}
	assert.Equal(t, 2, nextToUndo(target), "a Creating entry is undone: the create may have happened")
	target[2].State = v1alpha1.TargetDeleted
	assert.Equal(t, 0, nextToUndo(target), "PreExisting is never undone")
	target[0].State = v1alpha1.TargetDeleted
	assert.Equal(t, -1, nextToUndo(target))
}

func TestTargetPlanCreatesTheTopicLast(t *testing.T) {
	plan := targetPlan("t", []string{"a", "b"})
	var got []string
	for _, p := range plan {
		got = append(got, string(p.Kind)+":"+p.Name)
	}
	assert.Equal(t, []string{"Group:a", "RetryTopic:%RETRY%a", "Group:b", "RetryTopic:%RETRY%b", "Topic:t"}, got)
}

func transfer(ns, name, topic string, src, tgt v1alpha1.TransferEndpoint) *v1alpha1.TopicTransfer {
	tt := &v1alpha1.TopicTransfer{Spec: v1alpha1.TopicTransferSpec{Topic: topic, Source: src, Target: tgt}}
	tt.Namespace, tt.Name = ns, name
	return tt
}

func TestConflicts(t *testing.T) {
	ref := func(n string) v1alpha1.TransferEndpoint {
		return v1alpha1.TransferEndpoint{ClusterRef: &v1alpha1.ClusterReference{Name: n}}
	}
	ext := func(c string, ns ...string) v1alpha1.TransferEndpoint {
		return v1alpha1.TransferEndpoint{ClusterName: c, NameServers: ns}
	}
	base := transfer("a", "x", "t", ref("one"), ext("two", "10.0.0.1:9876", "10.0.0.2:9876"))
	for _, tc := range []struct {
		name  string
		other *v1alpha1.TopicTransfer
		want  bool
	}{
		{"same topic, same source", transfer("a", "y", "t", ref("one"), ref("three")), true},
		{"same topic, moving back", transfer("a", "y", "t", ext("two", "10.0.0.2:9876", "10.0.0.1:9876"), ref("one")), true},
		{"other topic", transfer("a", "y", "u", ref("one"), ref("three")), false},
		{"same names in another namespace", transfer("b", "y", "t", ref("one"), ref("three")), false},
		{"unrelated clusters", transfer("a", "y", "t", ref("four"), ext("two", "10.9.9.9:9876")), false},
	} {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, Conflicts(base, tc.other)) })
	}
}

func TestTakesPrecedence(t *testing.T) {
	older := transfer("a", "x", "t", v1alpha1.TransferEndpoint{}, v1alpha1.TransferEndpoint{})
	older.CreationTimestamp = metav1.NewTime(time.Unix(100, 0))
	newer := older.DeepCopy()
	newer.Name, newer.CreationTimestamp = "y", metav1.NewTime(time.Unix(200, 0))
	assert.True(t, TakesPrecedence(older, newer))
	assert.False(t, TakesPrecedence(newer, older))
	newer.Status.Step = 3
	assert.True(t, TakesPrecedence(newer, older), "a transfer past step 1 keeps going")
	twin := older.DeepCopy()
	twin.Name = "w"
	assert.True(t, TakesPrecedence(twin, older), "ties break by name")
	assert.False(t, TakesPrecedence(older, twin))
}

func TestChangedAttributes(t *testing.T) {
	assert.Nil(t, changedAttributes(map[string]string{"a": "1"}, map[string]string{"a": "1"}))
	assert.Equal(t, map[string]string{"a": "2"}, changedAttributes(map[string]string{"a": "1", "q": "x"}, map[string]string{"a": "2", "q": "x"}))
	assert.Equal(t, map[string]string{"n": "1"}, changedAttributes(nil, map[string]string{"n": "1"}))
}

func TestBackoffDoublesAndCaps(t *testing.T) {
	m := &Machine{RetryInterval: time.Second}
	var got []time.Duration
	for a := int32(1); a <= 8; a++ {
		got = append(got, m.backoff(a))
	}
	assert.Equal(t, []time.Duration{1, 2, 4, 8, 16, 32, 32, 32}, scale(got, time.Second))
}

func scale(ds []time.Duration, unit time.Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d / unit
	}
	return out
}

func TestRollbackNeedsClusters(t *testing.T) {
	st := func(from int32, restored bool, target ...v1alpha1.TargetResourceState) *v1alpha1.TopicTransferStatus {
		s := &v1alpha1.TopicTransferStatus{Snapshot: &v1alpha1.TransferSnapshot{},
			Rollback: &v1alpha1.RollbackStatus{FromStep: from, SourceRestored: restored}}
		for i, state := range target {
			s.Target = append(s.Target, v1alpha1.TargetResource{Kind: v1alpha1.TargetGroup, Name: fmt.Sprint(i), State: state})
		}
		return s
	}
	assert.False(t, rollbackNeedsClusters(st(2, false)), "nothing changed before step 3")
	assert.False(t, rollbackNeedsClusters(st(3, false, v1alpha1.TargetPreExisting)), "pre-existing is never undone")
	assert.True(t, rollbackNeedsClusters(st(3, false, v1alpha1.TargetCreating)))
	assert.True(t, rollbackNeedsClusters(st(4, false)), "the source perm may have changed")
	assert.False(t, rollbackNeedsClusters(st(5, true, v1alpha1.TargetDeleted)))
	assert.False(t, rollbackNeedsClusters(st(5, true, v1alpha1.TargetCreated)), "kept after step 4: no cluster needed")
	assert.True(t, rollbackNeedsClusters(st(3, true, v1alpha1.TargetCreated)), "deleted before step 4")
}

func TestTargetMayHoldData(t *testing.T) {
	for from, want := range map[int32]bool{
		v1alpha1.StepNumberCheck: false, v1alpha1.StepNumberSnapshot: false, v1alpha1.StepNumberCreateOnTarget: false,
		v1alpha1.StepNumberSourceReadOnly: true, v1alpha1.StepNumberDrain: true,
	} {
		assert.Equal(t, want, targetMayHoldData(&v1alpha1.RollbackStatus{FromStep: from}), "from step %d", from)
	}
	assert.False(t, targetMayHoldData(nil))
}

func TestConflictsWithNameServerIdentities(t *testing.T) {
	byNS := func(name string, addrs ...string) v1alpha1.TransferEndpoint {
		return v1alpha1.TransferEndpoint{NameServers: addrs, ClusterName: name}
	}
	tt := func(src, tgt v1alpha1.TransferEndpoint) *v1alpha1.TopicTransfer {
		return &v1alpha1.TopicTransfer{ObjectMeta: metav1.ObjectMeta{Namespace: "a"},
			Spec: v1alpha1.TopicTransferSpec{Topic: "orders", Source: src, Target: tgt}}
	}
	cases := []struct {
		name string
		a, b *v1alpha1.TopicTransfer
		want bool
	}{
		{"one shared NameServer of the same cluster", tt(byNS("x", "1:9876", "2:9876"), byNS("y", "3:9876")),
			tt(byNS("x", "2:9876"), byNS("z", "4:9876")), true},
		{"same address, other brokerClusterName", tt(byNS("x", "1:9876"), byNS("y", "3:9876")),
			tt(byNS("w", "1:9876"), byNS("z", "4:9876")), false},
		{"nothing shared", tt(byNS("x", "1:9876"), byNS("y", "3:9876")),
			tt(byNS("x", "5:9876"), byNS("z", "4:9876")), false},
	}
	for _, c := range cases {
		if got := ConflictsWith(c.a, c.b, StaticIdentities); got != c.want {
			t.Errorf("%s: ConflictsWith = %v, want %v", c.name, got, c.want)
		}
	}
}
