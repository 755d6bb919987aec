package topictransfer

import (
	"errors"
	"fmt"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// conflictWait is how often a transfer waiting for another one of the
// same topic looks again.
const conflictWait = 5 * time.Second

// check is step 1: it only reads. Another unfinished transfer of the topic
// on one of the clusters makes it wait (it needs no retry budget: nothing
// failed); a topic or group missing on the source is a refusal; a cluster
// that does not answer is retried.
func (r *run) check() (result, error) {
	if r.in.Conflict != "" {
		r.st.Message = fmt.Sprintf("waiting for TopicTransfer %s, which transfers topic %q on one of these clusters, to finish",
			r.in.Conflict, r.in.Spec.Topic)
		setProgressing(r.st, r.in.Generation, v1alpha1.ReasonConflict, r.st.Message)
		return result{wait: conflictWait}, nil
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
