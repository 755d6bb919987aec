package v1alpha1

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func validCluster() *RocketMQCluster {
	return &RocketMQCluster{
		TypeMeta:   metav1.TypeMeta{APIVersion: GroupVersion.String(), Kind: KindRocketMQCluster},
		ObjectMeta: metav1.ObjectMeta{Name: "orders", Namespace: "mq"},
	}
}

// wantErr is one expected error: its field path and a part of its message.
type wantErr struct{ path, msg string }

func assertErrors(t *testing.T, errs field.ErrorList, want ...wantErr) {
	t.Helper()
	require.Len(t, errs, len(want), "errors: %v", errs)
	for i, w := range want {
		assert.Equal(t, w.path, errs[i].Field, "error %d: %v", i, errs[i])
		assert.Contains(t, errs[i].Error(), w.msg, "error %d", i)
	}
}

func TestValidateAcceptsExamples(t *testing.T) {
	for _, name := range []string{"full.yaml", "minimal.yaml"} {
		c, err := DecodeCluster(readTestdata(t, name))
		require.NoError(t, err, name)
		assert.Empty(t, c.Validate(), name)
	}
	assert.Empty(t, validCluster().Validate())
}

func TestValidateDoesNotChangeCluster(t *testing.T) {
	c := validCluster()
	c.Validate()
	assert.Equal(t, validCluster(), c)
}

// validationCase is one rule of Validate: a change to a valid cluster and
// the errors it must cause. crd marks the rules that the CRD enforces too.
type validationCase struct {
	name   string
	mutate func(c *RocketMQCluster)
	want   []wantErr
	crd    bool
}

