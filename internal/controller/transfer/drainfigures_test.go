package transfer

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/topictransfer"
)

// fakeClock is the controller's and the machine's clock in the drain
// figures: it moves only when the test moves it.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// writeCounter counts the controller's writes to the API server: status
// patches, and other writes (finalizer patches).
type writeCounter struct {
	client.Client
	mu            sync.Mutex
	status, other int
}

func (w *writeCounter) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
	w.mu.Lock()
	w.other++
	w.mu.Unlock()
	return w.Client.Patch(ctx, obj, patch, opts...)
}

func (w *writeCounter) Status() client.SubResourceWriter { return &statusCounter{w.Client.Status(), w} }

func (w *writeCounter) counts() (status, other int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.status, w.other
}

type statusCounter struct {
	client.SubResourceWriter
	w *writeCounter
}

func (s *statusCounter) Patch(ctx context.Context, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
	s.w.mu.Lock()
	s.w.status++
	s.w.mu.Unlock()
	return s.SubResourceWriter.Patch(ctx, obj, patch, opts...)
}

// eventCounter is the controller's event recorder, counting by reason.
type eventCounter struct {
	mu       sync.Mutex
	byReason map[string]int
}

func (e *eventCounter) Eventf(_, _ runtime.Object, _, reason, _, _ string, _ ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.byReason == nil {
		e.byReason = map[string]int{}
	}
	e.byReason[reason]++
}

func (e *eventCounter) AnnotatedEventf(o, rel runtime.Object, _ map[string]string, typ, reason, action, note string, args ...any) {
	e.Eventf(o, rel, typ, reason, action, note, args...)
}

func (e *eventCounter) total() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, c := range e.byReason {
		n += c
	}
	return n
}

// codeNames names the request codes the controller sends.
var codeNames = map[int]string{
	admin.CodeGetBrokerClusterInfo: "GET_BROKER_CLUSTER_INFO", admin.CodeGetRouteInfoByTopic: "GET_ROUTEINFO_BY_TOPIC",
	admin.CodeGetConsumeStats: "GET_CONSUME_STATS", admin.CodeGetTopicStatsInfo: "GET_TOPIC_STATS_INFO",
	admin.CodeGetTopicConfig: "GET_TOPIC_CONFIG", admin.CodeGetSubscriptionGroupConfig: "GET_SUBSCRIPTIONGROUP_CONFIG",
	admin.CodeQueryTopicsByConsumer: "QUERY_TOPICS_BY_CONSUMER", admin.CodeGetAllTopicConfig: "GET_ALL_TOPIC_CONFIG",
	admin.CodeGetAllSubscriptionGroupConfig: "GET_ALL_SUBSCRIPTIONGROUP_CONFIG",
}

func codeName(c int) string {
	if n, ok := codeNames[c]; ok {
		return n
	}
	return fmt.Sprintf("code %d", c)
}

// adminCalls counts the requests the emulated clusters received by code,
// leaving out what brokers send to NameServers themselves (registration).
func adminCalls(clusters ...*emuCluster) map[int]int {
	out := map[int]int{}
	add := func(rs []rmqtest.Request) {
		for _, r := range rs {
			if r.Code != admin.CodeRegisterBroker && r.Code != admin.CodeUnregisterBroker {
				out[r.Code]++
			}
		}
	}
	for _, c := range clusters {
		add(c.ns.Requests())
		for _, b := range c.brokers {
			add(b.Requests())
		}
	}
	return out
}

