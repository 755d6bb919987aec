package cluster

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

func groupStatus(name, master string, ready int32, state v1alpha1.MetadataState) v1alpha1.BrokerGroupStatus {
	return v1alpha1.BrokerGroupStatus{Name: name, Master: master, Desired: 1, Ready: ready, Metadata: state}
}

func lostSince(g v1alpha1.BrokerGroupStatus, t time.Time) v1alpha1.BrokerGroupStatus {
	g.MasterLostSince = &metav1.Time{Time: t}
	return g
}

func TestJudge(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	steady := judgeInput{now: now, grace: 2 * time.Minute}
	rolling := judgeInput{now: now, grace: 2 * time.Minute, rollout: "StatefulSet g0 is rolling out revision r2 (1/2 pods updated)"}
	ns := func(ready int32) *v1alpha1.ComponentStatus {
		return &v1alpha1.ComponentStatus{Desired: 2, Ready: ready}
	}
	lost := lostSince(groupStatus("g0", "", 0, v1alpha1.MetadataInitial), now.Add(-30*time.Second))
	lostLong := lostSince(groupStatus("g0", "", 0, v1alpha1.MetadataInitial), now.Add(-3*time.Minute))
	tests := []struct {
		name                  string
		st                    v1alpha1.RocketMQClusterStatus
		in                    judgeInput
		degraded, progressing string
		stalled               bool
		wake                  time.Duration
	}{
		{"all ready", v1alpha1.RocketMQClusterStatus{NameServer: ns(2), BrokerGroups: []v1alpha1.BrokerGroupStatus{
			groupStatus("g0", "g0-0", 1, v1alpha1.MetadataInitial), groupStatus("g1", "g1-0", 1, v1alpha1.MetadataSynced)}},
			steady, "", "", false, 0},
		{"first start: nothing ready is not damage", v1alpha1.RocketMQClusterStatus{NameServer: ns(0), BrokerGroups: []v1alpha1.BrokerGroupStatus{
			groupStatus("g0", "", 0, "")}},
			steady, "", ReasonPodsNotReady, false, 0},
		{"master just lost: grace starts", v1alpha1.RocketMQClusterStatus{NameServer: ns(2), BrokerGroups: []v1alpha1.BrokerGroupStatus{
			groupStatus("g0", "", 0, v1alpha1.MetadataInitial)}},
			steady, "", ReasonMasterLost, false, 2 * time.Minute},
		{"master lost within grace", v1alpha1.RocketMQClusterStatus{NameServer: ns(2), BrokerGroups: []v1alpha1.BrokerGroupStatus{lost}},
			steady, "", ReasonMasterLost, false, 90 * time.Second},
		{"master lost past grace", v1alpha1.RocketMQClusterStatus{NameServer: ns(2), BrokerGroups: []v1alpha1.BrokerGroupStatus{lostLong}},
			steady, ReasonMasterLost, ReasonPodsNotReady, true, 0},
		{"master lost past grace during a rollout", v1alpha1.RocketMQClusterStatus{NameServer: ns(2), BrokerGroups: []v1alpha1.BrokerGroupStatus{lostLong}},
			rolling, "", ReasonRollingUpdate, false, 2 * time.Minute},
		{"rollout with every pod ready", v1alpha1.RocketMQClusterStatus{NameServer: ns(2), BrokerGroups: []v1alpha1.BrokerGroupStatus{
			groupStatus("g0", "g0-0", 1, v1alpha1.MetadataInitial)}},
			rolling, "", ReasonRollingUpdate, false, 0},
		{"NameServers down after baseline", v1alpha1.RocketMQClusterStatus{NameServer: ns(0), BrokerGroups: []v1alpha1.BrokerGroupStatus{
			groupStatus("g0", "g0-0", 1, v1alpha1.MetadataInitial)}},
			steady, ReasonNameServersDown, ReasonPodsNotReady, false, 0},
		{"NameServers down during a rollout", v1alpha1.RocketMQClusterStatus{NameServer: ns(0), BrokerGroups: []v1alpha1.BrokerGroupStatus{
			groupStatus("g0", "g0-0", 1, v1alpha1.MetadataInitial)}},
			rolling, "", ReasonRollingUpdate, false, 0},
		{"copy failed", v1alpha1.RocketMQClusterStatus{NameServer: ns(2), BrokerGroups: []v1alpha1.BrokerGroupStatus{
			groupStatus("g0", "g0-0", 1, v1alpha1.MetadataInitial), groupStatus("g1", "g1-0", 1, v1alpha1.MetadataFailed)}},
			steady, ReasonMetadataFailed, "", true, 0},
		{"copy pending with pods ready", v1alpha1.RocketMQClusterStatus{NameServer: ns(2), BrokerGroups: []v1alpha1.BrokerGroupStatus{
			groupStatus("g0", "g0-0", 1, v1alpha1.MetadataInitial), groupStatus("g1", "g1-0", 1, v1alpha1.MetadataCopying)}},
			steady, "", ReasonMetadataCopying, false, 0},
		{"pods outrank metadata", v1alpha1.RocketMQClusterStatus{NameServer: ns(1), BrokerGroups: []v1alpha1.BrokerGroupStatus{
			groupStatus("g0", "g0-0", 1, v1alpha1.MetadataInitial), groupStatus("g1", "g1-0", 1, v1alpha1.MetadataPending)}},
			steady, "", ReasonPodsNotReady, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h health
			wake := judge(&tt.st, &h, tt.in)
			assert.Equal(t, tt.degraded, h.degradedReason)
			assert.Equal(t, tt.progressing, h.progressingReason)
			assert.Equal(t, tt.stalled, h.stalledReason != "", "stalled")
			assert.Equal(t, tt.wake, wake)
		})
	}
}

