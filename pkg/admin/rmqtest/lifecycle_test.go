package rmqtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

// fakeResolver maps names to loopback addresses.
type fakeResolver map[string][]string

func (f fakeResolver) LookupHost(host string) ([]string, error) {
	if ips, ok := f[host]; ok {
		return ips, nil
	}
	return nil, fmt.Errorf("lookup %s: no such host", host)
}

func waitFor(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		ok, seen := cond()
		if ok {
			return
		}
		last = seen
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s; last seen: %s", what, last)
}

func clusterInfo(t *testing.T, ns *NameServer) *admin.ClusterInfo {
	t.Helper()
	cl := admin.New(admin.Options{})
	defer func() { _ = cl.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	info, err := cl.ClusterInfo(ctx, ns.Addr())
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func mustNameServer(t *testing.T, addr string, timers *Timers) *NameServer {
	t.Helper()
	ns, err := NewNameServerWithOptions(NameServerOptions{Addr: addr, Timers: timers})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ns.Close() })
	return ns
}

// With the DNS lookup on, the broker resolves the NameServer Service to
// every address and registers with each, under brokerIP1 as a name.
func TestBrokerResolvesNameServerDomainAndRegistersUnderItsName(t *testing.T) {
	ns1 := mustNameServer(t, "127.0.0.1:0", nil)
	ns2 := mustNameServer(t, "127.0.0.1:0", nil)
	_, port1, _ := splitAddr(ns1.Addr())
	// The domain resolves to ns1's address only: ns2 must see nothing.
	res := fakeResolver{"ns.mq.svc": {"127.0.0.1"}}
	b, err := NewBroker(BrokerOptions{
		Addr: "127.0.0.1:0", ClusterName: "c", BrokerName: "c-broker-0", Resolver: res,
		Config: map[string]string{
			"namesrvAddr": "ns.mq.svc:" + port1, "fetchNameSrvAddrByDnsLookup": "true",
			"brokerIP1": "c-broker-0-0.c-broker-0.mq.svc",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = b.Close() }()
	_, port, _ := splitAddr(b.Addr())
	want := "c-broker-0-0.c-broker-0.mq.svc:" + port
	info := clusterInfo(t, ns1)
	if got := info.BrokerAddrTable["c-broker-0"].MasterAddr(); got != want {
		t.Fatalf("registered master = %q, want %q", got, want)
	}
	if n := len(clusterInfo(t, ns2).BrokerAddrTable); n != 0 {
		t.Fatalf("the broker registered with a NameServer its domain does not resolve to: %d brokers", n)
	}
}

// Close unregisters (BrokerController.shutdown), so the NameServer forgets
// the broker at once; without a registration the scan expires it.
func TestBrokerCloseUnregistersAndScanExpires(t *testing.T) {
	ns := mustNameServer(t, "127.0.0.1:0", &Timers{Scale: 0.001})
	b, err := NewBroker(BrokerOptions{Addr: "127.0.0.1:0", BrokerName: "a", NameServers: []string{ns.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	if len(clusterInfo(t, ns).BrokerAddrTable) != 1 {
		t.Fatal("broker did not register")
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if n := len(clusterInfo(t, ns).BrokerAddrTable); n != 0 {
		t.Fatalf("after Close the NameServer still lists %d brokers", n)
	}
	if _, ok := ns.Route("a"); ok {
		t.Fatal("the unregistered broker's topics keep a route")
	}
	// A broker that stops registering (no timers) expires after
	// heartbeatTimeoutMillis (120 s) times the scale, 120 ms here.
	b2, err := NewBroker(BrokerOptions{Addr: "127.0.0.1:0", BrokerName: "b", NameServers: []string{ns.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = b2.Close() }()
	waitFor(t, "the silent broker to expire", func() (bool, string) {
		n := len(clusterInfo(t, ns).BrokerAddrTable)
		return n == 0, fmt.Sprintf("%d brokers", n)
	})
}

// The store volume keeps topics, groups and offsets across a restart.
func TestBrokerStoreSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	b, err := NewBroker(BrokerOptions{Addr: "127.0.0.1:0", StoreDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	b.PutTopics(admin.NewTopicConfig("orders"))
	b.SetQueueOffsets("orders", 0, 42)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b2, err := NewBroker(BrokerOptions{Addr: "127.0.0.1:0", StoreDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = b2.Close() }()
	if _, ok := b2.Topics()["orders"]; !ok {
		t.Fatal("topic lost across a restart")
	}
}

// In Controller mode the first broker is elected, the second becomes a
// slave with its own id, and when the master stops the slave in the
// SyncStateSet takes over and registers as id 0.
func TestControllerModeElectsAndReelects(t *testing.T) {
	timers := &Timers{Scale: 0.01}
	ns := mustNameServer(t, "127.0.0.1:0", timers)
	reg := NewControllerRegistry()
	conf := map[string]string{"controllerDLegerGroup": "g", "controllerDLegerPeers": "n0-a:9878;n1-b:9878;n2-c:9878"}
	var ctlAddrs []string
	for i := 0; i < 3; i++ {
		c := map[string]string{"controllerDLegerSelfId": fmt.Sprintf("n%d", i)}
		for k, v := range conf {
			c[k] = v
		}
		ctl, err := NewController(ControllerOptions{Addr: "127.0.0.1:0", Config: c, Registry: reg, Timers: timers})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = ctl.Close() }()
		ctlAddrs = append(ctlAddrs, ctl.Addr())
	}
	broker := func(ip1 string) *Broker {
		b, err := NewBroker(BrokerOptions{
			Addr: "127.0.0.1:0", ClusterName: "c", BrokerName: "c-broker-0", NameServers: []string{ns.Addr()},
			Controllers: reg, Timers: timers,
			Config: map[string]string{"enableControllerMode": "true", "brokerId": "-1", "brokerRole": "SLAVE",
				"controllerAddr": ctlAddrs[0] + ";" + ctlAddrs[1], "brokerIP1": ip1},
		})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	first := broker("first.svc")
	second := broker("second.svc")
	defer func() { _ = second.Close() }()
	master := func() (string, string) {
		bd := clusterInfo(t, ns).BrokerAddrTable["c-broker-0"]
		return bd.MasterAddr(), fmt.Sprint(bd.BrokerAddrs)
	}
	waitFor(t, "first elected, second a slave", func() (bool, string) {
		m, all := master()
		return len(all) > 0 && m != "" && m[:5] == "first" && len(clusterInfo(t, ns).BrokerAddrTable["c-broker-0"].BrokerAddrs) == 2, all
	})
	// A topic on the master reaches the slave (SlaveSynchronize); let the
	// slave join the SyncStateSet, then stop the master.
	first.PutTopics(admin.NewTopicConfig("orders"))
	waitFor(t, "the slave to copy the master's topic", func() (bool, string) {
		_, ok := second.Topics()["orders"]
		return ok, fmt.Sprint(len(second.Topics()), " topics")
	})
	time.Sleep(100 * time.Millisecond)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "second re-elected", func() (bool, string) {
		m, all := master()
		return m != "" && m[:6] == "second", all
	})
}

func splitAddr(a string) (string, string, error) {
	for i := len(a) - 1; i >= 0; i-- {
		if a[i] == ':' {
			return a[:i], a[i+1:], nil
		}
	}
	return a, "", fmt.Errorf("no port in %q", a)
}
