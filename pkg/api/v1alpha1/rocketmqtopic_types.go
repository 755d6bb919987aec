package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// KindRocketMQTopic is the kind that declares a topic.
const KindRocketMQTopic = "RocketMQTopic"

// RocketMQTopic declares a topic on a RocketMQCluster. The status controller
// creates it on the master of every selected broker group, grows its queues
// and changes its permission and attributes as the spec changes, puts back
// what someone changed by hand, and carries it onto broker groups added
// later. A topic that already exists is adopted when it matches the spec.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=rmqtopic,categories=rocketmq
// +kubebuilder:printcolumn:name="Topic",type=string,JSONPath=`.status.topicName`
// +kubebuilder:printcolumn:name="Cluster",type=string,JSONPath=`.spec.clusterRef.name`
// +kubebuilder:printcolumn:name="Queues",type=integer,JSONPath=`.spec.queues`
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=`.spec.messageType`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type RocketMQTopic struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   RocketMQTopicSpec   `json:"spec"`
	Status RocketMQTopicStatus `json:"status,omitempty"`
}

// RocketMQTopicList is a list of RocketMQTopic.
//
// +kubebuilder:object:root=true
type RocketMQTopicList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []RocketMQTopic `json:"items"`
}

// TopicMessageType is the 5.x `message.type` topic attribute: the kind of
// message producers may send to the topic (TopicMessageType in Java).
// +kubebuilder:validation:Enum=NORMAL;FIFO;DELAY;TRANSACTION
type TopicMessageType string

// Message types.
const (
	MessageTypeNormal      TopicMessageType = "NORMAL"
	MessageTypeFIFO        TopicMessageType = "FIFO"
	MessageTypeDelay       TopicMessageType = "DELAY"
	MessageTypeTransaction TopicMessageType = "TRANSACTION"
)

// TopicAttributeMessageType is the topic attribute that holds the message
// type (TopicAttributes.TOPIC_MESSAGE_TYPE_ATTRIBUTE).
const TopicAttributeMessageType = "message.type"

// DefaultTopicQueues is spec.queues when unset: mqadmin updateTopic's and
// the broker's defaultTopicQueueNums default.
const DefaultTopicQueues int32 = 8

// RocketMQTopicSpec is the declared topic.
//
// +kubebuilder:validation:XValidation:rule="has(self.topicName) == has(oldSelf.topicName)",message="topicName is immutable"
// +kubebuilder:validation:XValidation:rule="!has(self.readQueues) || !has(self.writeQueues) || self.readQueues >= self.writeQueues",message="readQueues must be at least writeQueues: messages written to a queue nobody reads are not consumed"
type RocketMQTopicSpec struct {
	// ClusterRef names the RocketMQCluster the topic lives on. Immutable:
	// moving a topic to another cluster is a TopicTransfer.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="clusterRef is immutable; move a topic between clusters with a TopicTransfer"
	ClusterRef MetadataClusterReference `json:"clusterRef"`

	// TopicName is the topic's name in RocketMQ, which may hold characters
	// a Kubernetes name cannot ('_', '%', '|', capitals). Default: the
	// object's metadata.name. Immutable.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=127
	// +kubebuilder:validation:Pattern=`^[%|a-zA-Z0-9_-]+$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="topicName is immutable"
	TopicName string `json:"topicName,omitempty"`

	// Queues is the number of read and write queues on each broker group.
	// It may grow, never shrink. Default: 8.
	// +optional
	// +kubebuilder:default=8
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1024
	// +kubebuilder:validation:XValidation:rule="self >= oldSelf",message="queues may grow, never shrink: messages in dropped queues would no longer be read"
	Queues *int32 `json:"queues,omitempty"`

	// ReadQueues overrides queues for the read queue count.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1024
	// +kubebuilder:validation:XValidation:rule="self >= oldSelf",message="readQueues may grow, never shrink: messages in dropped queues would no longer be read"
	ReadQueues *int32 `json:"readQueues,omitempty"`

	// WriteQueues overrides queues for the write queue count.
	// +optional
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=1024
	// +kubebuilder:validation:XValidation:rule="self >= oldSelf",message="writeQueues may grow, never shrink"
	WriteQueues *int32 `json:"writeQueues,omitempty"`

	// Perm is the topic permission, as mqadmin updateTopic -p takes it:
	// 6 read and write, 4 read only, 2 write only. Default: 6.
	// +optional
	// +kubebuilder:default=6
	// +kubebuilder:validation:Enum=2;4;6
	Perm *int32 `json:"perm,omitempty"`

	// MessageType is the kind of messages the topic takes (the 5.x
	// message.type attribute): NORMAL, FIFO, DELAY or TRANSACTION. Proxies
	// refuse other kinds. Immutable. Default: NORMAL.
	// +optional
	// +kubebuilder:default=NORMAL
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="messageType is immutable: create a new topic for another message type"
	MessageType TopicMessageType `json:"messageType,omitempty"`

	// Attributes are other topic attributes, e.g. queue.type or
	// cleanup.policy. message.type is set by messageType.
	// +optional
	// +kubebuilder:validation:MaxProperties=16
	// +kubebuilder:validation:XValidation:rule="!('message.type' in self)",message="set message.type with spec.messageType"
	Attributes map[string]string `json:"attributes,omitempty"`

	// BrokerGroups the topic lives on, by name (<cluster>-broker-<n>).
	// Default: every broker group, including groups added later.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	BrokerGroups []string `json:"brokerGroups,omitempty"`

	// DeletionPolicy: Retain (default) leaves the topic on the brokers
	// when the object is deleted; Delete removes it once no consumer group
	// has unconsumed messages on it.
	// +optional
	// +kubebuilder:default=Retain
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`
}

// RocketMQTopicStatus is written only by the status controller.
type RocketMQTopicStatus struct {
	MetadataObjectStatus `json:",inline"`

	// TopicName is the topic's name in RocketMQ.
	// +optional
	TopicName string `json:"topicName,omitempty"`

	// Current is the topic as the brokers hold it now (the first broker
	// group in name order that has it).
	// +optional
	Current *TopicState `json:"current,omitempty"`
}

// TopicState is a topic as a broker holds it.
type TopicState struct {
	ReadQueues  int32 `json:"readQueues"`
	WriteQueues int32 `json:"writeQueues"`
	Perm        int32 `json:"perm"`
	// +optional
	MessageType TopicMessageType `json:"messageType,omitempty"`
	// +optional
	Attributes map[string]string `json:"attributes,omitempty"`
}
