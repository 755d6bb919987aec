package admin

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// System topics and groups whose messages a broker later writes into
// ordinary topics (TopicValidator, TransactionalMessageUtil).
const (
	ScheduleTopic   = "SCHEDULE_TOPIC_XXXX"
	HalfTopic       = "RMQ_SYS_TRANS_HALF_TOPIC"
	TransCheckGroup = "CID_RMQ_SYS_TRANS"
)

// Backlog counts the messages a broker holds outside their topic and will
// write into it later, whatever the topic's perm: delayed messages
// (ScheduleMessageService), timer messages (TimerMessageStore) and
// transactional half messages (TransactionalMessageServiceImpl). RocketMQ
// exposes these only per broker, not per topic.
type Backlog struct {
	// Delayed is SCHEDULE_TOPIC_XXXX messages not delivered yet, all
	// delay levels together.
	Delayed int64
	// Timer is messages of the timer wheel not delivered yet:
	// timerOffsetBehind (not in the wheel yet) + timerCongestNum (in it).
	Timer int64
	// Half is RMQ_SYS_TRANS_HALF_TOPIC messages the transaction check
	// service (group CID_RMQ_SYS_TRANS) has not passed yet: uncommitted
	// ones, and committed or rolled back ones until its next run.
	Half int64
}

// Empty reports whether nothing is pending.
func (b Backlog) Empty() bool { return b.Delayed == 0 && b.Timer == 0 && b.Half == 0 }

func (b Backlog) String() string {
	var parts []string
	for _, p := range []struct {
		n    int64
		what string
	}{{b.Delayed, "delayed"}, {b.Timer, "timer"}, {b.Half, "transactional half"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	if len(parts) == 0 {
		return "nothing pending"
	}
	return strings.Join(parts, ", ") + " message(s) pending"
}

// BrokerBacklog reads a broker's Backlog: GET_BROKER_RUNTIME_INFO (28) for
// the delay levels' progress (`scheduleMessageOffset_<level>` =
// "deliveredOffset,maxOffset", ScheduleMessageService.buildRunningStats)
// and the timer keys (AdminBrokerProcessor.prepareRuntimeInfo);
// GET_TOPIC_STATS_INFO (202) of SCHEDULE_TOPIC_XXXX, since a level the
// schedule service has not processed yet has no runtime key; and
// GET_CONSUME_STATS (208) of CID_RMQ_SYS_TRANS on the half topic, whose
// offset the check service commits (TransactionalMessageBridge).
func (c *Client) BrokerBacklog(ctx context.Context, brokerAddr string) (Backlog, error) {
	info, err := c.BrokerRuntimeInfo(ctx, brokerAddr)
	if err != nil {
		return Backlog{}, fmt.Errorf("reading the backlog of broker %s: %w", brokerAddr, err)
	}
	var b Backlog
	if b.Delayed, err = c.delayedBacklog(ctx, brokerAddr, info); err != nil {
		return Backlog{}, err
	}
	if b.Timer, err = timerBacklog(info); err != nil {
		return Backlog{}, fmt.Errorf("reading the backlog of broker %s: %w", brokerAddr, err)
	}
	if b.Half, err = c.halfBacklog(ctx, brokerAddr); err != nil {
		return Backlog{}, err
	}
	return b, nil
}

// delayedBacklog sums, per delay level, the schedule queue's max offset
// minus the offset the level's delivery reached (0 without a runtime key).
// Queue level-1 holds level's messages (ScheduleMessageService.delayLevel2QueueId).
func (c *Client) delayedBacklog(ctx context.Context, brokerAddr string, info map[string]string) (int64, error) {
	delivered, maxes, err := scheduleOffsets(info)
	if err != nil {
		return 0, fmt.Errorf("reading the delayed messages of broker %s: %w", brokerAddr, err)
	}
	stats, err := c.TopicStats(ctx, brokerAddr, ScheduleTopic)
	switch {
	case errors.Is(err, ErrTopicNotExist):
	case err != nil:
		return 0, fmt.Errorf("reading the delayed messages of broker %s: %w", brokerAddr, err)
	default:
		for mq, o := range stats.OffsetTable {
			maxes[mq.QueueID+1] = max(maxes[mq.QueueID+1], o.MaxOffset)
		}
	}
	var n int64
	for level, m := range maxes {
		n += max(m-delivered[level], 0)
	}
	return n, nil
}

// scheduleOffsets parses the scheduleMessageOffset_<level> keys.
func scheduleOffsets(info map[string]string) (delivered, maxes map[int]int64, err error) {
	delivered, maxes = map[int]int64{}, map[int]int64{}
	const prefix = "scheduleMessageOffset_"
	for k, v := range info {
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		level, err1 := strconv.Atoi(rest)
		d, m, ok := strings.Cut(v, ",")
		dn, err2 := strconv.ParseInt(d, 10, 64)
		mn, err3 := strconv.ParseInt(m, 10, 64)
		if err := errors.Join(err1, err2, err3); err != nil || !ok {
			return nil, nil, fmt.Errorf("%w: runtime info %s=%q", ErrBadResponse, k, v)
		}
		delivered[level], maxes[level] = dn, mn
	}
	return delivered, maxes, nil
}

// timerBacklog is timerOffsetBehind + timerCongestNum ("0" when the timer
// wheel is off; brokers before 5.0 have neither key).
func timerBacklog(info map[string]string) (int64, error) {
	var n int64
	for _, k := range []string{"timerOffsetBehind", "timerCongestNum"} {
		v, ok := info[k]
		if !ok {
			continue
		}
		x, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: runtime info %s=%q", ErrBadResponse, k, v)
		}
		n += max(x, 0)
	}
	return n, nil
}

// halfBacklog is the check group's lag on the half topic.
func (c *Client) halfBacklog(ctx context.Context, brokerAddr string) (int64, error) {
	stats, err := c.ConsumeStats(ctx, brokerAddr, TransCheckGroup, HalfTopic)
	if err != nil {
		return 0, fmt.Errorf("reading the transactional half messages of broker %s: %w", brokerAddr, err)
	}
	var n int64
	for mq, o := range stats.OffsetTable {
		if mq.Topic == HalfTopic {
			n += max(o.BrokerOffset-o.ConsumerOffset, 0)
		}
	}
	return n, nil
}
