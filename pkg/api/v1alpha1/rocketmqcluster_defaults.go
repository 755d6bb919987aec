package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Default values that are not constants elsewhere. The renderer and the
// controller read a defaulted cluster, so these are the single source of
// truth; the CRD's +kubebuilder:default markers must agree with them (a test
// checks this).
const (
	DefaultImagePullPolicy     = corev1.PullIfNotPresent
	DefaultTopologyKey         = "kubernetes.io/hostname"
	DefaultNameServerReplicas  = 2
	DefaultControllerReplicas  = 3
	DefaultBrokerGroups        = 1
	DefaultReplicasPerGroup    = 1
	DefaultProxyReplicas       = 2
	DefaultDashboardReplicas   = 1
	DefaultUsernameKey         = "username"
	DefaultPasswordKey         = "password"
	DefaultMetricsInterval     = "30s"
	DefaultControllerType      = ControllerDLedger
	DefaultBrokerMode          = BrokerModeMasterSlave
	DefaultReplicationMode     = ReplicationAsync
	DefaultRetiredGroupPolicy  = RetiredGroupRetain
	DefaultFlushDiskType       = FlushAsync
	DefaultProxyServiceType    = corev1.ServiceTypeClusterIP
	DefaultAntiAffinity        = AntiAffinitySoft
	DefaultMetadataSourceGroup = 0
)

// Default fills every unset field with its default, in place. It is
// idempotent and never creates spec.controller: the Controller quorum only
// exists when the user asks for it.
func (c *RocketMQCluster) Default() {
	s := &c.Spec
	setString(&s.Version, DefaultVersion)
	setString(&s.Image, DefaultImage)
	if s.ImagePullPolicy == "" {
		s.ImagePullPolicy = DefaultImagePullPolicy
	}
	if s.PodDisruptionBudget == nil {
		s.PodDisruptionBudget = &PodDisruptionBudgetSpec{}
	}
	setBool(&s.PodDisruptionBudget.Enabled, true)
	if s.Placement == nil {
		s.Placement = &Placement{}
	}
	s.Placement.defaultPlacement()
	s.NameServer.defaultNameServer()
	if s.Controller != nil {
		s.Controller.defaultController()
	}
	s.Broker.defaultBroker()
	s.Proxy.defaultProxy()
	s.Dashboard.defaultDashboard()
	s.ACL.defaultACL()
	s.Metrics.defaultMetrics()
}

func (p *Placement) defaultPlacement() {
	if p.AntiAffinity == "" {
		p.AntiAffinity = DefaultAntiAffinity
	}
	setString(&p.TopologyKey, DefaultTopologyKey)
}

func (n *NameServerSpec) defaultNameServer() {
	setInt32(&n.Replicas, DefaultNameServerReplicas)
	setQuantity(&n.JVM.Heap, "512Mi")
	defaultResources(&n.Resources, "250m", "1Gi", "1Gi")
}

func (c *ControllerSpec) defaultController() {
	setInt32(&c.Replicas, DefaultControllerReplicas)
	if c.Type == "" {
		c.Type = DefaultControllerType
	}
	setQuantity(&c.Storage.Size, "1Gi")
	setQuantity(&c.JVM.Heap, "512Mi")
	defaultResources(&c.Resources, "250m", "1Gi", "1Gi")
}

func (b *BrokerSpec) defaultBroker() {
	if b.Mode == "" {
		b.Mode = DefaultBrokerMode
	}
	setInt32(&b.Groups, DefaultBrokerGroups)
	setInt32(&b.ReplicasPerGroup, DefaultReplicasPerGroup)
	setQuantity(&b.Storage.Size, "20Gi")
	if b.FlushDiskType == "" {
		b.FlushDiskType = b.configFlushDiskType()
	}
	if b.ReplicationMode == "" {
		b.ReplicationMode = DefaultReplicationMode
	}
	if b.RetiredGroupPolicy == "" {
		b.RetiredGroupPolicy = DefaultRetiredGroupPolicy
	}
	setInt32(&b.MetadataSourceGroup, DefaultMetadataSourceGroup)
	setQuantity(&b.JVM.Heap, "1Gi")
	setQuantity(&b.JVM.DirectMemory, "1Gi")
	defaultResources(&b.Resources, "500m", "4Gi", "4Gi")
}

// configFlushDiskType is the flush type that broker.conf would use: a valid
// config.flushDiskType wins over the default, so that users who only know
// broker.conf get what they wrote. An invalid value is left to Validate.
func (b *BrokerSpec) configFlushDiskType() FlushDiskType {
	if v, ok := b.Config[ConfigKeyFlushDiskType]; ok {
		if t := FlushDiskType(v); t == FlushAsync || t == FlushSync {
			return t
		}
	}
	return DefaultFlushDiskType
}

func (p *ProxySpec) defaultProxy() {
	setInt32(&p.Replicas, DefaultProxyReplicas)
	if p.ServiceType == "" {
		p.ServiceType = DefaultProxyServiceType
	}
	setQuantity(&p.JVM.Heap, "512Mi")
	setQuantity(&p.JVM.DirectMemory, "256Mi")
	if p.External != nil && p.External.ServiceType == "" {
		p.External.ServiceType = corev1.ServiceTypeLoadBalancer
	}
	defaultResources(&p.Resources, "250m", "1Gi", "1Gi")
}

func (d *DashboardSpec) defaultDashboard() {
	setString(&d.Image, DefaultDashboardImage)
	setInt32(&d.Replicas, DefaultDashboardReplicas)
	defaultResources(&d.Resources, "100m", "512Mi", "1Gi")
}

func (a *ACLSpec) defaultACL() {
	for _, ref := range []*SecretCredentialsRef{a.AdminSecretRef, a.NextAdminSecretRef} {
		if ref != nil {
			setString(&ref.UsernameKey, DefaultUsernameKey)
			setString(&ref.PasswordKey, DefaultPasswordKey)
		}
	}
}

func (m *MetricsSpec) defaultMetrics() {
	setBool(&m.ServiceMonitor, true)
	setString(&m.Interval, DefaultMetricsInterval)
}

// defaultResources sets requests and limits only when the user set none at
// all: a user who sets any resource has sized the container on purpose, and
// mixing our numbers into theirs would produce requests above their limits.
func defaultResources(r *corev1.ResourceRequirements, cpuRequest, memRequest, memLimit string) {
	if len(r.Requests) > 0 || len(r.Limits) > 0 || len(r.Claims) > 0 {
		return
	}
	r.Requests = corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse(cpuRequest),
		corev1.ResourceMemory: resource.MustParse(memRequest),
	}
	r.Limits = corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(memLimit)}
}

func setString(p *string, v string) {
	if *p == "" {
		*p = v
	}
}

func setInt32(p **int32, v int32) {
	if *p == nil {
		*p = &v
	}
}

func setBool(p **bool, v bool) {
	if *p == nil {
		*p = &v
	}
}

// setQuantity parses a constant default; the constants are valid, so
// MustParse cannot fail on them.
func setQuantity(p **resource.Quantity, v string) {
	if *p == nil {
		q := resource.MustParse(v)
		*p = &q
	}
}
