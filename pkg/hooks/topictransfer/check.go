package topictransfer

import (
	"errors"
	"fmt"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// check is step 1: it only reads. A conflict, or a topic or group missing
// on the source, is a refusal; a cluster that does not answer is retried.
func (r *run) check() (result, error) {
	if r.in.Conflict != "" {
		return result{}, refuse(v1alpha1.ReasonConflict,
			"TopicTransfer %s already transfers topic %q on one of these clusters", r.in.Conflict, r.in.Spec.Topic)
	}
	srcMasters, err := masters(r.ctx, r.src)
	if err != nil {
		return result{}, fmt.Errorf("checking the source: %w", err)
	}
	if _, err := masters(r.ctx, r.tgt); err != nil {
		return result{}, fmt.Errorf("checking the target: %w", err)
	}
	queues, err := topicQueues(r.ctx, r.src, srcMasters, r.in.Spec.Topic)
	if err != nil {
		return result{}, err
	}
	if len(queues) == 0 {
		return result{}, refuse(v1alpha1.ReasonSourceTopicMissing,
			"topic %q is not on any broker of source %v", r.in.Spec.Topic, r.src)
	}
	for _, g := range r.in.Spec.ConsumerGroups {
		if _, _, err := findGroup(r, srcMasters, sortedNames(queues), g); err != nil {
			return result{}, err
		}
	}
	return result{done: true}, nil
}

// findGroup reads a group from the first of the given brokers that has it.
// A group on none of them is a refusal.
func findGroup(r *run, brokers map[string]string, order []string, group string) (*admin.SubscriptionGroupConfig, string, error) {
	for _, bn := range order {
		g, err := r.src.Admin.Group(r.ctx, brokers[bn], group)
		if errors.Is(err, admin.ErrSubscriptionGroupNotExist) {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("reading group %q on the source: %w", group, err)
		}
		return g, bn, nil
	}
	return nil, "", refuse(v1alpha1.ReasonGroupMissing,
		"consumer group %q is not on any source broker that holds topic %q", group, r.in.Spec.Topic)
}
