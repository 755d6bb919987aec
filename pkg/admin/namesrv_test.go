package admin_test

import (
	"errors"
	"reflect"
	"sort"
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
)

func TestClusterInfo(t *testing.T) {
	e := newEnv(t)
	slave, err := newBrokerLike(e, "broker-a", func(o *brokerOpts) { o.BrokerID = 1 })
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = slave.Close() }()
	ci, err := e.client.ClusterInfo(ctxT(t), e.ns.Addr())
	if err != nil {
		t.Fatal(err)
	}
	want := admin.BrokerData{Cluster: "c1", BrokerName: "broker-a", BrokerAddrs: map[int64]string{0: e.a.Addr(), 1: slave.Addr()}}
	if !reflect.DeepEqual(ci.BrokerAddrTable["broker-a"], want) {
		t.Fatalf("broker-a = %+v, want %+v", ci.BrokerAddrTable["broker-a"], want)
	}
	names := ci.ClusterAddrTable["c1"]
	sort.Strings(names)
	if !reflect.DeepEqual(names, []string{"broker-a", "broker-b"}) {
		t.Fatalf("clusterAddrTable = %v", ci.ClusterAddrTable)
	}
}

// A request version below V4_9_4 gets the route in fastjson's own format
// (bare integer brokerAddrs keys); the client decodes both.
func TestTopicRouteOldVersionFastjson(t *testing.T) {
	e := newEnv(t)
	if err := e.client.CreateTopic(ctxT(t), e.a.Addr(), admin.NewTopicConfig("orders")); err != nil {
		t.Fatal(err)
	}
	old := admin.New(admin.Options{Version: 317})
	defer func() { _ = old.Close() }()
	rd, err := old.TopicRoute(ctxT(t), e.ns.Addr(), "orders")
	if err != nil {
		t.Fatal(err)
	}
	if rd.BrokerDatas[0].BrokerAddrs[0] != e.a.Addr() {
		t.Fatalf("route = %+v", rd)
	}
	reqs := e.ns.Requests()
	if last := reqs[len(reqs)-1]; last.Version != 317 || last.ExtFields["topic"] != "orders" {
		t.Fatalf("request = %+v", last)
	}
}

func TestTopicRouteUnknown(t *testing.T) {
	e := newEnv(t)
	_, err := e.client.TopicRoute(ctxT(t), e.ns.Addr(), "nope")
	if !errors.Is(err, admin.ErrTopicNotExist) {
		t.Fatalf("got %v, want ErrTopicNotExist", err)
	}
}

// DELETE_TOPIC_IN_NAMESRV with a cluster name removes only that cluster's
// queue data: what migrating a topic between clusters needs.
func TestDeleteTopicInNameServerPerCluster(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	other, err := newBrokerLike(e, "broker-x", func(o *brokerOpts) { o.ClusterName = "c2" })
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Close() }()
	for _, addr := range []string{e.a.Addr(), other.Addr()} {
		if err := e.client.CreateTopic(ctx, addr, admin.NewTopicConfig("moving")); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.client.DeleteTopicInNameServer(ctx, e.ns.Addr(), "moving", "c1"); err != nil {
		t.Fatal(err)
	}
	rd, err := e.client.TopicRoute(ctx, e.ns.Addr(), "moving")
	if err != nil || len(rd.QueueDatas) != 1 || rd.QueueDatas[0].BrokerName != "broker-x" {
		t.Fatalf("route after deleting for c1 = %+v, %v", rd, err)
	}
	if reqs := e.ns.Requests(); reqs[len(reqs)-2].ExtFields["clusterName"] != "c1" {
		t.Fatalf("clusterName not sent: %v", reqs[len(reqs)-2].ExtFields)
	}
}

func TestWipeAndAddWritePerm(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	if err := e.client.CreateTopics(ctx, e.a.Addr(), topicNames(2, "w")); err != nil {
		t.Fatal(err)
	}
	total := len(e.ns.TopicNames()) // broker-a's system topics are routed too
	n, err := e.client.WipeWritePerm(ctx, e.ns.Addr(), "broker-a")
	if err != nil {
		t.Fatal(err)
	}
	aTopics := countRouted(e.ns, "broker-a")
	if n != aTopics || n == 0 || n > total {
		t.Fatalf("wipeTopicCount = %d, want %d", n, aTopics)
	}
	rd, _ := e.ns.Route("w00001")
	if rd.QueueDatas[0].Perm != admin.PermRead {
		t.Fatalf("perm after wipe = %d, want read-only", rd.QueueDatas[0].Perm)
	}
	if n, err := e.client.AddWritePerm(ctx, e.ns.Addr(), "broker-a"); err != nil || n != aTopics {
		t.Fatalf("AddWritePerm = %d, %v", n, err)
	}
	rd, _ = e.ns.Route("w00001")
	if rd.QueueDatas[0].Perm != admin.PermRead|admin.PermWrite {
		t.Fatalf("perm after add = %d", rd.QueueDatas[0].Perm)
	}
	if n, err := e.client.WipeWritePerm(ctx, e.ns.Addr(), "no-such-broker"); err != nil || n != 0 {
		t.Fatalf("wipe of unknown broker = %d, %v", n, err)
	}
}

func countRouted(ns *rmqtest.NameServer, broker string) int {
	n := 0
	for _, topic := range ns.TopicNames() {
		rd, _ := ns.Route(topic)
		for _, qd := range rd.QueueDatas {
			if qd.BrokerName == broker {
				n++
			}
		}
	}
	return n
}

// Servers on distinct loopback addresses, as a test cluster would lay out
// pods: the addresses brokers register are the ones they listen on.
func TestSeveralLoopbackAddresses(t *testing.T) {
	ns := newNameServer(t)
	var brokers []*rmqtest.Broker
	for i, ip := range []string{"127.0.0.3", "127.0.0.4"} {
		br, err := rmqtest.NewBroker(rmqtest.BrokerOptions{
			Addr: ip + ":0", ClusterName: "c", BrokerName: "b" + string(rune('0'+i)), NameServers: []string{ns.Addr()},
		})
		if err != nil {
			t.Fatalf("listening on %s: %v", ip, err)
		}
		defer func() { _ = br.Close() }()
		brokers = append(brokers, br)
	}
	c := admin.New(admin.Options{})
	defer func() { _ = c.Close() }()
	ci, err := c.ClusterInfo(ctxT(t), ns.Addr())
	if err != nil {
		t.Fatal(err)
	}
	for i, br := range brokers {
		if got := ci.BrokerAddrTable["b"+string(rune('0'+i))].MasterAddr(); got != br.Addr() {
			t.Fatalf("broker %d registered %s, listens on %s", i, got, br.Addr())
		}
	}
}
