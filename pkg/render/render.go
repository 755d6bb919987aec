// Package render turns one defaulted, validated RocketMQCluster into every
// Kubernetes object the cluster needs. It is pure: no I/O, no clock, no
// randomness, and its output does not depend on map iteration order, so the
// same spec always yields the same bytes.
//
// Per cluster it renders (names from the API package):
//
//	<c>-nameserver     StatefulSet + headless Service (+ PDB)        wave 0
//	<c>-controller     ConfigMap + StatefulSet + headless Service     wave 0
//	                   (+ PDB), Controller mode only
//	<c>-broker-<g>     ConfigMap + StatefulSet + headless Service     wave 1
//	                   (+ PDB), per group
//	<c>-proxy          ConfigMap + Deployment + Service (+ PDB)       wave 2
//	<c>-dashboard      Deployment + Service (+ PDB)                   wave 2
//	<c>-<comp>-metrics headless Service (+ ServiceMonitor) for       wave 2
//	                   brokers and Proxy, with metrics on
//	<c>-status-controller Role + RoleBinding for the status          wave 0
//	                   controller's ServiceAccount (rbac.go)
//
// Each builder makes a typed object; toUnstructured converts it and strips
// nulls and empty values, and Render sorts the result by kind and name.
// Per-pod identity (broker id and role, Controller self id, brokerIP1) is
// not rendered: the start scripts (script.go) derive it from the pod name
// at container start, so pods of one StatefulSet share one template.
package render

import (
	"fmt"
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// Render returns every object of one cluster with DefaultOptions. c has
// been defaulted (c.Default()) and validated by the caller. The
// RocketMQCluster itself is not part of the result.
func Render(c *v1alpha1.RocketMQCluster) ([]*unstructured.Unstructured, error) {
	return RenderWith(c, DefaultOptions())
}

// RenderWith is Render with the installation's options.
func RenderWith(c *v1alpha1.RocketMQCluster, opts Options) ([]*unstructured.Unstructured, error) {
	if c == nil {
		return nil, fmt.Errorf("render: nil RocketMQCluster")
	}
	if c.Spec.ACL.Enabled && c.Spec.ACL.AdminSecretRef == nil {
		// Validation refuses this; rendering brokers without the
		// credentials would silently turn ACL off.
		return nil, fmt.Errorf("render cluster %s/%s: spec.acl.enabled needs spec.acl.adminSecretRef", c.Namespace, c.Name)
	}
	typed, err := buildAll(c)
	if err != nil {
		return nil, err
	}
	typed = append(typed, statusControllerRBAC(c, opts.StatusController)...)
	out := make([]*unstructured.Unstructured, 0, len(typed))
	conv := newConverter()
	for _, obj := range typed {
		u, err := toUnstructured(conv, obj)
		if err != nil {
			return nil, fmt.Errorf("render cluster %s/%s: %w", c.Namespace, c.Name, err)
		}
		out = append(out, u)
	}
	sortObjects(out)
	return out, nil
}

// buildAll runs every component builder that applies to the spec.
func buildAll(c *v1alpha1.RocketMQCluster) ([]runtime.Object, error) {
	var objs []runtime.Object
	objs = append(objs, nameServerObjects(c)...)
	if isControllerMode(c) {
		ctrl, err := controllerObjects(c)
		if err != nil {
			return nil, err
		}
		objs = append(objs, ctrl...)
	}
	brokers, err := brokerObjects(c)
	if err != nil {
		return nil, err
	}
	objs = append(objs, brokers...)
	if c.Spec.Proxy.Enabled {
		proxy, err := proxyObjects(c)
		if err != nil {
			return nil, err
		}
		objs = append(objs, proxy...)
	}
	if c.Spec.Dashboard.Enabled {
		objs = append(objs, dashboardObjects(c)...)
	}
	if c.Spec.Metrics.Enabled {
		objs = append(objs, metricsObjects(c)...)
	}
	return objs, nil
}

// kindRank is the fixed order of kinds in the output: configuration and
// network identity first, then disruption budgets, then workloads, then
// monitoring, then the status controller's Role and RoleBinding. Argo CD orders by sync wave anyway; this order is for readers
// of a diff and for kubectl apply without a GitOps engine.
func kindRank(kind string) int {
	switch kind {
	case "ConfigMap":
		return 0
	case "Service":
		return 1
	case "PodDisruptionBudget":
		return 2
	case "StatefulSet":
		return 3
	case "Deployment":
		return 4
	case "ServiceMonitor":
		return 5
	case "Role":
		return 6
	case "RoleBinding":
		return 7
	default:
		return 8
	}
}

// sortObjects orders objects by kind rank, then kind, then name.
func sortObjects(objs []*unstructured.Unstructured) {
	sort.SliceStable(objs, func(i, j int) bool {
		a, b := objs[i], objs[j]
		if ra, rb := kindRank(a.GetKind()), kindRank(b.GetKind()); ra != rb {
			return ra < rb
		}
		if a.GetKind() != b.GetKind() {
			return a.GetKind() < b.GetKind()
		}
		return a.GetName() < b.GetName()
	})
}

func isControllerMode(c *v1alpha1.RocketMQCluster) bool {
	return c.Spec.Broker.Mode == v1alpha1.BrokerModeController
}
