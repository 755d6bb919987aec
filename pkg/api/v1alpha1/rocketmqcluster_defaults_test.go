package v1alpha1

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"
)

func qty(s string) *resource.Quantity {
	q := resource.MustParse(s)
	return &q
}

func resources(cpu, mem, limit string) corev1.ResourceRequirements {
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(mem)},
		Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(limit)},
	}
}

// TestDefaultEmptySpec pins every default that the renderer and the
// controller rely on.
func TestDefaultEmptySpec(t *testing.T) {
	c := &RocketMQCluster{}
	c.Default()
	want := RocketMQClusterSpec{
		Version:             "5.3.3",
		Image:               "apache/rocketmq",
		ImagePullPolicy:     corev1.PullIfNotPresent,
		Placement:           &Placement{AntiAffinity: AntiAffinitySoft, TopologyKey: "kubernetes.io/hostname"},
		PodDisruptionBudget: &PodDisruptionBudgetSpec{Enabled: ptr.To(true)},
		NameServer: NameServerSpec{
			Replicas: ptr.To[int32](2), JVM: JVMSpec{Heap: qty("512Mi")}, Resources: resources("250m", "1Gi", "1Gi"),
		},
		Broker: BrokerSpec{
			Mode: BrokerModeMasterSlave, Groups: ptr.To[int32](1), ReplicasPerGroup: ptr.To[int32](1),
			Storage: StorageSpec{Size: qty("20Gi")}, FlushDiskType: FlushAsync, ReplicationMode: ReplicationAsync, RetiredGroupPolicy: RetiredGroupRetain,
			MetadataSourceGroup: ptr.To[int32](0), JVM: JVMSpec{Heap: qty("1Gi"), DirectMemory: qty("1Gi")},
			Resources: resources("500m", "4Gi", "4Gi"),
		},
		Proxy: ProxySpec{
			Replicas: ptr.To[int32](2), ServiceType: corev1.ServiceTypeClusterIP,
			JVM: JVMSpec{Heap: qty("512Mi"), DirectMemory: qty("256Mi")}, Resources: resources("250m", "1Gi", "1Gi"),
		},
		Dashboard: DashboardSpec{
			Image: DefaultDashboardImage, Replicas: ptr.To[int32](1), Resources: resources("100m", "512Mi", "1Gi"),
		},
		Metrics: MetricsSpec{ServiceMonitor: ptr.To(true), Interval: "30s"},
	}
	assert.True(t, equality.Semantic.DeepEqual(want, c.Spec), "defaults differ:\nwant %+v\ngot  %+v", want, c.Spec)
	assert.Nil(t, c.Spec.Controller, "Default must never create spec.controller")
	assert.Nil(t, c.Spec.ACL.AdminSecretRef, "Default must not invent a Secret reference")
}

func TestDefaultController(t *testing.T) {
	c := &RocketMQCluster{Spec: RocketMQClusterSpec{Controller: &ControllerSpec{}}}
	c.Default()
	want := &ControllerSpec{
		Replicas: ptr.To[int32](3), Type: ControllerDLedger, Storage: StorageSpec{Size: qty("1Gi")},
		JVM: JVMSpec{Heap: qty("512Mi")}, Resources: resources("250m", "1Gi", "1Gi"),
	}
	assert.True(t, equality.Semantic.DeepEqual(want, c.Spec.Controller), "got %+v", c.Spec.Controller)
}

