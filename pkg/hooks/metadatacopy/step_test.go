package metadatacopy

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// brokers is a source and a target broker, emulated on loopback, and the
// admin client the step copies with; the step machine is driven against
// the real protocol, never against a stand-in of the copy.
type brokers struct {
	client   *admin.Client
	source   *rmqtest.Broker
	target   *rmqtest.Broker
	src, tgt string
}

func newBrokers(t *testing.T) *brokers {
	t.Helper()
	b := &brokers{client: admin.New(admin.Options{})}
	t.Cleanup(func() { _ = b.client.Close() })
	for i, p := range []**rmqtest.Broker{&b.source, &b.target} {
		br, err := rmqtest.NewBroker(rmqtest.BrokerOptions{Addr: "127.0.0.1:0", BrokerName: fmt.Sprintf("demo-broker-%d", i)})
		require.NoError(t, err)
		t.Cleanup(func() { _ = br.Close() })
		*p = br
	}
	b.src, b.tgt = b.source.Addr(), b.target.Addr()
	return b
}

// copies counts the copies that reached the source broker (each starts by
// reading all its topics).
func (b *brokers) copies() int { return b.source.CallCount(admin.CodeGetAllTopicConfig) }

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func group(state v1alpha1.MetadataState, attempts int32, last *time.Time) v1alpha1.BrokerGroupStatus {
	g := v1alpha1.BrokerGroupStatus{Group: 2, Name: "demo-broker-2", Metadata: state, MetadataAttempts: attempts}
	if last != nil {
		g.LastMetadataAttempt = &metav1.Time{Time: *last}
	}
	return g
}

func TestStepPendingWaitsForMasters(t *testing.T) {
	b := newBrokers(t)
	out := Step(context.Background(), b.client, Input{Group: group("", 0, nil), Source: b.src, Now: t0}, Backoff{})
	assert.Equal(t, v1alpha1.MetadataPending, out.Group.Metadata)
	assert.Contains(t, out.Group.MetadataMessage, "group's master")
	require.NotNil(t, out.Event, "entering Pending is worth an Event")
	assert.Equal(t, ReasonWaiting, out.Event.Reason)

	again := Step(context.Background(), b.client, Input{Group: out.Group, Now: t0}, Backoff{})
	assert.Nil(t, again.Event, "staying Pending repeats no Event")
	assert.Contains(t, again.Group.MetadataMessage, "source and target")
	assert.Zero(t, b.copies())
}

func TestStepRecordsCopyingBeforeCopying(t *testing.T) {
	b := newBrokers(t)
	out := Step(context.Background(), b.client, Input{Group: group(v1alpha1.MetadataPending, 0, nil), Source: b.src, Target: b.tgt, Now: t0}, Backoff{})
	assert.Equal(t, v1alpha1.MetadataCopying, out.Group.Metadata)
	assert.Equal(t, int32(1), out.Group.MetadataAttempts)
	assert.True(t, out.Group.LastMetadataAttempt.Time.Equal(t0))
	assert.True(t, out.Requeue)
	assert.Zero(t, b.copies(), "the copy waits until Copying is stored")
	assert.Equal(t, ReasonStarted, out.Event.Reason)
}

func TestStepCopyingSucceeds(t *testing.T) {
	b := newBrokers(t)
	b.source.PutTopics(admin.TopicConfig{TopicName: "a", ReadQueueNums: 4, WriteQueueNums: 4, Perm: 6},
		admin.TopicConfig{TopicName: "b", ReadQueueNums: 8, WriteQueueNums: 8, Perm: 6})
	for _, br := range []*rmqtest.Broker{b.source, b.target} {
		br.PutGroups(admin.SubscriptionGroupConfig{GroupName: "g1", ConsumeEnable: true, RetryQueueNums: 1, RetryMaxTimes: 16},
			admin.SubscriptionGroupConfig{GroupName: "g2", ConsumeEnable: true, RetryQueueNums: 1, RetryMaxTimes: 16},
			admin.SubscriptionGroupConfig{GroupName: "g3", ConsumeEnable: true, RetryQueueNums: 1, RetryMaxTimes: 16})
	}
	last := t0
	out := Step(context.Background(), b.client, Input{Group: group(v1alpha1.MetadataCopying, 1, &last), Source: b.src, Target: b.tgt, Now: t0}, Backoff{})
	assert.Equal(t, v1alpha1.MetadataSynced, out.Group.Metadata)
	assert.Equal(t, 1, b.copies())
	assert.Contains(t, b.target.Topics(), "a")
	assert.Contains(t, b.target.Topics(), "b")
	assert.Contains(t, out.Event.Message, "topics 2 created")
	assert.Contains(t, out.Event.Message, "3 already present")
	assert.False(t, out.Requeue)
}

