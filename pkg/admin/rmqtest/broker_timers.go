package rmqtest

import (
	"strconv"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// Resolver resolves a host name to IP addresses, as InetAddress.getAllByName
// does for the JVM. Tests resolve cluster DNS names from the API server's
// Pods and Services; nothing here asks a DNS server.
type Resolver interface {
	LookupHost(host string) ([]string, error)
}

// Timers runs the emulated processes' scheduled tasks at their Java periods
// times Scale (0.1: a 30 s period fires every 3 s). The defaults are the
// Java ones; a broker.conf key of the same name overrides its period.
type Timers struct {
	Scale float64
}

// period is the scaled duration of a Java period in milliseconds.
func (t *Timers) period(ms int64) time.Duration {
	d := time.Duration(float64(ms) * t.Scale * float64(time.Millisecond))
	return max(d, 10*time.Millisecond)
}

// Java defaults (BrokerConfig) of the broker's scheduled tasks.
const (
	defaultRegisterNameServerPeriod   = 30_000  // registerNameServerPeriod
	defaultUpdateNameServerAddrPeriod = 120_000 // updateNameServerAddrPeriod
	defaultBrokerHeartbeatInterval    = 1_000   // brokerHeartbeatInterval (to the controller)
)

// configMillis reads a period key of the broker's config, or def.
func (b *Broker) configMillis(key string, def int64) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	if v, err := strconv.ParseInt(b.config[key], 10, 64); err == nil && v > 0 {
		return v
	}
	return def
}

// startTimers schedules what BrokerController.start schedules: the
// registration with every NameServer (registerNameServerPeriod, clamped to
// 10..60 s as Java does), the NameServer address refresh
// (updateNameServerAddrPeriod) and, in Controller mode, the heartbeat to
// the controller (ReplicasManager, brokerHeartbeatInterval).
func (b *Broker) startTimers() {
	t := b.opts.Timers
	if t == nil {
		return
	}
	reg := min(max(b.configMillis("registerNameServerPeriod", defaultRegisterNameServerPeriod), 10_000), 60_000)
	b.every(t.period(reg), b.registerAll)
	b.every(t.period(b.configMillis("updateNameServerAddrPeriod", defaultUpdateNameServerAddrPeriod)), b.refreshNameServers)
	if b.ctl != nil {
		b.every(t.period(b.configMillis("brokerHeartbeatInterval", defaultBrokerHeartbeatInterval)), b.controllerTick)
	}
	if b.opts.Controllers != nil {
		b.every(t.period(defaultSlaveSyncPeriod), b.slaveSync)
		b.every(t.period(defaultHASyncPeriod), b.haSync)
	}
}

// every runs f each period until Close.
func (b *Broker) every(period time.Duration, f func()) {
	b.tasks.Add(1)
	go func() {
		defer b.tasks.Done()
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			select {
			case <-b.stop:
				return
			case <-tick.C:
				f()
			}
		}
	}()
}

// unregisterAll is BrokerController.unregisterBrokerAll: UNREGISTER_BROKER
// to every NameServer of the current list, failures only logged.
func (b *Broker) unregisterAll() {
	b.mu.Lock()
	namesrvs := append([]string(nil), b.namesrvList...)
	id := b.brokerID
	b.mu.Unlock()
	addr := b.RegisteredAddr()
	for _, entry := range namesrvs {
		ns, ok := b.dialAddr(entry)
		if !ok {
			continue
		}
		_, _ = b.reg.call(ns, &remoting.Command{
			Code: admin.CodeUnregisterBroker, Language: "JAVA", Version: serverVersion,
			ExtFields: map[string]string{
				"brokerName": b.opts.BrokerName, "brokerAddr": addr,
				"clusterName": b.opts.ClusterName, "brokerId": strconv.FormatInt(id, 10),
			},
		})
	}
}
