package cluster

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// hungBroker accepts connections on addr and reads whatever arrives, but
// never answers: a broker whose JVM is stuck while its pod stays Ready.
func hungBroker(t *testing.T, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				buf := make([]byte, 4096)
				for {
					if _, err := c.Read(buf); err != nil {
						return
					}
				}
			}()
		}
	}()
}

// TestHungBrokerStarvesNoOther: group 1's broker hangs while a scale-out
// adds group 2. Each admin call has its own timeout and brokers are
// called side by side, so group 2's metadata copy completes (never
// Failed), the hung broker is reported by name, and a reconcile returns
// within about one call timeout.
func TestHungBrokerStarvesNoOther(t *testing.T) {
	const callTimeout = 2 * time.Second
	f := newFixture(t, twoGroups())
	topics, groups := readyTwoGroups(t, f, 6)
	opts := testOptions()
	opts.AdminTimeout = callTimeout
	mgr, _ := startManagerWith(t, env.Config, []string{f.ns}, opts)
	f.waitReady()

	// Group 1's broker hangs at the same address; its pod stays Ready.
	hungAddr := f.broker("demo-broker-1-0").Addr()
	require.NoError(t, f.broker("demo-broker-1-0").Close())
	hungBroker(t, hungAddr)

	f.scaleOutToThree()
	pending := f.waitStatus("Pending", func(c *v1alpha1.RocketMQCluster) bool { return groupState(c, 2).Metadata == v1alpha1.MetadataPending })
	f.addBroker(2, 0, f.nameServerList())
	history := f.statusHistory(pending.ResourceVersion, func(c *v1alpha1.RocketMQCluster) bool {
		return groupState(c, 2).Metadata == v1alpha1.MetadataSynced
	})
	for _, c := range history {
		assert.NotEqual(t, v1alpha1.MetadataFailed, groupState(c, 2).Metadata, "a healthy copy failed: %s", statusString(c))
	}
	f.checkCopied("demo-broker-2-0", topics, groups)
	f.waitEvent(ReasonBrokerUpdateFailed, "broker pod demo-broker-1-0")

	// One reconcile, timed: the hung broker costs one call timeout, not
	// one per call or per broker.
	r := NewReconciler(mgr, opts)
	ctx := ctrl.LoggerInto(context.Background(), ctrl.Log)
	start := time.Now()
	_, err := r.Reconcile(ctx, ctrl.Request{NamespacedName: types.NamespacedName{Namespace: f.ns, Name: f.name}})
	took := time.Since(start)
	require.Error(t, err)
	assert.Contains(t, err.Error(), hungAddr)
	assert.Less(t, took, callTimeout+time.Second+callTimeout/2, "a reconcile took %s", took)
	assert.GreaterOrEqual(t, took, callTimeout-100*time.Millisecond, "the hung call was not waited for")
	c := f.cluster()
	assert.Equal(t, ReasonNameServerUpdating, condition(c, v1alpha1.ConditionProgressing).Reason)
	assert.Contains(t, condition(c, v1alpha1.ConditionProgressing).Message, hungAddr)
}
