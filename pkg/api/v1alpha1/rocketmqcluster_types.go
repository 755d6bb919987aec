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
// +kubebuilder:validation:XValidation:rule="self.metadata.name.size() <= 41",message="metadata.name may hold at most 41 characters, so that <name>-nameserver and its pods' controller-revision-hash labels stay within 63"
// +kubebuilder:validation:XValidation:rule="self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",message="metadata.name must be lower-case letters, digits and '-', starting with a letter and ending with a letter or digit (it names Services)"
type RocketMQCluster struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	// Spec is the desired cluster; every field is optional.
	// +optional
	// +kubebuilder:default={}
	Spec RocketMQClusterSpec `json:"spec"`
	// Status is written by the status controller only.
	// +optional
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
//
// +kubebuilder:validation:XValidation:rule="!has(self.broker) || !has(self.broker.mode) || self.broker.mode != 'Controller' || has(self.controller)",fieldPath=".controller",message="spec.controller is required when spec.broker.mode is Controller: set spec.controller, for example {replicas: 3}"
// +kubebuilder:validation:XValidation:rule="!has(self.controller) || (has(self.broker) && has(self.broker.mode) && self.broker.mode == 'Controller')",fieldPath=".controller",message="spec.controller is only used when spec.broker.mode is Controller: remove spec.controller or set the mode"
type RocketMQClusterSpec struct {
	// Version of Apache RocketMQ, used as the image tag and in the paths
	// inside the image (/home/rocketmq/rocketmq-<version>): a RocketMQ 5
	// release, major.minor.patch. Default: 5.3.3.
	// +optional
	// +kubebuilder:default="5.3.3"
	// +kubebuilder:validation:Pattern=`^5\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$`
	Version string `json:"version,omitempty"`

	// Image repository (without tag) that runs NameServer, Controller, broker
	// and Proxy; the tag is spec.version. Default: apache/rocketmq.
	// +optional
	// +kubebuilder:default="apache/rocketmq"
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:Pattern=`^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$`
	Image string `json:"image,omitempty"`

	// ImagePullPolicy of every RocketMQ container. Default: IfNotPresent.
	// +optional
	// +kubebuilder:default=IfNotPresent
	// +kubebuilder:validation:Enum=Always;IfNotPresent;Never
	ImagePullPolicy corev1.PullPolicy `json:"imagePullPolicy,omitempty"`

	// ImagePullSecrets added to every pod.
	// +optional
	ImagePullSecrets []corev1.LocalObjectReference `json:"imagePullSecrets,omitempty"`

	// Placement shared by every component; a component's own placement
	// overrides it field by field. Default: {antiAffinity: Soft,
	// topologyKey: kubernetes.io/hostname}.
	// +optional
	// +kubebuilder:default={antiAffinity:"Soft",topologyKey:"kubernetes.io/hostname"}
	Placement *Placement `json:"placement,omitempty"`

	// PodDisruptionBudget settings for every component.
	// +optional
	// +kubebuilder:default={enabled:true}
	PodDisruptionBudget *PodDisruptionBudgetSpec `json:"podDisruptionBudget,omitempty"`

	// NameServer component.
	// +optional
	// +kubebuilder:default={}
	NameServer NameServerSpec `json:"nameServer,omitempty"`

	// Controller is the DLedger/jRaft Controller quorum. Required when
	// broker.mode is Controller, refused otherwise.
	// +optional
	Controller *ControllerSpec `json:"controller,omitempty"`

	// Broker groups.
	// +optional
	// +kubebuilder:default={}
	Broker BrokerSpec `json:"broker,omitempty"`

	// Proxy component (gRPC and remoting access for RocketMQ 5 clients).
	// +optional
	// +kubebuilder:default={}
	Proxy ProxySpec `json:"proxy,omitempty"`

	// Dashboard (rocketmq-dashboard) component.
	// +optional
	// +kubebuilder:default={}
	Dashboard DashboardSpec `json:"dashboard,omitempty"`

	// ACL turns on RocketMQ ACL 2.0 (authentication and authorization).
	// +optional
	ACL ACLSpec `json:"acl,omitempty"`

	// Metrics turns on the Prometheus exporters and a ServiceMonitor.
	// +optional
	// +kubebuilder:default={}
	Metrics MetricsSpec `json:"metrics,omitempty"`

	// TopicNamespaceSelector picks the namespaces whose RocketMQTopic and
	// RocketMQConsumerGroup objects may declare topics and groups on this
	// cluster. Unset: only the cluster's own namespace. {} selects every
	// namespace. The cluster's own namespace is always allowed.
	// +optional
	TopicNamespaceSelector *metav1.LabelSelector `json:"topicNamespaceSelector,omitempty"`
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
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
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
	// +kubebuilder:default=true
	Enabled *bool `json:"enabled,omitempty"`
}

