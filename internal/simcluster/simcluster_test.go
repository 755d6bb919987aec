package simcluster_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/simcluster"
)

var (
	cluster   *simcluster.Cluster
	startTook time.Duration
)

func TestMain(m *testing.M) { os.Exit(runMain(m)) }

func runMain(m *testing.M) int {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	t0 := time.Now()
	c, err := simcluster.Start(ctx, simcluster.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	startTook = time.Since(t0)
	cluster = c
	code := m.Run()
	if code != 0 {
		fmt.Fprintln(os.Stderr, c.LogTails(40))
	}
	t1 := time.Now()
	if err := c.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "simcluster: start %v, stop %v\n", startTook.Round(time.Millisecond), time.Since(t1).Round(time.Millisecond))
	return code
}

func TestStartupTime(t *testing.T) {
	t.Logf("simcluster.Start took %v (API server, controllers, scheduler, kwok, %d nodes, probe pod)", startTook, len(cluster.Nodes))
}

// waitTimeout bounds every wait; the simulated cluster reacts within
// seconds, so a minute means something is stuck.
const waitTimeout = 60 * time.Second

// waitFor polls cond until it is true; on timeout it fails with what was
// awaited and the last state cond described.
func waitFor(t *testing.T, what string, cond func(ctx context.Context) (bool, string)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	var last string
	for {
		var ok bool
		if ok, last = cond(ctx); ok {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("timed out after %v waiting for %s; last seen: %s", waitTimeout, what, last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func TestNodes(t *testing.T) {
	var nodes corev1.NodeList
	if err := cluster.Client.List(context.Background(), &nodes); err != nil {
		t.Fatal(err)
	}
	if len(nodes.Items) != 6 {
		t.Fatalf("got %d nodes, want 6", len(nodes.Items))
	}
	zones := map[string]int{}
	for _, n := range nodes.Items {
		zones[n.Labels[simcluster.ZoneLabel]]++
		if n.Labels[simcluster.HostnameLabel] != n.Name || len(n.Spec.Taints) != 0 {
			t.Errorf("node %s: labels %v taints %v", n.Name, n.Labels, n.Spec.Taints)
		}
		if cpu := n.Status.Allocatable.Cpu(); cpu.Cmp(resource.MustParse("32")) != 0 {
			t.Errorf("node %s: allocatable cpu %v, want 32", n.Name, cpu)
		}
	}
	if zones["zone-a"] != 2 || zones["zone-b"] != 2 || zones["zone-c"] != 2 {
		t.Errorf("nodes per zone %v, want 2 in each of zone-a/b/c", zones)
	}
}

// TestClaimWithUnknownStorageClass: a claim naming a class that does not
// exist still gets a volume (immediate binding).
func TestClaimWithUnknownStorageClass(t *testing.T) {
	ns := cluster.Env.NewNamespace(t, "")
	pvc := &corev1.PersistentVolumeClaim{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "data"},
		Spec: corev1.PersistentVolumeClaimSpec{
			StorageClassName: ptr.To("none-such"),
			AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
			Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceStorage: resource.MustParse("5Gi"),
			}},
		},
	}
	if err := cluster.Client.Create(context.Background(), pvc); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the claim to be Bound", func(ctx context.Context) (bool, string) {
		if err := cluster.Client.Get(ctx, client.ObjectKeyFromObject(pvc), pvc); err != nil {
			return false, err.Error()
		}
		return pvc.Status.Phase == corev1.ClaimBound, fmt.Sprintf("phase %s volume %q", pvc.Status.Phase, pvc.Spec.VolumeName)
	})
}