func TestTrackMasterLoss(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	earlier := &metav1.Time{Time: now.Add(-time.Minute)}
	groups := []v1alpha1.BrokerGroupStatus{
		groupStatus("g0", "", 0, v1alpha1.MetadataInitial),
		lostSince(groupStatus("g1", "", 0, v1alpha1.MetadataSynced), earlier.Time),
		lostSince(groupStatus("g2", "g2-0", 1, v1alpha1.MetadataSynced), earlier.Time),
		groupStatus("g3", "", 0, v1alpha1.MetadataPending),
	}
	trackMasterLoss(groups, now)
	assert.Equal(t, now, groups[0].MasterLostSince.Time, "first seen without a master")
	assert.Equal(t, earlier, groups[1].MasterLostSince, "kept: the grace does not restart")
	assert.Nil(t, groups[2].MasterLostSince, "a master is back")
	assert.Nil(t, groups[3].MasterLostSince, "a new group has not run yet")

	first := []v1alpha1.BrokerGroupStatus{groupStatus("g0", "", 0, "")}
	trackMasterLoss(first, now)
	assert.Nil(t, first[0].MasterLostSince, "before the cluster was first ready nothing was lost")
}

func TestRollout(t *testing.T) {
	set := func(name string, gen, observed int64, cur, upd string, updated int32) *appsv1.StatefulSet {
		return &appsv1.StatefulSet{
			ObjectMeta: metav1.ObjectMeta{Name: name, Generation: gen},
			Spec:       appsv1.StatefulSetSpec{Replicas: ptr.To[int32](2)},
			Status: appsv1.StatefulSetStatus{ObservedGeneration: observed, CurrentRevision: cur, UpdateRevision: upd,
				UpdatedReplicas: updated, Replicas: 2},
		}
	}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	leaving := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "demo-broker-0-1", DeletionTimestamp: &metav1.Time{Time: now.Add(20 * time.Second)}}}
	stuck := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "demo-broker-0-0", DeletionTimestamp: &metav1.Time{Time: now.Add(-3 * time.Minute)}}}
	tests := []struct {
		name string
		o    observed
		want string
	}{
		{"settled", observed{sets: map[string]*appsv1.StatefulSet{"a": set("a", 2, 2, "r1", "r1", 2)}}, ""},
		{"never observed by the StatefulSet controller", observed{sets: map[string]*appsv1.StatefulSet{"a": set("a", 2, 0, "", "", 0)}}, ""},
		{"generation not observed", observed{sets: map[string]*appsv1.StatefulSet{"a": set("a", 3, 2, "r1", "r1", 2)}},
			"StatefulSet a: generation 3 is not yet rolled out"},
		{"new revision rolling", observed{sets: map[string]*appsv1.StatefulSet{
			"b": set("b", 2, 2, "r1", "r2", 1), "a": set("a", 2, 2, "r1", "r1", 2)}},
			"StatefulSet b is rolling out revision r2 (1/2 pods updated)"},
		{"pods not all updated", observed{sets: map[string]*appsv1.StatefulSet{"a": set("a", 2, 2, "r2", "r2", 1)}},
			"StatefulSet a is rolling out (1/2 pods updated)"},
		{"first rolling set by name", observed{sets: map[string]*appsv1.StatefulSet{
			"b": set("b", 3, 2, "r1", "r1", 2), "a": set("a", 3, 2, "r1", "r1", 2)}},
			"StatefulSet a: generation 3 is not yet rolled out"},
		{"pod being replaced", observed{pods: map[string][]corev1.Pod{v1alpha1.ComponentBroker: {stuck, leaving}}},
			"pod demo-broker-0-1 is being replaced"},
		{"pod stuck terminating past the grace period", observed{pods: map[string][]corev1.Pod{v1alpha1.ComponentBroker: {stuck}}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, rollout(&tt.o, now, 2*time.Minute))
		})
	}
}

