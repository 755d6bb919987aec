package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
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

// TestNodeDrain: draining a node through the eviction API, as kubectl
// drain does, never takes more than one pod of a group down at once: the
// rendered PodDisruptionBudgets refuse the rest until the evicted pod is
// back and Ready.
func TestNodeDrain(t *testing.T) {
	e := newEnv(t, "drain", spec(v1alpha1.BrokerModeMasterSlave))
	startController(t)
	e.sync()
	e.waitFor("Ready before the drain", 3*time.Minute, e.readyWithMasters)
	// Evict every broker pod of group 0 at once; the PDB lets one go.
	refused := 0
	for _, p := range e.pods(v1alpha1.ComponentBroker) {
		if p.Labels[v1alpha1.LabelBrokerGroup] != "0" {
			continue
		}
		if err := s.cluster.Evict(context.Background(), e.ns, p.Name); err != nil {
			refused++
			t.Logf("eviction of %s refused: %v", p.Name, err)
		}
	}
	if refused != 1 {
		t.Fatalf("the PDB refused %d of the group's 2 evictions, want 1", refused)
	}
	e.waitFor("Ready again after the evicted pod returned", 2*time.Minute, e.readyWithMasters)
}
