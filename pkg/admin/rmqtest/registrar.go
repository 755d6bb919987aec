package rmqtest

import (
	"bufio"
	"fmt"
	"hash/crc32"
	"maps"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// registerTimeout bounds one REGISTER_BROKER round trip. Java waits up to
// registerBrokerTimeoutMills (24 s); tests want failures to be quick.
const registerTimeout = 3 * time.Second

// registrar is the broker's side of BrokerOuterAPI.registerBrokerAll: one
// connection per NameServer, one request at a time.
type registrar struct {
	opaque atomic.Int32
	mu     sync.Mutex
	conns  map[string]*syncConn
}

type syncConn struct {
	nc net.Conn
	r  *bufio.Reader
}

func newRegistrar() *registrar { return &registrar{conns: make(map[string]*syncConn)} }

func (r *registrar) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for addr, c := range r.conns {
		_ = c.nc.Close()
		delete(r.conns, addr)
	}
}

// call sends one request and waits for its response, redialling once.
func (r *registrar) call(addr string, req *remoting.Command) (*remoting.Command, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	req.Opaque = r.opaque.Add(1)
	frame, err := remoting.Encode(req)
	if err != nil {
		return nil, err
	}
	for attempt := 0; attempt < 2; attempt++ {
		c, err := r.dial(addr)
		if err != nil {
			return nil, err
		}
		resp, err := c.roundTrip(frame, req.Opaque)
		if err == nil {
			return resp, nil
		}
		_ = c.nc.Close()
		delete(r.conns, addr)
	}
	return nil, fmt.Errorf("registering with %s failed twice", addr)
}

func (r *registrar) dial(addr string) (*syncConn, error) {
	if c := r.conns[addr]; c != nil {
		return c, nil
	}
	nc, err := net.DialTimeout("tcp", addr, registerTimeout)
	if err != nil {
		return nil, err
	}
	c := &syncConn{nc: nc, r: bufio.NewReader(nc)}
	r.conns[addr] = c
	return c, nil
}

func (c *syncConn) roundTrip(frame []byte, opaque int32) (*remoting.Command, error) {
	if err := c.nc.SetDeadline(time.Now().Add(registerTimeout)); err != nil {
		return nil, err
	}
	if _, err := c.nc.Write(frame); err != nil {
		return nil, err
	}
	for {
		resp, err := remoting.ReadCommand(c.r, remoting.MaxFrameLength)
		if err != nil {
			return nil, err
		}
		if resp.Opaque == opaque {
			return resp, nil
		}
	}
}

// registerAll sends the whole topic table (BrokerController.registerBrokerAll).
func (b *Broker) registerAll() {
	b.mu.Lock()
	tcs := make([]admin.TopicConfig, 0, len(b.topics))
	for _, tc := range b.topics {
		tcs = append(tcs, tc)
	}
	b.mu.Unlock()
	b.register(tcs)
}

// register sends REGISTER_BROKER with the given topics to every NameServer
// of the broker's current list. With brokerPermission not read-write, each
// topic's perm is masked with it (registerIncrementBrokerData /
// registerBrokerAll). Failures are ignored as Java only logs them.
func (b *Broker) register(tcs []admin.TopicConfig) {
	b.mu.Lock()
	if b.isolated {
		b.mu.Unlock()
		return
	}
	brokerPerm, _ := strconv.Atoi(b.config["brokerPermission"])
	namesrvs := append([]string(nil), b.namesrvList...)
	version := b.topicVersion
	b.mu.Unlock()
	table := make(map[string]admin.TopicConfig, len(tcs))
	for _, tc := range tcs {
		if brokerPerm&admin.PermRead == 0 || brokerPerm&admin.PermWrite == 0 {
			tc.Perm &= brokerPerm
		}
		table[tc.TopicName] = tc
	}
	body := mustJSON(map[string]any{
		"topicConfigSerializeWrapper": map[string]any{"topicConfigTable": table, "dataVersion": version},
		"filterServerList":            []string{},
	})
	for _, ns := range namesrvs {
		if addr, ok := b.dialAddr(ns); ok {
			_, _ = b.reg.call(addr, b.registerRequest(body))
		}
	}
}

