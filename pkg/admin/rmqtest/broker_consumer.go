package rmqtest

import (
	"strconv"
	"strings"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// frameQueryOffset is where queryConsumerOffset unboxes a null queueId
// (ConsumerOffsetManager.queryOffset takes an int); the line is the one of
// the argument list in 8fc57f1.
const frameQueryOffset = "org.apache.rocketmq.broker.processor.ConsumerManageProcessor.queryConsumerOffset(ConsumerManageProcessor.java:323)"

// queryConsumerOffset follows ConsumerManageProcessor.queryConsumerOffset:
// the committed offset; without one QUERY_NOT_FOUND when setZeroIfNotFound
// is false, else 0 only when the queue's min offset is 0 and its first
// message is in memory (the emulator has no page cache: a queue holding
// any message from offset 0 counts as in memory), else QUERY_NOT_FOUND. A
// null topic fails first, in TopicQueueMappingManager.getTopicQueueMapping.
func (b *Broker) queryConsumerOffset(req *remoting.Command) *remoting.Command {
	h := headerOf(req)
	topic, ok := h.str("topic")
	if !ok {
		return npe(frameMapGet)
	}
	group := javaString(h.str("consumerGroup"))
	queueID, ok := h.integer("queueId")
	if !ok {
		return npe(frameQueryOffset)
	}
	_, hasZero := h.str("setZeroIfNotFound")
	b.mu.Lock()
	defer b.mu.Unlock()
	k := queueKey{topic, queueID}
	if off, ok := b.consumerOffsets[groupQueueKey{group, k}]; ok {
		return offsetResponse(off)
	}
	switch {
	case hasZero && !h.boolean("setZeroIfNotFound"):
		return errorResponse(admin.CodeQueryNotFound, "Not found, do not set to zero, maybe this group boot first")
	case b.minOffsetLocked(k) <= 0 && b.maxOffsets[k] > 0:
		return offsetResponse(0)
	}
	return errorResponse(admin.CodeQueryNotFound, "Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first")
}

// updateConsumerOffset follows ConsumerManageProcessor.updateConsumerOffset:
// group (blank or unknown), topic, queueId and commitOffset are checked in
// that order, then the offset is committed whatever it was before.
func (b *Broker) updateConsumerOffset(req *remoting.Command) *remoting.Command {
	h := headerOf(req)
	topic, ok := h.str("topic")
	if !ok {
		return npe(frameMapGet)
	}
	group, hasGroup := h.str("consumerGroup")
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.groups[group]; !ok || !hasGroup || strings.TrimSpace(group) == "" {
		return errorResponse(admin.CodeSubscriptionGroupNotExist, "Group "+javaString(group, hasGroup)+" not exist!")
	}
	if _, ok := b.topics[topic]; !ok {
		return errorResponse(admin.CodeTopicNotExist, "Topic "+topic+" not exist!")
	}
	queueID, ok := h.integer("queueId")
	if !ok {
		return errorResponse(admin.CodeInvalidParameter, "QueueId is null, topic is "+topic)
	}
	offset, ok := h.long("commitOffset")
	if !ok {
		return errorResponse(admin.CodeInvalidParameter, "Offset is null, topic is "+topic)
	}
	b.consumerOffsets[groupQueueKey{group, queueKey{topic, queueID}}] = offset
	return successResponse()
}

// minOffset follows AdminBrokerProcessor.getMinOffset: the queue's min
// offset (0 for a queue or topic the store does not have). A null topic or
// queueId throws inside handleGetMinOffset, which getMinOffset catches:
// SYSTEM_ERROR with the NPE's message, null on JDK 8.
func (b *Broker) minOffset(req *remoting.Command) *remoting.Command {
	h := headerOf(req)
	topic, ok := h.str("topic")
	queueID, okQ := h.integer("queueId")
	if !ok || !okQ {
		return errorResponse(admin.CodeSystemError, "")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return offsetResponse(b.minOffsetLocked(queueKey{topic, queueID}))
}

func offsetResponse(off int64) *remoting.Command {
	resp := successResponse()
	resp.ExtFields = map[string]string{"offset": strconv.FormatInt(off, 10)}
	return resp
}

func (b *Broker) minOffsetLocked(k queueKey) int64 {
	return b.later().minOffsets[k]
}

// SetMinOffset sets the smallest offset still stored in a queue, as the
// message store reports it once old commit log files were deleted.
func (b *Broker) SetMinOffset(topic string, queueID int, offset int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.later().minOffsets[queueKey{topic, queueID}] = offset
}

// ConsumerOffset returns a group's committed offset on a queue and whether
// it has one.
func (b *Broker) ConsumerOffset(group, topic string, queueID int) (int64, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	off, ok := b.consumerOffsets[groupQueueKey{group, queueKey{topic, queueID}}]
	return off, ok
}
