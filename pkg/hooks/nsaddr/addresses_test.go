package nsaddr

import (
	"testing"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

func cluster(hostNetwork bool) *v1alpha1.RocketMQCluster {
	c := &v1alpha1.RocketMQCluster{ObjectMeta: metav1.ObjectMeta{Name: "demo", Namespace: "mq"}}
	c.Spec.NameServer.HostNetwork = hostNetwork
	return c
}

func pod(name string, ready bool, hostIP string) corev1.Pod {
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	return corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "mq"},
		Status: corev1.PodStatus{
			HostIP:     hostIP,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: st}},
		},
	}
}

func TestDesired(t *testing.T) {
	dns := func(i string) string { return "demo-nameserver-" + i + ".demo-nameserver.mq.svc:9876" }
	terminating := pod("demo-nameserver-1", true, "")
	terminating.DeletionTimestamp = &metav1.Time{}
	tests := []struct {
		name        string
		hostNetwork bool
		pods        []corev1.Pod
		desired     int32
		want        []string
		complete    bool
	}{
		{"ordinal order, not list order", false,
			[]corev1.Pod{pod("demo-nameserver-10", true, ""), pod("demo-nameserver-2", true, ""), pod("demo-nameserver-0", true, "")},
			11, []string{dns("0"), dns("2"), dns("10")}, false},
		{"all ready is complete", false,
			[]corev1.Pod{pod("demo-nameserver-1", true, ""), pod("demo-nameserver-0", true, "")},
			2, []string{dns("0"), dns("1")}, true},
		{"not ready pod left out", false,
			[]corev1.Pod{pod("demo-nameserver-0", true, ""), pod("demo-nameserver-1", false, "")},
			2, []string{dns("0")}, false},
		{"terminating pod left out", false,
			[]corev1.Pod{pod("demo-nameserver-0", true, ""), terminating},
			2, []string{dns("0")}, false},
		{"pod above desired is scaling in", false,
			[]corev1.Pod{pod("demo-nameserver-0", true, ""), pod("demo-nameserver-1", true, ""), pod("demo-nameserver-2", true, "")},
			2, []string{dns("0"), dns("1")}, true},
		{"foreign names ignored", false,
			[]corev1.Pod{pod("demo-nameserver-0", true, ""), pod("other-nameserver-1", true, ""), pod("demo-nameserver-x", true, ""), pod("demo-nameserver-01", true, "")},
			1, []string{dns("0")}, true},
		{"host network uses node IPs", true,
			[]corev1.Pod{pod("demo-nameserver-1", true, "10.0.0.2"), pod("demo-nameserver-0", true, "10.0.0.1")},
			2, []string{"10.0.0.1:9876", "10.0.0.2:9876"}, true},
		{"host network without host IP left out", true,
			[]corev1.Pod{pod("demo-nameserver-0", true, ""), pod("demo-nameserver-1", true, "10.0.0.2")},
			2, []string{"10.0.0.2:9876"}, false},
		{"nothing ready", false, nil, 2, []string{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Desired(cluster(tt.hostNetwork), tt.pods, tt.desired)
			assert.Equal(t, tt.want, got.List)
			assert.Equal(t, tt.complete, got.Complete)
		})
	}
}

func TestOrdinal(t *testing.T) {
	tests := []struct {
		pod  string
		want int
		ok   bool
	}{
		{"demo-nameserver-0", 0, true},
		{"demo-nameserver-12", 12, true},
		{"demo-nameserver-", 0, false},
		{"demo-nameserver--1", 0, false},
		{"demo-nameserver-+1", 0, false},
		{"demo-nameserver-007", 0, false},
		{"demo-nameserverx-1", 0, false},
	}
	for _, tt := range tests {
		got, ok := Ordinal(tt.pod, "demo-nameserver")
		assert.Equal(t, tt.ok, ok, tt.pod)
		assert.Equal(t, tt.want, got, tt.pod)
	}
}

func TestSplitJoinEqual(t *testing.T) {
	assert.Equal(t, []string{"a:1", "b:2"}, Split(" a:1 ;; b:2;"))
	assert.Nil(t, Split(""))
	assert.Equal(t, "a:1;b:2", Join([]string{"a:1", "b:2"}))
	assert.True(t, Equal(Split("a;b"), []string{"a", "b"}))
	assert.False(t, Equal(Split("b;a"), []string{"a", "b"}))
	assert.False(t, Equal(Split("a"), []string{"a", "b"}))
}
