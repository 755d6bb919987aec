package render

import (
	"encoding/json"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

func brokerScriptOf(t *testing.T, sts *appsv1.StatefulSet) string {
	t.Helper()
	cmd := sts.Spec.Template.Spec.Containers[0].Command
	if len(cmd) != 3 || cmd[0] != "sh" || cmd[1] != "-c" {
		t.Fatalf("broker command is not sh -c <script>: %q", cmd)
	}
	return cmd[2]
}

func brokerConfOf(t *testing.T, c *v1alpha1.RocketMQCluster, g int32) string {
	t.Helper()
	cm := typed[corev1.ConfigMap](t, find(t, mustRender(t, c), "ConfigMap", c.BrokerGroupName(g)))
	return cm.Data[brokerConfFile]
}

// TestBrokerIdentityMasterSlave runs the real start script for pods of a
// cluster whose name contains '-' and checks the identity it appends.
func TestBrokerIdentityMasterSlave(t *testing.T) {
	tests := []struct {
		name        string
		replication v1alpha1.ReplicationMode
		pod         string
		wantID      string
		wantRole    string
	}{
		{"master async", v1alpha1.ReplicationAsync, "my-orders-broker-1-0", "0", "ASYNC_MASTER"},
		{"master sync", v1alpha1.ReplicationSync, "my-orders-broker-1-0", "0", "SYNC_MASTER"},
		{"slave 2", v1alpha1.ReplicationAsync, "my-orders-broker-1-2", "2", "SLAVE"},
		{"slave 1 sync", v1alpha1.ReplicationSync, "my-orders-broker-1-1", "1", "SLAVE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fullCluster("my-orders", "mq")
			c.Spec.Broker.Groups = ptr.To[int32](2)
			c.Spec.Broker.ReplicasPerGroup = ptr.To[int32](3)
			c.Spec.Broker.ReplicationMode = tt.replication
			objs := mustRender(t, c)
			sts := statefulSetOf(t, objs, "my-orders-broker-1")
			tmpl := typed[corev1.ConfigMap](t, find(t, objs, "ConfigMap", "my-orders-broker-1")).Data
			run := runStartScript(t, brokerScriptOf(t, sts), tmpl, map[string]string{"POD_NAME": tt.pod, "POD_NAMESPACE": "mq"})
			if run.err != nil {
				t.Fatalf("script failed: %v\n%s", run.err, run.stderr)
			}
			if run.args[0] != "-c" {
				t.Fatalf("mqbroker args = %q, want -c <file>", run.args)
			}
			p := loadProperties(t, run.conf)
			host := tt.pod + ".my-orders-broker-1.mq.svc"
			want := map[string]string{
				"brokerId": tt.wantID, "brokerRole": tt.wantRole, "brokerIP1": host, "brokerIP2": host,
				"brokerName": "my-orders-broker-1", "brokerClusterName": "my-orders",
				"namesrvAddr": "my-orders-nameserver-all.mq.svc:9876", "fetchNameSrvAddrByDnsLookup": "true",
			}
			for k, v := range want {
				if p[k] != v {
					t.Errorf("%s = %q, want %q", k, p[k], v)
				}
			}
			if strings.Count(run.conf, "brokerId=") != 1 {
				t.Errorf("brokerId written more than once:\n%s", run.conf)
			}
		})
	}
}

