package topictransfer

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// makeSourceReadOnly is step 4: the snapshot's config with the write bit
// cleared, on every source broker that holds the topic. Attributes are
// left out: the broker keeps its own, and re-sending an unchangeable one
// (queue.type) would be refused as an update.
func (r *run) makeSourceReadOnly() (result, error) {
	srcMasters, err := masters(r.ctx, r.src)
	if err != nil {
		return result{}, fmt.Errorf("making the source read-only: %w", err)
	}
	if _, err := r.adoptSourceBrokers(srcMasters); err != nil {
		return result{}, fmt.Errorf("making the source read-only: %w", err)
	}
	for _, b := range r.st.Snapshot.Topic {
		addr, ok := srcMasters[b.BrokerName]
		if !ok {
			return result{}, fmt.Errorf("source broker %q of the snapshot has no master now", b.BrokerName)
		}
		if err := r.makeReadOnlyOn(addr, b); err != nil {
			return result{}, err
		}
	}
	r.event(false, "SourceReadOnly", "topic %q is read-only on %d source broker(s)", r.in.Spec.Topic, len(r.st.Snapshot.Topic))
	return result{done: true}, nil
}

// makeReadOnlyOn sends the snapshot's config of one broker with the write
// bit cleared.
func (r *run) makeReadOnlyOn(addr string, b v1alpha1.BrokerTopicConfig) error {
	tc := topicConfig(r.in.Spec.Topic, b)
	tc.Perm, tc.Attributes = readOnlyPerm(tc.Perm), nil
	if err := r.src.Admin.CreateTopic(r.ctx, addr, tc); err != nil {
		return fmt.Errorf("making topic %q read-only on source broker %s: %w", r.in.Spec.Topic, b.BrokerName, err)
	}
	return nil
}

// deleteFromSource is step 6, past the point of no return: the topic from
// every source broker that held it and from every source NameServer (for
// the source cluster only), then the groups from every source master.
func (r *run) deleteFromSource() (result, error) {
	spec := &r.in.Spec
	srcMasters, err := masters(r.ctx, r.src)
	if err != nil {
		return result{}, fmt.Errorf("deleting from the source: %w", err)
	}
	if wait, err := r.drainLateBrokers(srcMasters); err != nil || wait > 0 {
		return result{wait: wait}, err
	}
	if !spec.DeleteSourceTopicOrDefault() {
		r.event(false, "SourceKept", "deleteSourceTopic is false: topic %q stays read-only on the source", spec.Topic)
		return result{done: true}, nil
	}
	if !canDeleteFromSource(spec, r.st) {
		return result{}, errors.New("refusing to delete from the source: the drain was not recorded as complete")
	}
	for _, b := range r.st.Snapshot.Topic {
		addr, ok := srcMasters[b.BrokerName]
		if !ok {
			return result{}, fmt.Errorf("source broker %q of the snapshot has no master now", b.BrokerName)
		}
		if err := r.src.Admin.DeleteTopicInBroker(r.ctx, addr, spec.Topic); err != nil {
			return result{}, fmt.Errorf("deleting topic from the source: %w", err)
		}
	}
	if err := r.deleteRoutes(r.src, spec.Topic); err != nil {
		return result{}, err
	}
	deleted := 0
	for _, g := range spec.ConsumerGroups {
		n, err := r.deleteSourceGroup(srcMasters, g)
		if err != nil {
			return result{}, err
		}
		deleted += n
	}
	r.event(false, "DeletedFromSource", "deleted topic %q and %d group(s) from %d source broker(s) of %v",
		spec.Topic, deleted, len(srcMasters), r.src)
	return result{done: true}, nil
}

// deleteSourceGroup deletes the group, with its offsets, from every source
// master where it reads nothing but the transferred topic (whose offsets
// went with the topic) and, at most, its own fully consumed retry topic.
// Where it still has offsets on other topics it is kept whole: RocketMQ 5.3
// has no request that removes one topic's offsets of one group, and
// deleting the group would cut its other consumers off (and, with
// cleanOffset, lose their positions). It returns on how many brokers the
// group was deleted.
func (r *run) deleteSourceGroup(brokers map[string]string, group string) (int, error) {
	n := 0
	for _, bn := range sortedNames(brokers) {
		addr := brokers[bn]
		others, err := r.otherTopicsOf(addr, group)
		if err != nil {
			return n, err
		}
		if len(others) > 0 {
			r.keepOnSource(group, bn, others)
			continue
		}
		if err := r.src.Admin.DeleteGroup(r.ctx, addr, group, true); err != nil {
			return n, fmt.Errorf("deleting group %q on source broker %s: %w", group, bn, err)
		}
		n++
	}
	return n, nil
}

