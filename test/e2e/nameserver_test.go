package e2e

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// TestNameServerScaleAndRoll: NameServers scaled 3→5 and then rolled (a
// heap change): every broker ends up registered with every NameServer,
// read on each NameServer, with the status controller running and with
// it stopped during the change. Brokers re-resolve the NameServer Service
// every 5 s and register every 10 s (broker.conf as rendered, times
// timeScale here).
func TestNameServerScaleAndRoll(t *testing.T) {
	for _, withController := range []bool{true, false} {
		t.Run(fmt.Sprintf("controller-running=%v", withController), func(t *testing.T) {
			sp := spec(v1alpha1.BrokerModeMasterSlave)
			sp.NameServer.Replicas = ptr(int32(3))
			e := newEnv(t, "ns", sp)
			sc := startController(t)
			e.sync()
			e.waitFor("Ready before the change", 3*time.Minute, e.readyWithMasters)
			if !withController {
				sc.kill()
			}
			e.spec.NameServer.Replicas = ptr(int32(5))
			e.sync()
			took := e.waitRegisteredEverywhere(5, 3*time.Minute)
			t.Logf("scaled 3→5: every broker on every NameServer after %s", took.Round(time.Millisecond))
			if withController {
				return // the roll below is the same with the controller stopped
			}
			heap := resourceQuantity(t, "256Mi")
			e.spec.NameServer.JVM.Heap = &heap
			e.sync()
			took = e.waitRegisteredEverywhere(5, 4*time.Minute)
			t.Logf("rolled: every broker on every NameServer after %s", took.Round(time.Millisecond))
		})
	}
}

// waitRegisteredEverywhere waits until n NameServer pods run the current
// template and each lists all of the cluster's broker pods.
func (e *env) waitRegisteredEverywhere(n int, timeout time.Duration) time.Duration {
	e.t.Helper()
	brokers := []string{}
	for _, p := range e.pods(v1alpha1.ComponentBroker) {
		brokers = append(brokers, p.Name)
	}
	sort.Strings(brokers)
	return e.waitFor(fmt.Sprintf("%d NameServers each listing brokers %v", n, brokers), timeout, func(*v1alpha1.RocketMQCluster) (bool, string) {
		if ok, why := e.nameServersRolled(n); !ok {
			return false, why
		}
		for _, addr := range e.nameServerAddrs() {
			info, err := clusterInfo(addr)
			if err != nil {
				return false, err.Error()
			}
			var got []string
			for _, bd := range info.BrokerAddrTable {
				for _, a := range bd.BrokerAddrs {
					got = append(got, masterPod(a))
				}
			}
			sort.Strings(got)
			if fmt.Sprint(got) != fmt.Sprint(brokers) {
				return false, fmt.Sprintf("NameServer %s lists %v", addr, got)
			}
		}
		return true, ""
	})
}

// nameServersRolled says whether the NameServer StatefulSet runs its
// update revision on n ready replicas.
func (e *env) nameServersRolled(n int) (bool, string) {
	var sts appsv1.StatefulSet
	key := client.ObjectKey{Namespace: e.ns, Name: e.get().NameServerName()}
	if err := s.client.Get(context.Background(), key, &sts); err != nil {
		return false, err.Error()
	}
	st := sts.Status
	ok := st.ObservedGeneration == sts.Generation && st.UpdateRevision == st.CurrentRevision &&
		int(st.UpdatedReplicas) == n && int(st.ReadyReplicas) == n && int(st.Replicas) == n
	return ok, fmt.Sprintf("NameServers: gen %d/%d, revision %s→%s, updated %d, ready %d, replicas %d",
		st.ObservedGeneration, sts.Generation, st.CurrentRevision, st.UpdateRevision, st.UpdatedReplicas, st.ReadyReplicas, st.Replicas)
}

func resourceQuantity(t *testing.T, s string) resource.Quantity {
	q, err := resource.ParseQuantity(s)
	if err != nil {
		t.Fatal(err)
	}
	return q
}
