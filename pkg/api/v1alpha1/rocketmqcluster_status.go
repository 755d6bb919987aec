package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Condition types of RocketMQCluster, in the kstatus form that Flux health
// checks and Argo CD health scripts read. RocketMQCluster also sets the
// kstatus abnormal-true pair shared with TopicTransfer: ConditionReconciling
// (True while it progresses, with the Progressing reason) and
// ConditionStalled (True only for what needs a human: an invalid spec,
// unreadable ACL credentials, a failed metadata copy, a master lost past
// the grace period).
const (
	// ConditionReady is True when every component has its desired ready
	// replicas and every broker group has a master and synced metadata.
	ConditionReady = "Ready"
	// ConditionProgressing is True while pods roll out or metadata copies.
	ConditionProgressing = "Progressing"
	// ConditionDegraded is True when something that was running is broken,
	// e.g. a broker group lost its master for longer than the grace period
	// outside a rollout, or a metadata copy failed.
	ConditionDegraded = "Degraded"
	// ConditionRenderStale is True when the live spec is not the spec the
	// objects were rendered from: its SpecHash differs from the
	// AnnotationRenderedSpecHash that krm-fn recorded (a kustomize layer
	// patched the spec without running the function, or the cluster was
	// edited in place). Unknown when the annotation is missing (a cluster
	// not applied from a krm-fn render). It does not change Ready.
	ConditionRenderStale = "RenderStale"
	// ConditionNextAdminCredentialsAccepted is True when every broker pod
	// accepts the user of spec.acl.nextAdminSecretRef, so adminSecretRef
	// may be pointed at it; False while the controller is still creating
	// or updating that user, or cannot. Absent without nextAdminSecretRef.
	ConditionNextAdminCredentialsAccepted = "NextAdminCredentialsAccepted"
)

// MetadataState is the progress of copying topics and consumer groups onto
// a broker group.
type MetadataState string

// Metadata states.
const (
	// MetadataInitial: the group existed when the cluster first became
	// ready; nothing is copied onto it.
	MetadataInitial MetadataState = "Initial"
	MetadataPending MetadataState = "Pending"
	MetadataCopying MetadataState = "Copying"
	MetadataSynced  MetadataState = "Synced"
	MetadataFailed  MetadataState = "Failed"
)

// RocketMQClusterStatus is written only by the status controller.
type RocketMQClusterStatus struct {
	// ObservedGeneration is the spec generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Ready, Progressing, Degraded, Reconciling, Stalled.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// NameServer replicas.
	// +optional
	NameServer *ComponentStatus `json:"nameServer,omitempty"`

	// Controller replicas (Controller mode only).
	// +optional
	Controller *ComponentStatus `json:"controller,omitempty"`

	// Proxy replicas (when enabled).
	// +optional
	Proxy *ComponentStatus `json:"proxy,omitempty"`

	// Dashboard replicas (when enabled).
	// +optional
	Dashboard *ComponentStatus `json:"dashboard,omitempty"`

	// NameServerAddresses in use, host:port, in pod ordinal order.
	// +optional
	NameServerAddresses []string `json:"nameServerAddresses,omitempty"`

	// BrokerGroups, one entry per group, ordered by group number.
	// +optional
	// +listType=map
	// +listMapKey=group
	BrokerGroups []BrokerGroupStatus `json:"brokerGroups,omitempty"`

	// RetiringGroups are the broker groups above spec.broker.groups whose
	// StatefulSet or pods still exist (a scale-in leaves them running,
	// since GitOps engines do not prune data-holding StatefulSets), and
	// groups brought back by a scale-out whose write permission is being
	// restored. Ordered by group number.
	// +optional
	// +listType=map
	// +listMapKey=group
	RetiringGroups []RetiringGroupStatus `json:"retiringGroups,omitempty"`

	// ACL reports the rotation to spec.acl.nextAdminSecretRef, while it is
	// set.
	// +optional
	ACL *ACLStatus `json:"acl,omitempty"`
}

// ACLStatus is where the rotation to the next admin credentials stands.
// No password, nor anything derived from one, is recorded.
type ACLStatus struct {
	// NextAdminSecret is the Secret of spec.acl.nextAdminSecretRef, as
	// last checked against the brokers.
	NextAdminSecret SecretVersion `json:"nextAdminSecret"`

	// NextAdminUser is its username.
	// +optional
	NextAdminUser string `json:"nextAdminUser,omitempty"`

	// Accepted is true when every broker pod accepted NextAdminUser with
	// the password of that version of the Secret.
	Accepted bool `json:"accepted"`

	// PendingBrokers are the broker pods that do not accept it yet, each
	// with the reason ("<pod>: <why>"), in group and ordinal order.
	// +optional
	PendingBrokers []string `json:"pendingBrokers,omitempty"`
}

// SecretVersion names one version of a Secret.
type SecretVersion struct {
	// Name of the Secret.
	Name string `json:"name"`
	// ResourceVersion of the Secret as read.
	// +optional
	ResourceVersion string `json:"resourceVersion,omitempty"`
}

// RetiringPhase is where a broker group removed by a scale-in stands.
// +kubebuilder:validation:Enum=Retiring;Drained;Restoring
type RetiringPhase string

