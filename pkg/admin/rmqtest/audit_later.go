package rmqtest

import "maps"

// pendingLossLocked records the delayed, timer and half messages still to
// be written into topic, which DELETE_TOPIC_IN_BROKER strands: the
// schedule, timer and transaction services write them into a queue no
// topic config or route leads to. b.mu must be held.
func (b *Broker) pendingLossLocked(what string, code int, topic string) []DataLossRecord {
	delayed, timer, half := b.later().pendingFor(topic)
	var out []DataLossRecord
	for _, p := range []struct {
		kind   string
		counts map[int]int64
	}{{LossDelayed, delayed}, {LossTimer, timer}, {LossHalf, half}} {
		for q, n := range p.counts {
			out = append(out, DataLossRecord{
				What: what, Code: code, Broker: b.opts.BrokerName, Addr: b.Addr(),
				Topic: topic, QueueID: q, Messages: n, Kind: p.kind,
			})
		}
	}
	sortRecords(out)
	return out
}

// inflightLossLocked records and forgets the popped, unacked messages of
// the queues match selects (PopInflightMessageCounter.clearInFlightMessageNumBy*);
// their checkpoints will be skipped by the revive service. b.mu must be held.
func (b *Broker) inflightLossLocked(what string, code int, match func(groupQueueKey) bool) []DataLossRecord {
	lt := b.later()
	var out []DataLossRecord
	for k, n := range lt.inflight {
		if n > 0 && match(k) {
			out = append(out, DataLossRecord{
				What: what, Code: code, Broker: b.opts.BrokerName, Addr: b.Addr(),
				Topic: k.topic, Group: k.group, QueueID: k.queueID, Messages: n, Kind: LossPopInFlight,
			})
		}
	}
	maps.DeleteFunc(lt.inflight, func(k groupQueueKey, _ int64) bool { return match(k) })
	sortRecords(out)
	return out
}
