// Package v1alpha1 holds the rocketmq.gitops.dev/v1alpha1 API shared by the
// KRM function and the status controller: types, defaults and validation.
//
// +kubebuilder:object:generate=true
// +groupName=rocketmq.gitops.dev
package v1alpha1

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/scheme"
)

// Group of the API.
const Group = "rocketmq.gitops.dev"

var (
	// GroupVersion is the group and version of these types.
	GroupVersion = schema.GroupVersion{Group: Group, Version: "v1alpha1"}

	// SchemeBuilder registers the types with a runtime.Scheme. Every kind
	// of this package registers through it; moving to apimachinery's
	// runtime.SchemeBuilder would keep controller-runtime out of krm-fn.
	SchemeBuilder = &scheme.Builder{GroupVersion: GroupVersion} //nolint:staticcheck // see above

	// AddToScheme adds the types of this package to a scheme.
	AddToScheme = SchemeBuilder.AddToScheme
)

func init() {
	SchemeBuilder.Register(&RocketMQCluster{}, &RocketMQClusterList{})
}
