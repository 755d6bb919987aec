package cluster

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/metadatacopy"
)

// readyTwoGroups starts NameServers and two one-pod groups, seeds group 0
// with user topics and consumer groups, and returns their names.
func readyTwoGroups(t *testing.T, f *fixture, topics int) (userTopics, userGroups []string) {
	t.Helper()
	f.addNameServer(0)
	f.addNameServer(1)
	list := f.nameServerList()
	f.addBroker(0, 0, list)
	f.addBroker(1, 0, list)
	ctx := context.Background()
	src := f.broker("demo-broker-0-0").Addr()
	for i := range topics {
		tc := admin.NewTopicConfig(fmt.Sprintf("orders-%03d", i))
		tc.ReadQueueNums, tc.WriteQueueNums = 4+i%3, 4+i%3
		require.NoError(t, f.admin.CreateTopic(ctx, src, tc))
		userTopics = append(userTopics, tc.TopicName)
	}
	for i := range 3 {
		g := admin.NewSubscriptionGroupConfig(fmt.Sprintf("billing-%d", i))
		g.RetryMaxTimes = 5 + i
		require.NoError(t, f.admin.CreateGroup(ctx, src, g))
		userGroups = append(userGroups, g.GroupName)
	}
	return userTopics, userGroups
}

func (f *fixture) scaleOutToThree() {
	f.updateSpec(func(s *v1alpha1.RocketMQClusterSpec) { s.Broker.Groups = ptr.To[int32](3) })
}

func groupState(c *v1alpha1.RocketMQCluster, g int) v1alpha1.BrokerGroupStatus {
	if g < len(c.Status.BrokerGroups) {
		return c.Status.BrokerGroups[g]
	}
	return v1alpha1.BrokerGroupStatus{}
}

// checkCopied asserts the target has every user topic and group of the
// source with the same config, and none of the source's own system topics.
func (f *fixture) checkCopied(target string, userTopics, userGroups []string) {
	f.t.Helper()
	ctx := context.Background()
	src, dst := f.broker("demo-broker-0-0").Addr(), f.broker(target).Addr()
	srcTopics, err := f.admin.Topics(ctx, src)
	require.NoError(f.t, err)
	dstTopics, err := f.admin.Topics(ctx, dst)
	require.NoError(f.t, err)
	for _, name := range userTopics {
		require.Contains(f.t, dstTopics, name)
		assert.True(f.t, srcTopics[name].Equal(dstTopics[name]), "topic %s differs", name)
	}
	for _, own := range []string{"demo-broker-0", "rmq_sys_SYNC_BROKER_MEMBER_demo-broker-0"} {
		assert.NotContains(f.t, dstTopics, own, "a system topic of the source was copied")
	}
	dstGroups, err := f.admin.Groups(ctx, dst)
	require.NoError(f.t, err)
	for _, name := range userGroups {
		require.Contains(f.t, dstGroups, name)
		assert.Equal(f.t, userGroupRetries(name), dstGroups[name].RetryMaxTimes, name)
	}
}

func userGroupRetries(name string) int {
	var i int
	_, _ = fmt.Sscanf(name, "billing-%d", &i)
	return 5 + i
}

// TestScaleOutCopiesMetadata: a third group gets every user topic and
// consumer group of group 0 and ends Synced.
func TestScaleOutCopiesMetadata(t *testing.T) {
	f := newFixture(t, twoGroups())
	topics, groups := readyTwoGroups(t, f, 12)
	startManager(t, env.Config, []string{f.ns}, testOptions())
	f.waitReady()

	f.scaleOutToThree()
	c := f.waitStatus("new group Pending", func(c *v1alpha1.RocketMQCluster) bool {
		return groupState(c, 2).Metadata == v1alpha1.MetadataPending
	})
	assert.Equal(t, ReasonPodsNotReady, condition(c, v1alpha1.ConditionReady).Reason)
	assert.Equal(t, v1alpha1.MetadataInitial, groupState(c, 0).Metadata)

	f.addBroker(2, 0, f.nameServerList())
	c = f.waitReady()
	assert.Equal(t, v1alpha1.MetadataSynced, groupState(c, 2).Metadata)
	assert.Equal(t, int32(1), groupState(c, 2).MetadataAttempts)
	f.checkCopied("demo-broker-2-0", topics, groups)
	assert.Zero(t, f.broker("demo-broker-1-0").CallCount(admin.CodeUpdateAndCreateTopicList), "initial groups get no copy")
	f.waitEvent(metadatacopy.ReasonSynced, "topics 12 created")
}

