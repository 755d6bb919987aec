package brokeraddr

import (
	"testing"

	"github.com/stretchr/testify/assert"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func pod(ns, name, subdomain, ip string) corev1.Pod {
	return corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       corev1.PodSpec{Subdomain: subdomain},
		Status:     corev1.PodStatus{PodIP: ip},
	}
}

func ownedPod(ns, name, set, ip string) corev1.Pod {
	p := pod(ns, name, "", ip)
	p.OwnerReferences = []metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "StatefulSet", Name: set, Controller: ptr.To(true)}}
	return p
}

func TestPod(t *testing.T) {
	pods := []corev1.Pod{
		pod("mq", "demo-broker-0-0", "demo-broker-0", "10.1.0.5"),
		pod("mq", "demo-broker-0-1", "demo-broker-0", "10.1.0.6"),
		pod("other", "demo-broker-0-0", "demo-broker-0", "10.2.0.5"),
		ownedPod("mq", "demo-broker-1-0", "demo-broker-1", "10.1.0.7"),
		{ObjectMeta: metav1.ObjectMeta{Namespace: "mq", Name: "dual"}, Status: corev1.PodStatus{
			PodIP: "10.1.0.8", PodIPs: []corev1.PodIP{{IP: "10.1.0.8"}, {IP: "fd00::8"}}}},
	}
	sets := map[string]string{"demo-broker-1": "demo-broker-1"}
	tests := []struct {
		addr string
		want string // namespace/name, "" for none
	}{
		{"10.1.0.6:10911", "mq/demo-broker-0-1"},
		{"10.2.0.5:10911", "other/demo-broker-0-0"},
		{"[fd00::8]:10911", "mq/dual"},
		{"10.9.9.9:10911", ""},
		{"demo-broker-0-0.demo-broker-0.mq.svc:10911", "mq/demo-broker-0-0"},
		{"demo-broker-0-0.demo-broker-0.other.svc:10911", "other/demo-broker-0-0"},
		{"demo-broker-0-1.demo-broker-0.mq.svc.cluster.local:10911", "mq/demo-broker-0-1"},
		{"demo-broker-0-1.demo-broker-0.mq.svc.corp.example.:10911", "mq/demo-broker-0-1"},
		{"Demo-Broker-0-1.demo-broker-0.MQ.svc:10911", "mq/demo-broker-0-1"},
		{"demo-broker-1-0.demo-broker-1.mq.svc:10911", "mq/demo-broker-1-0"},
		{"demo-broker-0-0.demo-broker-1.mq.svc:10911", ""},
		{"demo-broker-0-0.demo-broker-0.mq.pod:10911", ""},
		{"demo-broker-0-0.demo-broker-0.mq:10911", ""},
		{"demo-broker-0-0..mq.svc:10911", ""},
		{"demo-broker-0-0.demo-broker-0.mq.svc", ""},
		{"broker.example.com:10911", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			got := Pod(tt.addr, pods, sets)
			if tt.want == "" {
				assert.Nil(t, got)
				return
			}
			if assert.NotNil(t, got) {
				assert.Equal(t, tt.want, got.Namespace+"/"+got.Name)
			}
		})
	}
}

func TestPodWithoutServiceNames(t *testing.T) {
	pods := []corev1.Pod{ownedPod("mq", "demo-broker-1-0", "demo-broker-1", "10.1.0.7")}
	assert.Nil(t, Pod("demo-broker-1-0.demo-broker-1.mq.svc:10911", pods, nil),
		"without spec.subdomain or the StatefulSet's serviceName the Service is unknown")
}

func TestPodKey(t *testing.T) {
	cases := []struct {
		addr, ns, name string
		ok             bool
	}{
		{"orders-nameserver-0.orders-nameserver.mq.svc:9876", "mq", "orders-nameserver-0", true},
		{"a-0.a.team-b.svc.cluster.local.:10911", "team-b", "a-0", true},
		{"127.1.0.4:9876", "", "", false},
		{"namesrv.example.internal:9876", "", "", false},
	}
	for _, c := range cases {
		ns, name, ok := PodKey(c.addr)
		if ns != c.ns || name != c.name || ok != c.ok {
			t.Errorf("PodKey(%q) = %q, %q, %v; want %q, %q, %v", c.addr, ns, name, ok, c.ns, c.name, c.ok)
		}
	}
}