// JVMSpec sizes the Java heap.
type JVMSpec struct {
	// Heap is the Java heap size (-Xms and -Xmx), e.g. 1Gi. The container's
	// memory limit must be at least 25 % above heap plus direct memory.
	// +optional
	// +kubebuilder:validation:XValidation:rule="quantity(string(self)).isGreaterThan(quantity('0'))",message="must be a positive quantity such as 1Gi"
	Heap *resource.Quantity `json:"heap,omitempty"`

	// DirectMemory is -XX:MaxDirectMemorySize, e.g. 2Gi: the cap on NIO
	// direct buffers (Netty, the broker's transient store pool). Unset, JDK 8
	// lets direct memory grow as large as the heap. The container's memory
	// limit must be at least 25 % above heap plus direct memory.
	// +optional
	// +kubebuilder:validation:XValidation:rule="quantity(string(self)).isGreaterThan(quantity('0'))",message="must be a positive quantity such as 1Gi"
	DirectMemory *resource.Quantity `json:"directMemory,omitempty"`
}

// StorageSpec is the persistent volume of a stateful component.
type StorageSpec struct {
	// Size of each pod's volume, e.g. 50Gi.
	// +optional
	// +kubebuilder:validation:XValidation:rule="quantity(string(self)).isGreaterThan(quantity('0'))",message="must be a positive quantity such as 20Gi"
	Size *resource.Quantity `json:"size,omitempty"`

	// StorageClassName of the volume claims. Leave it out for the cluster's
	// default class; "" (as in a PersistentVolumeClaim) asks for no class,
	// binding pre-provisioned volumes.
	// +optional
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	StorageClassName *string `json:"storageClassName,omitempty"`
}

