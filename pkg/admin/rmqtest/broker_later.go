package rmqtest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

// laterState is what the message store holds outside the queues of ordinary
// topics and writes into them later, whatever the topic's perm: delayed
// messages (ScheduleMessageService), timer messages (TimerMessageStore),
// transactional half messages (TransactionalMessageServiceImpl) and POP
// messages popped but not acked (PopInflightMessageCounter and the
// checkpoints PopReviveService revives). Each pending message is the queue
// it will be written to.
type laterState struct {
	minOffsets map[queueKey]int64
	// delayed holds, per delay level, the messages in SCHEDULE_TOPIC_XXXX
	// queue level-1 not delivered yet, in order.
	delayed map[int][]queueKey
	// delivered is ScheduleMessageService.offsetTable: per level, the
	// schedule queue offset delivery reached.
	delivered map[int]int64
	timer     []queueKey
	half      []halfMessage
	// inflight is popped and not acked, per group and queue popped from.
	inflight map[groupQueueKey]int64
}

// halfMessage is one prepared transactional message.
type halfMessage struct {
	target   queueKey
	resolved bool
}

// later returns the broker's laterState; b.mu must be held.
func (b *Broker) later() *laterState {
	if b.lt == nil {
		b.lt = &laterState{
			minOffsets: map[queueKey]int64{}, delayed: map[int][]queueKey{}, delivered: map[int]int64{},
			inflight: map[groupQueueKey]int64{},
		}
	}
	return b.lt
}

// put appends n messages to a queue, as CommitLog.putMessage and the
// dispatch to its consume queue do. The store checks no topic config or
// perm: a queue of a deleted topic grows where nobody can reach it.
func (b *Broker) putLocked(k queueKey, n int64) {
	b.maxOffsets[k] += n
}

// pendingFor counts the delayed, timer and half messages bound for topic.
func (lt *laterState) pendingFor(topic string) (delayed, timer, half map[int]int64) {
	delayed, timer, half = map[int]int64{}, map[int]int64{}, map[int]int64{}
	for _, msgs := range lt.delayed {
		for _, k := range msgs {
			if k.topic == topic {
				delayed[k.queueID]++
			}
		}
	}
	for _, k := range lt.timer {
		if k.topic == topic {
			timer[k.queueID]++
		}
	}
	for _, h := range lt.half {
		if !h.resolved && h.target.topic == topic {
			half[h.target.queueID]++
		}
	}
	return delayed, timer, half
}

// isRetryTopic reports a %RETRY% topic (MixAll.RETRY_GROUP_TOPIC_PREFIX).
func isRetryTopic(topic string) bool { return strings.HasPrefix(topic, "%RETRY%") }

// popRetryTopic is KeyBuilder.buildPopRetryTopic: "%RETRY%" + group + "_" +
// topic, or "+" with enableRetryTopicV2.
func (b *Broker) popRetryTopicLocked(group, topic string) string {
	sep := "_"
	if strings.EqualFold(b.config["enableRetryTopicV2"], "true") {
		sep = "+"
	}
	return "%RETRY%" + group + sep + topic
}

// addRetryTopicLocked is PopReviveService.addRetryTopicIfNotExist: one
// queue (PopAckConstants.retryQueueNum), MULTI_TAG, perm RW, and the
// group's offset on it initialised to 0 ("initPopRetryOffset").
func (b *Broker) addRetryTopicLocked(topic, group string) {
	if _, ok := b.topics[topic]; !ok {
		tc := admin.NewTopicConfig(topic)
		tc.ReadQueueNums, tc.WriteQueueNums, tc.TopicFilterType = 1, 1, admin.FilterMultiTag
		b.topics[topic] = tc
		nextVersion(&b.topicVersion)
	}
	k := groupQueueKey{group, queueKey{topic, 0}}
	if _, ok := b.consumerOffsets[k]; !ok {
		b.consumerOffsets[k] = 0
	}
}

// laterRuntimeInfoLocked adds the runtime info keys of delayed and timer
// messages: ScheduleMessageService.buildRunningStats writes
// scheduleMessageOffset_<level> = "<delivered offset>,<max offset>" for
// each level in its offset table; prepareRuntimeInfo writes the timer keys,
// "0" when timerWheelEnable is false. The emulator's wheel takes every
// timer message at once, so timerOffsetBehind is 0 and timerCongestNum
// counts them all.
func (b *Broker) laterRuntimeInfoLocked(table map[string]string) {
	lt := b.later()
	for level, off := range lt.delivered {
		max := b.maxOffsets[queueKey{admin.ScheduleTopic, level - 1}]
		table[fmt.Sprintf("scheduleMessageOffset_%d", level)] = fmt.Sprintf("%d,%d", off, max)
	}
	congest := len(lt.timer)
	if strings.EqualFold(b.config["timerWheelEnable"], "false") {
		congest = 0
	}
	table["timerReadBehind"] = "0"
	table["timerOffsetBehind"] = "0"
	table["timerCongestNum"] = strconv.Itoa(congest)
	table["timerEnqueueTps"] = "0.0"
	table["timerDequeueTps"] = "0.0"
}
