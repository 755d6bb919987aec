package rmqtest

import (
	"fmt"
	"sort"
	"sync"
)

// DataLossRecord is one destructive request that threw away messages some
// consumer group had not consumed yet, as the audit saw it at the moment the
// request was served. Java serves these requests without any such check:
// the audit is the emulator's own, so that tests can prove an operation
// never loses data.
type DataLossRecord struct {
	// What the request was: "DELETE_TOPIC_IN_BROKER",
	// "DELETE_SUBSCRIPTIONGROUP", "DELETE_TOPIC_IN_NAMESRV".
	What string
	// Code of the request.
	Code int
	// Broker is the broker name whose data was lost; Addr its address.
	Broker, Addr string
	// Topic, Group and QueueID of the lost messages.
	Topic, Group string
	QueueID      int
	// Messages is how many messages the group had not consumed
	// (max offset − consumer offset), or, for the other kinds, how many
	// messages were still to be written into the queue or acked.
	Messages int64
	// Kind of the lost messages: "" for unconsumed messages of the queue,
	// else LossDelayed, LossTimer, LossHalf or LossPopInFlight (Group is
	// "" for the first three: they are lost to every group).
	Kind string
}

// Kinds of DataLossRecord besides unconsumed queue messages.
const (
	// LossDelayed: SCHEDULE_TOPIC_XXXX messages not delivered yet.
	LossDelayed = "delayed"
	// LossTimer: timer wheel messages not delivered yet.
	LossTimer = "timer"
	// LossHalf: prepared transactional messages not committed yet.
	LossHalf = "half"
	// LossPopInFlight: popped, unacked messages the revive service drops.
	LossPopInFlight = "pop-inflight"
)

func (r DataLossRecord) String() string {
	if r.Kind != "" {
		return fmt.Sprintf("%s on %s (%s): %d %s message(s) of topic %q queue %d (group %q)",
			r.What, r.Broker, r.Addr, r.Messages, r.Kind, r.Topic, r.QueueID, r.Group)
	}
	return fmt.Sprintf("%s on %s (%s): group %q had %d unconsumed message(s) of topic %q queue %d",
		r.What, r.Broker, r.Addr, r.Group, r.Messages, r.Topic, r.QueueID)
}

// DataLosser is anything that keeps an audit: *Broker and *NameServer.
type DataLosser interface {
	DataLoss() []DataLossRecord
}

// CollectDataLoss gathers the records of many brokers and NameServers.
func CollectDataLoss(from ...DataLosser) []DataLossRecord {
	var out []DataLossRecord
	for _, d := range from {
		if d != nil {
			out = append(out, d.DataLoss()...)
		}
	}
	return out
}

// audit is an append-only list of records, safe for concurrent use.
type audit struct {
	mu      sync.Mutex
	records []DataLossRecord
}

func (a *audit) add(rs ...DataLossRecord) {
	if len(rs) == 0 {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.records = append(a.records, rs...)
}

func (a *audit) list() []DataLossRecord {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]DataLossRecord(nil), a.records...)
}

// DataLoss returns every data-loss record of this broker, oldest first.
func (b *Broker) DataLoss() []DataLossRecord { return b.audit.list() }

// DataLoss returns every data-loss record of this NameServer, oldest first.
func (ns *NameServer) DataLoss() []DataLossRecord { return ns.audit.list() }

// unconsumedLocked lists, for every group with a consumer offset on topic
// (ConsumerOffsetManager.whichGroupByTopic) accepted by keep, each queue
// whose max offset is beyond the group's offset (missing offsets count as 0,
// as getConsumeStats reads them). b.mu must be held.
func (b *Broker) unconsumedLocked(what string, code int, topic string, keep func(group string) bool) []DataLossRecord {
	groups := map[string]bool{}
	for k := range b.consumerOffsets {
		if k.topic == topic && keep(k.group) {
			groups[k.group] = true
		}
	}
	var out []DataLossRecord
	for group := range groups {
		for k, maxOffset := range b.maxOffsets {
			if k.topic != topic {
				continue
			}
			if left := maxOffset - b.consumerOffsets[groupQueueKey{group, k}]; left > 0 {
				out = append(out, DataLossRecord{
					What: what, Code: code, Broker: b.opts.BrokerName, Addr: b.Addr(),
					Topic: topic, Group: group, QueueID: k.queueID, Messages: left,
				})
			}
		}
	}
	sortRecords(out)
	return out
}