// TestBrokerWaitsForOwnName: the broker resolves brokerIP1 once, at start,
// into the store host of every message, so the script must not start it
// before the pod's own DNS name resolves.
func TestBrokerWaitsForOwnName(t *testing.T) {
	c := fullCluster("orders", "mq")
	objs := mustRender(t, c)
	tmpl := typed[corev1.ConfigMap](t, find(t, objs, "ConfigMap", "orders-broker-0")).Data
	run := runStartScript(t, brokerScriptOf(t, statefulSetOf(t, objs, "orders-broker-0")), tmpl,
		map[string]string{"POD_NAME": "orders-broker-0-1", "POD_NAMESPACE": "mq", "GETENT_FAILS": "2"})
	if run.err != nil {
		t.Fatalf("script failed: %v\n%s", run.err, run.stderr)
	}
	host := "orders-broker-0-1.orders-broker-0.mq.svc"
	if want := []string{host, host, host}; strings.Join(run.lookups, " ") != strings.Join(want, " ") {
		t.Fatalf("lookups = %q, want %q: two failures, then the start", run.lookups, want)
	}
	if run.args == nil || loadProperties(t, run.conf)["brokerIP1"] != host {
		t.Fatalf("broker not started with brokerIP1 %s after the name resolved; args %q", host, run.args)
	}
	if strings.Count(run.stderr, "waiting until "+host+" resolves") != 1 {
		t.Fatalf("stderr should say once what the script waits for: %q", run.stderr)
	}
}

func TestBrokerIdentityRefusesBadPodName(t *testing.T) {
	c := fullCluster("orders", "mq")
	objs := mustRender(t, c)
	tmpl := typed[corev1.ConfigMap](t, find(t, objs, "ConfigMap", "orders-broker-0")).Data
	run := runStartScript(t, brokerScriptOf(t, statefulSetOf(t, objs, "orders-broker-0")), tmpl,
		map[string]string{"POD_NAME": "orders-broker-zero", "POD_NAMESPACE": "mq"})
	if run.err == nil || run.args != nil {
		t.Fatalf("script accepted a pod name without ordinal; launcher args %q", run.args)
	}
	if !strings.Contains(run.stderr, "cannot derive the pod ordinal") {
		t.Fatalf("stderr does not explain the failure: %q", run.stderr)
	}
}

func TestBrokerIdentityControllerMode(t *testing.T) {
	c := withController(fullCluster("my-orders", "mq"), 3, v1alpha1.ControllerDLedger)
	c.Spec.Broker.ReplicationMode = v1alpha1.ReplicationSync
	objs := mustRender(t, c)
	tmpl := typed[corev1.ConfigMap](t, find(t, objs, "ConfigMap", "my-orders-broker-0")).Data
	run := runStartScript(t, brokerScriptOf(t, statefulSetOf(t, objs, "my-orders-broker-0")), tmpl,
		map[string]string{"POD_NAME": "my-orders-broker-0-1", "POD_NAMESPACE": "mq"})
	if run.err != nil {
		t.Fatalf("script failed: %v\n%s", run.err, run.stderr)
	}
	p := loadProperties(t, run.conf)
	wantCtrl := "my-orders-controller-0.my-orders-controller.mq.svc:9878;" +
		"my-orders-controller-1.my-orders-controller.mq.svc:9878;my-orders-controller-2.my-orders-controller.mq.svc:9878"
	want := map[string]string{
		"enableControllerMode": "true", "controllerAddr": wantCtrl, "brokerId": "-1", "brokerRole": "SLAVE",
		"allAckInSyncStateSet": "true", "brokerIP1": "my-orders-broker-0-1.my-orders-broker-0.mq.svc",
	}
	for k, v := range want {
		if p[k] != v {
			t.Errorf("%s = %q, want %q", k, p[k], v)
		}
	}
}