func TestDefaultKeepsUserValues(t *testing.T) {
	c, err := DecodeCluster(readTestdata(t, "full.yaml"))
	require.NoError(t, err)
	before := c.DeepCopy()
	c.Default()
	s := c.Spec
	assert.Equal(t, int32(3), *s.NameServer.Replicas)
	assert.Equal(t, "registry.example.com:5000/mirror/rocketmq", s.Image)
	assert.Equal(t, corev1.PullAlways, s.ImagePullPolicy)
	assert.False(t, *s.PodDisruptionBudget.Enabled)
	assert.Equal(t, AntiAffinityHard, s.Placement.AntiAffinity)
	assert.Equal(t, "topology.kubernetes.io/zone", s.Placement.TopologyKey)
	assert.Equal(t, ControllerJRaft, s.Controller.Type)
	assert.Equal(t, "2Gi", s.Controller.Storage.Size.String())
	assert.Equal(t, ReplicationSync, s.Broker.ReplicationMode)
	assert.Equal(t, int32(1), *s.Broker.MetadataSourceGroup)
	assert.Equal(t, FlushSync, s.Broker.FlushDiskType, "config.flushDiskType decides when broker.flushDiskType is unset")
	assert.False(t, *s.Metrics.ServiceMonitor)
	assert.Equal(t, "1m", s.Metrics.Interval)
	assert.Equal(t, "username", s.ACL.AdminSecretRef.UsernameKey)
	assert.Equal(t, "password", s.ACL.AdminSecretRef.PasswordKey)
	assert.True(t, equality.Semantic.DeepEqual(before.Spec.Broker.Resources, s.Broker.Resources))
}

func TestDefaultResourcesOnlyWhenNoneSet(t *testing.T) {
	c := &RocketMQCluster{}
	c.Spec.Broker.Resources.Requests = corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("1")}
	c.Default()
	assert.Len(t, c.Spec.Broker.Resources.Requests, 1, "a user-set resource block is left alone")
	assert.Empty(t, c.Spec.Broker.Resources.Limits)
}

func TestDefaultFlushDiskType(t *testing.T) {
	tests := []struct {
		name   string
		broker FlushDiskType
		config map[string]ConfigValue
		want   FlushDiskType
	}{
		{"nothing set", "", nil, FlushAsync},
		{"config decides", "", map[string]ConfigValue{"flushDiskType": "SYNC_FLUSH"}, FlushSync},
		{"invalid config value is left to Validate", "", map[string]ConfigValue{"flushDiskType": "SYNC"}, FlushAsync},
		{"field wins", FlushAsync, map[string]ConfigValue{"flushDiskType": "SYNC_FLUSH"}, FlushAsync},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &RocketMQCluster{Spec: RocketMQClusterSpec{Broker: BrokerSpec{FlushDiskType: tt.broker, Config: tt.config}}}
			c.Default()
			assert.Equal(t, tt.want, c.Spec.Broker.FlushDiskType)
		})
	}
}

func TestDefaultIsIdempotent(t *testing.T) {
	for _, name := range []string{"full.yaml", "minimal.yaml"} {
		c, err := DecodeCluster(readTestdata(t, name))
		require.NoError(t, err, name)
		c.Default()
		once := c.DeepCopy()
		c.Default()
		assert.True(t, equality.Semantic.DeepEqual(once, c), "%s: second Default changed the cluster", name)
	}
}

func TestEffectivePlacement(t *testing.T) {
	cluster := &Placement{
		AntiAffinity: AntiAffinityHard, TopologyKey: "kubernetes.io/hostname",
		NodeSelector: map[string]string{"pool": "mq"}, PriorityClassName: "high",
		Tolerations: []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpExists}},
	}
	component := &Placement{AntiAffinity: AntiAffinityNone, NodeSelector: map[string]string{"pool": "brokers"}}

	got := EffectivePlacement(cluster, component)
	assert.Equal(t, AntiAffinityNone, got.AntiAffinity, "component wins")
	assert.Equal(t, map[string]string{"pool": "brokers"}, got.NodeSelector, "component wins")
	assert.Equal(t, "kubernetes.io/hostname", got.TopologyKey, "inherited")
	assert.Equal(t, "high", got.PriorityClassName, "inherited")
	assert.Len(t, got.Tolerations, 1, "inherited")

	got.NodeSelector["pool"] = "changed"
	got.Tolerations[0].Key = "changed"
	assert.Equal(t, "brokers", component.NodeSelector["pool"], "result must not alias the component placement")
	assert.Equal(t, "dedicated", cluster.Tolerations[0].Key, "result must not alias the cluster placement")

	assert.Equal(t, Placement{}, EffectivePlacement(nil, nil))
	assert.Equal(t, *component, EffectivePlacement(nil, component))
	assert.True(t, equality.Semantic.DeepEqual(*cluster, EffectivePlacement(cluster, nil)))
}