// validationCases is shared by TestValidateRules and the CRD rule test.
var validationCases = []validationCase{
	{"name required", func(c *RocketMQCluster) { c.Name = "" },
		[]wantErr{{"metadata.name", "set metadata.name"}}, false},
	{"name too long", func(c *RocketMQCluster) { c.Name = strings.Repeat("a", MaxClusterNameLength+1) },
		[]wantErr{{"metadata.name", "may not be more than 41"}}, true},
	{"name not a DNS-1035 label", func(c *RocketMQCluster) { c.Name = "1orders" },
		[]wantErr{{"metadata.name", "starting with a letter"}}, true},
	{"name with dots", func(c *RocketMQCluster) { c.Name = "orders.eu" },
		[]wantErr{{"metadata.name", "DNS-1035"}}, true},
	{"namespace invalid", func(c *RocketMQCluster) { c.Namespace = "MQ" },
		[]wantErr{{"metadata.namespace", "RFC 1123 label"}}, false},
	{"version not 5", func(c *RocketMQCluster) { c.Spec.Version = "4.9.7" },
		[]wantErr{{"spec.version", "RocketMQ 5 release"}}, true},
	{"version with suffix", func(c *RocketMQCluster) { c.Spec.Version = "5.3.3-alpine" },
		[]wantErr{{"spec.version", "no suffix"}}, true},
	{"image with tag", func(c *RocketMQCluster) { c.Spec.Image = "apache/rocketmq:5.3.3" },
		[]wantErr{{"spec.image", "the tag is spec.version"}}, true},
	{"image garbage", func(c *RocketMQCluster) { c.Spec.Image = "Apache RocketMQ" },
		[]wantErr{{"spec.image", "must be an image repository"}}, true},
	{"pull policy", func(c *RocketMQCluster) { c.Spec.ImagePullPolicy = "Sometimes" },
		[]wantErr{{"spec.imagePullPolicy", `supported values: "Always", "IfNotPresent", "Never"`}}, true},
	{"pull secret name", func(c *RocketMQCluster) {
		c.Spec.ImagePullSecrets = []corev1.LocalObjectReference{{Name: "Reg Cred"}}
	}, []wantErr{{"spec.imagePullSecrets[0].name", "RFC 1123 subdomain"}}, false},
	{"nameserver replicas", func(c *RocketMQCluster) { c.Spec.NameServer.Replicas = ptr.To[int32](0) },
		[]wantErr{{"spec.nameServer.replicas", "must be at least 1"}}, true},
	{"heap not positive", func(c *RocketMQCluster) { c.Spec.NameServer.JVM.Heap = qty("0") },
		[]wantErr{{"spec.nameServer.jvm.heap", "must be a positive quantity"}}, true},
	{"heap above memory limit", func(c *RocketMQCluster) { c.Spec.NameServer.JVM.Heap = qty("1Gi") },
		[]wantErr{{"spec.nameServer.resources.limits[memory]", `Invalid value: "1Gi": must be at least 25% above jvm.heap (1Gi), that is at least 1280Mi: the JVM also needs metaspace, thread stacks, code cache and GC structures outside heap and direct memory, and the kernel kills the container at its limit; raise resources.limits.memory to 1280Mi or lower the JVM sizes`}}, false},
	{"nameserver heap within the limit but without headroom", func(c *RocketMQCluster) { c.Spec.NameServer.JVM.Heap = qty("820Mi") },
		[]wantErr{{"spec.nameServer.resources.limits[memory]", "at least 1025Mi"}}, false},
	{"broker heap plus direct memory without headroom", func(c *RocketMQCluster) {
		c.Spec.Broker.JVM = JVMSpec{Heap: qty("2Gi"), DirectMemory: qty("2Gi")}
	}, []wantErr{{"spec.broker.resources.limits[memory]", "must be at least 25% above jvm.heap (2Gi) plus jvm.directMemory (2Gi), that is at least 5Gi"}}, false},
	{"proxy default direct memory counts", func(c *RocketMQCluster) { c.Spec.Proxy.JVM.Heap = qty("600Mi") },
		[]wantErr{{"spec.proxy.resources.limits[memory]", "jvm.heap (600Mi) plus jvm.directMemory (256Mi), that is at least 1070Mi"}}, false},
	{"controller heap without headroom", func(c *RocketMQCluster) {
		c.Spec.Broker.Mode = BrokerModeController
		c.Spec.Controller = &ControllerSpec{JVM: JVMSpec{Heap: qty("900Mi")}}
	}, []wantErr{{"spec.controller.resources.limits[memory]", "at least 1125Mi"}}, false},
	{"requests above limits", func(c *RocketMQCluster) {
		c.Spec.Proxy.Resources = resources("1", "2Gi", "1Gi")
		c.Spec.Proxy.JVM.Heap = qty("256Mi")
	}, []wantErr{{"spec.proxy.resources.requests[memory]", "must not exceed resources.limits.memory (1Gi)"}}, false},
	{"quantity out of range stops validation before arithmetic", func(c *RocketMQCluster) {
		c.Spec.Broker.JVM.Heap = qty("1e900000000")
		c.Spec.Broker.Groups = ptr.To[int32](0)
	}, []wantErr{{"spec.broker.jvm.heap", "must be at most 8Ei"}}, false},
	{"controller required in Controller mode", func(c *RocketMQCluster) { c.Spec.Broker.Mode = BrokerModeController },
		[]wantErr{{"spec.controller", "set spec.controller"}}, true},
	{"controller refused in MasterSlave mode", func(c *RocketMQCluster) { c.Spec.Controller = &ControllerSpec{} },
		[]wantErr{{"spec.controller", "remove spec.controller or set the mode"}}, true},
	{"controller replicas even", func(c *RocketMQCluster) {
		c.Spec.Broker.Mode = BrokerModeController
		c.Spec.Controller = &ControllerSpec{Replicas: ptr.To[int32](4)}
	}, []wantErr{{"spec.controller.replicas", "must be odd"}}, true},
	{"controller replicas zero", func(c *RocketMQCluster) {
		c.Spec.Broker.Mode = BrokerModeController
		c.Spec.Controller = &ControllerSpec{Replicas: ptr.To[int32](0)}
	}, []wantErr{{"spec.controller.replicas", "must be at least 1"}}, true},
	{"controller type", func(c *RocketMQCluster) {
		c.Spec.Broker.Mode = BrokerModeController
		c.Spec.Controller = &ControllerSpec{Type: "Raft"}
	}, []wantErr{{"spec.controller.type", `supported values: "DLedger", "jRaft"`}}, true},
	{"controller storage size", func(c *RocketMQCluster) {
		c.Spec.Broker.Mode = BrokerModeController
		c.Spec.Controller = &ControllerSpec{Storage: StorageSpec{Size: qty("-1Gi")}}
	}, []wantErr{{"spec.controller.storage.size", "positive"}}, true},
	{"broker mode", func(c *RocketMQCluster) { c.Spec.Broker.Mode = "Primary" },
		[]wantErr{{"spec.broker.mode", `supported values: "MasterSlave", "Controller"`}}, true},
	// The quorum is neither required nor refused when the mode is not
	// understood: the mode error alone says what to fix.
	{"unsupported broker mode with a controller", func(c *RocketMQCluster) {
		c.Spec.Broker.Mode = "controller"
		c.Spec.Controller = &ControllerSpec{Replicas: ptr.To[int32](3)}
	}, []wantErr{{"spec.broker.mode", `Unsupported value: "controller": supported values: "MasterSlave", "Controller"`}}, true},
	{"groups zero", func(c *RocketMQCluster) { c.Spec.Broker.Groups = ptr.To[int32](0) },
		[]wantErr{{"spec.broker.groups", "between 1 and 100"}}, true},
	{"groups above max", func(c *RocketMQCluster) { c.Spec.Broker.Groups = ptr.To[int32](101) },
		[]wantErr{{"spec.broker.groups", "between 1 and 100"}}, true},
	{"replicasPerGroup", func(c *RocketMQCluster) { c.Spec.Broker.ReplicasPerGroup = ptr.To[int32](0) },
		[]wantErr{{"spec.broker.replicasPerGroup", "at least 1"}}, true},
	{"broker storage", func(c *RocketMQCluster) { c.Spec.Broker.Storage.Size = qty("0") },
		[]wantErr{{"spec.broker.storage.size", "positive"}}, true},
	{"storage class name", func(c *RocketMQCluster) { c.Spec.Broker.Storage.StorageClassName = ptr.To("Fast SSD") },
		[]wantErr{{"spec.broker.storage.storageClassName", "RFC 1123 subdomain"}}, true},
	{"direct memory", func(c *RocketMQCluster) { c.Spec.Broker.JVM.DirectMemory = qty("-1") },
		[]wantErr{{"spec.broker.jvm.directMemory", "positive"}}, true},
	{"metadataSourceGroup out of range", func(c *RocketMQCluster) {
		c.Spec.Broker.Groups = ptr.To[int32](2)
		c.Spec.Broker.MetadataSourceGroup = ptr.To[int32](2)
	}, []wantErr{{"spec.broker.metadataSourceGroup", "0 to 1 (spec.broker.groups is 2)"}}, true},
	{"flushDiskType enum", func(c *RocketMQCluster) { c.Spec.Broker.FlushDiskType = "SYNC" },
		[]wantErr{{"spec.broker.flushDiskType", `supported values: "ASYNC_FLUSH", "SYNC_FLUSH"`}}, true},
	{"replicationMode enum", func(c *RocketMQCluster) { c.Spec.Broker.ReplicationMode = "Semi" },
		[]wantErr{{"spec.broker.replicationMode", `supported values: "Async", "Sync"`}}, true},
	{"retiredGroupPolicy enum", func(c *RocketMQCluster) { c.Spec.Broker.RetiredGroupPolicy = "Orphan" },
		[]wantErr{{"spec.broker.retiredGroupPolicy", `supported values: "Retain", "Delete"`}}, true},
	{"config flushDiskType value", func(c *RocketMQCluster) {
		c.Spec.Broker.Config = map[string]ConfigValue{"flushDiskType": "SYNC"}
	}, []wantErr{{"spec.broker.config[flushDiskType]", `supported values: "ASYNC_FLUSH", "SYNC_FLUSH"`}}, false},
	{"config flushDiskType disagrees", func(c *RocketMQCluster) {
		c.Spec.Broker.FlushDiskType = FlushAsync
		c.Spec.Broker.Config = map[string]ConfigValue{"flushDiskType": "SYNC_FLUSH"}
	}, []wantErr{{"spec.broker.config[flushDiskType]", "disagrees with spec.broker.flushDiskType (ASYNC_FLUSH)"}}, false},
	{"config key syntax", func(c *RocketMQCluster) {
		c.Spec.Broker.Config = map[string]ConfigValue{"a=b": "x"}
	}, []wantErr{{"spec.broker.config[a=b]", "must be a broker.conf property name"}}, false},
	{"config value newline", func(c *RocketMQCluster) {
		c.Spec.Broker.Config = map[string]ConfigValue{"brokerPermission": "6\nbrokerId=0"}
	}, []wantErr{{"spec.broker.config[brokerPermission]", "must be one line"}}, false},
	{"too many config entries", func(c *RocketMQCluster) {
		c.Spec.Broker.Config = map[string]ConfigValue{}
		for i := range MaxBrokerConfigEntries + 1 {
			c.Spec.Broker.Config[fmt.Sprintf("plugin.setting%d", i)] = "1"
		}
	}, []wantErr{{"spec.broker.config", "must have at most 256 items"}}, true},
	{"several owned keys, sorted", func(c *RocketMQCluster) {
		c.Spec.Broker.Config = map[string]ConfigValue{"namesrvAddr": "x:9876", "BrokerName": "b"}
	}, []wantErr{
		{"spec.broker.config[BrokerName]", "from metadata.name and the group number"},
		{"spec.broker.config[namesrvAddr]", "from spec.nameServer"},
	}, false},
	{"proxy replicas", func(c *RocketMQCluster) { c.Spec.Proxy.Replicas = ptr.To[int32](0) },
		[]wantErr{{"spec.proxy.replicas", "at least 1"}}, true},
	{"proxy service type", func(c *RocketMQCluster) { c.Spec.Proxy.ServiceType = corev1.ServiceTypeExternalName },
		[]wantErr{{"spec.proxy.serviceType", `supported values: "ClusterIP", "NodePort", "LoadBalancer"`}}, true},
	{"proxy external address missing", func(c *RocketMQCluster) { c.Spec.Proxy.External = &ProxyExternalSpec{} },
		[]wantErr{{"spec.proxy.external.address", "set the DNS name or IP address clients outside the cluster dial"}}, false},
	{"proxy external address with port", func(c *RocketMQCluster) {
		c.Spec.Proxy.External = &ProxyExternalSpec{Address: "mq.example.com:8080"}
	}, []wantErr{{"spec.proxy.external.address", "without scheme or port (set ports in remotingPort and grpcPort)"}}, false},
	{"proxy external NodePort needs the remoting port", func(c *RocketMQCluster) {
		c.Spec.Proxy.External = &ProxyExternalSpec{Address: "10.0.0.1", ServiceType: corev1.ServiceTypeNodePort}
	}, []wantErr{{"spec.proxy.external.remotingPort", "set the node port remoting clients dial (for example 30080)"}}, false},
	{"proxy external service type", func(c *RocketMQCluster) {
		c.Spec.Proxy.External = &ProxyExternalSpec{Address: "mq.example.com", ServiceType: corev1.ServiceTypeClusterIP}
	}, []wantErr{{"spec.proxy.external.serviceType", `supported values: "LoadBalancer", "NodePort"`}}, true},
	{"proxy external port range", func(c *RocketMQCluster) {
		c.Spec.Proxy.External = &ProxyExternalSpec{Address: "mq.example.com", GRPCPort: ptr.To[int32](70000)}
	}, []wantErr{{"spec.proxy.external.grpcPort", "between 1 and 65535"}}, true},
	{"proxy serviceType conflicts with external", func(c *RocketMQCluster) {
		c.Spec.Proxy.ServiceType = corev1.ServiceTypeNodePort
		c.Spec.Proxy.External = &ProxyExternalSpec{Address: "mq.example.com"}
	}, []wantErr{{"spec.proxy.serviceType", "conflicts with spec.proxy.external.serviceType (LoadBalancer), which sets the Service type: remove spec.proxy.serviceType"}}, false},
	{"dashboard image", func(c *RocketMQCluster) {
		c.Spec.Dashboard.Enabled = true
		c.Spec.Dashboard.Image = "rocketmq dashboard"
	}, []wantErr{{"spec.dashboard.image", "must be an image reference"}}, true},
	{"dashboard replicas", func(c *RocketMQCluster) { c.Spec.Dashboard.Replicas = ptr.To[int32](-1) },
		[]wantErr{{"spec.dashboard.replicas", "at least 1"}}, true},
	{"acl needs secret", func(c *RocketMQCluster) { c.Spec.ACL.Enabled = true },
		[]wantErr{{"spec.acl.adminSecretRef.name", "set spec.acl.adminSecretRef.name"}}, true},
	{"acl secret name empty", func(c *RocketMQCluster) {
		c.Spec.ACL = ACLSpec{Enabled: true, AdminSecretRef: &SecretCredentialsRef{}}
	}, []wantErr{{"spec.acl.adminSecretRef.name", "set the name of the Secret"}}, true},
	{"acl secret name invalid", func(c *RocketMQCluster) {
		c.Spec.ACL = ACLSpec{Enabled: true, AdminSecretRef: &SecretCredentialsRef{Name: "Admin"}}
	}, []wantErr{{"spec.acl.adminSecretRef.name", "RFC 1123 subdomain"}}, true},
	{"acl secret key invalid", func(c *RocketMQCluster) {
		c.Spec.ACL = ACLSpec{Enabled: true, AdminSecretRef: &SecretCredentialsRef{Name: "admin", PasswordKey: "pass word"}}
	}, []wantErr{{"spec.acl.adminSecretRef.passwordKey", "valid config key"}}, true},
	{"next admin secret is the current one", func(c *RocketMQCluster) {
		c.Spec.ACL = ACLSpec{Enabled: true, AdminSecretRef: &SecretCredentialsRef{Name: "admin"},
			NextAdminSecretRef: &SecretCredentialsRef{Name: "admin"}}
	}, []wantErr{{"spec.acl.nextAdminSecretRef.name", "name a new Secret"}}, false},
	{"next admin secret name invalid", func(c *RocketMQCluster) {
		c.Spec.ACL = ACLSpec{Enabled: true, AdminSecretRef: &SecretCredentialsRef{Name: "admin"},
			NextAdminSecretRef: &SecretCredentialsRef{Name: "Admin-2"}}
	}, []wantErr{{"spec.acl.nextAdminSecretRef.name", "RFC 1123 subdomain"}}, true},
	{"acl below 5.3.0", func(c *RocketMQCluster) {
		c.Spec.Version = "5.2.0"
		c.Spec.ACL = ACLSpec{Enabled: true, AdminSecretRef: &SecretCredentialsRef{Name: "admin"}}
	}, []wantErr{{"spec.acl.enabled", "ACL 2.0 needs RocketMQ 5.3.0 or later, and spec.version is 5.2.0: older brokers and Proxies have no AuthConfig and ignore every ACL setting, so the cluster would run without authentication; set spec.version to 5.3.0 or later"}}, false},
	{"jRaft on 5.3.3", func(c *RocketMQCluster) {
		c.Spec.Broker.Mode = BrokerModeController
		c.Spec.Controller = &ControllerSpec{Type: ControllerJRaft}
	}, []wantErr{{"spec.controller.type", "the jRaft controller of RocketMQ 5.3.3 and older (spec.version is 5.3.3) stops scanning for dead brokers after its first second (RaftBrokerHeartBeatManager.scanNotActiveBroker, apache/rocketmq ISSUE #9717), so a hung master is never replaced; use type DLedger or a spec.version above 5.3.3"}}, false},
	{"jRaft on 5.2.0", func(c *RocketMQCluster) {
		c.Spec.Version = "5.2.0"
		c.Spec.Broker.Mode = BrokerModeController
		c.Spec.Controller = &ControllerSpec{Type: ControllerJRaft}
	}, []wantErr{{"spec.controller.type", "(spec.version is 5.2.0)"}}, false},
	{"metrics interval", func(c *RocketMQCluster) { c.Spec.Metrics.Interval = "30 seconds" },
		[]wantErr{{"spec.metrics.interval", "Prometheus duration"}}, true},
	{"anti-affinity enum", func(c *RocketMQCluster) { c.Spec.Placement = &Placement{AntiAffinity: "Strict"} },
		[]wantErr{{"spec.placement.antiAffinity", `supported values: "Soft", "Hard", "None"`}}, true},
	{"component placement checked", func(c *RocketMQCluster) {
		c.Spec.Broker.Placement = &Placement{TopologyKey: "not a key", PriorityClassName: "High"}
	}, []wantErr{
		{"spec.broker.placement.topologyKey", "name part must consist of"},
		{"spec.broker.placement.priorityClassName", "RFC 1123 subdomain"},
	}, false},
	{"node selector", func(c *RocketMQCluster) {
		c.Spec.Placement = &Placement{NodeSelector: map[string]string{"pool": "mq pool"}}
	}, []wantErr{{"spec.placement.nodeSelector[pool]", "valid label"}}, false},
	{"topology spread", func(c *RocketMQCluster) {
		c.Spec.Placement = &Placement{TopologySpreadConstraints: []corev1.TopologySpreadConstraint{{WhenUnsatisfiable: "Maybe"}}}
	}, []wantErr{
		{"spec.placement.topologySpreadConstraints[0].maxSkew", "at least 1"},
		{"spec.placement.topologySpreadConstraints[0].topologyKey", "set a node label key"},
		{"spec.placement.topologySpreadConstraints[0].whenUnsatisfiable", "supported values"},
	}, false},
}

