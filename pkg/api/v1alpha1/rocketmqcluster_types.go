package v1alpha1

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// KindRocketMQCluster is the kind of the cluster spec.
const KindRocketMQCluster = "RocketMQCluster"

// RocketMQCluster is one Apache RocketMQ 5 cluster: NameServers, optional
// Controller quorum, broker groups, and optionally a Proxy, a dashboard and
// metrics. The KRM function renders it into Kubernetes objects; the status
// controller reports its health and runs the stateful operations.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=rmq;rmqc,categories=rocketmq
// +kubebuilder:printcolumn:name="Version",type=string,JSONPath=`.spec.version`
// +kubebuilder:printcolumn:name="Mode",type=string,JSONPath=`.spec.broker.mode`
// +kubebuilder:printcolumn:name="Groups",type=integer,JSONPath=`.spec.broker.groups`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type RocketMQCluster struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   RocketMQClusterSpec   `json:"spec"`
	Status RocketMQClusterStatus `json:"status,omitempty"`
}

// RocketMQClusterList is a list of RocketMQCluster.
//
// +kubebuilder:object:root=true
type RocketMQClusterList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []RocketMQCluster `json:"items"`
}

// RocketMQClusterSpec is the whole desired cluster.
type RocketMQClusterSpec struct {
	// Version of Apache RocketMQ, used as the image tag and in the paths
	// inside the image (/home/rocketmq/rocketmq-<version>). Default: DefaultVersion.
	// +optional
	Version string `json:"version,omitempty"`

	// Image repository (without tag) that runs NameServer, Controller, broker
	// and Proxy. Default: apache/rocketmq.
	// +optional
	Image string `json:"image,omitempty"`

	// ImagePullPolicy of every RocketMQ container. Default: IfNotPresent.
	// +optional
	// +kubebuilder:validation:Enum=Always;IfNotPresent;Never
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`

	// ImagePullSecrets added to every pod.
	// +optional
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets,omitempty"`

	// Placement shared by every component; a component's own placement
	// overrides it field by field.
	// +optional
	Placement *Placement `json:"placement,omitempty"`

	// PodDisruptionBudget settings for every component.
	// +optional
	PodDisruptionBudget *PodDisruptionBudgetSpec `json:"podDisruptionBudget,omitempty"`

	// NameServer component.
	// +optional
	NameServer NameServerSpec `json:"nameServer,omitempty"`

	// Controller is the DLedger/jRaft Controller quorum. Required when
	// broker.mode is Controller, refused otherwise.
	// +optional
	Controller *ControllerSpec `json:"controller,omitempty"`

	// Broker groups.
	// +optional
	Broker BrokerSpec `json:"broker,omitempty"`

	// Proxy component (gRPC and remoting access for RocketMQ 5 clients).
	// +optional
	Proxy ProxySpec `json:"proxy,omitempty"`

	// Dashboard (rocketmq-dashboard) component.
	// +optional
	Dashboard DashboardSpec `json:"dashboard,omitempty"`

	// ACL turns on RocketMQ ACL 2.0 (authentication and authorization).
	// +optional
	ACL ACLSpec `json:"acl,omitempty"`

	// Metrics turns on the Prometheus exporters and a ServiceMonitor.
	// +optional
	Metrics MetricsSpec `json:"metrics,omitempty"`
}

// Placement says where pods run. Every field is optional; per-component
// placement overrides the cluster-wide one field by field.
type Placement struct {
	// AntiAffinity spreads the pods of one component (one broker group)
	// across nodes: Soft (preferred, the default), Hard (required) or None.
	// +optional
	// +kubebuilder:validation:Enum=Soft;Hard;None
	AntiAffinity AntiAffinityMode `json:"antiAffinity,omitempty"`

	// TopologyKey of the anti-affinity rule. Default: kubernetes.io/hostname.
	// +optional
	TopologyKey string `json:"topologyKey,omitempty"`

	// TopologySpreadConstraints added to the pods; their labelSelector may be
	// omitted, and then selects the pods of the same component.
	// +optional
	TopologySpreadConstraints []corev1.TopologySpreadConstraint `json:"topologySpreadConstraints,omitempty"`

	// NodeSelector of the pods.
	// +optional
	NodeSelector map[string]string `json:"nodeSelector,omitempty"`

	// Tolerations of the pods.
	// +optional
	Tolerations []corev1.Toleration `json:"tolerations,omitempty"`

	// PriorityClassName of the pods.
	// +optional
	PriorityClassName string `json:"priorityClassName,omitempty"`
}

// AntiAffinityMode is how strictly pods of one component avoid each other.
type AntiAffinityMode string

