package rmqtest

import (
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// ControllerRegistry connects emulated controllers and the brokers of
// Controller mode. The broker-controller protocol (ReplicasManager to
// ControllerManager: heartbeats, APPLY_BROKER_ID, ELECT_MASTER) is not
// spoken over the wire: no code of this project speaks it, so a broker
// finds its controllers here, by the address controllerAddr resolves to,
// and the decisions follow the Java classes named on each method.
//
// It is also the HA link between brokers of one group: a slave copies its
// master's metadata and message offsets through it (SlaveSynchronize and
// the HA service), since neither is a request code this project speaks.
type ControllerRegistry struct {
	mu      sync.Mutex
	byAddr  map[string]*Controller
	quorums map[string]*quorum
	brokers map[*Broker]bool
}

// NewControllerRegistry makes an empty registry.
func NewControllerRegistry() *ControllerRegistry {
	return &ControllerRegistry{byAddr: map[string]*Controller{}, quorums: map[string]*quorum{}, brokers: map[*Broker]bool{}}
}

// ControllerOptions configure an emulated controller.
type ControllerOptions struct {
	// Addr to listen on (the controller port, 9878).
	Addr string
	// Config is the controller's config file: controllerDLegerGroup,
	// controllerDLegerPeers, controllerDLegerSelfId,
	// enableElectUncleanMaster.
	Config   map[string]string
	Registry *ControllerRegistry
	Timers   *Timers
}

// Controller emulates one member of a DLedger (or jRaft) controller
// quorum: ControllerManager with DLedgerController and
// DefaultBrokerHeartbeatManager.
type Controller struct {
	*Endpoint
	reg    *ControllerRegistry
	q      *quorum
	selfID string
	stop   chan struct{}
	tasks  sync.WaitGroup
}

// NewController starts a controller and adds it to its quorum.
func NewController(o ControllerOptions) (*Controller, error) {
	ep, err := listen(o.Addr)
	if err != nil {
		return nil, err
	}
	// The controller's own request codes are not served (see
	// ControllerRegistry): unsupported, as for any unknown code.
	ep.start(func(req *remoting.Command) *remoting.Command { return unsupported(req) })
	c := &Controller{Endpoint: ep, reg: o.Registry, selfID: o.Config["controllerDLegerSelfId"], stop: make(chan struct{})}
	o.Registry.join(c, o.Config)
	if o.Timers != nil {
		c.tasks.Add(1)
		go c.scanLoop(o.Timers, o.Config)
	}
	return c, nil
}

// Close stops the controller; its quorum loses a member.
func (c *Controller) Close() error {
	close(c.stop)
	c.tasks.Wait()
	c.reg.leave(c)
	return c.Endpoint.Close()
}

// join adds c to the quorum of its DLedger group; the group is named by
// controllerDLegerGroup and its peers, so two clusters never share one.
func (r *ControllerRegistry) join(c *Controller, conf map[string]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	peers := strings.Split(conf["controllerDLegerPeers"], ";")
	key := conf["controllerDLegerGroup"] + "|" + conf["controllerDLegerPeers"]
	q := r.quorums[key]
	if q == nil {
		q = &quorum{peers: len(peers), alive: map[string]bool{}, groups: map[string]*replicaGroup{},
			unclean: conf["enableElectUncleanMaster"] == "true"}
		r.quorums[key] = q
	}
	q.mu.Lock()
	q.alive[c.selfID] = true
	q.mu.Unlock()
	// c.q is set before c is findable: find reads it under r.mu.
	c.q = q
	r.byAddr[c.Addr()] = c
}

func (r *ControllerRegistry) leave(c *Controller) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.byAddr, c.Addr())
	c.q.mu.Lock()
	delete(c.q.alive, c.selfID)
	c.q.mu.Unlock()
}

