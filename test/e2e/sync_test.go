package e2e

import (
	"fmt"
	"sort"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/nsaddr"
)

// TestFreshSync: the rendered cluster applied as Argo CD would: every pod
// runs on the simulated nodes, the emulated brokers register under their
// DNS names, and the status controller reports Ready with each group's
// master pod and the NameServer addresses.
func TestFreshSync(t *testing.T) {
	forModes(t, func(t *testing.T, mode v1alpha1.BrokerMode) {
		e := newEnv(t, "orders", spec(mode))
		startController(t)
		h := e.record()
		e.sync()
		took := e.waitFor("Ready with every master", 3*time.Minute, func(c *v1alpha1.RocketMQCluster) (bool, string) {
			if ok, why := ready(c); !ok {
				return false, why
			}
			return e.mastersAgree(c)
		})
		t.Logf("%s: Ready after %s", mode, took.Round(time.Millisecond))
		c := e.get()
		want := []string{}
		for _, p := range e.pods(v1alpha1.ComponentNameServer) {
			want = append(want, fmt.Sprintf("%s.%s.%s.svc:9876", p.Name, c.NameServerName(), e.ns))
		}
		got := append([]string(nil), c.Status.NameServerAddresses...)
		sort.Strings(got)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("status.nameServerAddresses = %v, want %v", got, want)
		}
		for _, p := range append(e.pods(v1alpha1.ComponentBroker), e.pods(v1alpha1.ComponentNameServer)...) {
			if p.Status.Phase != corev1.PodRunning || !nsaddr.PodReady(&p) {
				t.Errorf("pod %s: phase %s, ready %v", p.Name, p.Status.Phase, nsaddr.PodReady(&p))
			}
		}
		if seen := h.conditionSeen(v1alpha1.ConditionDegraded); len(seen) > 0 {
			t.Errorf("Degraded during a fresh sync: %v", seen)
		}
		if w := e.warnings(); len(w) > 0 {
			t.Errorf("Warning Events during a fresh sync: %v", w)
		}
	})
}