// Ordered and FIFO topics are not spread unless the spec opts in; the
// group's status lists what was skipped.
func TestStepCopyingListsSkippedOrderedTopics(t *testing.T) {
	for _, spread := range []bool{false, true} {
		b := newBrokers(t)
		b.source.PutTopics(admin.TopicConfig{TopicName: "plain", ReadQueueNums: 4, WriteQueueNums: 4, Perm: 6},
			admin.TopicConfig{TopicName: "ordered", ReadQueueNums: 4, WriteQueueNums: 4, Perm: 6, Order: true},
			admin.TopicConfig{TopicName: "fifo", ReadQueueNums: 4, WriteQueueNums: 4, Perm: 6, Attributes: map[string]string{"message.type": "FIFO"}})
		last := t0
		in := Input{Group: group(v1alpha1.MetadataCopying, 1, &last), Source: b.src, Target: b.tgt, Now: t0, SpreadOrderedTopics: spread}
		out := Step(context.Background(), b.client, in, Backoff{})
		require.Equal(t, v1alpha1.MetadataSynced, out.Group.Metadata)
		assert.Contains(t, b.target.Topics(), "plain")
		if spread {
			assert.Empty(t, out.Group.MetadataSkipped)
			assert.Contains(t, b.target.Topics(), "ordered")
			assert.Contains(t, b.target.Topics(), "fifo")
			continue
		}
		assert.Equal(t, []string{"fifo", "ordered"}, out.Group.MetadataSkipped)
		assert.NotContains(t, b.target.Topics(), "ordered")
		assert.NotContains(t, b.target.Topics(), "fifo")
		assert.Contains(t, out.Event.Message, "2 ordered or FIFO topic(s) not spread")
	}
}

func TestStepCopyingFailsWithBackoff(t *testing.T) {
	b := newBrokers(t)
	b.source.PutTopics(admin.TopicConfig{TopicName: "a", ReadQueueNums: 4, WriteQueueNums: 4, Perm: 6})
	b.target.FailAlways(admin.CodeUpdateAndCreateTopicList, admin.CodeSystemBusy, "injected: SYSTEM_BUSY")
	recorded := t0.Add(-time.Hour) // Copying was recorded long before the copy ran
	now := t0
	out := Step(context.Background(), b.client, Input{Group: group(v1alpha1.MetadataCopying, 2, &recorded), Source: b.src, Target: b.tgt, Now: now}, Backoff{Base: time.Second})
	assert.Equal(t, v1alpha1.MetadataFailed, out.Group.Metadata)
	assert.Contains(t, out.Group.MetadataMessage, "SYSTEM_BUSY")
	assert.Equal(t, 2*time.Second, out.RequeueAfter)
	assert.Equal(t, "Warning", out.Event.Type)
	assert.True(t, out.Group.LastMetadataAttempt.Time.Equal(now), "the backoff counts from the failed attempt")
	assert.Equal(t, 1, b.copies())
	again := Step(context.Background(), b.client, Input{Group: out.Group, Source: b.src, Target: b.tgt, Now: now.Add(time.Second)}, Backoff{Base: time.Second})
	assert.Equal(t, v1alpha1.MetadataFailed, again.Group.Metadata, "still within the backoff")
	// 2s for attempt 2, counted from now rounded up to whole seconds.
	assert.Equal(t, 2*time.Second, again.RequeueAfter)
	assert.Equal(t, 1, b.copies(), "no copy within the backoff")
}

func TestStepCopyingWaitsWhileAMasterIsGone(t *testing.T) {
	b := newBrokers(t)
	out := Step(context.Background(), b.client, Input{Group: group(v1alpha1.MetadataCopying, 1, nil), Source: b.src, Now: t0}, Backoff{})
	assert.Equal(t, v1alpha1.MetadataCopying, out.Group.Metadata, "a half-done copy stays Copying, never Synced")
	assert.Zero(t, b.copies())
}