// TestVersionGatesAccept checks the releases on the right side of each
// gate are accepted, and which versions the gates can read.
func TestVersionGatesAccept(t *testing.T) {
	for _, v := range []string{"5.3.0", "5.3.3", "5.4.0", "5.10.0"} {
		c := validCluster()
		c.Spec.Version = v
		c.Spec.ACL = ACLSpec{Enabled: true, AdminSecretRef: &SecretCredentialsRef{Name: "admin"}}
		assert.Empty(t, c.Validate(), "ACL on %s", v)
	}
	for _, v := range []string{"5.3.4", "5.4.0", "5.10.0"} {
		c := validCluster()
		c.Spec.Version = v
		c.Spec.Broker.Mode = BrokerModeController
		c.Spec.Controller = &ControllerSpec{Type: ControllerJRaft}
		assert.Empty(t, c.Validate(), "jRaft on %s", v)
	}
	for v, ok := range map[string]bool{"5.3.0": true, "5.03.0": false, "5.3": false, "5.99999999999999999999.0": false} {
		_, got := parseReleaseVersion(v)
		assert.Equal(t, ok, got, v)
	}
}

func TestValidateRules(t *testing.T) {
	for _, tt := range validationCases {
		t.Run(tt.name, func(t *testing.T) {
			c := validCluster()
			tt.mutate(c)
			assertErrors(t, c.Validate(), tt.want...)
		})
	}
}

