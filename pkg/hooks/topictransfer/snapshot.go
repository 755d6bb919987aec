package topictransfer

import (
	"encoding/json"
	"fmt"
	"maps"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// snapshot is step 2: it reads the source topic's config on every master
// that holds it, and each group's config, into status. Nothing has changed
// yet, so a snapshot interrupted by a restart is simply taken again.
func (r *run) snapshot() (result, error) {
	srcMasters, err := masters(r.ctx, r.src)
	if err != nil {
		return result{}, fmt.Errorf("snapshotting the source: %w", err)
	}
	queues, err := topicQueues(r.ctx, r.src, srcMasters, r.in.Spec.Topic)
	if err != nil {
		return result{}, err
	}
	if len(queues) == 0 {
		return result{}, refuse(v1alpha1.ReasonSourceTopicMissing, "topic %q disappeared from source %v", r.in.Spec.Topic, r.src)
	}
	snap := &v1alpha1.TransferSnapshot{TakenAt: r.now()}
	order := sortedNames(queues)
	for _, bn := range order {
		tc, err := r.src.Admin.Topic(r.ctx, srcMasters[bn], r.in.Spec.Topic)
		if err != nil {
			return result{}, fmt.Errorf("snapshotting topic %q on broker %s: %w", r.in.Spec.Topic, bn, err)
		}
		snap.Topic = append(snap.Topic, toBrokerTopicConfig(bn, tc))
	}
	for _, g := range r.in.Spec.ConsumerGroups {
		gs, err := groupSnapshot(r, srcMasters, order, g)
		if err != nil {
			return result{}, err
		}
		snap.Groups = append(snap.Groups, gs)
	}
	r.st.Snapshot = snap
	r.event(false, "Snapshot", "recorded topic %q on %d source broker(s) and %d group(s)",
		r.in.Spec.Topic, len(snap.Topic), len(snap.Groups))
	return result{done: true}, nil
}

func groupSnapshot(r *run, brokers map[string]string, order []string, group string) (v1alpha1.GroupSnapshot, error) {
	g, bn, err := findGroup(r, brokers, order, group)
	if err != nil {
		return v1alpha1.GroupSnapshot{}, err
	}
	raw, err := json.Marshal(g)
	if err != nil {
		return v1alpha1.GroupSnapshot{}, fmt.Errorf("encoding group %q: %w", group, err)
	}
	return v1alpha1.GroupSnapshot{Name: group, BrokerName: bn, Config: string(raw), RetryQueueNums: int32(g.RetryQueueNums)}, nil
}

func toBrokerTopicConfig(brokerName string, tc *admin.TopicConfig) v1alpha1.BrokerTopicConfig {
	return v1alpha1.BrokerTopicConfig{
		BrokerName:      brokerName,
		ReadQueueNums:   int32(tc.ReadQueueNums),
		WriteQueueNums:  int32(tc.WriteQueueNums),
		Perm:            int32(tc.Perm),
		TopicFilterType: tc.TopicFilterType,
		TopicSysFlag:    int32(tc.TopicSysFlag),
		Order:           tc.Order,
		Attributes:      maps.Clone(tc.Attributes),
	}
}

// topicConfig turns a snapshot entry back into the admin form.
func topicConfig(topic string, b v1alpha1.BrokerTopicConfig) admin.TopicConfig {
	return admin.TopicConfig{
		TopicName:       topic,
		ReadQueueNums:   int(b.ReadQueueNums),
		WriteQueueNums:  int(b.WriteQueueNums),
		Perm:            int(b.Perm),
		TopicFilterType: b.TopicFilterType,
		TopicSysFlag:    int(b.TopicSysFlag),
		Order:           b.Order,
		Attributes:      maps.Clone(b.Attributes),
	}
}

// groupConfig decodes a group snapshot.
func groupConfig(g v1alpha1.GroupSnapshot) (admin.SubscriptionGroupConfig, error) {
	var cfg admin.SubscriptionGroupConfig
	if err := json.Unmarshal([]byte(g.Config), &cfg); err != nil {
		return cfg, fmt.Errorf("decoding the snapshot of group %q: %w", g.Name, err)
	}
	cfg.GroupName = g.Name
	return cfg, nil
}