func TestStepFailedRetriesAfterBackoff(t *testing.T) {
	b := newBrokers(t)
	// As read back from the API server: whole seconds, so the attempt may
	// have started up to a second later; the wait counts from t0+1s.
	last := t0
	backoff := Backoff{Base: 10 * time.Second}
	early := Step(context.Background(), b.client, Input{Group: group(v1alpha1.MetadataFailed, 1, &last), Source: b.src, Target: b.tgt, Now: t0.Add(4 * time.Second)}, backoff)
	assert.Equal(t, v1alpha1.MetadataFailed, early.Group.Metadata)
	assert.Equal(t, 7*time.Second, early.RequeueAfter)

	notYet := Step(context.Background(), b.client, Input{Group: group(v1alpha1.MetadataFailed, 1, &last), Source: b.src, Target: b.tgt, Now: t0.Add(10 * time.Second)}, backoff)
	assert.Equal(t, v1alpha1.MetadataFailed, notYet.Group.Metadata, "a truncated timestamp must not make the retry early")

	due := Step(context.Background(), b.client, Input{Group: group(v1alpha1.MetadataFailed, 1, &last), Source: b.src, Target: b.tgt, Now: t0.Add(11 * time.Second)}, backoff)
	assert.Equal(t, v1alpha1.MetadataCopying, due.Group.Metadata)
	assert.Equal(t, int32(2), due.Group.MetadataAttempts)
	assert.Equal(t, ReasonRetry, due.Event.Reason)
	assert.Zero(t, b.copies())

	precise := t0.Add(300 * time.Millisecond) // a value still in memory keeps its precision
	early = Step(context.Background(), b.client, Input{Group: group(v1alpha1.MetadataFailed, 1, &precise), Source: b.src, Target: b.tgt, Now: t0.Add(4 * time.Second)}, backoff)
	assert.Equal(t, 6300*time.Millisecond, early.RequeueAfter)
}

func TestStepFinalStatesDoNothing(t *testing.T) {
	b := newBrokers(t)
	for _, s := range []v1alpha1.MetadataState{v1alpha1.MetadataInitial, v1alpha1.MetadataSynced} {
		out := Step(context.Background(), b.client, Input{Group: group(s, 0, nil), Source: b.src, Target: b.tgt, Now: t0}, Backoff{})
		assert.Equal(t, s, out.Group.Metadata)
		assert.Nil(t, out.Event)
	}
	assert.Zero(t, b.copies())
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Base: time.Second, Max: 10 * time.Second}
	for attempts, want := range map[int32]time.Duration{0: time.Second, 1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 5: 10 * time.Second, 60: 10 * time.Second} {
		assert.Equal(t, want, b.Delay(attempts), "attempts %d", attempts)
	}
	assert.Equal(t, 5*time.Second, Backoff{}.Delay(1))
	assert.Equal(t, 5*time.Minute, Backoff{}.Delay(100))
}

func TestNewGroupState(t *testing.T) {
	assert.Equal(t, v1alpha1.MetadataState(""), NewGroupState(false, false))
	assert.Equal(t, v1alpha1.MetadataInitial, NewGroupState(false, true))
	assert.Equal(t, v1alpha1.MetadataPending, NewGroupState(true, false))
	assert.Equal(t, v1alpha1.MetadataPending, NewGroupState(true, true))
	assert.False(t, Baselined([]v1alpha1.BrokerGroupStatus{{Group: 0}}))
	assert.True(t, Baselined([]v1alpha1.BrokerGroupStatus{{Group: 0}, {Group: 1, Metadata: v1alpha1.MetadataInitial}}))
}

// A Synced group is copied again only once a topic it held back is no
// longer held by an unfinished transfer; nothing held, nothing to resume.
func TestResumable(t *testing.T) {
	synced := func(held ...string) v1alpha1.BrokerGroupStatus {
		return v1alpha1.BrokerGroupStatus{Metadata: v1alpha1.MetadataSynced, MetadataHeld: held}
	}
	assert.False(t, Resumable(synced(), nil))
	assert.False(t, Resumable(synced("a"), map[string]string{"a": "ns/t1"}))
	assert.True(t, Resumable(synced("a", "b"), map[string]string{"a": "ns/t1"}))
	assert.True(t, Resumable(synced("a"), nil))
	failed := synced("a")
	failed.Metadata = v1alpha1.MetadataFailed
	assert.False(t, Resumable(failed, nil), "a failed copy retries on its own backoff")
}
