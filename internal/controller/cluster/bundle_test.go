package cluster

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestPrometheusBundleScrapesTheMetricsService builds config/prometheus and
// follows the ServiceMonitor to the metrics Service and on to the
// controller's metrics port: selector, port name and namespace must meet.
func TestPrometheusBundleScrapesTheMetricsService(t *testing.T) {
	byKind := map[string][]*unstructured.Unstructured{}
	for _, o := range buildConfig(t, "prometheus") {
		byKind[o.GetKind()] = append(byKind[o.GetKind()], o)
	}
	require.Len(t, byKind["ServiceMonitor"], 1)
	sm := byKind["ServiceMonitor"][0]
	sel, _, _ := unstructured.NestedStringMap(sm.Object, "spec", "selector", "matchLabels")
	endpoints, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
	require.Len(t, endpoints, 1)
	port := endpoints[0].(map[string]any)["port"]

	var svc *unstructured.Unstructured
	for _, s := range byKind["Service"] {
		if matches(sel, s.GetLabels()) {
			require.Nil(t, svc, "the ServiceMonitor selects more than one Service")
			svc = s
		}
	}
	require.NotNil(t, svc, "the ServiceMonitor selects no Service (selector %v)", sel)
	assert.Equal(t, sm.GetNamespace(), svc.GetNamespace())
	ports, _, _ := unstructured.NestedSlice(svc.Object, "spec", "ports")
	var target any
	for _, p := range ports {
		if p.(map[string]any)["name"] == port {
			target = p.(map[string]any)["targetPort"]
		}
	}
	require.NotNil(t, target, "the Service has no port %v", port)

	require.Len(t, byKind["Deployment"], 1)
	containers, _, _ := unstructured.NestedSlice(byKind["Deployment"][0].Object, "spec", "template", "spec", "containers")
	ctr := containers[0].(map[string]any)
	found := false
	for _, p := range ctr["ports"].([]any) {
		if pm := p.(map[string]any); pm["name"] == target {
			found = true
			assert.EqualValues(t, 8080, pm["containerPort"])
		}
	}
	assert.True(t, found, "the container has no port named %v", target)
	assert.Contains(t, ctr["args"], "--metrics-bind-address=:8080")
}

func matches(selector, labels map[string]string) bool {
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return len(selector) > 0
}
