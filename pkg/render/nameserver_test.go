package render

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

func TestNameServer(t *testing.T) {
	c := fullCluster("orders", "mq")
	c.Spec.NameServer.Replicas = ptr.To[int32](3)
	objs := mustRender(t, c)
	sts := statefulSetOf(t, objs, "orders-nameserver")
	if *sts.Spec.Replicas != 3 || sts.Spec.PodManagementPolicy != appsv1.ParallelPodManagement || sts.Spec.ServiceName != "orders-nameserver" {
		t.Errorf("StatefulSet spec %+v", sts.Spec)
	}
	if len(sts.Spec.VolumeClaimTemplates) != 0 || sts.Annotations[annotationArgoSyncOptions] != "" {
		t.Error("the NameServer holds no data and must not carry volume claims or prune protection")
	}
	pod := sts.Spec.Template.Spec
	if pod.HostNetwork || pod.DNSPolicy != "" {
		t.Errorf("hostNetwork %v dnsPolicy %q without hostNetwork asked", pod.HostNetwork, pod.DNSPolicy)
	}
	ctr := pod.Containers[0]
	if ctr.Image != "apache/rocketmq:5.3.3" || ctr.Command[2] != "set -eu\nexec sh \"$ROCKETMQ_HOME/bin/mqnamesrv\"\n" {
		t.Errorf("image %q command %q", ctr.Image, ctr.Command)
	}
	if env := envValue(ctr.Env, envJavaOptExt); env != "-Xms512m -Xmx512m -Xmn256m -XX:ErrorFile=/home/rocketmq/logs/hs_err_pid%p.log"+gcLogs {
		t.Errorf("JAVA_OPT_EXT %q", env)
	}
	svc := typed[corev1.Service](t, find(t, objs, "Service", "orders-nameserver"))
	if svc.Spec.ClusterIP != corev1.ClusterIPNone || svc.Spec.PublishNotReadyAddresses {
		t.Errorf("NameServer Service must be headless and publish only ready pods: %+v", svc.Spec)
	}
	all := typed[corev1.Service](t, find(t, objs, "Service", "orders-nameserver-all"))
	if all.Spec.ClusterIP != corev1.ClusterIPNone || !all.Spec.PublishNotReadyAddresses ||
		all.Spec.Selector[v1alpha1.LabelComponent] != v1alpha1.ComponentNameServer {
		t.Errorf("brokers' NameServer Service must be headless, select the NameServers and publish not-ready pods: %+v", all.Spec)
	}
}

// TestNameServerReadinessDelay: a NameServer turns ready only after one
// DNS cache lifetime and one broker discovery and registration round, with
// the broker periods as the brokers run them.
func TestNameServerReadinessDelay(t *testing.T) {
	tests := []struct {
		name   string
		config map[string]v1alpha1.ConfigValue
		want   int32
	}{
		{"rendered periods", nil, 30 + 5 + 10 + 5},
		{"user periods", map[string]v1alpha1.ConfigValue{"updateNameServerAddrPeriod": "20000", "registerNameServerPeriod": "30000"}, 30 + 20 + 30 + 5},
		{"register period clamped to 10 s", map[string]v1alpha1.ConfigValue{"registerNameServerPeriod": "1000"}, 30 + 5 + 10 + 5},
		{"not a number keeps the Java default", map[string]v1alpha1.ConfigValue{"updateNameServerAddrPeriod": "5s"}, 30 + 120 + 10 + 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fullCluster("orders", "mq")
			c.Spec.Broker.Config = tt.config
			ctr := statefulSetOf(t, mustRender(t, c), "orders-nameserver").Spec.Template.Spec.Containers[0]
			if got := ctr.ReadinessProbe.InitialDelaySeconds; got != tt.want {
				t.Errorf("readiness initialDelaySeconds %d, want %d", got, tt.want)
			}
			if ctr.ReadinessProbe.TCPSocket == nil {
				t.Error("readiness must stay a TCP check (no credentials needed with ACL on)")
			}
		})
	}
}

func TestNameServerHostNetwork(t *testing.T) {
	for _, mode := range []v1alpha1.AntiAffinityMode{v1alpha1.AntiAffinitySoft, v1alpha1.AntiAffinityHard, v1alpha1.AntiAffinityNone} {
		t.Run(string(mode), func(t *testing.T) {
			c := fullCluster("orders", "mq")
			c.Spec.NameServer.HostNetwork = true
			c.Spec.Placement.AntiAffinity = mode
			pod := statefulSetOf(t, mustRender(t, c), "orders-nameserver").Spec.Template.Spec
			if !pod.HostNetwork || pod.DNSPolicy != corev1.DNSClusterFirstWithHostNet {
				t.Fatalf("hostNetwork %v dnsPolicy %q", pod.HostNetwork, pod.DNSPolicy)
			}
			req := pod.Affinity.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution
			if len(req) != 1 || req[0].TopologyKey != hostnameTopologyKey ||
				req[0].LabelSelector.MatchLabels[v1alpha1.LabelComponent] != v1alpha1.ComponentNameServer {
				t.Fatalf("want exactly one required per-node anti-affinity term, got %+v", req)
			}
			if port := pod.Containers[0].Ports[0]; port.HostPort != 9876 {
				t.Errorf("hostPort %d, want 9876 (what the API server would default)", port.HostPort)
			}
		})
	}
}

func envValue(env []corev1.EnvVar, name string) string {
	for _, e := range env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func envVar(env []corev1.EnvVar, name string) *corev1.EnvVar {
	for i := range env {
		if env[i].Name == name {
			return &env[i]
		}
	}
	return nil
}
