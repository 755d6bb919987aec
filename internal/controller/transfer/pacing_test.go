package transfer

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/topictransfer"
)

// countStats counts consume-stats calls: one per group and broker per poll.
type countStats struct {
	topictransfer.Admin
	n atomic.Int64
}

func (c *countStats) ConsumeStats(ctx context.Context, addr, group, topic string) (*admin.ConsumeStats, error) {
	c.n.Add(1)
	return c.Admin.ConsumeStats(ctx, addr, group, topic)
}

// A draining transfer writes its status once per poll, not once per
// reconcile its own writes would trigger: over 10 s at a 1 s poll interval
// about 10 status writes, while the source cluster's status keeps changing
// (each change maps to a reconcile of the transfer, which must wait for
// status.nextAttemptAt).
func TestDrainStatusWritesArePacedByThePollInterval(t *testing.T) {
	f := newFixture(t)
	f.lag("billing", 3)
	stats := &countStats{Admin: f.admin}
	opts := f.testOptions(stats)
	opts.PollInterval = time.Second
	f.startManager(opts)
	f.create("paced", f.spec())
	f.wait("paced", "the first drain poll", func(tt *v1alpha1.TopicTransfer) bool {
		return tt.Status.Drain != nil && tt.Status.Drain.Polls >= 1
	})

	wc, err := client.NewWithWatch(env.Config, client.Options{Scheme: env.Scheme})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	w, err := wc.Watch(ctx, &v1alpha1.TopicTransferList{}, client.InNamespace(f.ns))
	require.NoError(t, err)
	defer w.Stop()
	go f.churnClusterStatus(ctx, "src")

	statsBefore := stats.n.Load()
	var writes, polls int
	var lastPolls int32
	for ev := range w.ResultChan() {
		if ev.Type != watch.Modified {
			continue
		}
		writes++
		if tt, ok := ev.Object.(*v1alpha1.TopicTransfer); ok && tt.Status.Drain != nil {
			if lastPolls != 0 && tt.Status.Drain.Polls != lastPolls {
				polls++
			}
			lastPolls = tt.Status.Drain.Polls
		}
	}
	calls := stats.n.Load() - statsBefore
	t.Logf("over 10 s at a 1 s poll interval: %d status writes, %d polls seen, %d consume-stats calls", writes, polls, calls)
	assert.GreaterOrEqual(t, writes, 7, "the drain keeps polling")
	assert.LessOrEqual(t, writes, 15, "status writes per 10 s")
	// Per poll and broker: the topic, %RETRY% and both POP retry names for
	// each of 2 groups, and the half-message check: 9, times 2 brokers.
	assert.LessOrEqual(t, calls, int64(15*18), "consume-stats calls (18 per poll)")
	assert.Equal(t, v1alpha1.StepDrain, f.get("paced").Status.StepName)
	assert.NotNil(t, f.get("paced").Status.NextAttemptAt)
	assert.NotNil(t, f.get("paced").Status.LastPollAt)
}

// churnClusterStatus changes the RocketMQCluster's status every 100 ms,
// as the cluster controller does while pods come and go.
func (f *fixture) churnClusterStatus(ctx context.Context, name string) {
	for i := 0; ctx.Err() == nil; i++ {
		var c v1alpha1.RocketMQCluster
		if err := env.Client.Get(ctx, client.ObjectKey{Namespace: f.ns, Name: name}, &c); err == nil {
			c.Status.ObservedGeneration = int64(i)
			_ = env.Client.Status().Update(ctx, &c)
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}