func sortRecords(rs []DataLossRecord) {
	sort.Slice(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if a.Topic != b.Topic {
			return a.Topic < b.Topic
		}
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		return a.QueueID < b.QueueID
	})
}

// auditDeleteTopicLocked is called by DELETE_TOPIC_IN_BROKER before the
// topic goes: ConsumerOffsetManager.cleanOffsetByTopic drops every group's
// offsets and the message store drops the queues.
func (b *Broker) auditDeleteTopicLocked(code int, topic string) {
	b.audit.add(b.unconsumedLocked("DELETE_TOPIC_IN_BROKER", code, topic, func(string) bool { return true })...)
	b.audit.add(b.pendingLossLocked("DELETE_TOPIC_IN_BROKER", code, topic)...)
	b.audit.add(b.inflightLossLocked("DELETE_TOPIC_IN_BROKER", code, func(k groupQueueKey) bool { return k.topic == topic })...)
}

// auditDeleteGroupLocked is called by DELETE_SUBSCRIPTIONGROUP with
// cleanOffset before the offsets go (ConsumerOffsetManager.removeOffset):
// every topic the group has offsets on (whichTopicByConsumer) and has not
// consumed to the end is lost to it.
func (b *Broker) auditDeleteGroupLocked(code int, group string) {
	topics := map[string]bool{}
	for k := range b.consumerOffsets {
		if k.group == group {
			topics[k.topic] = true
		}
	}
	for topic := range topics {
		b.audit.add(b.unconsumedLocked("DELETE_SUBSCRIPTIONGROUP", code, topic, func(g string) bool { return g == group })...)
	}
}

// auditDeleteGroupInFlightLocked is called by DELETE_SUBSCRIPTIONGROUP
// with or without cleanOffset: the revive service skips the checkpoints of
// a group that no longer exists, so its in-flight POP messages are gone
// either way (only cleanOffset also clears PopInflightMessageCounter).
func (b *Broker) auditDeleteGroupInFlightLocked(code int, group string) {
	b.audit.add(b.inflightLossLocked("DELETE_SUBSCRIPTIONGROUP", code, func(k groupQueueKey) bool { return k.group == group })...)
}

// unconsumed returns the unconsumed messages of every group on topic, for
// the NameServer's audit.
func (b *Broker) unconsumed(what string, code int, topic string) []DataLossRecord {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.topics[topic]; !ok {
		return nil
	}
	return b.unconsumedLocked(what, code, topic, func(string) bool { return true })
}

// liveBrokers maps the address of every running emulated broker to it, so
// that a NameServer's audit can look at the data behind a route it deletes.
var liveBrokers sync.Map // addr → *Broker

func trackBroker(b *Broker)   { liveBrokers.Store(b.Addr(), b) }
func untrackBroker(b *Broker) { liveBrokers.CompareAndDelete(b.Addr(), b) }

// auditDeleteRoute is called by DELETE_TOPIC_IN_NAMESRV after the route of
// topic lost the brokers named in removed (name → master address). Once no
// route of the topic is left, clients can reach none of its queues: every
// removed broker that still holds unconsumed messages of the topic is
// recorded.
func (ns *NameServer) auditDeleteRoute(code int, topic string, removed map[string]string, lastRoute bool) {
	if !lastRoute {
		return
	}
	for _, name := range sortedNames(removed) {
		v, ok := liveBrokers.Load(removed[name])
		if !ok {
			continue
		}
		ns.audit.add(v.(*Broker).unconsumed("DELETE_TOPIC_IN_NAMESRV", code, topic)...)
	}
}