// TestMetadataCopyResumesAfterRestart: the manager stops while the copy
// is in flight; a new manager finds Copying in status and finishes,
// sending only what is still missing.
func TestMetadataCopyResumesAfterRestart(t *testing.T) {
	f := newFixture(t, twoGroups())
	topics, groups := readyTwoGroups(t, f, 20)
	stop := startManager(t, env.Config, []string{f.ns}, testOptions())
	f.waitReady()

	f.scaleOutToThree()
	f.waitStatus("Pending", func(c *v1alpha1.RocketMQCluster) bool { return groupState(c, 2).Metadata == v1alpha1.MetadataPending })
	// Hold the topic batch so the manager is stopped in the middle.
	f.addBroker(2, 0, f.nameServerList(), func(b *rmqtest.Broker) {
		b.DelayNth(admin.CodeUpdateAndCreateTopicList, 1, 2*time.Second)
	})
	target := f.broker("demo-broker-2-0")
	// The batch arriving, held for 2s, is the window to stop in; polling
	// status for Copying instead could step over it on a busy machine.
	require.Eventually(t, func() bool { return target.CallCount(admin.CodeUpdateAndCreateTopicList) == 1 }, waitFor, 10*1e6)
	stop()
	c := f.cluster()
	// Copying is written before the first metadata is sent, and the
	// stopped reconcile cannot write anything after its context ended.
	assert.Equal(t, v1alpha1.MetadataCopying, groupState(c, 2).Metadata, "nothing may say Synced before the groups are copied: %s", statusString(c))
	assert.Equal(t, 1, target.CallCount(admin.CodeUpdateAndCreateSubscriptionGroups), "the consumer groups are copied before the topics")

	// Let the held batch land, as a broker does with a request already
	// received, then restart. Waiting for the topics, not for the hold to
	// pass, since a busy machine can apply the batch later than that.
	require.Eventually(t, func() bool {
		have := target.Topics()
		for _, name := range topics {
			if _, ok := have[name]; !ok {
				return false
			}
		}
		return true
	}, waitFor, 20*time.Millisecond, "the held topic batch never landed")
	startManager(t, env.Config, []string{f.ns}, withBackoff(testOptions(), 200*time.Millisecond))
	c = f.waitReady()
	assert.Equal(t, v1alpha1.MetadataSynced, groupState(c, 2).Metadata)
	f.checkCopied("demo-broker-2-0", topics, groups)
	assert.Equal(t, 1, target.CallCount(admin.CodeUpdateAndCreateTopicList), "the topics were already there: no second batch")
	f.waitEvent(metadatacopy.ReasonSynced, "topics 0 created, 0 updated, 20 already present; consumer groups 0 created, 0 updated, 3 already present")
}

