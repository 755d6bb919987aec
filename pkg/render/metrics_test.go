package render

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/utils/ptr"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// TestServiceMonitorSelectsOnlyMetricsServices: each ServiceMonitor's
// selector matches its own metrics Service and no other Service rendered.
func TestServiceMonitorSelectsOnlyMetricsServices(t *testing.T) {
	c := everything(fullCluster("orders", "mq"))
	objs := mustRender(t, c)
	for _, comp := range []string{v1alpha1.ComponentBroker, v1alpha1.ComponentProxy} {
		name := "orders-" + comp + "-metrics"
		sm := find(t, objs, "ServiceMonitor", name)
		if sm.GetAPIVersion() != "monitoring.coreos.com/v1" {
			t.Errorf("%s apiVersion %s", name, sm.GetAPIVersion())
		}
		ml, _, _ := unstructured.NestedStringMap(sm.Object, "spec", "selector", "matchLabels")
		sel := labels.SelectorFromSet(ml)
		for _, o := range objs {
			if o.GetKind() != "Service" {
				continue
			}
			if matched := sel.Matches(labels.Set(o.GetLabels())); matched != (o.GetName() == name) {
				t.Errorf("ServiceMonitor %s matches Service %s: %v", name, o.GetName(), matched)
			}
		}
		eps, _, _ := unstructured.NestedSlice(sm.Object, "spec", "endpoints")
		if len(eps) != 1 || eps[0].(map[string]any)["port"] != portNameMetrics || eps[0].(map[string]any)["interval"] != "30s" {
			t.Errorf("%s endpoints %v", name, eps)
		}
		svc := typed[corev1.Service](t, find(t, objs, "Service", name))
		if svc.Spec.ClusterIP != corev1.ClusterIPNone || svc.Spec.Selector[v1alpha1.LabelComponent] != comp {
			t.Errorf("metrics Service %s: %+v", name, svc.Spec)
		}
	}
}

func TestMetricsExporters(t *testing.T) {
	c := fullCluster("orders", "mq")
	c.Spec.Metrics.Enabled = true
	kv := brokerConfig(c, 0)
	for k, v := range map[string]string{"metricsExporterType": "PROM", "metricsPromExporterHost": "0.0.0.0", "metricsPromExporterPort": "5557"} {
		if kv[k] != v {
			t.Errorf("broker %s = %q, want %q", k, kv[k], v)
		}
	}
	ports := statefulSetOf(t, mustRender(t, c), "orders-broker-0").Spec.Template.Spec.Containers[0].Ports
	if ports[len(ports)-1].Name != portNameMetrics || ports[len(ports)-1].ContainerPort != 5557 {
		t.Errorf("broker ports %v lack metrics", ports)
	}
}

func TestMetricsToggles(t *testing.T) {
	tests := []struct {
		name           string
		enabled, proxy bool
		serviceMonitor *bool
		interval       string
		want           []string
	}{
		{"off", false, true, ptr.To(true), "", nil},
		{"brokers only", true, false, ptr.To(true), "", []string{"Service/o-broker-metrics", "ServiceMonitor/o-broker-metrics"}},
		{"no ServiceMonitor", true, true, ptr.To(false), "", []string{"Service/o-broker-metrics", "Service/o-proxy-metrics"}},
		{"all", true, true, nil, "15s", []string{"Service/o-broker-metrics", "Service/o-proxy-metrics", "ServiceMonitor/o-broker-metrics", "ServiceMonitor/o-proxy-metrics"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fullCluster("o", "mq")
			c.Spec.Metrics = v1alpha1.MetricsSpec{Enabled: tt.enabled, ServiceMonitor: tt.serviceMonitor, Interval: tt.interval}
			c.Spec.Proxy.Enabled = tt.proxy
			var got []string
			for _, o := range mustRender(t, c) {
				if len(o.GetName()) > 8 && o.GetName()[len(o.GetName())-8:] == "-metrics" {
					got = append(got, o.GetKind()+"/"+o.GetName())
					if iv, ok, _ := unstructured.NestedSlice(o.Object, "spec", "endpoints"); ok && tt.interval != "" &&
						iv[0].(map[string]any)["interval"] != tt.interval {
						t.Errorf("interval %v, want %s", iv[0], tt.interval)
					}
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("metrics objects %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("metrics objects %v, want %v", got, tt.want)
				}
			}
		})
	}
}
