package rmqtest

import "maps"

// defaultSlaveSyncPeriod is BrokerController's SlaveSynchronize schedule
// (syncAll every 10 s); defaultHASyncPeriod stands for the HA service's
// continuous transfer (it pushes every few milliseconds; 1 s is enough
// for the emulator's offsets).
const (
	defaultSlaveSyncPeriod = 10_000
	defaultHASyncPeriod    = 1_000
)

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

// slaveMaster returns the running master of this broker's group when this
// broker is a slave with a role, else nil.
func (b *Broker) slaveMaster() *Broker {
	b.mu.Lock()
	slave := b.brokerID != 0 && !b.isolated
	b.mu.Unlock()
	if !slave {
		return nil
	}
	if m := b.opts.Controllers.master(b.opts.ClusterName, b.opts.BrokerName); m != b {
		return m
	}
	return nil
}

// haSync is the HA service: the slave's commit log follows the master's
// continuously (here, the queue offsets), and once it has caught up the
// slave may join the SyncStateSet.
func (b *Broker) haSync() {
	m := b.slaveMaster()
	if m == nil {
		return
	}
	m.mu.Lock()
	maxOff := maps.Clone(m.maxOffsets)
	m.mu.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.maxOffsets = maxOff
	b.haCaughtUp = true
}

// slaveSync is SlaveSynchronize.syncAll, every 10 s: topic configs,
// consumer offsets and subscription groups. It lags the HA service, so a
// topic created less than a period before its master goes away can be
// missing on a slave elected in its place, as in Java.
func (b *Broker) slaveSync() {
	m := b.slaveMaster()
	if m == nil {
		return
	}
	m.mu.Lock()
	topics, groups := maps.Clone(m.topics), maps.Clone(m.groups)
	tv, gv := m.topicVersion, m.groupVersion
	consumed := maps.Clone(m.consumerOffsets)
	m.mu.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.topics, b.groups, b.topicVersion, b.groupVersion = topics, groups, tv, gv
	b.consumerOffsets = consumed
}