// TestBrokerACLCredentials feeds credentials with characters that need
// escaping through the script and reads them back as the broker would:
// properties first, then JSON.
func TestBrokerACLCredentials(t *testing.T) {
	c := everything(fullCluster("orders", "mq"))
	objs := mustRender(t, c)
	tmpl := typed[corev1.ConfigMap](t, find(t, objs, "ConfigMap", "orders-broker-0")).Data
	if strings.Contains(tmpl[brokerConfFile], "initAuthenticationUser") {
		t.Fatalf("credentials key rendered into the ConfigMap:\n%s", tmpl[brokerConfFile])
	}
	user, pass := `ad"min`, `p\a$s'w%s"rd`
	run := runStartScript(t, brokerScriptOf(t, statefulSetOf(t, objs, "orders-broker-0")), tmpl,
		map[string]string{"POD_NAME": "orders-broker-0-0", "POD_NAMESPACE": "mq", envACLUser: user, envACLPassword: pass})
	if run.err != nil {
		t.Fatalf("script failed: %v\n%s", run.err, run.stderr)
	}
	p := loadProperties(t, run.conf)
	var initUser struct{ Username, Password string }
	if err := json.Unmarshal([]byte(p["initAuthenticationUser"]), &initUser); err != nil {
		t.Fatalf("initAuthenticationUser is not JSON: %q: %v", p["initAuthenticationUser"], err)
	}
	var inner struct{ AccessKey, SecretKey string }
	if err := json.Unmarshal([]byte(p["innerClientAuthenticationCredentials"]), &inner); err != nil {
		t.Fatalf("innerClientAuthenticationCredentials is not JSON: %v", err)
	}
	if initUser.Username != user || initUser.Password != pass || inner.AccessKey != user || inner.SecretKey != pass {
		t.Fatalf("credentials did not survive: init=%+v inner=%+v", initUser, inner)
	}
	if p["authenticationEnabled"] != "true" || p["authorizationEnabled"] != "true" {
		t.Fatalf("ACL 2.0 not enabled in broker.conf:\n%s", run.conf)
	}
}

// TestACLCredentialsMustBePrintableASCII: the broker decodes broker.conf
// as ISO-8859-1 and a line break cuts the properties line, so broker and
// Proxy refuse such credentials at start, saying which one is wrong.
func TestACLCredentialsMustBePrintableASCII(t *testing.T) {
	c := everything(fullCluster("orders", "mq"))
	objs := mustRender(t, c)
	brokerTmpl := typed[corev1.ConfigMap](t, find(t, objs, "ConfigMap", "orders-broker-0")).Data
	proxyTmpl := typed[corev1.ConfigMap](t, find(t, objs, "ConfigMap", "orders-proxy")).Data
	proxy := find(t, objs, "Deployment", "orders-proxy")
	proxyScript := typed[appsv1.Deployment](t, proxy).Spec.Template.Spec.Containers[0].Command[2]
	tests := []struct{ name, user, pass, bad string }{
		{"accented password", "admin", "pässwörd", envACLPassword},
		{"trailing newline", "admin", "secret\n", envACLPassword},
		{"tab in user", "ad\tmin", "secret", envACLUser},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"POD_NAME": "orders-broker-0-0", "POD_NAMESPACE": "mq", envACLUser: tt.user, envACLPassword: tt.pass}
			for comp, run := range map[string]scriptRun{
				"broker": runStartScript(t, brokerScriptOf(t, statefulSetOf(t, objs, "orders-broker-0")), brokerTmpl, env),
				"proxy":  runStartScript(t, proxyScript, proxyTmpl, env),
			} {
				if run.err == nil || run.args != nil {
					t.Errorf("%s started with credentials it cannot pass on intact; args %q", comp, run.args)
				}
				if !strings.Contains(run.stderr, tt.bad+" must be printable ASCII") {
					t.Errorf("%s: stderr does not name %s: %q", comp, tt.bad, run.stderr)
				}
			}
		})
	}
}

func TestBrokerACLMissingSecretFails(t *testing.T) {
	c := everything(fullCluster("orders", "mq"))
	objs := mustRender(t, c)
	tmpl := typed[corev1.ConfigMap](t, find(t, objs, "ConfigMap", "orders-broker-0")).Data
	run := runStartScript(t, brokerScriptOf(t, statefulSetOf(t, objs, "orders-broker-0")), tmpl,
		map[string]string{"POD_NAME": "orders-broker-0-0", "POD_NAMESPACE": "mq"})
	if run.err == nil || run.args != nil {
		t.Fatalf("broker started without ACL credentials")
	}
}