// NameServerSpec is the NameServer component.
type NameServerSpec struct {
	// Replicas of the NameServer StatefulSet. Default: 2.
	// +optional
	// +kubebuilder:default=2
	// +kubebuilder:validation:Minimum=1
	Replicas *int32 `json:"replicas,omitempty"`

	// HostNetwork runs NameServers on the node network so that clients
	// outside the Kubernetes cluster reach them at node IPs. Such pods
	// cannot meet the restricted or baseline Pod Security profiles. The
	// NameServers still hand out brokers by their *.svc names, which
	// outside clients cannot resolve: use proxy.external for them.
	// +optional
	HostNetwork bool `json:"hostNetwork,omitempty"`

	// JVM heap of the NameServer. Default: {heap: 512Mi}.
	// +optional
	// +kubebuilder:default={heap:"512Mi"}
	JVM JVMSpec `json:"jvm,omitempty"`

	// Resources of the NameServer container. Default, when none is set:
	// requests cpu 250m and memory 1Gi, limits memory 1Gi.
	// +optional
	// +kubebuilder:default={requests:{cpu:"250m",memory:"1Gi"},limits:{memory:"1Gi"}}
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
	// +kubebuilder:default=3
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:XValidation:rule="self % 2 == 1",message="spec.controller.replicas must be odd (1, 3, 5, ...): a quorum of an even size tolerates no more failures than one member fewer"
	Replicas *int32 `json:"replicas,omitempty"`

	// Type of the consensus: DLedger (default) or jRaft.
	// +optional
	// +kubebuilder:default=DLedger
	// +kubebuilder:validation:Enum=DLedger;jRaft
	Type ControllerType `json:"type,omitempty"`

	// Storage of each Controller pod. Default size: 1Gi.
	// +optional
	// +kubebuilder:default={size:"1Gi"}
	Storage StorageSpec `json:"storage,omitempty"`

	// JVM heap of the Controller. Default: {heap: 512Mi}.
	// +optional
	// +kubebuilder:default={heap:"512Mi"}
	JVM JVMSpec `json:"jvm,omitempty"`

	// Resources of the Controller container. Default, when none is set:
	// requests cpu 250m and memory 1Gi, limits memory 1Gi.
	// +optional
	// +kubebuilder:default={requests:{cpu:"250m",memory:"1Gi"},limits:{memory:"1Gi"}}
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

// RetiredGroupPolicy is what the status controller does with the
// StatefulSet of a broker group that a scale-in removed, once drained.
type RetiredGroupPolicy string

// Retired group policies.
const (
	// RetiredGroupRetain leaves the StatefulSet for a human to delete.
	RetiredGroupRetain RetiredGroupPolicy = "Retain"
	// RetiredGroupDelete makes the status controller delete it.
	RetiredGroupDelete RetiredGroupPolicy = "Delete"
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
//
// +kubebuilder:validation:XValidation:rule="!has(self.metadataSourceGroup) || !has(self.groups) || self.metadataSourceGroup < self.groups",fieldPath=".metadataSourceGroup",message="spec.broker.metadataSourceGroup must name an existing group: less than spec.broker.groups"
type BrokerSpec struct {
	// Mode: MasterSlave (default; ordinal 0 is the master) or Controller
	// (masters elected by spec.controller).
	// +optional
	// +kubebuilder:default=MasterSlave
	// +kubebuilder:validation:Enum=MasterSlave;Controller
	Mode BrokerMode `json:"mode,omitempty"`

	// Groups is the number of broker groups, numbered from 0 and named
	// <cluster>-broker-<g>; at most 100. Default: 1.
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	Groups *int32 `json:"groups,omitempty"`

	// ReplicasPerGroup is the number of pods per group, master included.
	// Default: 1.
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=1
	ReplicasPerGroup *int32 `json:"replicasPerGroup,omitempty"`

	// Storage of each broker pod. Default size: 20Gi.
	// +optional
	// +kubebuilder:default={size:"20Gi"}
	Storage StorageSpec `json:"storage,omitempty"`

	// Config holds extra broker.conf entries (string, number or boolean
	// values). Keys that set identity, ports or cluster wiring are refused,
	// whatever their case; the error names the field that sets them instead
	// (see docs/api.md). The KRM function checks keys and values; the API
	// server cannot, because CEL rules need a typed schema and a typed value
	// could not hold both numbers and booleans.
	// +optional
	// +kubebuilder:validation:MaxProperties=256
	Config map[string]ConfigValue `json:"config,omitempty"`

	// FlushDiskType: ASYNC_FLUSH (default) or SYNC_FLUSH. May also be given
	// as config.flushDiskType; both must then agree.
	// +optional
	// +kubebuilder:validation:Enum=ASYNC_FLUSH;SYNC_FLUSH
	FlushDiskType FlushDiskType `json:"flushDiskType,omitempty"`

	// ReplicationMode of MasterSlave masters: Async (ASYNC_MASTER, default)
	// or Sync (SYNC_MASTER).
	// +optional
	// +kubebuilder:default=Async
	// +kubebuilder:validation:Enum=Async;Sync
	ReplicationMode ReplicationMode `json:"replicationMode,omitempty"`

	// MetadataSourceGroup is the group whose topics and consumer groups are
	// copied onto groups added later. Default: 0.
	// +optional
	// +kubebuilder:default=0
	// +kubebuilder:validation:Minimum=0
	MetadataSourceGroup *int32 `json:"metadataSourceGroup,omitempty"`

	// MetadataCopy tunes what is copied onto groups added later.
	// +optional
	MetadataCopy *MetadataCopySpec `json:"metadataCopy,omitempty"`

	// RetiredGroupPolicy is what happens to the StatefulSet of a group
	// above groups (removed by a scale-in, no longer rendered) once status
	// reports it Drained: Retain (default) leaves it for a human to
	// delete, Delete makes the status controller delete it. Its
	// PersistentVolumeClaims are never deleted by the controller.
	// +optional
	// +kubebuilder:default=Retain
	// +kubebuilder:validation:Enum=Retain;Delete
	RetiredGroupPolicy RetiredGroupPolicy `json:"retiredGroupPolicy,omitempty"`

	// JVM heap and direct memory of the broker. Default: {heap: 1Gi,
	// directMemory: 1Gi}.
	// +optional
	// +kubebuilder:default={heap:"1Gi",directMemory:"1Gi"}
	JVM JVMSpec `json:"jvm,omitempty"`

	// Resources of the broker container. Default, when none is set:
	// requests cpu 500m and memory 4Gi, limits memory 4Gi.
	// +optional
	// +kubebuilder:default={requests:{cpu:"500m",memory:"4Gi"},limits:{memory:"4Gi"}}
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
	// +kubebuilder:default=2
	// +kubebuilder:validation:Minimum=1
	Replicas *int32 `json:"replicas,omitempty"`

	// ServiceType of the Proxy Service: ClusterIP (default), NodePort or
	// LoadBalancer for access from outside the cluster.
	// +optional
	// +kubebuilder:default=ClusterIP
	// +kubebuilder:validation:Enum=ClusterIP;NodePort;LoadBalancer
	ServiceType corev1.ServiceType `json:"serviceType,omitempty"`

	// External makes the Proxy reachable from outside the Kubernetes
	// cluster at a stable address: the Proxy Service gets its type, and the
	// Proxy advertises the address to remoting clients (remotingAccessAddr),
	// which would otherwise be sent to pod IPs. gRPC clients keep using the
	// endpoint they dialed. With external set, serviceType must be left out
	// or equal external.serviceType.
	// +optional
	External *ProxyExternalSpec `json:"external,omitempty"`

	// JVM heap and direct memory of the Proxy. Default: {heap: 512Mi,
	// directMemory: 256Mi}; the cap keeps Netty's direct buffers from
	// growing to the heap's size (the JDK 8 default) and past the limit.
	// +optional
	// +kubebuilder:default={heap:"512Mi",directMemory:"256Mi"}
	JVM JVMSpec `json:"jvm,omitempty"`

	// Resources of the Proxy container. Default, when none is set:
	// requests cpu 250m and memory 1Gi, limits memory 1Gi.
	// +optional
	// +kubebuilder:default={requests:{cpu:"250m",memory:"1Gi"},limits:{memory:"1Gi"}}
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`

	// Placement overrides spec.placement for Proxy pods.
	// +optional
	Placement *Placement `json:"placement,omitempty"`
}

// ProxyExternalSpec is how clients outside the Kubernetes cluster reach
// the Proxy.
type ProxyExternalSpec struct {
	// Address clients outside the cluster dial: the DNS name or IP address
	// of the load balancer (LoadBalancer) or of the nodes (NodePort),
	// without port. Remoting clients are sent here by every route answer.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=253
	Address string `json:"address"`

	// ServiceType of the Proxy Service: LoadBalancer (default) or NodePort.
	// +optional
	// +kubebuilder:default=LoadBalancer
	// +kubebuilder:validation:Enum=LoadBalancer;NodePort
	ServiceType corev1.ServiceType `json:"serviceType,omitempty"`

	// RemotingPort is the port remoting clients dial at address. The Proxy
	// listens on it too, because it advertises its listen port
	// (remotingListenPort) with the address. LoadBalancer: the Service
	// port, default 8080. NodePort: the node port, required (for example
	// 30080), in the cluster's node port range.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	RemotingPort *int32 `json:"remotingPort,omitempty"`

	// GRPCPort is the port gRPC clients dial at address. LoadBalancer: the
	// Service port, default 8081. NodePort: the node port; Kubernetes picks
	// one when unset.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=65535
	GRPCPort *int32 `json:"grpcPort,omitempty"`
}

// DashboardSpec is the rocketmq-dashboard web console.
type DashboardSpec struct {
	// Enabled renders the dashboard. Default: false.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// Image of the dashboard, with tag. Default:
	// apacherocketmq/rocketmq-dashboard:2.1.0.
	// +optional
	// +kubebuilder:default="apacherocketmq/rocketmq-dashboard:2.1.0"
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:Pattern=`^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$`
	Image string `json:"image,omitempty"`

	// Replicas of the dashboard Deployment. Default: 1.
	// +optional
	// +kubebuilder:default=1
	// +kubebuilder:validation:Minimum=1
	Replicas *int32 `json:"replicas,omitempty"`

	// Resources of the dashboard container. Default, when none is set:
	// requests cpu 100m and memory 512Mi, limits memory 1Gi.
	// +optional
	// +kubebuilder:default={requests:{cpu:"100m",memory:"512Mi"},limits:{memory:"1Gi"}}
	Resources corev1.ResourceRequirements `json:"resources,omitempty"`

	// Placement overrides spec.placement for dashboard pods.
	// +optional
	Placement *Placement `json:"placement,omitempty"`
}

// ACLSpec turns on ACL 2.0.
//
// +kubebuilder:validation:XValidation:rule="!has(self.enabled) || !self.enabled || (has(self.adminSecretRef) && self.adminSecretRef.name.size() > 0)",fieldPath=".adminSecretRef",message="spec.acl.enabled needs spec.acl.adminSecretRef.name: the Secret holding the admin username and password"
type ACLSpec struct {
	// Enabled turns on authentication and authorization on brokers and
	// Proxy. Requires adminSecretRef. Default: false.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// AdminSecretRef names the Secret holding the admin user's credentials.
	// They are read from env at container start, never rendered.
	// +optional
	AdminSecretRef *SecretCredentialsRef `json:"adminSecretRef,omitempty"`

	// NextAdminSecretRef names the Secret of the admin user to rotate to,
	// with a username other than adminSecretRef's (ACL 2.0 keeps one
	// password per user, so a new password for the same user would lock
	// out every pod still signing with the old one). The status controller
	// creates or updates that user, as a super user, on every broker,
	// signing as the current admin, and sets the condition
	// NextAdminCredentialsAccepted once every broker pod accepts it. Only
	// then point adminSecretRef at this Secret and remove this field: the
	// pods roll onto credentials every broker already accepts. Pods never
	// read this Secret. See docs/controller.md, "Rotating the admin
	// credentials".
	// +optional
	NextAdminSecretRef *SecretCredentialsRef `json:"nextAdminSecretRef,omitempty"`
}

// SecretCredentialsRef points at a username and password in a Secret of the
// cluster's namespace.
type SecretCredentialsRef struct {
	// Name of the Secret.
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	Name string `json:"name"`

	// UsernameKey is the Secret key of the username. Default: username.
	// +optional
	// +kubebuilder:default=username
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
	UsernameKey string `json:"usernameKey,omitempty"`

	// PasswordKey is the Secret key of the password. Default: password.
	// +optional
	// +kubebuilder:default=password
	// +kubebuilder:validation:MaxLength=253
	// +kubebuilder:validation:Pattern=`^[-._a-zA-Z0-9]+$`
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
	// +kubebuilder:default=true
	ServiceMonitor *bool `json:"serviceMonitor,omitempty"`

	// Interval of the scrape, a Prometheus duration. Default: 30s.
	// +optional
	// +kubebuilder:default="30s"
	// +kubebuilder:validation:Pattern=`^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$`
	Interval string `json:"interval,omitempty"`
}

// MetadataCopySpec tunes the metadata copy onto broker groups added later.
type MetadataCopySpec struct {
	// SpreadOrderedTopics also copies ordered topics (order: true) and FIFO
	// topics (attribute message.type=FIFO) onto a new group. Off by
	// default: new queues on another broker change which queue a sharding
	// key maps to, so messages of one key would be consumed out of order.
	// +optional
	SpreadOrderedTopics bool `json:"spreadOrderedTopics,omitempty"`
}

// SpreadOrderedTopicsOrDefault is metadataCopy.spreadOrderedTopics, false
// when unset.
func (m *MetadataCopySpec) SpreadOrderedTopicsOrDefault() bool {
	return m != nil && m.SpreadOrderedTopics
}
