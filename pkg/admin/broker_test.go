package admin_test

import (
	"errors"
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

func TestBrokerConfigGetAndUpdate(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	cfg, err := e.client.BrokerConfig(ctx, e.a.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if cfg["brokerName"] != "broker-a" || cfg["brokerClusterName"] != "c1" || cfg["namesrvAddr"] != e.ns.Addr() {
		t.Fatalf("config = %v", cfg)
	}
	v0 := e.a.ConfigDataVersion()
	update := map[string]string{"namesrvAddr": "127.0.0.2:9876;127.0.0.3:9876", "unknownKey": "ignored"}
	if err := e.client.UpdateBrokerConfig(ctx, e.a.Addr(), update); err != nil {
		t.Fatal(err)
	}
	got := e.a.Config()
	if got["namesrvAddr"] != "127.0.0.2:9876;127.0.0.3:9876" {
		t.Fatalf("namesrvAddr = %q", got["namesrvAddr"])
	}
	if _, ok := got["unknownKey"]; ok {
		t.Fatal("a key unknown to the broker was stored (Configuration.mergeIfExist ignores it)")
	}
	if v := e.a.ConfigDataVersion(); v.Counter != v0.Counter+1 {
		t.Fatalf("config data version %d -> %d", v0.Counter, v.Counter)
	}
	reqs := e.a.Requests()
	if body := string(reqs[len(reqs)-1].Body); body != "namesrvAddr=127.0.0.2:9876;127.0.0.3:9876\nunknownKey=ignored\n" {
		t.Fatalf("Properties body = %q", body)
	}
}

func TestUpdateBrokerConfigBlackList(t *testing.T) {
	e := newEnv(t)
	err := e.client.UpdateBrokerConfig(ctxT(t), e.a.Addr(), map[string]string{"brokerConfigPath": "/tmp/x"})
	var re *admin.ResponseError
	if !errors.Is(err, admin.ErrNoPermission) || !errors.As(err, &re) || re.Remark != "Can not update config in black list." {
		t.Fatalf("got %v, want NO_PERMISSION for a black-listed key", err)
	}
}

// brokerPermission re-registers at once, so the route shows the
// broker-wide write stop without waiting for the 30 s heartbeat.
func TestBrokerPermissionReRegisters(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	if err := e.client.CreateTopic(ctx, e.a.Addr(), admin.NewTopicConfig("orders")); err != nil {
		t.Fatal(err)
	}
	if err := e.client.UpdateBrokerConfig(ctx, e.a.Addr(), map[string]string{"brokerPermission": "4"}); err != nil {
		t.Fatal(err)
	}
	rd, err := e.client.TopicRoute(ctx, e.ns.Addr(), "orders")
	if err != nil || rd.QueueDatas[0].Perm != admin.PermRead {
		t.Fatalf("route perm after brokerPermission=4: %+v, %v", rd, err)
	}
	if e.a.Topics()["orders"].Perm != admin.PermRead|admin.PermWrite {
		t.Fatal("the broker's own topic config must keep its perm; only the registration is masked")
	}
}

func TestBrokerRuntimeInfo(t *testing.T) {
	e := newEnv(t)
	e.a.SetQueueOffsets("t", 0, 41)
	info, err := e.client.BrokerRuntimeInfo(ctxT(t), e.a.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if info["brokerVersionDesc"] != "V5_3_3" || info["commitLogMaxOffset"] != "41" {
		t.Fatalf("runtime info = %v", info)
	}
}

// A NameServer address change made with UPDATE_BROKER_CONFIG takes effect
// when the broker's updateNameServerAddrPeriod timer fires; the emulator
// exposes that tick.
func TestNamesrvAddrChangeTakesEffectOnTick(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	ns2 := newNameServer(t)
	if err := e.client.UpdateBrokerConfig(ctx, e.a.Addr(), map[string]string{"namesrvAddr": e.ns.Addr() + ";" + ns2.Addr()}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.ClusterInfo(ctx, ns2.Addr()); err != nil {
		t.Fatal(err)
	}
	if names := ns2.TopicNames(); len(names) != 0 {
		t.Fatalf("second NameServer knows topics before the tick: %v", names)
	}
	e.a.UpdateNameServerAddressList()
	ci, err := e.client.ClusterInfo(ctx, ns2.Addr())
	if err != nil || ci.BrokerAddrTable["broker-a"].MasterAddr() != e.a.Addr() {
		t.Fatalf("cluster info of the second NameServer after the tick: %+v, %v", ci, err)
	}
}

// With fetchNameSrvAddrByDnsLookup=true the Java broker treats namesrvAddr
// as one domain and cuts host and port at the first ':', so a pushed ';'
// list registers nowhere; turning the lookup off with the same update
// makes the list work. The status controller relies on exactly this.
func TestNamesrvListNeedsDNSLookupOff(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	ns2 := newNameServer(t)
	list := e.ns.Addr() + ";" + ns2.Addr()
	update := func(kv map[string]string) {
		t.Helper()
		if err := e.client.UpdateBrokerConfig(ctx, e.a.Addr(), kv); err != nil {
			t.Fatal(err)
		}
		e.a.UpdateNameServerAddressList()
	}
	update(map[string]string{"namesrvAddr": list, "fetchNameSrvAddrByDnsLookup": "true"})
	if names := ns2.TopicNames(); len(names) != 0 {
		t.Fatalf("a list read as one DNS name reached the second NameServer: %v", names)
	}
	update(map[string]string{"namesrvAddr": list, "fetchNameSrvAddrByDnsLookup": "false"})
	if names := ns2.TopicNames(); len(names) == 0 {
		t.Fatal("the second NameServer got no registration once the DNS lookup was off")
	}
}
