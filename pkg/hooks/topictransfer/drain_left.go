package topictransfer

import (
	"fmt"
	"strings"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// drainLeft is what one drain poll found still to come on the source.
type drainLeft struct {
	groups  []string // groups with messages left to consume
	details []string // a line per group
	brokers []v1alpha1.DrainBrokerBacklog
}

func (l *drainLeft) empty() bool { return len(l.groups) == 0 && len(l.brokers) == 0 }

// summary says what is left, for the status message and the rollback.
func (l *drainLeft) summary() string {
	parts := append([]string(nil), l.details...)
	for _, b := range l.brokers {
		bl := admin.Backlog{Delayed: b.Delayed, Timer: b.Timer, Half: b.Half}
		parts = append(parts, fmt.Sprintf("broker %s: %s", b.BrokerName, bl))
	}
	return strings.Join(parts, "; ")
}

// reason is the Reconciling reason while waiting: an ordinary group lag is
// Progressing; a broker-wide backlog names its kind.
func (l *drainLeft) reason() string {
	if len(l.groups) > 0 {
		return v1alpha1.ReasonProgressing
	}
	var delayed, timer bool
	for _, b := range l.brokers {
		delayed, timer = delayed || b.Delayed > 0, timer || b.Timer > 0
	}
	switch {
	case delayed:
		return v1alpha1.ReasonDelayedMessagesPending
	case timer:
		return v1alpha1.ReasonTimerMessagesPending
	}
	return v1alpha1.ReasonHalfMessagesPending
}

// drainLeft polls the source: every group's lag on the topic and on its
// retry topics, and each source broker's backlog of delayed, timer and half
// messages, which the broker writes into their topics later even when
// they are read-only and so would land after the drain and be deleted
// with the topic in step 6.
func (r *run) drainLeft() (*drainLeft, error) {
	srcMasters, err := masters(r.ctx, r.src)
	if err != nil {
		return nil, fmt.Errorf("checking the drain: %w", err)
	}
	if _, err := r.fenceNewSourceBrokers(srcMasters); err != nil {
		return nil, fmt.Errorf("checking the drain: %w", err)
	}
	if _, err := r.keepSourceReadOnly(srcMasters); err != nil {
		return nil, fmt.Errorf("checking the drain: %w", err)
	}
	left := &drainLeft{}
	for _, g := range r.in.Spec.ConsumerGroups {
		lines, err := r.groupLeft(srcMasters, g)
		if err != nil {
			return nil, err
		}
		if more, err := r.retryLeft(srcMasters, g); err != nil {
			return nil, err
		} else if more != "" {
			lines = strings.Join(nonEmpty(lines, more), ", ")
		}
		if lines != "" {
			left.groups = append(left.groups, g)
			left.details = append(left.details, g+": "+lines)
		}
	}
	if left.brokers, err = r.brokerBacklogs(srcMasters); err != nil {
		return nil, err
	}
	return left, nil
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// groupRetryTopics are the topics a group's redelivered messages of topic
// wait in: its %RETRY% topic (send-back of push/pull consumers) and the
// POP retry topic in both spellings (KeyBuilder.buildPopRetryTopicV1 and
// V2, chosen by the broker's enableRetryTopicV2).
func groupRetryTopics(group, topic string) []string {
	return []string{retryTopic(group), retryTopic(group) + "_" + topic, retryTopic(group) + "+" + topic}
}

// retryLeft says what the group has left in its retry topics on the
// source brokers of the snapshot, "" when nothing. A retry topic the broker
// does not have holds nothing.
func (r *run) retryLeft(srcMasters map[string]string, group string) (string, error) {
	var left []string
	for _, b := range r.st.Snapshot.Topic {
		addr, ok := srcMasters[b.BrokerName]
		if !ok {
			return "", fmt.Errorf("source broker %q of the snapshot has no master now", b.BrokerName)
		}
		for _, rt := range groupRetryTopics(group, r.in.Spec.Topic) {
			why, err := r.topicLeft(addr, b.BrokerName, group, rt)
			if err != nil {
				return "", err
			}
			if why != "" {
				left = append(left, rt+" "+why)
			}
		}
	}
	return strings.Join(left, ", "), nil
}

// topicLeft says what the group has left of one retry topic on one
// broker. No topic config is read first: the broker answers consume stats
// of a topic it does not have with an empty table
// (AdminBrokerProcessor.getConsumeStats skips a topic without config), and
// of one it has with every read queue, so the table is the whole truth and
// one call per topic is enough.
func (r *run) topicLeft(addr, brokerName, group, topic string) (string, error) {
	stats, err := r.src.Admin.ConsumeStats(r.ctx, addr, group, topic)
	if err != nil {
		return "", fmt.Errorf("checking the drain of group %q: %w", group, err)
	}
	var lag int64
	for mq, o := range stats.OffsetTable {
		if mq.Topic == topic && mq.BrokerName == brokerName {
			lag += max(0, o.BrokerOffset-o.ConsumerOffset)
		}
	}
	if lag > 0 {
		return fmt.Sprintf("%d messages left on %s", lag, brokerName), nil
	}
	return "", nil
}

// brokerBacklogs lists the source brokers of the snapshot that still hold
// delayed, timer or half messages. RocketMQ counts these per broker, not
// per topic, so any of them may be bound for the transferred topic: the
// drain waits for all of them.
func (r *run) brokerBacklogs(srcMasters map[string]string) ([]v1alpha1.DrainBrokerBacklog, error) {
	var out []v1alpha1.DrainBrokerBacklog
	for _, b := range r.st.Snapshot.Topic {
		addr, ok := srcMasters[b.BrokerName]
		if !ok {
			return nil, fmt.Errorf("source broker %q of the snapshot has no master now", b.BrokerName)
		}
		bl, err := r.src.Admin.BrokerBacklog(r.ctx, addr)
		if err != nil {
			return nil, fmt.Errorf("checking the drain: %w", err)
		}
		if !bl.Empty() {
			out = append(out, v1alpha1.DrainBrokerBacklog{BrokerName: b.BrokerName, Delayed: bl.Delayed, Timer: bl.Timer, Half: bl.Half})
		}
	}
	return out, nil
}

// popSettle is how long the drain keeps watching once it found nothing
// left: unacked POP messages are invisible to every admin request
// (PopInflightMessageCounter is read only by the broker's metrics and its
// own flow control) and reappear in the POP retry topic once their
// invisible time has passed and the revive service has scanned them.
func (r *run) popSettle() time.Duration {
	pit := r.in.Spec.PopInvisibleTimeOrDefault()
	if pit <= 0 {
		return 0
	}
	return pit + r.m.reviveSlack()
}

// settleLeft records when the drain first found nothing left and returns
// how much of the POP settle period remains.
func (r *run) settleLeft(now time.Time) time.Duration {
	d := r.st.Drain
	if d.SettledSince == nil {
		t := r.now()
		d.SettledSince = &t
	}
	return d.SettledSince.Add(r.popSettle()).Sub(now)
}