// Retiring phases.
const (
	// RetiringPhaseRetiring: write permission is being wiped on every
	// NameServer, or consumer groups still have messages to read on it.
	RetiringPhaseRetiring RetiringPhase = "Retiring"
	// RetiringPhaseDrained: no NameServer routes writes to it and no
	// consumer group has anything left on it; its StatefulSet may go.
	RetiringPhaseDrained RetiringPhase = "Drained"
	// RetiringPhaseRestoring: spec.broker.groups covers the group again
	// and its write permission is not yet restored on every NameServer.
	RetiringPhaseRestoring RetiringPhase = "Restoring"
)

// RetiringGroupStatus is one broker group removed by a scale-in.
type RetiringGroupStatus struct {
	// Group number.
	Group int32 `json:"group"`
	// Name of the group's StatefulSet and brokerName.
	Name string `json:"name"`
	// Phase of the retirement.
	Phase RetiringPhase `json:"phase"`
	// WritesWipedSince is when write permission was first wiped on every
	// NameServer without a gap; Drained waits a settle period after it,
	// for producers to refresh their routes.
	// +optional
	WritesWipedSince *metav1.Time `json:"writesWipedSince,omitempty"`
	// RemainingMessages is the sum of Lag: messages consumer groups have
	// not consumed yet on the group's master.
	// +optional
	RemainingMessages int64 `json:"remainingMessages,omitempty"`
	// Lag lists the topics (%RETRY% topics included) and consumer groups
	// with messages left, largest first, at most 20 entries.
	// +optional
	// +listType=atomic
	Lag []GroupLag `json:"lag,omitempty"`
	// Message says what the group waits for.
	// +optional
	Message string `json:"message,omitempty"`
}

// GroupLag is the unconsumed messages of one consumer group on one topic
// of a retiring broker group.
type GroupLag struct {
	// Topic, as the broker reports it.
	Topic string `json:"topic"`
	// ConsumerGroup that has not consumed them; empty when no consumer
	// group has ever committed an offset on the topic on this broker
	// (messages nobody has read, counted from the queues' min offsets).
	ConsumerGroup string `json:"consumerGroup"`
	// Messages left (broker offset - consumer offset, summed over queues).
	Messages int64 `json:"messages"`
}

// ComponentStatus counts a component's replicas.
type ComponentStatus struct {
	// Desired replicas.
	Desired int32 `json:"desired"`
	// Ready replicas.
	Ready int32 `json:"ready"`
}

// BrokerGroupStatus is one broker group.
type BrokerGroupStatus struct {
	// Group number.
	Group int32 `json:"group"`
	// Name of the group's StatefulSet and brokerName.
	Name string `json:"name"`
	// Master is the pod currently acting as master, if any.
	// +optional
	Master string `json:"master,omitempty"`
	// MasterLostSince is when the group was first seen without a ready
	// master, once the cluster had been ready; cleared when a master is
	// back. Outside a rollout the group turns Degraded a grace period
	// after it.
	// +optional
	MasterLostSince *metav1.Time `json:"masterLostSince,omitempty"`
	// Desired pods in the group.
	Desired int32 `json:"desired"`
	// Ready pods in the group.
	Ready int32 `json:"ready"`
	// Metadata copy state of the group.
	// +optional
	Metadata MetadataState `json:"metadata,omitempty"`
	// MetadataMessage explains a Failed metadata state.
	// +optional
	MetadataMessage string `json:"metadataMessage,omitempty"`
	// MetadataAttempts counts copy attempts, for backoff.
	// +optional
	MetadataAttempts int32 `json:"metadataAttempts,omitempty"`
	// LastMetadataAttempt is when the last copy attempt started.
	// +optional
	LastMetadataAttempt *metav1.Time `json:"lastMetadataAttempt,omitempty"`
	// MetadataSkipped lists the ordered and FIFO topics of the source
	// group the copy did not spread onto this group
	// (spec.broker.metadataCopy.spreadOrderedTopics is off).
	// +optional
	// +listType=atomic
	MetadataSkipped []string `json:"metadataSkipped,omitempty"`
	// MetadataHeld lists the topics the copy left out because an
	// unfinished TopicTransfer was moving them off this cluster. Once no
	// transfer holds them the copy runs again, and gives the group those
	// still on the source (a transfer that rolled back).
	// +optional
	// +listType=atomic
	MetadataHeld []string `json:"metadataHeld,omitempty"`
	// MetadataCopied counts what the last successful copy created or
	// updated on this group.
	// +optional
	MetadataCopied *MetadataCopyCounts `json:"metadataCopied,omitempty"`
	// MetadataUsersNotCopied lists ACL 2.0 users the source broker listed
	// without a password: the copy cannot create them (nor their ACLs)
	// on this group, so they must be created here by hand.
	// +optional
	// +listType=atomic
	MetadataUsersNotCopied []string `json:"metadataUsersNotCopied,omitempty"`
}

// MetadataCopyCounts counts the metadata a copy created or updated on a
// broker group; what was already equal is not counted.
type MetadataCopyCounts struct {
	// Users is the number of ACL 2.0 users (ACL on only).
	// +optional
	Users int32 `json:"users,omitempty"`
	// ACLs is the number of ACL 2.0 subjects whose ACL was written (ACL on only).
	// +optional
	ACLs int32 `json:"acls,omitempty"`
	// Groups is the number of consumer groups.
	// +optional
	Groups int32 `json:"groups,omitempty"`
	// Topics is the number of topics.
	// +optional
	Topics int32 `json:"topics,omitempty"`
}
