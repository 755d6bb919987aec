package metadata

import (
	"context"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// remove deletes a member with deletionPolicy Delete from every broker
// group's master, once nothing would be lost, and reports whether it is
// gone (its finalizer may go). A topic goes from the brokers first and
// from the NameServers after, as mqadmin deleteTopic does it.
// held names the leaving topics that wait: a group keeps its offsets on
// them until they are gone.
func remove(ctx context.Context, cl Admin, ns nameServers, m *member, groups []*brokerGroup, held map[string]bool, settle time.Duration) bool {
	for _, b := range groups {
		if !b.usable() {
			m.set(stateReconciling, v1alpha1.ReasonClusterNotReady, "deletion waits for a reachable master of broker group "+b.name)
			return false
		}
	}
	forced := m.obj.GetAnnotations()[v1alpha1.AnnotationForceDelete] == "true"
	if m.topic != nil {
		if err := stopWrites(ctx, cl, m, groups); err != nil {
			m.set(stateReconciling, v1alpha1.ReasonBrokerError, "deletion retries: "+err.Error())
			return false
		}
		if until := m.next.WritesStoppedAt.Add(settle); !forced && time.Now().Before(until) {
			m.set(stateReconciling, v1alpha1.ReasonStoppingWrites, fmt.Sprintf(
				"topic is read-only on every broker group; deletion waits until %s for producers to refresh their routes",
				until.UTC().Format(time.RFC3339)))
			return false
		}
	}
	if !forced {
		blockers, err := blockersOf(ctx, cl, m, groups, held)
		if err != nil {
			m.set(stateReconciling, v1alpha1.ReasonBrokerError, "deletion retries: "+err.Error())
			return false
		}
		if len(blockers) > 0 {
			msg := "deletion waits until consumed: " + strings.Join(blockers, "; ")
			if m.prev.Conditions == nil || !hasReason(&m.prev, v1alpha1.ReasonDeleteBlocked) {
				m.emit(true, v1alpha1.ReasonDeleteBlocked, msg)
			}
			m.set(stateReconciling, v1alpha1.ReasonDeleteBlocked, msg)
			return false
		}
	}
	if err := deleteEverywhere(ctx, cl, ns, m, groups); err != nil {
		m.set(stateReconciling, v1alpha1.ReasonBrokerError, "deletion retries: "+err.Error())
		return false
	}
	return true
}

// stopWrites makes the topic read-only on every master that has it
// writable, as mqadmin updateTopicPerm does, and records when no master
// last took its write permission: the deletion counts the settle period
// from there, so a topic someone made writable again starts it over.
func stopWrites(ctx context.Context, cl Admin, m *member, groups []*brokerGroup) error {
	changed := false
	for _, b := range groups {
		tc, ok := b.topics[m.name]
		if !ok || tc.Perm&admin.PermWrite == 0 {
			continue
		}
		if err := cl.SetTopicPerm(ctx, b.addr, m.name, tc.Perm&^admin.PermWrite); err != nil {
			return fmt.Errorf("while making topic %s read-only on %s: %w", m.name, b.name, err)
		}
		changed = true
	}
	if changed || m.next.WritesStoppedAt == nil {
		now := metav1.Now()
		m.next.WritesStoppedAt = &now
	}
	return nil
}

func blockersOf(ctx context.Context, cl Admin, m *member, groups []*brokerGroup, held map[string]bool) ([]string, error) {
	var out []string
	for _, b := range groups {
		var bs []string
		var err error
		if m.topic != nil {
			if _, ok := b.topics[m.name]; ok {
				bs, err = topicBlockers(ctx, cl, b, m.name)
			}
		} else if _, ok := b.groups[m.name]; ok {
			bs, err = groupBlockers(ctx, cl, b, m.name, held)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, bs...)
	}
	return out, nil
}

// topicBlockers lists the groups with unconsumed messages on topic in one
// broker group; a topic holding messages that no group ever consumed
// blocks too (the force-delete annotation lets them go).
func topicBlockers(ctx context.Context, cl Admin, b *brokerGroup, topic string) ([]string, error) {
	consumers, err := cl.TopicConsumers(ctx, b.addr, topic)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, g := range consumers {
		stats, err := cl.ConsumeStats(ctx, b.addr, g, topic)
		if err != nil {
			return nil, err
		}
		if lag := lagOn(stats, topic); lag > 0 {
			out = append(out, fmt.Sprintf("consumer group %s has %d unconsumed messages on %s", g, lag, b.name))
		}
	}
	if len(consumers) > 0 {
		return out, nil
	}
	stats, err := cl.TopicStats(ctx, b.addr, topic)
	if err != nil {
		return nil, err
	}
	if n := messages(stats); n > 0 {
		out = append(out, fmt.Sprintf("%d messages on %s that no consumer group has consumed (set %s: \"true\" to drop them)",
			n, b.name, v1alpha1.AnnotationForceDelete))
	}
	return out, nil
}

// groupBlockers lists the topics on which group has unconsumed messages in
// one broker group (the topics it has offsets on).
func groupBlockers(ctx context.Context, cl Admin, b *brokerGroup, group string, held map[string]bool) ([]string, error) {
	topics, err := cl.TopicsByConsumer(ctx, b.addr, group)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range topics {
		stats, err := cl.ConsumeStats(ctx, b.addr, group, t)
		if err != nil {
			return nil, err
		}
		switch lag := lagOn(stats, t); {
		case lag > 0:
			out = append(out, fmt.Sprintf("%d unconsumed messages of topic %s on %s", lag, t, b.name))
		case held[t]:
			out = append(out, fmt.Sprintf("topic %s, being deleted, still needs the group's offsets on %s", t, b.name))
		}
	}
	return out, nil
}

// lagOn is the group's lag on topic: brokerOffset - consumerOffset summed
// over the topic's queues (mqadmin consumerProgress "Diff").
func lagOn(s *admin.ConsumeStats, topic string) int64 {
	var lag int64
	for mq, o := range s.OffsetTable {
		if mq.Topic == topic && o.BrokerOffset > o.ConsumerOffset {
			lag += o.BrokerOffset - o.ConsumerOffset
		}
	}
	return lag
}

// messages counts what the topic's queues hold (max - min offsets).
func messages(s *admin.TopicStats) int64 {
	var n int64
	for _, o := range s.OffsetTable {
		n += o.MaxOffset - o.MinOffset
	}
	return n
}

func deleteEverywhere(ctx context.Context, cl Admin, ns nameServers, m *member, groups []*brokerGroup) error {
	var gone []string
	for _, b := range groups {
		var err error
		if _, ok := b.topics[m.name]; ok && m.topic != nil {
			err = cl.DeleteTopicInBroker(ctx, b.addr, m.name)
		} else if _, ok := b.groups[m.name]; ok && m.group != nil {
			err = cl.DeleteGroup(ctx, b.addr, m.name, true)
		} else {
			continue
		}
		if err != nil {
			return err
		}
		gone = append(gone, b.name)
	}
	if m.topic != nil {
		for _, addr := range ns.addrs {
			if err := cl.DeleteTopicInNameServer(ctx, addr, m.name, ns.cluster); err != nil {
				return err
			}
		}
	}
	m.emit(false, EventDeleted, fmt.Sprintf("deleted %s from broker groups %s", m.name, strings.Join(gone, ", ")))
	return nil
}

func hasReason(st *v1alpha1.MetadataObjectStatus, reason string) bool {
	for _, c := range st.Conditions {
		if c.Type == v1alpha1.ConditionReady && c.Reason == reason {
			return true
		}
	}
	return false
}