// TestValidateReportsEveryError checks that Validate does not stop at the
// first problem.
func TestValidateReportsEveryError(t *testing.T) {
	c := validCluster()
	c.Name = ""
	c.Spec.Version = "4"
	c.Spec.Broker.Groups = ptr.To[int32](0)
	c.Spec.ACL.Enabled = true
	assertErrors(t, c.Validate(),
		wantErr{"metadata.name", "Required"},
		wantErr{"spec.version", "RocketMQ 5"},
		wantErr{"spec.broker.groups", "between 1 and 100"},
		wantErr{"spec.acl.adminSecretRef.name", "Required"},
	)
}

// TestOwnedConfigKeys checks each owned key (and a key under each owned
// prefix) is refused whatever its case, naming the field to use instead.
func TestOwnedConfigKeys(t *testing.T) {
	for _, o := range ownedConfigKeys {
		key := o.key
		if o.prefix {
			key += "Something"
		}
		for _, k := range []string{key, strings.ToUpper(key[:1]) + key[1:], strings.ToLower(key)} {
			c := validCluster()
			c.Spec.Broker.Config = map[string]ConfigValue{k: "x"}
			assertErrors(t, c.Validate(), wantErr{"spec.broker.config[" + k + "]", "from " + o.setBy})
		}
	}
	for _, k := range []string{"autoCreateTopicEnable", "brokerPermission", "deleteWhen", "storeType"} {
		_, owned := OwnedConfigKeyFor(k)
		assert.False(t, owned, k)
	}
	setBy, owned := OwnedConfigKeyFor("fetchNameSrvAddrByDnsLookup")
	assert.True(t, owned)
	assert.Equal(t, "spec.nameServer", setBy)
}