func TestSetConditions(t *testing.T) {
	st := &v1alpha1.RocketMQClusterStatus{}
	setConditions(st, 3, health{progressingReason: ReasonPodsNotReady, progressingMsg: "not ready: nameserver 1/2"})
	assert.Equal(t, int64(3), st.ObservedGeneration)
	byType := func() map[string]metav1.Condition {
		m := map[string]metav1.Condition{}
		for _, c := range st.Conditions {
			m[c.Type] = c
		}
		return m
	}
	c := byType()
	assert.Equal(t, metav1.ConditionFalse, c[v1alpha1.ConditionReady].Status)
	assert.Equal(t, ReasonPodsNotReady, c[v1alpha1.ConditionReady].Reason)
	assert.Equal(t, metav1.ConditionTrue, c[v1alpha1.ConditionProgressing].Status)
	assert.Equal(t, metav1.ConditionFalse, c[v1alpha1.ConditionDegraded].Status)
	assert.Equal(t, metav1.ConditionTrue, c[v1alpha1.ConditionReconciling].Status)
	assert.Equal(t, ReasonPodsNotReady, c[v1alpha1.ConditionReconciling].Reason)
	assert.Equal(t, metav1.ConditionFalse, c[v1alpha1.ConditionStalled].Status)
	for _, cd := range st.Conditions {
		assert.Equal(t, int64(3), cd.ObservedGeneration)
	}

	var h health
	h.degrade(ReasonMasterLost, "broker group g1 has no ready master")
	h.progress(ReasonPodsNotReady, "not ready: g1 0/1")
	setConditions(st, 4, h)
	c = byType()
	assert.Equal(t, ReasonMasterLost, c[v1alpha1.ConditionReady].Reason, "Ready names the damage first")
	assert.Equal(t, metav1.ConditionTrue, c[v1alpha1.ConditionDegraded].Status)
	assert.Equal(t, metav1.ConditionTrue, c[v1alpha1.ConditionStalled].Status)
	assert.Equal(t, ReasonMasterLost, c[v1alpha1.ConditionStalled].Reason)
	assert.Equal(t, metav1.ConditionFalse, c[v1alpha1.ConditionReconciling].Status, "never Reconciling and Stalled at once")

	// Damage that heals by waiting: Degraded, Reconciling, not Stalled.
	h = health{}
	h.degrade(ReasonNameServersDown, "no NameServer pod is ready")
	setConditions(st, 4, h)
	c = byType()
	assert.Equal(t, metav1.ConditionTrue, c[v1alpha1.ConditionDegraded].Status)
	assert.Equal(t, metav1.ConditionFalse, c[v1alpha1.ConditionStalled].Status)
	assert.Equal(t, metav1.ConditionTrue, c[v1alpha1.ConditionReconciling].Status)
	assert.Equal(t, ReasonNameServersDown, c[v1alpha1.ConditionReconciling].Reason)

	setConditions(st, 4, health{})
	c = byType()
	assert.Equal(t, metav1.ConditionTrue, c[v1alpha1.ConditionReady].Status)
	assert.Equal(t, ReasonNotProgressing, c[v1alpha1.ConditionProgressing].Reason)
	assert.Equal(t, ReasonNotDegraded, c[v1alpha1.ConditionDegraded].Reason)
	assert.Equal(t, metav1.ConditionFalse, c[v1alpha1.ConditionReconciling].Status)
	assert.Equal(t, metav1.ConditionFalse, c[v1alpha1.ConditionStalled].Status)
	assert.Len(t, st.Conditions, 5)
}

func TestPodsReady(t *testing.T) {
	ok, msg := podsReady(&v1alpha1.RocketMQClusterStatus{
		NameServer: &v1alpha1.ComponentStatus{Desired: 2, Ready: 1},
		Proxy:      &v1alpha1.ComponentStatus{Desired: 2, Ready: 2},
		BrokerGroups: []v1alpha1.BrokerGroupStatus{
			groupStatus("g0", "", 1, ""), {Name: "g1", Desired: 2, Ready: 1, Master: "g1-0"},
		},
	})
	assert.False(t, ok)
	assert.Equal(t, "not ready: nameserver 1/2, g0 has no master, g1 1/2", msg)
}
