package topictransfer

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// downDuring fails every consume-stats call while *down is true: a source
// broker whose JVM is restarting.
type downDuring struct {
	Admin
	down *bool
}

func (d downDuring) ConsumeStats(ctx context.Context, addr, group, topic string) (*admin.ConsumeStats, error) {
	if *d.down {
		return nil, errors.New("connection refused")
	}
	return d.Admin.ConsumeStats(ctx, addr, group, topic)
}

// toDrain advances a fresh transfer until its drain has polled once.
func toDrain(t *testing.T, m *Machine, in Input, st *v1alpha1.TopicTransferStatus) {
	t.Helper()
	for range 100 {
		m.Advance(context.Background(), in, st)
		if st.Step == v1alpha1.StepNumberDrain && st.LastPollAt != nil {
			return
		}
	}
	t.Fatalf("never reached the drain: %+v", st)
}

// A broker restart of two minutes during the drain is outlasted by the
// default 5m budget, with capped backoff; a failure that lasts longer
// than the budget rolls back.
func TestRetryBudgetOutlastsABrokerRestart(t *testing.T) {
	for _, c := range []struct {
		name     string
		downFor  time.Duration
		wantDone bool
	}{
		{"restart of 2m", 2 * time.Minute, true},
		{"outage past the budget", 6 * time.Minute, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			r.src[0].SetConsumerOffset("g", "t", 0, 5) // keeps the drain waiting
			clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
			m := &Machine{Now: clock.now, PollInterval: 5 * time.Second, RetryInterval: 2 * time.Second}
			down := false
			in := r.input(downDuring{r.admin, &down})
			in.Spec.DrainTimeout = &metav1.Duration{Duration: time.Hour}
			st := &v1alpha1.TopicTransferStatus{}
			toDrain(t, m, in, st)

			down = true
			start := clock.t
			var waits []time.Duration
			for clock.t.Sub(start) < c.downFor && st.Phase == v1alpha1.TransferRunning {
				out := m.Advance(context.Background(), in, st)
				waits = append(waits, out.Wait)
				clock.advance(out.Wait)
			}
			for _, w := range waits {
				assert.LessOrEqual(t, w, 64*time.Second, "backoff is capped")
			}
			if !c.wantDone {
				assert.Equal(t, v1alpha1.TransferRollingBack, st.Phase, "attempts %d over %s", st.Attempts, clock.t.Sub(start))
				assert.Equal(t, v1alpha1.RollbackStepFailed, st.Rollback.Reason)
				return
			}
			require.Equal(t, v1alpha1.TransferRunning, st.Phase, "gave up after %d attempts", st.Attempts)
			assert.Greater(t, st.Attempts, int32(5), "more than the old fixed 5 attempts")
			down = false
			r.src[0].SetConsumerOffset("g", "t", 0, 10)
			for range 20 {
				out := m.Advance(context.Background(), in, st)
				clock.advance(out.Wait)
				if st.Phase.Final() {
					break
				}
			}
			assert.Equal(t, v1alpha1.TransferSucceeded, st.Phase, "%+v", st)
		})
	}
}

// Advance called more often than the poll interval does not poll more
// often: the drain reads consume stats at most once per interval.
func TestDrainPollsAtMostOncePerInterval(t *testing.T) {
	r := newRig(t)
	r.src[0].SetConsumerOffset("g", "t", 0, 5)
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	m := &Machine{Now: clock.now, PollInterval: time.Second, RetryInterval: time.Second}
	in := r.input(r.admin)
	st := &v1alpha1.TopicTransferStatus{}
	toDrain(t, m, in, st)
	polls := st.Drain.Polls
	for range 50 { // 50 calls over 5 s
		out := m.Advance(context.Background(), in, st)
		assert.Positive(t, out.Wait)
		assert.LessOrEqual(t, out.Wait, time.Second)
		clock.advance(100 * time.Millisecond)
	}
	assert.InDelta(t, 5, st.Drain.Polls-polls, 1, "polls over 5 s at a 1 s interval")
	assert.Equal(t, clock.t.Add(-100*time.Millisecond).Truncate(time.Second), st.LastPollAt.Truncate(time.Second))
}