// Anti-affinity modes.
const (
	AntiAffinitySoft AntiAffinityMode = "Soft"
	AntiAffinityHard AntiAffinityMode = "Hard"
	AntiAffinityNone AntiAffinityMode = "None"
)

// PodDisruptionBudgetSpec controls the PodDisruptionBudgets.
type PodDisruptionBudgetSpec struct {
	// Enabled renders a PodDisruptionBudget per component (per broker group)
	// allowing one pod down at a time. Default: true.
	// +optional
	Enabled *bool `json:"enabled,omitempty"`
}

// JVMSpec sizes the Java heap.
type JVMSpec struct {
	// Heap is the Java heap size (-Xms and -Xmx), e.g. 1Gi.
	// +optional
	Heap *resource.Quantity `json:"heap,omitempty"`

	// DirectMemory is -XX:MaxDirectMemorySize (brokers only), e.g. 2Gi.
	// +optional
	DirectMemory *resource.Quantity `json:"directMemory,omitempty"`
}

// StorageSpec is the persistent volume of a stateful component.
type StorageSpec struct {
	// Size of each pod's volume, e.g. 50Gi.
	// +optional
	Size *resource.Quantity `json:"size,omitempty"`

	// StorageClassName of the volume claims; empty uses the cluster default.
	// +optional
	StorageClassName *string `json:"storageClassName,omitempty"`
}

// NameServerSpec is the NameServer component.
type NameServerSpec struct {
	// Replicas of the NameServer StatefulSet. Default: 2.
	// +optional
	// +kubebuilder:validation:Minimum=1
	Replicas *int32 `json:"replicas,omitempty"`

	// HostNetwork runs NameServers on the node network so that clients
	// outside the Kubernetes cluster reach them at node IPs. Such pods
	// cannot meet the restricted or baseline Pod Security profiles.
	// +optional
	HostNetwork bool `json:"hostNetwork,omitempty"`

	// JVM heap of the NameServer.
	// +optional
	JVM JVMSpec `json:"jvm,omitempty"`

	// Resources of the NameServer container.
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`

	// Placement overrides spec.placement for NameServer pods.
	// +optional
	Placement *Placement `json:"placement,omitempty"`
}

// ControllerType is the consensus implementation of the Controller quorum.
type ControllerType string

// Controller types.
const (
	ControllerDLedger ControllerType = "DLedger"
	ControllerJRaft   ControllerType = "jRaft"
)

// ControllerSpec is the Controller quorum used in broker Controller mode.
type ControllerSpec struct {
	// Replicas of the Controller quorum; must be odd. Default: 3.
	// +optional
	// +kubebuilder:validation:Minimum=1
	Replicas *int32 `json:"replicas,omitempty"`

	// Type of the consensus: DLedger (default) or jRaft.
	// +optional
	// +kubebuilder:validation:Enum=DLedger;jRaft
	Type ControllerType `json:"type,omitempty"`

	// Storage of each Controller pod. Default size: 1Gi.
	// +optional
	Storage StorageSpec `json:"storage,omitempty"`

	// JVM heap of the Controller.
	// +optional
	JVM JVMSpec `json:"jvm,omitempty"`

	// Resources of the Controller container.
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`

	// Placement overrides spec.placement for Controller pods.
	// +optional
	Placement *Placement `json:"placement,omitempty"`
}

// BrokerMode is how a broker group chooses its master.
type BrokerMode string

// Broker modes.
const (
	// BrokerModeMasterSlave: pod ordinal 0 of each group is the master.
	BrokerModeMasterSlave BrokerMode = "MasterSlave"
	// BrokerModeController: the Controller quorum elects the master.
	BrokerModeController BrokerMode = "Controller"
)

// ReplicationMode is how a master replicates to its slaves.
type ReplicationMode string

// Replication modes (brokerRole ASYNC_MASTER or SYNC_MASTER).
const (
	ReplicationAsync ReplicationMode = "Async"
	ReplicationSync  ReplicationMode = "Sync"
)

// FlushDiskType is when a broker flushes the commit log.
type FlushDiskType string

// Flush disk types, as broker.conf spells them.
const (
	FlushAsync FlushDiskType = "ASYNC_FLUSH"
	FlushSync  FlushDiskType = "SYNC_FLUSH"
)

