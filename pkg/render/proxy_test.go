package render

import (
	"encoding/json"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

func proxyParts(t *testing.T, c *v1alpha1.RocketMQCluster) (map[string]string, *appsv1.Deployment, *corev1.Service) {
	t.Helper()
	objs := mustRender(t, c)
	return typed[corev1.ConfigMap](t, find(t, objs, "ConfigMap", c.ProxyName())).Data,
		typed[appsv1.Deployment](t, find(t, objs, "Deployment", c.ProxyName())),
		typed[corev1.Service](t, find(t, objs, "Service", c.ProxyName()))
}

func TestProxyConfig(t *testing.T) {
	c := fullCluster("orders", "mq")
	c.Spec.Proxy.Enabled = true
	c.Spec.Proxy.ServiceType = corev1.ServiceTypeLoadBalancer
	data, dep, svc := proxyParts(t, c)
	var cfg map[string]any
	if err := json.Unmarshal([]byte(data[proxyConfFile]), &cfg); err != nil {
		t.Fatalf("rmq-proxy.json is not JSON: %v", err)
	}
	want := map[string]any{
		"rocketMQClusterName": "orders", "proxyMode": "CLUSTER",
		"namesrvAddr":        "orders-nameserver-0.orders-nameserver.mq.svc:9876;orders-nameserver-1.orders-nameserver.mq.svc:9876",
		"remotingListenPort": float64(8080), "grpcServerPort": float64(8081),
	}
	for k, v := range want {
		if cfg[k] != v {
			t.Errorf("%s = %v, want %v", k, cfg[k], v)
		}
	}
	for _, k := range []string{"authenticationEnabled", "metricsExporterType"} {
		if _, has := cfg[k]; has {
			t.Errorf("%s set although disabled", k)
		}
	}
	if svc.Spec.Type != corev1.ServiceTypeLoadBalancer || len(svc.Spec.Ports) != 2 {
		t.Errorf("Service %+v", svc.Spec)
	}
	if *dep.Spec.Replicas != 2 || dep.Spec.Template.Annotations[AnnotationConfigHash] != ConfigHash(data) {
		t.Errorf("Deployment replicas %d, config hash %q", *dep.Spec.Replicas, dep.Spec.Template.Annotations[AnnotationConfigHash])
	}
	if p := dep.Spec.Template.Spec.Containers[0].ReadinessProbe.TCPSocket.Port.StrVal; p != portNameGRPC {
		t.Errorf("probe port %q", p)
	}
}

// TestProxyACLCredentials runs the Proxy's start script with credentials
// that need escaping and reads rmq-proxy.json back the way the Proxy does.
func TestProxyACLCredentials(t *testing.T) {
	c := everything(fullCluster("orders", "mq"))
	data, dep, _ := proxyParts(t, c)
	if strings.Contains(data[proxyConfFile], "innerClientAuthenticationCredentials") {
		t.Fatal("credentials rendered into the ConfigMap")
	}
	user, pass := `a"d\m`, `p"a\s$(s)`
	run := runStartScript(t, dep.Spec.Template.Spec.Containers[0].Command[2], data,
		map[string]string{"POD_NAME": "orders-proxy-abc", envACLUser: user, envACLPassword: pass})
	if run.err != nil {
		t.Fatalf("script failed: %v\n%s", run.err, run.stderr)
	}
	if run.args[0] != "-pc" {
		t.Fatalf("mqproxy args %q", run.args)
	}
	var cfg struct {
		AuthenticationEnabled                bool
		AuthenticationMetadataProvider       string
		InnerClientAuthenticationCredentials string
		MetricsExporterType                  string
		RocketMQClusterName                  string
	}
	if err := json.Unmarshal([]byte(run.conf), &cfg); err != nil {
		t.Fatalf("rmq-proxy.json after start is not JSON: %v\n%s", err, run.conf)
	}
	var inner struct{ AccessKey, SecretKey string }
	if err := json.Unmarshal([]byte(cfg.InnerClientAuthenticationCredentials), &inner); err != nil {
		t.Fatalf("inner credentials are not JSON: %q", cfg.InnerClientAuthenticationCredentials)
	}
	if inner.AccessKey != user || inner.SecretKey != pass {
		t.Errorf("credentials %+v, want %q/%q", inner, user, pass)
	}
	if !cfg.AuthenticationEnabled || cfg.AuthenticationMetadataProvider != proxyAuthnMetadata ||
		cfg.MetricsExporterType != "PROM" || cfg.RocketMQClusterName != "orders" {
		t.Errorf("config lost keys: %+v", cfg)
	}
}

func TestProxyWithoutACLRunsTemplateCopy(t *testing.T) {
	c := fullCluster("orders", "mq")
	c.Spec.Proxy.Enabled = true
	data, dep, _ := proxyParts(t, c)
	run := runStartScript(t, dep.Spec.Template.Spec.Containers[0].Command[2], data, nil)
	if run.err != nil || run.conf != data[proxyConfFile] {
		t.Fatalf("err %v; config %q, want the template verbatim", run.err, run.conf)
	}
	if envVar(dep.Spec.Template.Spec.Containers[0].Env, envACLUser) != nil {
		t.Error("ACL env without ACL")
	}
}

// TestProxyFollowsNameServers: the Proxy has no DNS lookup, so a
// NameServer scale rolls it, and only it among the data-less parts.
func TestProxyFollowsNameServers(t *testing.T) {
	c := fullCluster("orders", "mq")
	c.Spec.Proxy.Enabled = true
	a, _, _ := proxyParts(t, c)
	c.Spec.NameServer.Replicas = ptr.To[int32](3)
	b, _, _ := proxyParts(t, c)
	if ConfigHash(a) == ConfigHash(b) || !strings.Contains(b[proxyConfFile], "orders-nameserver-2.") {
		t.Error("the Proxy config does not follow the NameServer replicas")
	}
}

// TestProxyDirectMemoryCap checks the Proxy's JVM gets its direct-memory
// cap: without it JDK 8 lets Netty's direct buffers grow to the heap's
// size on top of the heap.
func TestProxyDirectMemoryCap(t *testing.T) {
	_, dep, _ := proxyParts(t, everything(fullCluster("orders", "mq")))
	ctr := dep.Spec.Template.Spec.Containers[0]
	want := "-Xms512m -Xmx512m -Xmn256m -XX:MaxDirectMemorySize=256m -XX:ErrorFile=/home/rocketmq/logs/hs_err_pid%p.log" + gcLogs
	if got := envValue(ctr.Env, envJavaOptExt); got != want {
		t.Errorf("JAVA_OPT_EXT %q, want %q", got, want)
	}
}

// TestProxyExternal checks proxy.external: the Proxy advertises the
// address with its listen port (GetTopicRouteActivity answers
// remotingAccessAddr:remotingListenPort), and the Service exposes that port
// outside the cluster.
func TestProxyExternal(t *testing.T) {
	tests := []struct {
		name           string
		ext            v1alpha1.ProxyExternalSpec
		svcType        corev1.ServiceType
		listen         int32
		remoting, grpc corev1.ServicePort
	}{
		{"load balancer, default ports", v1alpha1.ProxyExternalSpec{Address: "mq.example.com"}, corev1.ServiceTypeLoadBalancer, 8080,
			tcpServicePort(portNameRemoting, 8080), tcpServicePort(portNameGRPC, 8081)},
		{"load balancer, own ports", v1alpha1.ProxyExternalSpec{Address: "203.0.113.7", RemotingPort: ptr.To[int32](9080), GRPCPort: ptr.To[int32](443)},
			corev1.ServiceTypeLoadBalancer, 9080, tcpServicePort(portNameRemoting, 9080), tcpServicePort(portNameGRPC, 443)},
		{"node port", v1alpha1.ProxyExternalSpec{Address: "nodes.example.com", ServiceType: corev1.ServiceTypeNodePort, RemotingPort: ptr.To[int32](30080)},
			corev1.ServiceTypeNodePort, 30080,
			corev1.ServicePort{Name: portNameRemoting, Port: 8080, NodePort: 30080, TargetPort: intstrFromName(portNameRemoting), Protocol: corev1.ProtocolTCP},
			tcpServicePort(portNameGRPC, 8081)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fullCluster("orders", "mq")
			c.Spec.Proxy.Enabled = true
			c.Spec.Proxy.External = &tt.ext
			data, dep, svc := proxyParts(t, c)
			var cfg map[string]any
			if err := json.Unmarshal([]byte(data[proxyConfFile]), &cfg); err != nil {
				t.Fatal(err)
			}
			if cfg["remotingAccessAddr"] != tt.ext.Address || cfg["remotingListenPort"] != float64(tt.listen) {
				t.Errorf("advertises %v:%v, want %s:%d", cfg["remotingAccessAddr"], cfg["remotingListenPort"], tt.ext.Address, tt.listen)
			}
			if svc.Spec.Type != tt.svcType || len(svc.Spec.Ports) != 2 || svc.Spec.Ports[0] != tt.remoting || svc.Spec.Ports[1] != tt.grpc {
				t.Errorf("Service %s ports %+v, want %s %+v %+v", svc.Spec.Type, svc.Spec.Ports, tt.svcType, tt.remoting, tt.grpc)
			}
			if p := dep.Spec.Template.Spec.Containers[0].Ports[0]; p.Name != portNameRemoting || p.ContainerPort != tt.listen {
				t.Errorf("container port %+v, want remoting %d", p, tt.listen)
			}
		})
	}
	c := fullCluster("orders", "mq")
	c.Spec.Proxy.Enabled = true
	data, _, _ := proxyParts(t, c)
	if strings.Contains(data[proxyConfFile], "remotingAccessAddr") {
		t.Error("remotingAccessAddr set without proxy.external: the Proxy must keep its pod IP for in-cluster clients")
	}
}