func TestBrokerConfigHash(t *testing.T) {
	hashOf := func(c *v1alpha1.RocketMQCluster) string {
		return statefulSetOf(t, mustRender(t, c), c.BrokerGroupName(0)).Spec.Template.Annotations[AnnotationConfigHash]
	}
	base := fullCluster("orders", "mq")
	h0 := hashOf(base)
	if len(h0) < 16 {
		t.Fatalf("config hash %q is shorter than 16 characters", h0)
	}
	changed := fullCluster("orders", "mq")
	changed.Spec.Broker.Config = map[string]v1alpha1.ConfigValue{"autoCreateTopicEnable": "false"}
	if hashOf(changed) == h0 {
		t.Error("a broker config change did not change the config hash")
	}
	flush := fullCluster("orders", "mq")
	flush.Spec.Broker.FlushDiskType = v1alpha1.FlushSync
	if hashOf(flush) == h0 {
		t.Error("a flushDiskType change did not change the config hash")
	}
	// A NameServer scale must not touch any broker pod template.
	scaled := fullCluster("orders", "mq")
	scaled.Spec.NameServer.Replicas = ptr.To[int32](5)
	a := statefulSetOf(t, mustRender(t, base), "orders-broker-0")
	b := statefulSetOf(t, mustRender(t, scaled), "orders-broker-0")
	if toYAML(t, mustRender(t, base)) == toYAML(t, mustRender(t, scaled)) {
		t.Fatal("NameServer replicas had no effect at all")
	}
	if ay, by := mustYAML(t, a.Spec.Template), mustYAML(t, b.Spec.Template); ay != by {
		t.Errorf("NameServer replicas changed the broker pod template:\n%s\nvs\n%s", ay, by)
	}
}

func TestBrokerUserConfigMergedAndEscaped(t *testing.T) {
	c := fullCluster("orders", "mq")
	c.Spec.Broker.Config = map[string]v1alpha1.ConfigValue{
		"autoCreateTopicEnable": "false", "deleteWhen": "04", "msgTraceTopicName": `a\b`,
	}
	p := loadProperties(t, brokerConfOf(t, c, 0))
	for k, v := range map[string]string{"autoCreateTopicEnable": "false", "deleteWhen": "04", "msgTraceTopicName": `a\b`, "brokerName": "orders-broker-0"} {
		if p[k] != v {
			t.Errorf("%s = %q, want %q", k, p[k], v)
		}
	}
}

func TestBrokerStatefulSetShape(t *testing.T) {
	tests := []struct {
		name       string
		cluster    *v1alpha1.RocketMQCluster
		wantPolicy appsv1.PodManagementPolicyType
	}{
		{"master-slave", fullCluster("orders", "mq"), appsv1.OrderedReadyPodManagement},
		{"controller", withController(fullCluster("orders", "mq"), 3, v1alpha1.ControllerDLedger), appsv1.ParallelPodManagement},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cluster
			c.Spec.Broker.Groups = ptr.To[int32](2)
			c.Spec.Broker.ReplicasPerGroup = ptr.To[int32](2)
			c.Spec.Broker.Storage = v1alpha1.StorageSpec{Size: qty("50Gi"), StorageClassName: ptr.To("fast")}
			objs := mustRender(t, c)
			for g := int32(0); g < 2; g++ {
				sts := statefulSetOf(t, objs, c.BrokerGroupName(g))
				if sts.Spec.PodManagementPolicy != tt.wantPolicy {
					t.Errorf("group %d: podManagementPolicy %s, want %s", g, sts.Spec.PodManagementPolicy, tt.wantPolicy)
				}
				if *sts.Spec.Replicas != 2 || sts.Spec.ServiceName != c.BrokerGroupName(g) {
					t.Errorf("group %d: replicas %d serviceName %s", g, *sts.Spec.Replicas, sts.Spec.ServiceName)
				}
				if sts.Spec.Selector.MatchLabels[v1alpha1.LabelBrokerGroup] != strconvI(g) {
					t.Errorf("group %d: selector lacks the group label: %v", g, sts.Spec.Selector.MatchLabels)
				}
				assertDataStatefulSet(t, sts, "50Gi", "fast")
				svc := typed[corev1.Service](t, find(t, objs, "Service", c.BrokerGroupName(g)))
				if svc.Spec.ClusterIP != corev1.ClusterIPNone || !svc.Spec.PublishNotReadyAddresses {
					t.Errorf("group %d: Service must be headless and publish not-ready pods", g)
				}
				rp := sts.Spec.Template.Spec.Containers[0].ReadinessProbe
				if rp.TCPSocket == nil || rp.SuccessThreshold != 4 || rp.PeriodSeconds != 10 {
					t.Errorf("group %d: readiness must hold a broker 30 s after its port opened (4 checks 10 s apart): %+v", g, rp)
				}
			}
		})
	}
}