// BrokerSpec is the set of broker groups.
type BrokerSpec struct {
	// Mode: MasterSlave (default; ordinal 0 is the master) or Controller
	// (masters elected by spec.controller).
	// +optional
	// +kubebuilder:validation:Enum=MasterSlave;Controller
	Mode BrokerMode `json:"mode,omitempty"`

	// Groups is the number of broker groups, numbered from 0 and named
	// <cluster>-broker-<g>. Default: 1.
	// +optional
	// +kubebuilder:validation:Minimum=1
	Groups *int32 `json:"groups,omitempty"`

	// ReplicasPerGroup is the number of pods per group, master included.
	// Default: 1.
	// +optional
	// +kubebuilder:validation:Minimum=1
	ReplicasPerGroup *int32 `json:"replicasPerGroup,omitempty"`

	// Storage of each broker pod. Default size: 20Gi.
	// +optional
	Storage StorageSpec `json:"storage,omitempty"`

	// Config holds extra broker.conf entries. Keys that set identity, ports
	// or cluster wiring are refused; the error names the field that sets
	// them instead.
	// +optional
	Config map[string]ConfigValue `json:"config,omitempty"`

	// FlushDiskType: ASYNC_FLUSH (default) or SYNC_FLUSH. May also be given
	// as config.flushDiskType; both must then agree.
	// +optional
	// +kubebuilder:validation:Enum=ASYNC_FLUSH;SYNC_FLUSH
	FlushDiskType FlushDiskType `json:"flushDiskType,omitempty"`

	// ReplicationMode of MasterSlave masters: Async (ASYNC_MASTER, default)
	// or Sync (SYNC_MASTER).
	// +optional
	// +kubebuilder:validation:Enum=Async;Sync
	ReplicationMode ReplicationMode `json:"replicationMode,omitempty"`

	// MetadataSourceGroup is the group whose topics and consumer groups are
	// copied onto groups added later. Default: 0.
	// +optional
	// +kubebuilder:validation:Minimum=0
	MetadataSourceGroup *int32 `json:"metadataSourceGroup,omitempty"`

	// JVM heap and direct memory of the broker.
	// +optional
	JVM JVMSpec `json:"jvm,omitempty"`

	// Resources of the broker container.
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`

	// Placement overrides spec.placement for broker pods.
	// +optional
	Placement *Placement `json:"placement,omitempty"`
}

// ProxySpec is the RocketMQ 5 Proxy.
type ProxySpec struct {
	// Enabled renders the Proxy. Default: false.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// Replicas of the Proxy Deployment. Default: 2.
	// +optional
	// +kubebuilder:validation:Minimum=1
	Replicas *int32 `json:"replicas,omitempty"`

	// ServiceType of the Proxy Service: ClusterIP (default), NodePort or
	// LoadBalancer for access from outside the cluster.
	// +optional
	// +kubebuilder:validation:Enum=ClusterIP;NodePort;LoadBalancer
	ServiceType corev1.ServiceType `json:"serviceType,omitempty"`

	// JVM heap of the Proxy.
	// +optional
	JVM JVMSpec `json:"jvm,omitempty"`

	// Resources of the Proxy container.
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`

	// Placement overrides spec.placement for Proxy pods.
	// +optional
	Placement *Placement `json:"placement,omitempty"`
}

// DashboardSpec is the rocketmq-dashboard web console.
type DashboardSpec struct {
	// Enabled renders the dashboard. Default: false.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// Image of the dashboard, with tag. Default: DefaultDashboardImage.
	// +optional
	Image string `json:"image,omitempty"`

	// Replicas of the dashboard Deployment. Default: 1.
	// +optional
	// +kubebuilder:validation:Minimum=1
	Replicas *int32 `json:"replicas,omitempty"`

	// Resources of the dashboard container.
	// +optional
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`

	// Placement overrides spec.placement for dashboard pods.
	// +optional
	Placement *Placement `json:"placement,omitempty"`
}

// ACLSpec turns on ACL 2.0.
type ACLSpec struct {
	// Enabled turns on authentication and authorization on brokers and
	// Proxy. Requires adminSecretRef. Default: false.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// AdminSecretRef names the Secret holding the admin user's credentials.
	// They are read from env at container start, never rendered.
	// +optional
	AdminSecretRef *SecretCredentialsRef `json:"adminSecretRef,omitempty"`
}

// SecretCredentialsRef points at a username and password in a Secret of the
// cluster's namespace.
type SecretCredentialsRef struct {
	// Name of the Secret.
	Name string `json:"name"`

	// UsernameKey is the Secret key of the username. Default: username.
	// +optional
	UsernameKey string `json:"usernameKey,omitempty"`

	// PasswordKey is the Secret key of the password. Default: password.
	// +optional
	PasswordKey string `json:"passwordKey,omitempty"`
}

// MetricsSpec turns on Prometheus metrics.
type MetricsSpec struct {
	// Enabled turns on the brokers' and Proxy's Prometheus exporters and
	// metrics Services. Default: false.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// ServiceMonitor renders a prometheus-operator ServiceMonitor when
	// metrics are enabled. Default: true.
	// +optional
	ServiceMonitor *bool `json:"serviceMonitor,omitempty"`

	// Interval of the scrape. Default: 30s.
	// +optional
	Interval string `json:"interval,omitempty"`
}