// TestDrainFiguresForTenMinutes measures what a drain that never finishes
// costs over 10 minutes at the default poll interval (5 s), with 2 source
// brokers and 3 groups: status writes, Events and admin calls per minute.
// It runs the controller's own Reconcile against the API server and the
// emulated clusters, with the controller's and the machine's clock a fake
// one the test moves: to the time the reconcile asked to be requeued
// after, and, in between, every second, as a RocketMQCluster status change
// or a resync wakes the transfer in a real cluster. So the figures are
// exact, and the test takes seconds (16 to 23 s on a busy 2-CPU machine,
// nearly all of it API server round trips). A hot loop (a write per wake,
// polls not paced by status.lastPollAt) fails the bounds.
func TestDrainFiguresForTenMinutes(t *testing.T) {
	const (
		window = 10 * time.Minute
		wake   = time.Second // extra wake-ups between requeues
	)
	f := newFixture(t)
	groups := append(append([]string(nil), groupNames...), "audit")
	for _, b := range f.src.brokers {
		b.PutGroups(admin.NewSubscriptionGroupConfig("audit"))
		for q := range queuesPer {
			b.SetConsumerOffset("audit", topicName, q, msgsInQueue)
		}
	}
	f.lag("billing", 3) // held open for the whole window
	brokers := len(f.src.brokers)

	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	writes := &writeCounter{Client: env.Client}
	events := &eventCounter{}
	opts := Options{Admin: f.admin, Now: clock.Now}.withDefaults()
	r := &Reconciler{
		client: writes, apiReader: env.Client, events: events, opts: opts,
		machine: &topictransfer.Machine{Now: opts.Now, PollInterval: opts.PollInterval,
			RetryInterval: opts.RetryInterval, MaxAttempts: opts.MaxAttempts},
	}
	poll := 5 * time.Second // topictransfer.Machine's default, which the controller's zero Options keep
	spec := f.spec()
	spec.ConsumerGroups = groups
	spec.DrainTimeout = &metav1.Duration{Duration: 2 * window}
	f.create("figures", spec)
	req := ctrl.Request{NamespacedName: client.ObjectKey{Namespace: f.ns, Name: "figures"}}
	ctx := context.Background()

	// reconcile runs one reconcile at the fake time and returns when the
	// controller asked to be requeued.
	reconcile := func() time.Time {
		t.Helper()
		res, err := r.Reconcile(ctx, req)
		require.NoError(t, err)
		require.Positive(t, res.RequeueAfter, "a draining transfer always asks to be requeued")
		return clock.Now().Add(res.RequeueAfter)
	}

	// Up to the first drain poll: steps 1-4 and the drain's start.
	next := clock.Now()
	for i := 0; ; i++ {
		require.Less(t, i, 100, "the transfer never reached its first drain poll: %s", statusString(f.get("figures")))
		clock.set(next)
		next = reconcile()
		if st := f.get("figures").Status; st.Drain != nil && st.Drain.Polls >= 1 {
			break
		}
	}

	f.src.resetCounts()
	f.tgt.resetCounts()
	status0, other0 := writes.counts()
	events0 := events.total()
	polls0 := f.get("figures").Status.Drain.Polls
	start := clock.Now()
	end := start.Add(window)
	reconciles, wakes := 0, 0
	nextWake := start.Add(wake)
	for {
		at := next
		woken := nextWake.Before(next)
		if woken {
			at = nextWake
		}
		if !at.Before(end) {
			break
		}
		clock.set(at)
		if woken {
			nextWake = nextWake.Add(wake)
			wakes++
			r2 := reconcile()
			next = minTime(next, r2) // a wake-up before the poll leaves the requeue where it was
		} else {
			next = reconcile()
		}
		reconciles++
	}

	st := f.get("figures").Status
	statusWrites, otherWrites := writes.counts()
	statusWrites -= status0
	otherWrites -= other0
	polls := int(st.Drain.Polls - polls0)
	calls := adminCalls(f.src, f.tgt)
	minutes := window.Minutes()
	var total int
	var byCode []string
	for code, n := range calls {
		total += n
		byCode = append(byCode, fmt.Sprintf("%s %.1f/min (%.2f per poll)", codeName(code), float64(n)/minutes, float64(n)/float64(polls)))
	}
	sort.Strings(byCode)
	t.Logf("drain of %s at a %s poll interval, %d source brokers x %d groups, woken every %s besides: "+
		"%d reconciles (%d wake-ups), %d polls (%.1f/min), %d status writes (%.1f/min), %d other writes, %d Events, "+
		"%d admin calls (%.1f/min, %.1f per poll): %s",
		window, poll, brokers, len(groups), wake, reconciles, wakes, polls, float64(polls)/minutes,
		statusWrites, float64(statusWrites)/minutes, otherWrites, events.total()-events0,
		total, float64(total)/minutes, float64(total)/float64(polls), strings.Join(byCode, ", "))

	require.Equal(t, v1alpha1.StepDrain, st.StepName, "still draining: %s", statusString(f.get("figures")))
	require.Equal(t, v1alpha1.TransferRunning, st.Phase)
	// Polls: one per poll interval, never more.
	maxPolls := int(window/poll) + 1
	assert.GreaterOrEqual(t, polls, maxPolls-2, "the drain keeps polling")
	assert.LessOrEqual(t, polls, maxPolls, "polls in %s", window)
	// Status: one write per poll (lastPollAt, drain.polls, nextAttemptAt), and
	// none for a wake-up before the poll is due.
	assert.LessOrEqual(t, statusWrites, maxPolls+2, "status writes in %s: at most 60/%s per minute plus 2", window, poll)
	assert.Zero(t, otherWrites, "no finalizer or metadata writes while draining")
	assert.LessOrEqual(t, events.total()-events0, 2, "no Event per poll")
	// Admin calls, not a second poll per interval.
	// Per poll: the cluster info (1); per broker, the read-only check (1)
	// and the backlog (runtime info, SCHEDULE_TOPIC_XXXX stats, half
	// consume stats: 3); per broker and group, consume stats of the topic,
	// its %RETRY% topic and both POP retry names (4).
	perPoll := 4*brokers*len(groups) + 4*brokers + 1
	assert.LessOrEqual(t, total, maxPolls*perPoll, "admin calls in %s: at most %d per poll", window, perPoll)
	assert.GreaterOrEqual(t, calls[admin.CodeGetConsumeStats], polls*brokers*len(groups),
		"every poll checks every group on every source broker")
	for code := range calls {
		assert.NotContains(t, []int{admin.CodeUpdateAndCreateTopic, admin.CodeDeleteTopicInBroker, admin.CodeDeleteSubscriptionGroup,
			admin.CodeDeleteTopicInNamesrv, admin.CodeUpdateAndCreateSubscriptionGroup}, code, "a mutating call during the drain: %s", codeName(code))
	}
	assert.Empty(t, rmqtest.CollectDataLoss(f.src.ns, f.src.brokers[0], f.src.brokers[1], f.tgt.ns, f.tgt.brokers[0], f.tgt.brokers[1]))
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