// assertDataStatefulSet checks what keeps a StatefulSet's data safe.
func assertDataStatefulSet(t *testing.T, sts *appsv1.StatefulSet, size, class string) {
	t.Helper()
	r := sts.Spec.PersistentVolumeClaimRetentionPolicy
	if r == nil || r.WhenDeleted != appsv1.RetainPersistentVolumeClaimRetentionPolicyType || r.WhenScaled != appsv1.RetainPersistentVolumeClaimRetentionPolicyType {
		t.Errorf("%s: PVC retention policy %+v, want Retain/Retain", sts.Name, r)
	}
	if sts.Annotations[annotationArgoSyncOptions] != "Prune=false" || sts.Annotations[annotationFluxPrune] != "disabled" {
		t.Errorf("%s: prune protection annotations missing: %v", sts.Name, sts.Annotations)
	}
	if len(sts.Spec.VolumeClaimTemplates) != 1 {
		t.Fatalf("%s: %d volume claim templates", sts.Name, len(sts.Spec.VolumeClaimTemplates))
	}
	vct := sts.Spec.VolumeClaimTemplates[0]
	if got := vct.Spec.Resources.Requests.Storage().String(); got != size {
		t.Errorf("%s: store size %s, want %s", sts.Name, got, size)
	}
	if class != "" && (vct.Spec.StorageClassName == nil || *vct.Spec.StorageClassName != class) {
		t.Errorf("%s: storageClassName %v, want %s", sts.Name, vct.Spec.StorageClassName, class)
	}
	mounted := false
	for _, m := range sts.Spec.Template.Spec.Containers[0].VolumeMounts {
		mounted = mounted || (m.Name == vct.Name && m.MountPath == storeDir)
	}
	if !mounted {
		t.Errorf("%s: claim %s is not mounted at %s", sts.Name, vct.Name, storeDir)
	}
}

// An absent storage class means the cluster default; "" means no class (a
// pre-provisioned volume). The two must stay apart in the output.
func TestBrokerStorageClassEmptyIsKept(t *testing.T) {
	for _, tt := range []struct {
		name  string
		class *string
		want  any
		found bool
	}{
		{name: "absent", class: nil, found: false},
		{name: "empty", class: ptr.To(""), want: "", found: true},
		{name: "named", class: ptr.To("fast"), want: "fast", found: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := fullCluster("orders", "mq")
			c.Spec.Broker.Storage.StorageClassName = tt.class
			sts := find(t, mustRender(t, c), "StatefulSet", c.BrokerGroupName(0))
			vcts, _, _ := unstructured.NestedSlice(sts.Object, "spec", "volumeClaimTemplates")
			if len(vcts) != 1 {
				t.Fatalf("want one volumeClaimTemplate, got %d", len(vcts))
			}
			got, found, _ := unstructured.NestedFieldNoCopy(vcts[0].(map[string]any), "spec", "storageClassName")
			if found != tt.found || (found && got != tt.want) {
				t.Fatalf("storageClassName = %v (present %v), want %v (present %v)", got, found, tt.want, tt.found)
			}
		})
	}
}
