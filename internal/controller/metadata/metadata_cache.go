package metadata

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// lastApplied is kubectl's copy of the whole object in an annotation: the
// largest part of an applied topic, and never read here.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// AddCacheOptions slims the cached topics, groups and namespaces: ten
// thousand topics must fit in the controller's memory budget.
func AddCacheOptions(opts *cache.Options) {
	if opts.ByObject == nil {
		opts.ByObject = map[client.Object]cache.ByObject{}
	}
	opts.ByObject[&v1alpha1.RocketMQTopic{}] = cache.ByObject{Transform: slimObject}
	opts.ByObject[&v1alpha1.RocketMQConsumerGroup{}] = cache.ByObject{Transform: slimObject}
	opts.ByObject[&corev1.Namespace{}] = cache.ByObject{Transform: slimNamespace}
}

// slimObject drops managedFields and the last-applied annotation. The
// cached copy is patched with merge patches computed against itself, so
// the dropped fields never reach the API server.
func slimObject(obj any) (any, error) {
	o, ok := obj.(client.Object)
	if !ok {
		return obj, nil
	}
	o.SetManagedFields(nil)
	if a := o.GetAnnotations(); a[lastApplied] != "" {
		delete(a, lastApplied)
		o.SetAnnotations(a)
	}
	return o, nil
}

// slimNamespace keeps a namespace's name and labels, all the selector reads.
func slimNamespace(obj any) (any, error) {
	n, ok := obj.(*corev1.Namespace)
	if !ok {
		return obj, nil
	}
	return &corev1.Namespace{TypeMeta: n.TypeMeta, ObjectMeta: metav1.ObjectMeta{
		Name: n.Name, Labels: n.Labels, ResourceVersion: n.ResourceVersion, UID: n.UID,
	}}, nil
}
