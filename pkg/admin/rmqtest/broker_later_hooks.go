package rmqtest

import "github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"

// Test hooks for messages the store writes into a topic later. Each acts
// like the Java service named, without the clock: tests call the delivery
// hooks where Java's scheduled tasks would run.

// AddDelayed stores n messages for topic's queue with a delay level
// (1..18): SendMessageProcessor / CommitLog rewrite them to queue level-1
// of SCHEDULE_TOPIC_XXXX, and the level's delivery task, running every
// 100 ms, records its offset (ScheduleMessageService.updateOffset) so that
// the level shows in runtime info at once.
func (b *Broker) AddDelayed(topic string, queueID, level int, n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	lt := b.later()
	b.putLocked(queueKey{admin.ScheduleTopic, level - 1}, int64(n))
	for range n {
		lt.delayed[level] = append(lt.delayed[level], queueKey{topic, queueID})
	}
	if _, ok := lt.delivered[level]; !ok {
		lt.delivered[level] = 0
	}
}

// DeliverDelayed delivers up to n due messages of a level, oldest first
// (ScheduleMessageService.DeliverDelayedMessageTimerTask): each is written
// into its real queue even when the topic is read-only or gone.
func (b *Broker) DeliverDelayed(level, n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	lt := b.later()
	for ; n > 0 && len(lt.delayed[level]) > 0; n-- {
		b.putLocked(lt.delayed[level][0], 1)
		lt.delayed[level] = lt.delayed[level][1:]
		lt.delivered[level]++
	}
}

// AddTimer stores n timer messages (a deliver time set) for topic's queue
// in the timer wheel (TimerMessageStore; they count in timerCongestNum).
func (b *Broker) AddTimer(topic string, queueID, n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	lt := b.later()
	for range n {
		lt.timer = append(lt.timer, queueKey{topic, queueID})
	}
}

// DeliverTimer delivers up to n timer messages, oldest first
// (TimerMessageStore's dequeue services), whatever the topic's perm.
func (b *Broker) DeliverTimer(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	lt := b.later()
	for ; n > 0 && len(lt.timer) > 0; n-- {
		b.putLocked(lt.timer[0], 1)
		lt.timer = lt.timer[1:]
	}
}

// AddHalf stores n prepared transactional messages for topic's queue in
// RMQ_SYS_TRANS_HALF_TOPIC (TransactionalMessageBridge.putHalfMessage).
func (b *Broker) AddHalf(topic string, queueID, n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	lt := b.later()
	b.putLocked(queueKey{admin.HalfTopic, 0}, int64(n))
	for range n {
		lt.half = append(lt.half, halfMessage{target: queueKey{topic, queueID}})
	}
}

// EndTransaction commits or rolls back up to n prepared messages of topic,
// oldest first (EndTransactionProcessor): a commit writes the message into
// its real queue, read-only or not; either way an op message goes to
// RMQ_SYS_TRANS_OP_HALF_TOPIC. The half topic's offset moves only when
// the check service runs (CheckTransactions).
func (b *Broker) EndTransaction(topic string, n int, commit bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	lt := b.later()
	for i := range lt.half {
		h := &lt.half[i]
		if n == 0 {
			break
		}
		if h.resolved || h.target.topic != topic {
			continue
		}
		if commit {
			b.putLocked(h.target, 1)
		}
		h.resolved = true
		b.putLocked(queueKey{"RMQ_SYS_TRANS_OP_HALF_TOPIC", 0}, 1)
		n--
	}
}

// CheckTransactions is one run of TransactionalMessageCheckService: the
// half topic's offset of CID_RMQ_SYS_TRANS moves past every resolved
// message up to the first unresolved one (which it would check with the
// producer, not emulated).
func (b *Broker) CheckTransactions() {
	b.mu.Lock()
	defer b.mu.Unlock()
	lt := b.later()
	k := groupQueueKey{admin.TransCheckGroup, queueKey{admin.HalfTopic, 0}}
	if _, ok := b.consumerOffsets[k]; !ok {
		// TransactionalMessageBridge.fetchConsumeOffset starts a group
		// without an offset at the queue's min offset.
		b.consumerOffsets[k] = b.maxOffsets[queueKey{admin.HalfTopic, 0}] - int64(len(lt.half))
	}
	for len(lt.half) > 0 && lt.half[0].resolved {
		lt.half = lt.half[1:]
		b.consumerOffsets[k]++
	}
}

// Pop is a POP consumer taking up to n messages from a queue
// (PopMessageProcessor, not ordered): the group's offset moves past them at
// once and they count as in flight until acked or revived. It returns how
// many were popped.
func (b *Broker) Pop(group, topic string, queueID, n int) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := groupQueueKey{group, queueKey{topic, queueID}}
	got := min(int64(n), max(b.maxOffsets[k.queueKey]-b.consumerOffsets[k], 0))
	b.consumerOffsets[k] += got
	b.later().inflight[k] += got
	return int(got)
}

// Ack acks up to n in-flight messages (AckMessageProcessor,
// PopInflightMessageCounter.decrementInFlightMessageNum).
func (b *Broker) Ack(group, topic string, queueID, n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := groupQueueKey{group, queueKey{topic, queueID}}
	lt := b.later()
	lt.inflight[k] = max(lt.inflight[k]-int64(n), 0)
}

// Revive is PopReviveService once the invisible time of every in-flight
// message of the queue has passed: each is written to queue 0 of the POP
// retry topic (created if absent), or, popped from a retry topic, back to
// it. A checkpoint whose topic or group no longer exists is skipped and
// its messages are gone (consumeReviveMessage: "can not get normal topic").
func (b *Broker) Revive(group, topic string, queueID int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	k := groupQueueKey{group, queueKey{topic, queueID}}
	lt := b.later()
	n := lt.inflight[k]
	delete(lt.inflight, k)
	_, hasTopic := b.topics[topic]
	_, hasGroup := b.groups[group]
	if n == 0 || !hasTopic || !hasGroup {
		return
	}
	retry := topic
	if !isRetryTopic(topic) {
		retry = b.popRetryTopicLocked(group, topic)
	}
	b.addRetryTopicLocked(retry, group)
	b.putLocked(queueKey{retry, 0}, n)
}

// InFlight returns the group's popped, unacked messages of a queue.
func (b *Broker) InFlight(group, topic string, queueID int) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.later().inflight[groupQueueKey{group, queueKey{topic, queueID}}]
}
