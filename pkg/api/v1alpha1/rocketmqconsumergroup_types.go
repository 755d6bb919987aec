package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// KindRocketMQConsumerGroup is the kind that declares a consumer group.
const KindRocketMQConsumerGroup = "RocketMQConsumerGroup"

// RocketMQConsumerGroup declares a consumer group (a subscription group) on
// a RocketMQCluster. The status controller creates it on the master of every
// selected broker group with the declared settings, puts back what someone
// changed by hand, and carries it onto broker groups added later.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=rmqgroup,categories=rocketmq
// +kubebuilder:printcolumn:name="Group",type=string,JSONPath=`.status.groupName`
// +kubebuilder:printcolumn:name="Cluster",type=string,JSONPath=`.spec.clusterRef.name`
// +kubebuilder:printcolumn:name="Orderly",type=boolean,JSONPath=`.spec.consumeOrderly`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Reason",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].reason`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type RocketMQConsumerGroup struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   RocketMQConsumerGroupSpec   `json:"spec"`
	Status RocketMQConsumerGroupStatus `json:"status,omitempty"`
}

// RocketMQConsumerGroupList is a list of RocketMQConsumerGroup.
//
// +kubebuilder:object:root=true
type RocketMQConsumerGroupList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []RocketMQConsumerGroup `json:"items"`
}

// DefaultRetryMaxTimes is spec.retryMaxTimes when unset: the Java default of
// SubscriptionGroupConfig.retryMaxTimes.
const DefaultRetryMaxTimes int32 = 16

// RocketMQConsumerGroupSpec is the declared group. Defaults are those of
// the Java SubscriptionGroupConfig, so that a group created by a client or
// by mqadmin with defaults is adopted as it is.
//
// +kubebuilder:validation:XValidation:rule="has(self.groupName) == has(oldSelf.groupName)",message="groupName is immutable"
type RocketMQConsumerGroupSpec struct {
	// ClusterRef names the RocketMQCluster the group lives on. Immutable.
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="clusterRef is immutable; move a group between clusters with a TopicTransfer"
	ClusterRef MetadataClusterReference `json:"clusterRef"`

	// GroupName is the group's name in RocketMQ. Default: the object's
	// metadata.name. Immutable.
	// +optional
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:Pattern=`^[%|a-zA-Z0-9_-]+$`
	// +kubebuilder:validation:XValidation:rule="self == oldSelf",message="groupName is immutable"
	GroupName string `json:"groupName,omitempty"`

	// ConsumeOrderly delivers messages of a queue (of a FIFO topic's
	// message group, for 5.x clients) in order, one at a time
	// (consumeMessageOrderly). Default: false.
	// +optional
	ConsumeOrderly bool `json:"consumeOrderly,omitempty"`

	// ConsumeBroadcast allows broadcast consumption
	// (consumeBroadcastEnable). Default: true.
	// +optional
	// +kubebuilder:default=true
	ConsumeBroadcast *bool `json:"consumeBroadcast,omitempty"`

	// ConsumeEnable lets the group consume; false stops every consumer of
	// the group from pulling (consumeEnable). Default: true.
	// +optional
	// +kubebuilder:default=true
	ConsumeEnable *bool `json:"consumeEnable,omitempty"`

	// ConsumeFromMin lets a new consumer start at the queue's min offset
	// (consumeFromMinEnable). Default: true.
	// +optional
	// +kubebuilder:default=true
	ConsumeFromMin *bool `json:"consumeFromMin,omitempty"`

	// RetryMaxTimes is how often a failed message is redelivered before it
	// goes to the group's %DLQ% topic. Default: 16.
	// +optional
	// +kubebuilder:default=16
	// +kubebuilder:validation:Minimum=0
	// +kubebuilder:validation:Maximum=1000
	RetryMaxTimes *int32 `json:"retryMaxTimes,omitempty"`

	// RetryPolicy is the delay between redeliveries (groupRetryPolicy).
	// Default: the broker's customized policy (its delay levels).
	// +optional
	RetryPolicy *GroupRetryPolicySpec `json:"retryPolicy,omitempty"`

	// BrokerGroups the group lives on, by name (<cluster>-broker-<n>).
	// Default: every broker group, including groups added later.
	// +optional
	// +listType=set
	// +kubebuilder:validation:MaxItems=64
	BrokerGroups []string `json:"brokerGroups,omitempty"`

	// DeletionPolicy: Retain (default) leaves the group and its offsets on
	// the brokers when the object is deleted; Delete removes them once the
	// group has consumed everything on its topics.
	// +optional
	// +kubebuilder:default=Retain
	DeletionPolicy DeletionPolicy `json:"deletionPolicy,omitempty"`
}

// RetryPolicyType names a GroupRetryPolicyType.
// +kubebuilder:validation:Enum=Customized;Exponential
type RetryPolicyType string

// Retry policy types.
const (
	RetryPolicyCustomized  RetryPolicyType = "Customized"
	RetryPolicyExponential RetryPolicyType = "Exponential"
)

// GroupRetryPolicySpec is a group's redelivery delay policy.
//
// +kubebuilder:validation:XValidation:rule="self.type != 'Exponential' || has(self.exponential)",message="exponential is required when type is Exponential"
// +kubebuilder:validation:XValidation:rule="self.type != 'Customized' || !has(self.exponential)",message="exponential is only for type Exponential"
// +kubebuilder:validation:XValidation:rule="self.type != 'Exponential' || !has(self.next)",message="next is only for type Customized"
type GroupRetryPolicySpec struct {
	// Type: Customized (a list of delays) or Exponential.
	Type RetryPolicyType `json:"type"`

	// Next lists the delays of the Customized policy, one per retry; the
	// last repeats. Empty: the broker's delay levels.
	// +optional
	// +kubebuilder:validation:MaxItems=64
	Next []metav1.Duration `json:"next,omitempty"`

	// Exponential policy: the delay starts at initial and is multiplied by
	// multiplier at each retry, up to max.
	// +optional
	Exponential *ExponentialRetrySpec `json:"exponential,omitempty"`
}

// ExponentialRetrySpec is ExponentialRetryPolicy with durations.
type ExponentialRetrySpec struct {
	// Initial delay.
	Initial metav1.Duration `json:"initial"`
	// Max delay.
	Max metav1.Duration `json:"max"`
	// Multiplier applied at each retry.
	// +kubebuilder:validation:Minimum=1
	// +kubebuilder:validation:Maximum=100
	Multiplier int32 `json:"multiplier"`
}

// RocketMQConsumerGroupStatus is written only by the status controller.
type RocketMQConsumerGroupStatus struct {
	MetadataObjectStatus `json:",inline"`

	// GroupName is the group's name in RocketMQ.
	// +optional
	GroupName string `json:"groupName,omitempty"`
}
