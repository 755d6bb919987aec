package rmqtest

import "maps"

// defaultSlaveSyncPeriod is BrokerController's SlaveSynchronize schedule
// (syncAll every 10 s).
const defaultSlaveSyncPeriod = 10_000

func (r *ControllerRegistry) addBroker(b *Broker) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.brokers[b] = true
}

func (r *ControllerRegistry) removeBroker(b *Broker) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.brokers, b)
}

// master finds the running master of a broker group.
func (r *ControllerRegistry) master(cluster, brokerName string) *Broker {
	r.mu.Lock()
	defer r.mu.Unlock()
	for b := range r.brokers {
		if b.opts.ClusterName != cluster || b.opts.BrokerName != brokerName {
			continue
		}
		b.mu.Lock()
		isMaster := b.brokerID == 0 && !b.isolated
		b.mu.Unlock()
		if isMaster {
			return b
		}
	}
	return nil
}

// slaveSync is what a slave keeps of its master: SlaveSynchronize.syncAll
// (topic configs, consumer offsets, subscription groups) and the commit
// log the HA service replicates (here, the queue offsets).
func (b *Broker) slaveSync() {
	b.mu.Lock()
	slave := b.brokerID != 0 && !b.isolated
	b.mu.Unlock()
	if !slave {
		return
	}
	m := b.opts.Controllers.master(b.opts.ClusterName, b.opts.BrokerName)
	if m == nil || m == b {
		return
	}
	m.mu.Lock()
	topics, groups := maps.Clone(m.topics), maps.Clone(m.groups)
	tv, gv := m.topicVersion, m.groupVersion
	maxOff, consumed := maps.Clone(m.maxOffsets), maps.Clone(m.consumerOffsets)
	m.mu.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.topics, b.groups, b.topicVersion, b.groupVersion = topics, groups, tv, gv
	b.maxOffsets, b.consumerOffsets = maxOff, consumed
	b.haCaughtUp = true
}