// TestMaxClusterNameLength proves the limit: with the longest name, every
// rendered name and the revision label stay valid, and the limit is tight.
func TestMaxClusterNameLength(t *testing.T) {
	assert.Equal(t, 41, MaxClusterNameLength)
	c := validCluster()
	c.Name = "a" + strings.Repeat("b", MaxClusterNameLength-1)
	require.Empty(t, c.Validate())
	hash := strings.Repeat("h", maxRevisionHashLength)
	for _, sts := range []string{c.NameServerName(), c.ControllerName(), c.BrokerGroupName(MaxBrokerGroups - 1)} {
		assert.Empty(t, validation.IsDNS1035Label(sts), "Service %s", sts)
		assert.Empty(t, validation.IsValidLabelValue(sts+"-"+hash), "controller-revision-hash of %s", sts)
		assert.Empty(t, validation.IsDNS1123Label(sts+"-"+"2147483647"), "pod of %s", sts)
	}
	assert.NotEmpty(t, validation.IsValidLabelValue(c.NameServerName()+"x-"+hash), "the limit is tight")
	for _, name := range []string{c.ProxyName(), c.DashboardName()} {
		assert.Empty(t, validation.IsDNS1035Label(name), name)
	}
}

func TestWarnings(t *testing.T) {
	c := validCluster()
	c.Spec.NameServer.Replicas = ptr.To[int32](1)
	c.Spec.NameServer.HostNetwork = true
	c.Spec.Broker.Mode = BrokerModeController
	c.Spec.Controller = &ControllerSpec{Replicas: ptr.To[int32](1)}
	ws := c.Warnings()
	var paths []string
	for _, w := range ws {
		paths = append(paths, w.Field)
	}
	assert.Equal(t, []string{
		"spec.nameServer.replicas", "spec.nameServer.hostNetwork", "spec.broker.replicasPerGroup", "spec.controller.replicas",
	}, paths)
	assert.Contains(t, ws[1].Message, "Pod Security")

	lb := validCluster()
	lb.Spec.Broker.ReplicasPerGroup = ptr.To[int32](2)
	lb.Spec.Proxy = ProxySpec{Enabled: true, ServiceType: corev1.ServiceTypeLoadBalancer}
	ws = lb.Warnings()
	require.Len(t, ws, 1)
	assert.Equal(t, "spec.proxy.serviceType", ws[0].Field)
	assert.Contains(t, ws[0].Message, "sent to Proxy pod IPs")
	lb.Spec.Proxy.ServiceType = ""
	lb.Spec.Proxy.External = &ProxyExternalSpec{Address: "mq.example.com"}
	assert.Empty(t, lb.Warnings(), "an external address needs no warning")
	assert.Empty(t, lb.Validate())

	ha := validCluster()
	ha.Spec.Broker.ReplicasPerGroup = ptr.To[int32](2)
	assert.Empty(t, ha.Warnings(), "defaults with two pods per group carry no warning")
}

