// Package v1alpha1 holds the rocketmq.gitops.dev/v1alpha1 API shared by the
// KRM function and the status controller: types, defaults and validation.
//
// +kubebuilder:object:generate=true
// +groupName=rocketmq.gitops.dev
package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Group of the API.
const Group = "rocketmq.gitops.dev"

var (
	// GroupVersion is the group and version of these types.
	GroupVersion = schema.GroupVersion{Group: Group, Version: "v1alpha1"}

	// SchemeBuilder registers the types with a runtime.Scheme. It is
	// apimachinery's, not controller-runtime's scheme.Builder, so that
	// krm-fn, which imports this package, does not link controller-runtime.
	SchemeBuilder = runtime.NewSchemeBuilder(addKnownTypes)

	// AddToScheme adds the types of this package to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

// addKnownTypes registers every kind of this package.
func addKnownTypes(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion,
		&RocketMQCluster{}, &RocketMQClusterList{},
		&TopicTransfer{}, &TopicTransferList{},
		&RocketMQTopic{}, &RocketMQTopicList{},
		&RocketMQConsumerGroup{}, &RocketMQConsumerGroupList{},
	)
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