// dialAddr is where a connection to a NameServer entry goes: a host name
// resolves at connect time to its first address, as
// RemotingHelper.string2SocketAddress does; only loopback is ever dialled.
func (b *Broker) dialAddr(entry string) (string, bool) {
	entry = strings.TrimSpace(entry)
	host, port, err := net.SplitHostPort(entry)
	if err != nil {
		return "", false
	}
	if net.ParseIP(host) == nil && b.opts.Resolver != nil {
		ips, err := b.opts.Resolver.LookupHost(host)
		if err != nil || len(ips) == 0 {
			return "", false
		}
		entry = net.JoinHostPort(ips[0], port)
	}
	return entry, isLoopback(entry)
}

// nameServerTargets is the broker's NameServer list as BrokerController's
// updateNamesrvAddr builds it. With fetchNameSrvAddrByDnsLookup=true the
// whole namesrvAddr is one domain: BrokerOuterAPI.dnsLookupAddressByDomain
// splits host and port at the first ':' and resolves the host to all its
// addresses, so a ';' list becomes a single unusable name and the broker
// registers nowhere. That is the quirk the status controller must avoid by
// switching the lookup off when it pushes a list. Names are resolved only
// through the broker's Resolver.
func (b *Broker) nameServerTargets(config map[string]string) []string {
	addr := config["namesrvAddr"]
	if config["fetchNameSrvAddrByDnsLookup"] != "true" {
		return strings.Split(addr, ";")
	}
	i := strings.IndexByte(addr, ':')
	if i < 0 {
		return nil
	}
	host, port := addr[:i], addr[i+1:]
	if ip := net.ParseIP(host); ip != nil {
		return []string{addr}
	}
	if b.opts.Resolver == nil {
		return []string{addr}
	}
	ips, err := b.opts.Resolver.LookupHost(host)
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(ips))
	for _, ip := range ips {
		out = append(out, net.JoinHostPort(ip, port))
	}
	return out
}

// refreshNameServers is BrokerController.updateNamesrvAddr followed by
// NettyRemotingClient.updateNameServerAddressList: the list is replaced
// only by a non-empty answer.
func (b *Broker) refreshNameServers() {
	b.mu.Lock()
	config := maps.Clone(b.config)
	b.mu.Unlock()
	list := b.nameServerTargets(config)
	if len(list) == 0 {
		return
	}
	b.mu.Lock()
	b.namesrvList = list
	b.mu.Unlock()
}

// isLoopback says whether addr is host:port with a loopback IP literal.
// Java resolves host names in namesrvAddr; the emulator registers only
// with loopback literals, so a test that hands brokers pod DNS names (as
// the rendered clusters and the status controller do) never resolves or
// dials anything outside this machine.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (b *Broker) registerRequest(body []byte) *remoting.Command {
	addr := b.RegisteredAddr()
	b.mu.Lock()
	id := b.brokerID
	b.mu.Unlock()
	return &remoting.Command{
		Code: admin.CodeRegisterBroker, Language: "JAVA", Version: serverVersion,
		ExtFields: map[string]string{
			"brokerName":             b.opts.BrokerName,
			"brokerAddr":             addr,
			"clusterName":            b.opts.ClusterName,
			"haServerAddr":           addr,
			"brokerId":               strconv.FormatInt(id, 10),
			"heartbeatTimeoutMillis": "120000",
			"enableActingMaster":     "false",
			"compressed":             "false",
			"bodyCrc32":              strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)&0x7FFFFFFF), 10),
		},
		Body: body,
	}
}

// RegisteredAddr is the address the broker registers under:
// BrokerController.getBrokerAddr, brokerIP1 as configured (a host name
// stays a name) and listenPort. A test sets Config["brokerIP1"] to a pod
// DNS name to register as rendered brokers do, while listening on loopback.
func (b *Broker) RegisteredAddr() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	host, port := b.config["brokerIP1"], b.config["listenPort"]
	if host == "" || port == "" {
		return b.Addr()
	}
	return net.JoinHostPort(host, port)
}

// UpdateNameServerAddressList re-reads namesrvAddr (resolving it when the
// DNS lookup is on) and registers with every NameServer in it, as the
// broker's updateNameServerAddrPeriod timer (two minutes by default)
// followed by its next registration does.
func (b *Broker) UpdateNameServerAddressList() {
	b.refreshNameServers()
	b.registerAll()
}
