package rmqtest

import (
	"bufio"
	"fmt"
	"hash/crc32"
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
// in namesrvAddr. With brokerPermission not read-write, each topic's perm
// is masked with it (registerIncrementBrokerData / registerBrokerAll).
// Failures are ignored as Java only logs them.
func (b *Broker) register(tcs []admin.TopicConfig) {
	b.mu.Lock()
	brokerPerm, _ := strconv.Atoi(b.config["brokerPermission"])
	namesrvs := nameServerTargets(b.config)
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
		if ns = strings.TrimSpace(ns); isLoopback(ns) {
			_, _ = b.reg.call(ns, b.registerRequest(body))
		}
	}
}

// nameServerTargets is the broker's NameServer list as BrokerController's
// updateNamesrvAddr builds it. With fetchNameSrvAddrByDnsLookup=true the
// whole namesrvAddr is one domain: BrokerOuterAPI.dnsLookupAddressByDomain
// splits host and port at the first ':', so a ';' list becomes a single
// unusable address and the broker registers nowhere. That is the quirk the
// status controller must avoid by switching the lookup off when it pushes a
// list.
func nameServerTargets(config map[string]string) []string {
	addr := config["namesrvAddr"]
	if config["fetchNameSrvAddrByDnsLookup"] == "true" {
		return []string{addr}
	}
	return strings.Split(addr, ";")
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
	brokerAddr := b.RegisteredAddr()
	return &remoting.Command{
		Code: admin.CodeRegisterBroker, Language: "JAVA", Version: serverVersion,
		ExtFields: map[string]string{
			"brokerName":             b.opts.BrokerName,
			"brokerAddr":             brokerAddr,
			"clusterName":            b.opts.ClusterName,
			"haServerAddr":           b.Addr(),
			"brokerId":               strconv.FormatInt(b.opts.BrokerID, 10),
			"heartbeatTimeoutMillis": "120000",
			"enableActingMaster":     "false",
			"compressed":             "false",
			"bodyCrc32":              strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)&0x7FFFFFFF), 10),
		},
		Body: body,
	}
}

// RegisteredAddr is the address the broker registers with its NameServers,
// brokerIP1:listenPort as BrokerController.getBrokerAddr builds it. By
// default that is Addr; a test sets Config["brokerIP1"] to a pod DNS name
// to register as rendered brokers do, while still listening on loopback.
func (b *Broker) RegisteredAddr() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return net.JoinHostPort(b.config["brokerIP1"], b.config["listenPort"])
}

// UpdateNameServerAddressList re-reads namesrvAddr and registers with every
// NameServer in it, as the broker's updateNameServerAddrPeriod timer does
// every two minutes after UPDATE_BROKER_CONFIG changed the key.
func (b *Broker) UpdateNameServerAddressList() { b.registerAll() }