func TestMemoryHeadroom(t *testing.T) {
	limit := func(q string) *corev1.ResourceRequirements {
		return &corev1.ResourceRequirements{Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(q)}}
	}
	// Comparisons use values, not strings: 1280Mi is exactly 1.25 x 1024Mi.
	assert.Empty(t, validateMemoryHeadroom(&JVMSpec{Heap: qty("1024Mi")}, limit("1280Mi"), field.NewPath("x")))
	assert.Len(t, validateMemoryHeadroom(&JVMSpec{Heap: qty("1Gi")}, limit("1342177279"), field.NewPath("x")), 1, "one byte short")
	assert.Empty(t, validateMemoryHeadroom(&JVMSpec{Heap: qty("1Gi")}, &corev1.ResourceRequirements{}, field.NewPath("x")), "no limit, nothing to be killed at")
	// An odd byte count rounds the minimum up.
	for in, want := range map[string]string{"1000": "1250", "1001": "1252", "1Gi": "1280Mi", "3Gi": "3840Mi"} {
		got := minimumMemoryLimit(resource.MustParse(in))
		assert.Equal(t, want, got.String(), in)
	}
}

func TestDefaultsHaveHeadroom(t *testing.T) {
	c := validCluster()
	c.Spec.Broker.Mode = BrokerModeController
	c.Spec.Controller = &ControllerSpec{}
	c.Spec.Proxy.Enabled = true
	assert.Empty(t, c.Validate())
	c.Default()
	assert.Equal(t, "256Mi", c.Spec.Proxy.JVM.DirectMemory.String(), "the Proxy's direct memory is capped by default")
}
