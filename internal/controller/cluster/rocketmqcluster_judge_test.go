package cluster

import (
	"testing"

	"github.com/stretchr/testify/assert"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

func groupStatus(name, master string, ready int32, state v1alpha1.MetadataState) v1alpha1.BrokerGroupStatus {
	return v1alpha1.BrokerGroupStatus{Name: name, Master: master, Desired: 1, Ready: ready, Metadata: state}
}

func TestJudge(t *testing.T) {
	ns := func(ready int32) *v1alpha1.ComponentStatus {
		return &v1alpha1.ComponentStatus{Desired: 2, Ready: ready}
	}
	tests := []struct {
		name                  string
		st                    v1alpha1.RocketMQClusterStatus
		degraded, progressing string
	}{
		{"all ready", v1alpha1.RocketMQClusterStatus{NameServer: ns(2), BrokerGroups: []v1alpha1.BrokerGroupStatus{
			groupStatus("g0", "g0-0", 1, v1alpha1.MetadataInitial), groupStatus("g1", "g1-0", 1, v1alpha1.MetadataSynced)}},
			"", ""},
		{"first start: nothing ready is not damage", v1alpha1.RocketMQClusterStatus{NameServer: ns(0), BrokerGroups: []v1alpha1.BrokerGroupStatus{
			groupStatus("g0", "", 0, "")}},
			"", ReasonPodsNotReady},
		{"master lost after baseline", v1alpha1.RocketMQClusterStatus{NameServer: ns(2), BrokerGroups: []v1alpha1.BrokerGroupStatus{
			groupStatus("g0", "", 0, v1alpha1.MetadataInitial)}},
			ReasonMasterLost, ReasonPodsNotReady},
		{"NameServers down after baseline", v1alpha1.RocketMQClusterStatus{NameServer: ns(0), BrokerGroups: []v1alpha1.BrokerGroupStatus{
			groupStatus("g0", "g0-0", 1, v1alpha1.MetadataInitial)}},
			ReasonNameServersDown, ReasonPodsNotReady},
		{"copy failed", v1alpha1.RocketMQClusterStatus{NameServer: ns(2), BrokerGroups: []v1alpha1.BrokerGroupStatus{
			groupStatus("g0", "g0-0", 1, v1alpha1.MetadataInitial), groupStatus("g1", "g1-0", 1, v1alpha1.MetadataFailed)}},
			ReasonMetadataFailed, ""},
		{"copy pending with pods ready", v1alpha1.RocketMQClusterStatus{NameServer: ns(2), BrokerGroups: []v1alpha1.BrokerGroupStatus{
			groupStatus("g0", "g0-0", 1, v1alpha1.MetadataInitial), groupStatus("g1", "g1-0", 1, v1alpha1.MetadataCopying)}},
			"", ReasonMetadataCopying},
		{"pods outrank metadata", v1alpha1.RocketMQClusterStatus{NameServer: ns(1), BrokerGroups: []v1alpha1.BrokerGroupStatus{
			groupStatus("g0", "g0-0", 1, v1alpha1.MetadataInitial), groupStatus("g1", "g1-0", 1, v1alpha1.MetadataPending)}},
			"", ReasonPodsNotReady},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h health
			judge(&tt.st, &h)
			assert.Equal(t, tt.degraded, h.degradedReason)
			assert.Equal(t, tt.progressing, h.progressingReason)
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
	for _, cd := range st.Conditions {
		assert.Equal(t, int64(3), cd.ObservedGeneration)
	}

	setConditions(st, 4, health{degradedReason: ReasonMasterLost, degradedMsg: "broker group g1 has no ready master",
		progressingReason: ReasonPodsNotReady})
	c = byType()
	assert.Equal(t, ReasonMasterLost, c[v1alpha1.ConditionReady].Reason, "Ready names the damage first")
	assert.Equal(t, metav1.ConditionTrue, c[v1alpha1.ConditionDegraded].Status)

	setConditions(st, 4, health{})
	c = byType()
	assert.Equal(t, metav1.ConditionTrue, c[v1alpha1.ConditionReady].Status)
	assert.Equal(t, ReasonNotProgressing, c[v1alpha1.ConditionProgressing].Reason)
	assert.Equal(t, ReasonNotDegraded, c[v1alpha1.ConditionDegraded].Reason)
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
