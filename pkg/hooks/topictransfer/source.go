package topictransfer

import (
	"errors"
	"fmt"
	"maps"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
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
	for _, b := range r.st.Snapshot.Topic {
		addr, ok := srcMasters[b.BrokerName]
		if !ok {
			return result{}, fmt.Errorf("source broker %q of the snapshot has no master now", b.BrokerName)
		}
		tc := topicConfig(r.in.Spec.Topic, b)
		tc.Perm, tc.Attributes = readOnlyPerm(tc.Perm), nil
		if err := r.src.Admin.CreateTopic(r.ctx, addr, tc); err != nil {
			return result{}, fmt.Errorf("making topic %q read-only on source broker %s: %w", r.in.Spec.Topic, b.BrokerName, err)
		}
	}
	r.event(false, "SourceReadOnly", "topic %q is read-only on %d source broker(s)", r.in.Spec.Topic, len(r.st.Snapshot.Topic))
	return result{done: true}, nil
}

// deleteFromSource is step 6, past the point of no return: the topic from
// every source broker that held it and from every source NameServer (for
// the source cluster only), then the groups from every source master.
func (r *run) deleteFromSource() (result, error) {
	spec := &r.in.Spec
	if !spec.DeleteSourceTopicOrDefault() {
		r.event(false, "SourceKept", "deleteSourceTopic is false: topic %q stays read-only on the source", spec.Topic)
		return result{done: true}, nil
	}
	if !canDeleteFromSource(spec, r.st) {
		return result{}, errors.New("refusing to delete from the source: the drain was not recorded as complete")
	}
	srcMasters, err := masters(r.ctx, r.src)
	if err != nil {
		return result{}, fmt.Errorf("deleting from the source: %w", err)
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
	for _, g := range spec.ConsumerGroups {
		if err := r.deleteGroupEverywhere(r.src, srcMasters, g); err != nil {
			return result{}, err
		}
	}
	r.event(false, "DeletedFromSource", "deleted topic %q and %d group(s) from source %v", spec.Topic, len(spec.ConsumerGroups), r.src)
	return result{done: true}, nil
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