// TestMetadataCopyFailureRetries: an injected broker error makes the group
// Failed (and the cluster Degraded), a retry after the backoff syncs it,
// and Synced is never reported before everything is on the target.
//
// The states are read from a watch, which carries every status write: a
// poll can step over the Failed state when the test process is starved for
// longer than the backoff, and so say nothing about whether it was written.
func TestMetadataCopyFailureRetries(t *testing.T) {
	f := newFixture(t, twoGroups())
	topics, groups := readyTwoGroups(t, f, 5)
	startManager(t, env.Config, []string{f.ns}, withBackoff(testOptions(), 700*time.Millisecond))
	f.waitReady()

	f.scaleOutToThree()
	pending := f.waitStatus("Pending", func(c *v1alpha1.RocketMQCluster) bool { return groupState(c, 2).Metadata == v1alpha1.MetadataPending })
	f.addBroker(2, 0, f.nameServerList(), func(b *rmqtest.Broker) {
		b.FailNth(admin.CodeUpdateAndCreateSubscriptionGroups, 1, admin.CodeSystemError, "injected: disk full")
	})
	history := f.statusHistory(pending.ResourceVersion, func(c *v1alpha1.RocketMQCluster) bool {
		return groupState(c, 2).Metadata == v1alpha1.MetadataSynced
	})
	// Synced is written only after the copy returned: everything must
	// already be on the target.
	f.checkCopied("demo-broker-2-0", topics, groups)
	assert.GreaterOrEqual(t, f.broker("demo-broker-2-0").CallCount(admin.CodeUpdateAndCreateSubscriptionGroups), 2,
		"the failed call and a successful one")

	var seen []v1alpha1.MetadataState
	var failed *v1alpha1.RocketMQCluster
	for _, c := range history {
		st := groupState(c, 2).Metadata
		if len(seen) == 0 || seen[len(seen)-1] != st {
			seen = append(seen, st)
		}
		if st == v1alpha1.MetadataFailed && failed == nil {
			failed = c
		}
	}
	want := []v1alpha1.MetadataState{v1alpha1.MetadataCopying, v1alpha1.MetadataFailed, v1alpha1.MetadataCopying, v1alpha1.MetadataSynced}
	if !assert.Equal(t, want, withoutPending(seen), "metadata states written; versions:%s", historyString(history)) || failed == nil {
		f.logEvents()
		return
	}
	assert.Contains(t, groupState(failed, 2).MetadataMessage, "injected: disk full")
	assert.True(t, isTrue(failed, v1alpha1.ConditionDegraded))
	assert.Equal(t, ReasonMetadataFailed, condition(failed, v1alpha1.ConditionDegraded).Reason)
	c := f.waitReady()
	assert.Equal(t, int32(2), groupState(c, 2).MetadataAttempts)
	assert.Empty(t, groupState(c, 2).MetadataMessage)
	f.waitEvent(metadatacopy.ReasonFailed, "injected: disk full")
	f.waitEvent(metadatacopy.ReasonRetry, "attempt 2")
}

// withoutPending drops leading Pending states: the group may be written
// Pending again (a new wait message) before the copy starts.
func withoutPending(states []v1alpha1.MetadataState) []v1alpha1.MetadataState {
	for len(states) > 0 && states[0] == v1alpha1.MetadataPending {
		states = states[1:]
	}
	return states
}

// logEvents logs the Events of the fixture's namespace, for a failure.
func (f *fixture) logEvents() {
	f.t.Helper()
	var list eventsv1.EventList
	require.NoError(f.t, env.Client.List(context.Background(), &list, client.InNamespace(f.ns)))
	for _, e := range list.Items {
		f.t.Logf("event %s %s %s: %s", e.EventTime.Format("15:04:05.000000"), e.Reason, e.Regarding.Name, e.Note)
	}
}

func withBackoff(o Options, base time.Duration) Options {
	o.Backoff = metadatacopy.Backoff{Base: base, Max: 4 * base}
	return o
}

// waitEvent waits for an events.k8s.io Event on the cluster with reason
// and a note containing text.
func (f *fixture) waitEvent(reason, text string) {
	f.t.Helper()
	var notes []string
	ok := assert.Eventually(f.t, func() bool {
		var list eventsv1.EventList
		if err := env.Client.List(context.Background(), &list, client.InNamespace(f.ns)); err != nil {
			return false
		}
		notes = notes[:0]
		for _, e := range list.Items {
			if e.Reason == reason && e.Regarding.Name == f.name {
				notes = append(notes, e.Note)
				if strings.Contains(e.Note, text) {
					return true
				}
			}
		}
		return false
	}, waitFor, 100*time.Millisecond)
	if !ok {
		sort.Strings(notes)
		f.t.Errorf("no %s Event containing %q; notes: %q", reason, text, notes)
	}
}
