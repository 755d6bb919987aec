package cluster

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// indexCluster indexes cached objects by their LabelCluster value, so a
// reconcile lists one cluster's pods without scanning the namespace.
const indexCluster = "rocketmq.gitops.dev/cluster"

// CacheOptions scopes the manager's cache: only the Pods, StatefulSets
// and Services that carry our managed-by label are watched, and the cached
// copies keep only the fields the controller reads, so memory grows with
// RocketMQ pods, not with everything else in the cluster. namespaces empty
// means all namespaces.
func CacheOptions(namespaces []string) cache.Options {
	sel := labels.SelectorFromSet(labels.Set{v1alpha1.LabelManagedBy: v1alpha1.ManagedBy})
	opts := cache.Options{
		ByObject: map[client.Object]cache.ByObject{
			&corev1.Pod{}:         {Label: sel, Transform: slimPod},
			&appsv1.StatefulSet{}: {Label: sel, Transform: slimStatefulSet},
			&corev1.Service{}:     {Label: sel, Transform: slimService},
		},
		DefaultTransform: cache.TransformStripManagedFields(),
	}
	if len(namespaces) > 0 {
		opts.DefaultNamespaces = make(map[string]cache.Config, len(namespaces))
		for _, ns := range namespaces {
			opts.DefaultNamespaces[ns] = cache.Config{}
		}
	}
	return opts
}

// ClientOptions make the manager's client read ConfigMaps and Secrets
// straight from the API server. A cached read would start an informer,
// which needs list and watch on every ConfigMap or Secret in the watched
// namespaces; direct gets need only get, which each cluster's rendered
// Role grants by name (its NameServer address ConfigMap and admin Secret),
// so the ClusterRole holds neither resource.
func ClientOptions() client.Options {
	return client.Options{Cache: &client.CacheOptions{
		DisableFor: []client.Object{&corev1.ConfigMap{}, &corev1.Secret{}},
	}}
}

// The transforms below drop what the controller never reads. The cached
// objects are never written back (the controller does not update rendered
// objects), so a partial copy cannot leak into the API server.

func slimPod(obj any) (any, error) {
	p, ok := obj.(*corev1.Pod)
	if !ok {
		return obj, nil
	}
	out := &corev1.Pod{TypeMeta: p.TypeMeta, ObjectMeta: slimMeta(p.ObjectMeta)}
	out.Spec.HostNetwork = p.Spec.HostNetwork
	out.Spec.NodeName = p.Spec.NodeName
	// The subdomain is the headless Service of the pod's DNS name, under
	// which brokers register with the NameServers.
	out.Spec.Subdomain = p.Spec.Subdomain
	out.Status = corev1.PodStatus{
		Phase:      p.Status.Phase,
		Conditions: p.Status.Conditions,
		PodIP:      p.Status.PodIP,
		HostIP:     p.Status.HostIP,
	}
	return out, nil
}

func slimStatefulSet(obj any) (any, error) {
	s, ok := obj.(*appsv1.StatefulSet)
	if !ok {
		return obj, nil
	}
	out := &appsv1.StatefulSet{TypeMeta: s.TypeMeta, ObjectMeta: slimMeta(s.ObjectMeta), Status: s.Status}
	out.Spec.Replicas = s.Spec.Replicas
	out.Spec.ServiceName = s.Spec.ServiceName
	return out, nil
}

func slimService(obj any) (any, error) {
	s, ok := obj.(*corev1.Service)
	if !ok {
		return obj, nil
	}
	out := &corev1.Service{TypeMeta: s.TypeMeta, ObjectMeta: slimMeta(s.ObjectMeta)}
	out.Spec.ClusterIP = s.Spec.ClusterIP
	out.Spec.Type = s.Spec.Type
	return out, nil
}

func slimMeta(m metav1.ObjectMeta) metav1.ObjectMeta {
	m.ManagedFields = nil
	m.Annotations = nil
	return m
}

// clusterIndexer is the field index function for indexCluster.
func clusterIndexer(o client.Object) []string {
	if v, ok := o.GetLabels()[v1alpha1.LabelCluster]; ok {
		return []string{v}
	}
	return nil
}

func errIndex(kind string, err error) error {
	return fmt.Errorf("while indexing %s by cluster: %w", kind, err)
}
