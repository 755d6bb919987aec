package simcluster

import (
	"context"
	"fmt"
	"strconv"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

const (
	// nodeAnnotation marks the nodes kwok manages (its
	// --manage-nodes-with-annotation-selector).
	nodeAnnotation      = "kwok.x-k8s.io/node"
	nodeAnnotationValue = "fake"
	// ZoneLabel and HostnameLabel are set on every node.
	ZoneLabel     = corev1.LabelTopologyZone
	HostnameLabel = corev1.LabelHostname
)

// ZoneName is the zone label value of zone i (0 -> "zone-a").
func ZoneName(i int) string { return "zone-" + string(rune('a'+i)) }

// createNodes registers the fake nodes as a kubelet would, with capacity in
// the status; kwok then keeps their conditions and leases. There is no taint:
// the rendered pods carry no toleration for one.
func (c *Cluster) createNodes(ctx context.Context) error {
	o := c.Options
	res := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse(o.CPU),
		corev1.ResourceMemory: resource.MustParse(o.Memory),
		corev1.ResourcePods:   resource.MustParse(strconv.Itoa(o.Pods)),
	}
	for i := range o.Nodes {
		name := fmt.Sprintf("node-%d", i)
		node := &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{
				Name:        name,
				Annotations: map[string]string{nodeAnnotation: nodeAnnotationValue},
				Labels: map[string]string{
					HostnameLabel:          name,
					ZoneLabel:              ZoneName(i % o.Zones),
					corev1.LabelOSStable:   "linux",
					corev1.LabelArchStable: "amd64",
					"type":                 "kwok",
				},
			},
			Status: corev1.NodeStatus{Capacity: res.DeepCopy(), Allocatable: res.DeepCopy()},
		}
		if err := c.Client.Create(ctx, node); err != nil {
			return fmt.Errorf("creating node %s: %w", name, err)
		}
		c.Nodes = append(c.Nodes, name)
	}
	return nil
}

// waitUsable waits until the nodes are Ready without taints (the API server
// taints new nodes not-ready until the node lifecycle controller sees them
// Ready), the controller manager works (it created the default
// ServiceAccount) and a probe Pod gets scheduled and Running (scheduler and
// kwok work).
func (c *Cluster) waitUsable(ctx context.Context) error {
	var last string
	err := c.poll(ctx, func(ctx context.Context) (bool, error) {
		var nodes corev1.NodeList
		if err := c.Client.List(ctx, &nodes); err != nil {
			last = err.Error()
			return false, nil
		}
		for _, n := range nodes.Items {
			if !nodeReady(&n) || len(n.Spec.Taints) > 0 {
				last = fmt.Sprintf("node %s: ready=%v taints=%v", n.Name, nodeReady(&n), n.Spec.Taints)
				return false, nil
			}
		}
		var sa corev1.ServiceAccount
		if err := c.Client.Get(ctx, client.ObjectKey{Namespace: "default", Name: "default"}, &sa); err != nil {
			last = "default ServiceAccount: " + err.Error()
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("waiting for Ready untainted nodes and the controller manager (last: %s): %w", last, err)
	}
	return c.probePod(ctx)
}

func (c *Cluster) probePod(ctx context.Context) error {
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: "simcluster-probe"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "probe", Image: "registry.invalid/none:0", // never pulled: kwok runs nothing
		}}},
	}
	if err := c.Client.Create(ctx, pod); err != nil {
		return fmt.Errorf("creating the probe pod: %w", err)
	}
	var last string
	err := c.poll(ctx, func(ctx context.Context) (bool, error) {
		if err := c.Client.Get(ctx, client.ObjectKeyFromObject(pod), pod); err != nil {
			last = err.Error()
			return false, nil
		}
		last = fmt.Sprintf("phase=%s node=%q podIP=%q conditions=%v", pod.Status.Phase, pod.Spec.NodeName, pod.Status.PodIP, pod.Status.Conditions)
		return pod.Status.Phase == corev1.PodRunning && pod.Status.PodIP != "", nil
	})
	if err != nil {
		return fmt.Errorf("waiting for the probe pod to run (last: %s): %w", last, err)
	}
	if err := c.Client.Delete(ctx, pod, client.GracePeriodSeconds(0)); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting the probe pod: %w", err)
	}
	return nil
}

// poll runs cond every 100 ms until it is true, a component exits or ctx
// ends.
func (c *Cluster) poll(ctx context.Context, cond wait.ConditionWithContextFunc) error {
	return wait.PollUntilContextCancel(ctx, 100*time.Millisecond, true, func(ctx context.Context) (bool, error) {
		if err := c.checkProcesses(); err != nil {
			return false, err
		}
		return cond(ctx)
	})
}

func nodeReady(n *corev1.Node) bool {
	for _, cond := range n.Status.Conditions {
		if cond.Type == corev1.NodeReady {
			return cond.Status == corev1.ConditionTrue
		}
	}
	return false
}
