package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// MetadataClusterReference names the RocketMQCluster a RocketMQTopic or a
// RocketMQConsumerGroup lives on. The cluster may be in another namespace
// when its spec.topicNamespaceSelector allows the object's namespace.
type MetadataClusterReference struct {
	// Name of the RocketMQCluster.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	Name string `json:"name"`

	// Namespace of the RocketMQCluster. Default: the object's own namespace.
	// +optional
	// +kubebuilder:validation:MaxLength=63
	Namespace string `json:"namespace,omitempty"`
}

// DeletionPolicy says what deleting a RocketMQTopic or RocketMQConsumerGroup
// does to the topic or group on the brokers.
// +kubebuilder:validation:Enum=Retain;Delete
type DeletionPolicy string

const (
	// DeletionRetain leaves the topic or group, its messages and offsets on
	// the brokers: the object stops being managed.
	DeletionRetain DeletionPolicy = "Retain"
	// DeletionDelete removes the topic or group from every broker, but only
	// once no consumer group has unconsumed messages on it; until then the
	// object waits, with a condition that says why.
	DeletionDelete DeletionPolicy = "Delete"
)

// AnnotationManaged set to "false" on a RocketMQTopic or
// RocketMQConsumerGroup stops the controller from changing or deleting the
// topic or group on the brokers; the object's status still reports it.
const AnnotationManaged = Group + "/managed"

// AnnotationForceDelete set to "true" on a RocketMQTopic or
// RocketMQConsumerGroup with deletionPolicy Delete lets its deletion
// proceed although messages are left unconsumed.
const AnnotationForceDelete = Group + "/force-delete"

// FinalizerMetadata is held by a RocketMQTopic or RocketMQConsumerGroup with
// deletionPolicy Delete until the topic or group is gone from the brokers.
const FinalizerMetadata = Group + "/metadata"

// Condition reasons of RocketMQTopic and RocketMQConsumerGroup. The
// conditions are Ready, Reconciling and Stalled, in the kstatus form.
const (
	// ReasonApplied: present on every selected broker group as declared.
	ReasonApplied = "Applied"
	// ReasonApplying: being created or updated on the brokers.
	ReasonApplying = "Applying"
	// ReasonNamespaceNotAllowed: the cluster's topicNamespaceSelector does
	// not allow the object's namespace.
	ReasonNamespaceNotAllowed = "NamespaceNotAllowed"
	// ReasonClusterNotFound: spec.clusterRef names no RocketMQCluster.
	ReasonClusterNotFound = "ClusterNotFound"
	// ReasonClusterNotReady: the cluster has no reachable master yet.
	ReasonClusterNotReady = "ClusterNotReady"
	// ReasonBrokerGroupNotFound: spec.brokerGroups names a group the
	// cluster does not have.
	ReasonBrokerGroupNotFound = "BrokerGroupNotFound"
	// ReasonQueuesShrink: a broker holds more queues than declared; queue
	// counts may grow, never shrink, since messages in dropped queues
	// would no longer be read.
	ReasonQueuesShrink = "QueuesCannotShrink"
	// ReasonMessageTypeChange: the topic on a broker has another message
	// type than declared; a topic's message type cannot change.
	ReasonMessageTypeChange = "MessageTypeCannotChange"
	// ReasonAttributeUnchangeable: an attribute the broker cannot change
	// (queue.type, cleanup.policy) differs.
	ReasonAttributeUnchangeable = "AttributeCannotChange"
	// ReasonDuplicate: another object declares the same topic or group on
	// the same cluster; the older object keeps it.
	ReasonDuplicate = "Duplicate"
	// ReasonUnmanaged: the managed annotation is "false".
	ReasonUnmanaged = "Unmanaged"
	// ReasonDeleteBlocked: deletionPolicy Delete waits for consumer groups
	// to consume what is left.
	ReasonDeleteBlocked = "UnconsumedMessages"
	// ReasonStoppingWrites: a topic being deleted is read-only on every
	// broker group; the deletion waits for producers to refresh their
	// routes before it looks for unconsumed messages.
	ReasonStoppingWrites = "StoppingWrites"
	// ReasonDeleting: being deleted from the brokers.
	ReasonDeleting = "Deleting"
	// ReasonBrokerError: a broker refused or did not answer; retried.
	ReasonBrokerError = "BrokerError"
)

// MetadataObjectStatus is the status the two metadata kinds share.
type MetadataObjectStatus struct {
	// ObservedGeneration is the spec generation this status describes.
	// +optional
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`

	// Conditions: Ready, Reconciling, Stalled.
	// +optional
	// +listType=map
	// +listMapKey=type
	Conditions []metav1.Condition `json:"conditions,omitempty"`

	// Cluster is the namespace/name of the RocketMQCluster.
	// +optional
	Cluster string `json:"cluster,omitempty"`

	// BrokerGroups the topic or group is present on, as declared.
	// +optional
	// +listType=set
	BrokerGroups []string `json:"brokerGroups,omitempty"`

	// WritesStoppedAt is when a topic being deleted (deletionPolicy Delete)
	// was made read-only on every broker group. The broker does not refuse
	// a send to a read-only topic (AbstractSendMessageProcessor.msgCheck
	// checks only the broker's permission): producers stop when they next
	// refresh the route. So unconsumed messages are looked for only once
	// the controller's delete settle period has passed since this time.
	// +optional
	WritesStoppedAt *metav1.Time `json:"writesStoppedAt,omitempty"`

	// Differences lists, per broker group, what is on the broker and
	// differs from the spec and cannot be changed (why Stalled).
	// +optional
	Differences []string `json:"differences,omitempty"`
}
