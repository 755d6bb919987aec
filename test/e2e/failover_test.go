package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// TestMasterPodDeleted: in Controller mode, deleting a group's master pod
// makes the controller quorum elect the in-sync slave; status follows the
// new master and the cluster is Ready again with its topics.
func TestMasterPodDeleted(t *testing.T) {
	e := newEnv(t, "failover", spec(v1alpha1.BrokerModeController))
	startController(t)
	e.sync()
	e.waitFor("Ready before the failover", 3*time.Minute, e.readyWithMasters)
	topics := e.createTopics(20)
	e.waitReplicated(topics)
	old := e.get().Status.BrokerGroups[0].Master
	pod := &corev1.Pod{}
	if err := s.client.Get(context.Background(), client.ObjectKey{Namespace: e.ns, Name: old}, pod); err != nil {
		t.Fatal(err)
	}
	// Its replacement starts slower than the controller's heartbeat
	// timeout (10 s × timeScale), as a JVM recovering its store does.
	s.runtime.DelayStart(e.ns, old, 5*time.Second)
	if err := s.client.Delete(context.Background(), pod); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	e.waitFor("a new master in status and Ready", 2*time.Minute, func(c *v1alpha1.RocketMQCluster) (bool, string) {
		if m := c.Status.BrokerGroups[0].Master; m == old || m == "" {
			return false, fmt.Sprintf("master of group 0 is %q (was %s)", m, old)
		}
		return e.readyWithMasters(c)
	})
	t.Logf("master %s deleted: re-elected and Ready after %s (new master %s)", old,
		time.Since(start).Round(time.Millisecond), e.get().Status.BrokerGroups[0].Master)
	e.checkTopics(topics)
}

// TestNodeDrain: the two nodes holding a broker group's pods are drained
// at once through the eviction API, as a node-pool upgrade draining in
// parallel would (cordon, then evict every pod on them). The rendered
// PodDisruptionBudgets keep at most one pod of each group or component
// down: the second eviction of a group is refused. After the nodes are
// uncordoned and the evicted pods return, the cluster is Ready again.
func TestNodeDrain(t *testing.T) {
	e := newEnv(t, "drain", spec(v1alpha1.BrokerModeMasterSlave))
	startController(t)
	e.sync()
	e.waitFor("Ready before the drain", 3*time.Minute, e.readyWithMasters)
	e.waitDisruptionsAllowed()
	nodes := map[string]bool{}
	for _, p := range e.pods(v1alpha1.ComponentBroker) {
		if p.Labels[v1alpha1.LabelBrokerGroup] == "0" {
			nodes[p.Spec.NodeName] = true
		}
	}
	for n := range nodes {
		setUnschedulable(t, n, true)
		defer setUnschedulable(t, n, false)
	}
	evicted, refused := map[string]int{}, map[string]int{}
	var list corev1.PodList
	if err := s.client.List(context.Background(), &list, client.InNamespace(e.ns)); err != nil {
		t.Fatal(err)
	}
	for _, p := range list.Items {
		if !nodes[p.Spec.NodeName] {
			continue
		}
		key := p.Labels[v1alpha1.LabelComponent] + "/" + p.Labels[v1alpha1.LabelBrokerGroup]
		if err := s.cluster.Evict(context.Background(), e.ns, p.Name); err != nil {
			if !apierrors.IsTooManyRequests(err) {
				t.Fatalf("evicting %s: %v", p.Name, err)
			}
			refused[key]++
			continue
		}
		evicted[key]++
	}
	t.Logf("drained %d nodes: evicted %v, refused by a PDB %v", len(nodes), evicted, refused)
	for key, n := range evicted {
		if n > 1 {
			t.Errorf("%d pods of %s evicted at once; the PDB allows 1", n, key)
		}
	}
	if refused[v1alpha1.ComponentBroker+"/0"] != 1 {
		t.Errorf("the PDB of broker group 0 refused %d evictions, want 1", refused[v1alpha1.ComponentBroker+"/0"])
	}
	for n := range nodes {
		setUnschedulable(t, n, false)
	}
	e.waitFor("Ready again after the evicted pods returned", 2*time.Minute, e.readyWithMasters)
}

// waitDisruptionsAllowed waits until every PodDisruptionBudget of the
// cluster has been computed by the disruption controller and allows one.
func (e *env) waitDisruptionsAllowed() {
	e.t.Helper()
	e.waitFor("every PDB to allow one disruption", time.Minute, func(*v1alpha1.RocketMQCluster) (bool, string) {
		var pdbs policyv1.PodDisruptionBudgetList
		if err := s.client.List(context.Background(), &pdbs, client.InNamespace(e.ns)); err != nil {
			return false, err.Error()
		}
		for _, p := range pdbs.Items {
			if p.Status.ObservedGeneration < p.Generation || p.Status.DisruptionsAllowed != 1 {
				return false, fmt.Sprintf("PDB %s allows %d", p.Name, p.Status.DisruptionsAllowed)
			}
		}
		return len(pdbs.Items) > 0, "no PDB"
	})
}

// setUnschedulable cordons or uncordons a node, as kubectl cordon does.
func setUnschedulable(t *testing.T, name string, on bool) {
	t.Helper()
	var n corev1.Node
	if err := s.client.Get(context.Background(), client.ObjectKey{Name: name}, &n); err != nil {
		t.Fatal(err)
	}
	patch := client.MergeFrom(n.DeepCopy())
	n.Spec.Unschedulable = on
	if err := s.client.Patch(context.Background(), &n, patch); err != nil {
		t.Fatal(err)
	}
}
