package rmqtest

import (
	"strconv"
	"sync"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// NameServerOptions configure an emulated NameServer.
type NameServerOptions struct {
	// Addr to listen on ("127.0.0.2:9876", or port 0 for any free port).
	Addr string
	// Timers, when set, runs RouteInfoManager.scanNotActiveBroker every
	// 5 s times Timers.Scale: a broker whose last registration is older
	// than the heartbeatTimeoutMillis it sent is removed.
	Timers *Timers
}

// scanNotActiveBrokerInterval is NamesrvConfig.scanNotActiveBrokerInterval.
const scanNotActiveBrokerInterval = 5_000

// liveness is what BrokerLiveInfo keeps besides the data version.
type liveness struct {
	lastUpdate time.Time
	timeout    time.Duration
	brokerName string
	brokerID   int64
}

// NewNameServerWithOptions starts a NameServer with scheduled tasks.
func NewNameServerWithOptions(o NameServerOptions) (*NameServer, error) {
	ns, err := NewNameServer(o.Addr)
	if err != nil {
		return nil, err
	}
	if o.Timers != nil {
		ns.stop = make(chan struct{})
		ns.tasks = &sync.WaitGroup{}
		ns.tasks.Add(1)
		go ns.scanLoop(o.Timers.period(scanNotActiveBrokerInterval), o.Timers.Scale)
	}
	return ns, nil
}

// Close stops the scan and the endpoint.
func (ns *NameServer) Close() error {
	if ns.stop != nil {
		close(ns.stop)
		ns.tasks.Wait()
	}
	return ns.Endpoint.Close()
}

func (ns *NameServer) scanLoop(period time.Duration, scale float64) {
	defer ns.tasks.Done()
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		select {
		case <-ns.stop:
			return
		case now := <-tick.C:
			ns.scanNotActive(now, scale)
		}
	}
}

// scanNotActive removes brokers whose registration lapsed, as
// RouteInfoManager.scanNotActiveBroker does (onChannelDestroy).
func (ns *NameServer) scanNotActive(now time.Time, scale float64) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	for addr, l := range ns.live {
		if now.Sub(l.lastUpdate) > time.Duration(float64(l.timeout)*scale) {
			ns.removeBroker(l.brokerName, addr)
		}
	}
}

// touch records a registration (BrokerLiveInfo). Callers hold ns.mu.
func (ns *NameServer) touch(r *registration, timeoutMillis int64) {
	if timeoutMillis <= 0 {
		timeoutMillis = 120_000 // DEFAULT_BROKER_CHANNEL_EXPIRED_TIME
	}
	ns.live[r.brokerAddr] = liveness{
		lastUpdate: time.Now(), timeout: time.Duration(timeoutMillis) * time.Millisecond,
		brokerName: r.brokerName, brokerID: r.brokerID,
	}
}

// unregisterBroker follows DefaultRequestProcessor.unregisterBroker and
// RouteInfoManager.unRegisterBroker: the address leaves its broker's
// entry; a broker name with no address left leaves its cluster and every
// topic's queue data. Always SUCCESS.
func (ns *NameServer) unregisterBroker(req *remoting.Command) *remoting.Command {
	h := headerOf(req)
	name, _ := h.str("brokerName")
	addr, _ := h.str("brokerAddr")
	ns.mu.Lock()
	defer ns.mu.Unlock()
	ns.removeBroker(name, addr)
	return successResponse()
}

// removeBroker drops one broker address. Callers hold ns.mu.
func (ns *NameServer) removeBroker(name, addr string) {
	delete(ns.brokerLiveTable, addr)
	delete(ns.live, addr)
	bd := ns.brokerAddrTable[name]
	if bd == nil {
		return
	}
	for id, a := range bd.BrokerAddrs {
		if a == addr {
			delete(bd.BrokerAddrs, id)
		}
	}
	if len(bd.BrokerAddrs) > 0 {
		return
	}
	delete(ns.brokerAddrTable, name)
	for c, names := range ns.clusterAddrTable {
		delete(names, name)
		if len(names) == 0 {
			delete(ns.clusterAddrTable, c)
		}
	}
	for topic, qds := range ns.topicQueueTable {
		delete(qds, name)
		if len(qds) == 0 {
			delete(ns.topicQueueTable, topic)
		}
	}
}

// parseMillis reads a header number, 0 when absent or bad.
func parseMillis(v string) int64 {
	n, _ := strconv.ParseInt(v, 10, 64)
	return n
}
