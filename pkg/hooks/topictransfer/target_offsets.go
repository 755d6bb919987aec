package topictransfer

import (
	"errors"
	"fmt"
	"slices"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// targetOffsets ends step 3, once everything exists on the target: each
// group gets an offset on every queue of the topic and of its retry topic
// where it has none. From step 4 producers write to the target; a group
// new there would otherwise start, with CONSUME_FROM_LAST_OFFSET, at the
// max offset (ConsumerManageProcessor.queryConsumerOffset answers
// QUERY_NOT_FOUND unless the queue's first message is still in memory) and
// skip what was sent before it came up. Each group is first recorded as
// Committing (persisted before any write), then done in one later run; a
// rerun after a restart commits only where there is still no offset.
func (r *run) targetOffsets(tgtMasters map[string]string) (result, error) {
	st := r.st
	for _, g := range r.in.Spec.ConsumerGroups {
		i := slices.IndexFunc(st.TargetOffsets, func(o v1alpha1.TargetOffsets) bool { return o.Group == g })
		if i < 0 {
			st.TargetOffsets = append(st.TargetOffsets, v1alpha1.TargetOffsets{Group: g, State: v1alpha1.TargetOffsetsCommitting})
			return result{}, nil
		}
		if st.TargetOffsets[i].State == v1alpha1.TargetOffsetsCommitted {
			continue
		}
		n, err := r.commitMissingOffsets(tgtMasters, g)
		if err != nil {
			return result{}, err
		}
		st.TargetOffsets[i].State, st.TargetOffsets[i].Committed = v1alpha1.TargetOffsetsCommitted, st.TargetOffsets[i].Committed+n
		if n > 0 {
			r.event(false, "OffsetsCommittedOnTarget", "group %q had no offset on %d queue(s) on target %v; committed each queue's min offset", g, n, r.tgt)
		}
		return result{}, nil
	}
	return result{done: true}, nil
}

// commitMissingOffsets gives the group, on every target master, the min
// offset of each queue of the topic and of its retry topic where it has no
// offset, and returns how many it committed. The min offset, not the max:
// on a topic this transfer created both are 0, and on a pre-existing one a
// consumer may then read older messages again, which is a duplicate, where
// starting at the max could skip messages sent between the query and the
// consumer's start. An existing offset is never overwritten.
func (r *run) commitMissingOffsets(tgtMasters map[string]string, group string) (int32, error) {
	var n int32
	for _, bn := range sortedNames(tgtMasters) {
		for _, topic := range []string{r.in.Spec.Topic, retryTopic(group)} {
			k, err := r.commitMissingOn(tgtMasters[bn], group, topic)
			if err != nil {
				return n, fmt.Errorf("committing offsets of group %q on target broker %s: %w", group, bn, err)
			}
			n += k
		}
	}
	return n, nil
}

// commitMissingOn does one topic on one broker; a broker without the topic
// (a pre-existing topic on some masters only) has nothing to do.
func (r *run) commitMissingOn(addr, group, topic string) (int32, error) {
	tc, err := r.tgt.Admin.Topic(r.ctx, addr, topic)
	if errors.Is(err, admin.ErrTopicNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var n int32
	for q := range max(tc.ReadQueueNums, tc.WriteQueueNums) {
		_, err := r.tgt.Admin.QueryConsumerOffset(r.ctx, addr, group, topic, q)
		if err == nil {
			continue
		}
		if !errors.Is(err, admin.ErrQueryNotFound) {
			return n, err
		}
		minOff, err := r.tgt.Admin.MinOffset(r.ctx, addr, topic, q)
		if err != nil {
			return n, err
		}
		err = r.tgt.Admin.UpdateConsumerOffset(r.ctx, addr, group, topic, q, minOff)
		if errors.Is(err, admin.ErrSubscriptionGroupNotExist) {
			// A group found on some target masters only is left as it is
			// (PreExisting); where it is missing the broker refuses offsets.
			r.event(true, "OffsetNotCommitted", "group %q does not exist on target broker %s: no offset committed for %s there; a consumer that starts there from its last offset may skip messages", group, addr, topic)
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