// find returns the quorum of the first controller listening on one of
// addrs, or nil.
func (r *ControllerRegistry) find(addrs []string) *quorum {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range addrs {
		if c := r.byAddr[a]; c != nil {
			return c.q
		}
	}
	return nil
}

// scanLoop is DefaultBrokerHeartbeatManager's scan
// (scanNotActiveBrokerInterval, 5 s): brokers whose heartbeat lapsed are
// inactive, and a group whose master is inactive elects a new one.
func (c *Controller) scanLoop(t *Timers, conf map[string]string) {
	defer c.tasks.Done()
	tick := time.NewTicker(t.period(5_000))
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case now := <-tick.C:
			c.q.scan(now)
		}
	}
}

// quorum is the replicated state of one controller group
// (ReplicasInfoManager): it decides only while a majority of its peers
// runs, as a DLedger/jRaft leader needs.
type quorum struct {
	mu      sync.Mutex
	peers   int
	alive   map[string]bool
	groups  map[string]*replicaGroup
	unclean bool
}

// replicaGroup is one broker group's SyncStateInfo and BrokerReplicaInfo.
type replicaGroup struct {
	master   string
	epoch    int
	syncSet  map[string]bool
	ids      map[string]int64
	nextID   int64
	lastBeat map[string]time.Time
	timeout  map[string]time.Duration
}

func (q *quorum) hasLeader() bool { return len(q.alive)*2 > q.peers }

func (q *quorum) group(name string) *replicaGroup {
	g := q.groups[name]
	if g == nil {
		g = &replicaGroup{syncSet: map[string]bool{}, ids: map[string]int64{}, nextID: 1,
			lastBeat: map[string]time.Time{}, timeout: map[string]time.Duration{}}
		q.groups[name] = g
	}
	return g
}

// heartbeat is BROKER_HEARTBEAT plus what ReplicasManager does around it:
// the first contact applies for a broker id (GET_NEXT_BROKER_ID,
// APPLY_BROKER_ID, REGISTER_BROKER_TO_CONTROLLER; a restarted broker keeps
// the id stored in its BrokerMetadata), a group without a master elects
// one (ELECT_MASTER, DefaultElectPolicy), and a slave that caught up joins
// the SyncStateSet (ALTER_SYNC_STATE_SET, sent by the master's
// AutoSwitchHAService.maybeExpandInSyncStateSet once the slave's HA
// offset reached the master's; caughtUp says so). It returns the role:
// its id when a master exists (0 for the master), ok false when the
// quorum has no leader or the group no master.
func (q *quorum) heartbeat(group, addr string, storedID int64, timeout time.Duration, caughtUp bool, now time.Time) (id int64, master bool, ok bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.hasLeader() {
		return 0, false, false
	}
	g := q.group(group)
	if _, known := g.ids[addr]; !known {
		if storedID <= 0 {
			storedID = g.nextID
		}
		g.ids[addr] = storedID
		g.nextID = max(g.nextID, storedID+1)
	}
	g.lastBeat[addr], g.timeout[addr] = now, timeout
	if g.master == "" {
		q.elect(g, now)
	}
	if g.master != "" && g.master != addr && caughtUp {
		g.syncSet[addr] = true
	}
	if g.master == "" {
		return g.ids[addr], false, false
	}
	return g.ids[addr], g.master == addr, true
}

// active says whether a broker's heartbeat is recent.
func (g *replicaGroup) active(addr string, now time.Time) bool {
	t, ok := g.lastBeat[addr]
	return ok && now.Sub(t) <= g.timeout[addr]
}

// elect follows DefaultElectPolicy: a new master only from the active
// members of the SyncStateSet, any active broker only with
// enableElectUncleanMaster; the first broker of a new group (empty
// SyncStateSet) is elected. The new master's SyncStateSet is itself.
func (q *quorum) elect(g *replicaGroup, now time.Time) {
	var candidates []string
	for addr := range g.lastBeat {
		if !g.active(addr, now) {
			continue
		}
		if len(g.syncSet) == 0 || g.syncSet[addr] || q.unclean {
			candidates = append(candidates, addr)
		}
	}
	sort.Strings(candidates)
	g.master = ""
	if len(candidates) == 0 {
		return
	}
	g.master = candidates[0]
	g.epoch++
	g.syncSet = map[string]bool{g.master: true}
}

