package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// KindTopicTransfer is the kind that moves a topic between clusters.
const KindTopicTransfer = "TopicTransfer"

// TopicTransfer moves one topic and the consumer groups reading it from a
// source RocketMQ cluster to a target cluster without losing a message: the
// target gets the topic and groups with the source's settings, the source
// turns read-only, the controller waits for every group to drain the source
// queues, and only then deletes the topic and groups from the source. Before
// that point a failure, a drain timeout or spec.abort rolls everything back.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=rmqtt,categories=rocketmq
// +kubebuilder:printcolumn:name="Topic",type=string,JSONPath=`.spec.topic`
// +kubebuilder:printcolumn:name="Phase",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Step",type=string,JSONPath=`.status.stepName`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type TopicTransfer struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   TopicTransferSpec   `json:"spec"`
	Status TopicTransferStatus `json:"status,omitempty"`
}

// TopicTransferList is a list of TopicTransfer.
//
// +kubebuilder:object:root=true
type TopicTransferList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []TopicTransfer `json:"items"`
}

// TopicTransferSpec says what moves where. The topic, the groups, both
// clusters and deleteSourceTopic cannot change once the object exists: a
// transfer that changed its mind halfway would strand data. drainTimeout and
// abort may change while the transfer runs.
//
// +kubebuilder:validation:XValidation:rule="!(has(self.source.clusterRef) && has(self.target.clusterRef) && self.source.clusterRef.name == self.target.clusterRef.name)",message="source and target must be different clusters"
// +kubebuilder:validation:XValidation:rule="!(has(self.source.nameServers) && has(self.target.nameServers) && self.source.nameServers == self.target.nameServers && self.source.clusterName == self.target.clusterName)",message="source and target must be different clusters"
// +kubebuilder:validation:XValidation:rule="has(self.consumerGroups) == has(oldSelf.consumerGroups)",message="consumerGroups is immutable"
// +kubebuilder:validation:XValidation:rule="has(self.deleteSourceTopic) == has(oldSelf.deleteSourceTopic)",message="deleteSourceTopic is immutable"
type TopicTransferSpec struct {
	// Topic to move. It must exist on the source cluster.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=127
	// +kubebuilder:validation:Pattern=`^[%|a-zA-Z0-9_-]+$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="topic is immutable"
	Topic string `json:"topic"`

	// ConsumerGroups that read the topic and move with it. Each must exist on
	// the source cluster; the transfer waits until each has consumed every
	// message of the topic on the source.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	// +kubebuilder:validation:items:MinLength=1
	// +kubebuilder:validation:items:MaxLength=255
	// +kubebuilder:validation:items:Pattern=`^[%|a-zA-Z0-9_-]+$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="consumerGroups is immutable"
	ConsumerGroups []string `json:"consumerGroups,omitempty"`

	// Source cluster, where the topic is now.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="source is immutable"
	Source TransferEndpoint `json:"source"`

	// Target cluster, where the topic goes.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="target is immutable"
	Target TransferEndpoint `json:"target"`

	// DrainTimeout is how long to wait, once the source is read-only, for
	// every group to consume what is left on the source. When it runs out the
	// transfer rolls back. Default: 10m.
	// +optional
	// +kubebuilder:default="10m"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$`
	DrainTimeout *metav1.Duration `json:"drainTimeout,omitempty"`

	// RetryBudget is how long a failing step is retried, counted from its
	// first failed attempt, before the transfer gives up on it (Failed in
	// steps 1-2, rolled back in steps 3-5; step 6 and rollbacks never give
	// up). Long enough by default to outlast a broker JVM restart; the
	// backoff between attempts is capped. Default: 5m0s (written the way Go
	// prints durations, so that clients that read and write the object back
	// do not change the spec).
	// +optional
	// +kubebuilder:default="5m0s"
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$`
	RetryBudget *metav1.Duration `json:"retryBudget,omitempty"`

	// DeleteSourceTopic deletes the topic from the source brokers and
	// NameServers, and the groups from the source brokers, once the groups
	// have drained. When false the source topic stays, read-only, with its
	// messages and the groups' offsets. Default: true, since a transfer moves.
	// +optional
	// +kubebuilder:default=true
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="deleteSourceTopic is immutable"
	DeleteSourceTopic *bool `json:"deleteSourceTopic,omitempty"`

	// PopInvisibleTime is the longest invisible duration the groups' POP
	// consumers (the 5.x gRPC SimpleConsumer and PushConsumer) use. A
	// broker moves a POP group's offset when it hands out messages, not
	// when they are acked, and reports nothing about unacked ones over its
	// admin protocol; unacked messages come back into the group's POP
	// retry topic once this time has passed. So the drain, once it sees
	// nothing left, keeps watching for this long plus the revive service's
	// scan time before it lets step 6 delete. "0s": no group consumes by
	// POP. Default: 60s. No schema default, so that the spec hash of
	// transfers created before this field existed stays the same.
	// +optional
	// +kubebuilder:validation:Type=string
	// +kubebuilder:validation:Pattern=`^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$`
	PopInvisibleTime *metav1.Duration `json:"popInvisibleTime,omitempty"`

	// Abort rolls the transfer back, if it has not yet started deleting from
	// the source (step DeleteFromSource). Later it is refused with a
	// condition.
	// +optional
	Abort bool `json:"abort,omitempty"`
}

// TransferEndpoint is one side of a transfer: either a RocketMQCluster in the
// same namespace, or a cluster this project does not manage, given by its
// NameServer addresses and its brokerClusterName.
//
// +kubebuilder:validation:XValidation:rule="has(self.clusterRef) != has(self.nameServers)",message="exactly one of clusterRef or nameServers must be set"
// +kubebuilder:validation:XValidation:rule="!has(self.nameServers) || has(self.clusterName)",message="clusterName is required with nameServers"
type TransferEndpoint struct {
	// ClusterRef names a RocketMQCluster in the transfer's namespace. Its
	// NameServers are read from the cluster's status, and its
	// brokerClusterName is the cluster's name.
	// +optional
	ClusterRef *ClusterReference `json:"clusterRef,omitempty"`

	// NameServers of an unmanaged cluster, host:port each.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MinItems=1
	// +kubebuilder:validation:MaxItems=16
	// +kubebuilder:validation:items:Pattern=`^[A-Za-z0-9.\-\[\]:]+:[0-9]{1,5}$`
	NameServers []string `json:"nameServers,omitempty"`

	// ClusterName is the brokerClusterName in RocketMQ. Required with
	// nameServers; with clusterRef it defaults to the referenced name.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=127
	// +kubebuilder:validation:Pattern=`^[%|a-zA-Z0-9_-]+$`
	ClusterName string `json:"clusterName,omitempty"`
}

// ClusterReference names a RocketMQCluster in the same namespace.
type ClusterReference struct {
	// Name of the RocketMQCluster.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=63
	Name string `json:"name"`
}

// DefaultDrainTimeout is spec.drainTimeout when unset.
const DefaultDrainTimeout = "10m"

// DefaultPopInvisibleTime is spec.popInvisibleTime when unset.
const DefaultPopInvisibleTime = "60s"

// DefaultRetryBudget is spec.retryBudget when unset.
const DefaultRetryBudget = "5m0s"
