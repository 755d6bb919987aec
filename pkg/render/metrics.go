package render

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

const (
	portNameMetrics = "metrics"
	// LabelMetrics marks the metrics Services, so that a ServiceMonitor
	// selects them and not the component's other Services, which carry the
	// same component labels.
	LabelMetrics = v1alpha1.Group + "/metrics"
)

// metricsObjects are, for brokers and (when enabled) the Proxy, a headless
// metrics Service listing every pod, and a ServiceMonitor scraping it.
func metricsObjects(c *v1alpha1.RocketMQCluster) []runtime.Object {
	components := []string{v1alpha1.ComponentBroker}
	if c.Spec.Proxy.Enabled {
		components = append(components, v1alpha1.ComponentProxy)
	}
	var objs []runtime.Object
	for _, comp := range components {
		objs = append(objs, metricsService(c, comp))
		if boolOr(c.Spec.Metrics.ServiceMonitor, true) {
			objs = append(objs, serviceMonitor(c, comp))
		}
	}
	return objs
}

func metricsName(c *v1alpha1.RocketMQCluster, component string) string {
	return c.Name + "-" + component + "-metrics"
}

func metricsLabels(c *v1alpha1.RocketMQCluster, component string) map[string]string {
	l := c.Labels(component, -1)
	l[LabelMetrics] = "true"
	return l
}

// metricsService is headless: Prometheus scrapes every pod's exporter
// through the endpoints, not one pod behind a virtual IP. The selector has
// no group, so one Service covers all broker groups.
func metricsService(c *v1alpha1.RocketMQCluster, component string) *corev1.Service {
	meta := objectMeta(c, metricsName(c, component), component, -1, waveAccess)
	meta.Labels = metricsLabels(c, component)
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: meta,
		Spec: corev1.ServiceSpec{
			ClusterIP: corev1.ClusterIPNone,
			Selector:  c.SelectorLabels(component, -1),
			Ports:     []corev1.ServicePort{tcpServicePort(portNameMetrics, v1alpha1.PortMetrics)},
		},
	}
}

// serviceMonitor is a prometheus-operator ServiceMonitor. It is built as
// unstructured to avoid a dependency on the prometheus-operator module for
// one small object.
func serviceMonitor(c *v1alpha1.RocketMQCluster, component string) *unstructured.Unstructured {
	interval := c.Spec.Metrics.Interval
	if interval == "" {
		interval = "30s"
	}
	meta := map[string]any{
		"name":        metricsName(c, component),
		"labels":      stringMapToAny(c.Labels(component, -1)),
		"annotations": map[string]any{annotationSyncWave: waveAccess},
	}
	if c.Namespace != "" {
		meta["namespace"] = c.Namespace
	}
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "monitoring.coreos.com/v1",
		"kind":       "ServiceMonitor",
		"metadata":   meta,
		"spec": map[string]any{
			"selector": map[string]any{"matchLabels": stringMapToAny(metricsSelector(c, component))},
			"endpoints": []any{map[string]any{
				"port":     portNameMetrics,
				"path":     "/metrics",
				"interval": interval,
			}},
		},
	}}
}

func metricsSelector(c *v1alpha1.RocketMQCluster, component string) map[string]string {
	l := c.SelectorLabels(component, -1)
	l[LabelMetrics] = "true"
	return l
}

func stringMapToAny(m map[string]string) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