// scan removes inactive brokers from the SyncStateSet and re-elects when
// the master is inactive (ControllerManager.onBrokerInactive).
func (q *quorum) scan(now time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.hasLeader() {
		return
	}
	for _, g := range q.groups {
		for addr := range g.syncSet {
			if addr != g.master && !g.active(addr, now) {
				delete(g.syncSet, addr)
			}
		}
		if g.master != "" && !g.active(g.master, now) {
			delete(g.syncSet, g.master)
			if len(g.syncSet) == 0 && !q.unclean {
				// Nobody in sync: no master until the old one returns.
				g.syncSet[g.master] = true
				g.master = ""
				continue
			}
			q.elect(g, now)
		}
	}
}

// replicaMember is a broker's side of Controller mode (ReplicasManager).
type replicaMember struct {
	registry *ControllerRegistry
	q        *quorum
	timeout  time.Duration
}

// defaultControllerHeartBeatTimeout is BrokerConfig.controllerHeartBeatTimeoutMills.
const defaultControllerHeartBeatTimeout = 10_000

// joinController starts Controller mode: the broker starts isolated (no
// NameServer registration, BrokerController.isIsolated) until the
// controller gives it a role.
func (b *Broker) joinController() {
	if b.config["enableControllerMode"] != "true" || b.opts.Controllers == nil {
		return
	}
	scale := 1.0
	if b.opts.Timers != nil {
		scale = b.opts.Timers.Scale
	}
	ms := b.configMillis("controllerHeartBeatTimeoutMills", defaultControllerHeartBeatTimeout)
	b.ctl = &replicaMember{registry: b.opts.Controllers, timeout: time.Duration(float64(ms)*scale) * time.Millisecond}
	b.isolated = true
	b.controllerTick()
}

// controllerAddrs resolves controllerAddr as the broker's RemotingClient
// would: each ';' entry's host through the Resolver.
func (b *Broker) controllerAddrs() []string {
	b.mu.Lock()
	list := b.config["controllerAddr"]
	b.mu.Unlock()
	var out []string
	for _, a := range strings.Split(list, ";") {
		host, port, err := net.SplitHostPort(strings.TrimSpace(a))
		if err != nil {
			continue
		}
		ips := []string{host}
		if net.ParseIP(host) == nil {
			if b.opts.Resolver == nil {
				continue
			}
			if ips, err = b.opts.Resolver.LookupHost(host); err != nil {
				continue
			}
		}
		for _, ip := range ips {
			out = append(out, net.JoinHostPort(ip, port))
		}
	}
	return out
}

// controllerTick is one heartbeat round of ReplicasManager: find the
// controllers, beat, and take the role the controller decided. A changed
// role re-registers with the NameServers (changeToMaster/changeToSlave
// end in registerBrokerAll).
func (b *Broker) controllerTick() {
	m := b.ctl
	if m.q == nil {
		if m.q = m.registry.find(b.controllerAddrs()); m.q == nil {
			return
		}
	}
	b.mu.Lock()
	stored, caughtUp := b.storedControllerID, b.haCaughtUp
	b.mu.Unlock()
	id, master, ok := m.q.heartbeat(b.opts.BrokerName, b.RegisteredAddr(), stored, m.timeout, caughtUp, time.Now())
	if !ok {
		return
	}
	want := id
	if master {
		want = 0 // MixAll.MASTER_ID
	}
	b.mu.Lock()
	b.storedControllerID = id
	changed := b.isolated || b.brokerID != want
	b.brokerID, b.isolated = want, false
	b.mu.Unlock()
	if changed {
		b.registerAll()
	}
}