// otherTopicsOf lists the topics the group still needs on a broker: those
// it has offsets on (QUERY_TOPICS_BY_CONSUMER) other than the transferred
// topic, its own retry topic counting only while it has messages left.
func (r *run) otherTopicsOf(addr, group string) ([]string, error) {
	topics, err := r.src.Admin.TopicsByConsumer(r.ctx, addr, group)
	if err != nil {
		return nil, fmt.Errorf("asking which topics group %q reads: %w", group, err)
	}
	var others []string
	for _, t := range topics {
		if t == r.in.Spec.Topic {
			continue
		}
		if slices.Contains(groupRetryTopics(group, r.in.Spec.Topic), t) {
			drained, err := r.retryDrained(addr, group, t)
			if err != nil {
				return nil, err
			}
			if drained {
				continue
			}
		}
		others = append(others, t)
	}
	return others, nil
}

// retryDrained reports whether the group consumed everything in one of
// its retry topics on the broker.
func (r *run) retryDrained(addr, group, topic string) (bool, error) {
	stats, err := r.src.Admin.ConsumeStats(r.ctx, addr, group, topic)
	if err != nil {
		return false, fmt.Errorf("checking the retry topic of group %q: %w", group, err)
	}
	for _, o := range stats.OffsetTable {
		if o.BrokerOffset > o.ConsumerOffset {
			return false, nil
		}
	}
	return true, nil
}

// keepOnSource records (once) that a group stays on a source broker.
func (r *run) keepOnSource(group, broker string, others []string) {
	entry := fmt.Sprintf("group %q on %s: still reads %s", group, broker, strings.Join(others, ", "))
	if slices.Contains(r.st.KeptOnSource, entry) {
		return
	}
	r.st.KeptOnSource = append(r.st.KeptOnSource, entry)
	r.event(true, "GroupKeptOnSource", "%s; the group and its offsets are kept", entry)
}

// deleteRoutes removes the topic's route for the endpoint's cluster from
// every one of its NameServers; each keeps its own table.
func (r *run) deleteRoutes(ep Endpoint, topic string) error {
	for _, ns := range ep.NameServers {
		if err := ep.Admin.DeleteTopicInNameServer(r.ctx, ns, topic, ep.ClusterName); err != nil {
			return fmt.Errorf("deleting the route of topic %q: %w", topic, err)
		}
	}
	return nil
}

func (r *run) deleteGroupEverywhere(ep Endpoint, brokers map[string]string, group string) error {
	for _, bn := range sortedNames(brokers) {
		if err := ep.Admin.DeleteGroup(r.ctx, brokers[bn], group, true); err != nil {
			return fmt.Errorf("deleting group %q: %w", group, err)
		}
	}
	return nil
}

// restoreSource puts the snapshot's topic config back on every source
// broker. A broker already equal to the snapshot gets nothing; one that
// lost the topic gets it re-created whole. Otherwise only attributes whose
// value differs are sent, since an update may not repeat unchangeable ones.
func (r *run) restoreSource() error {
	srcMasters, err := masters(r.ctx, r.src)
	if err != nil {
		return fmt.Errorf("restoring the source: %w", err)
	}
	for _, b := range r.st.Snapshot.Topic {
		addr, ok := srcMasters[b.BrokerName]
		if !ok {
			return fmt.Errorf("restoring the source: broker %q of the snapshot has no master now", b.BrokerName)
		}
		if err := r.restoreOn(addr, topicConfig(r.in.Spec.Topic, b)); err != nil {
			return fmt.Errorf("restoring topic %q on source broker %s: %w", r.in.Spec.Topic, b.BrokerName, err)
		}
	}
	return nil
}

func (r *run) restoreOn(addr string, want admin.TopicConfig) error {
	cur, err := r.src.Admin.Topic(r.ctx, addr, want.TopicName)
	if errors.Is(err, admin.ErrTopicNotExist) {
		return r.src.Admin.CreateTopic(r.ctx, addr, want)
	}
	if err != nil {
		return err
	}
	if cur.Equal(want) {
		return nil
	}
	send := want
	send.Attributes = changedAttributes(cur.Attributes, want.Attributes)
	return r.src.Admin.CreateTopic(r.ctx, addr, send)
}

// changedAttributes returns the entries of want whose value in cur differs.
func changedAttributes(cur, want map[string]string) map[string]string {
	out := maps.Clone(want)
	maps.DeleteFunc(out, func(k, v string) bool {
		c, ok := cur[k]
		return ok && c == v
	})
	if len(out) == 0 {
		return nil
	}
	return out
}
