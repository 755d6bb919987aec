package rmqtest

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

// TestRegistersUnderBrokerIP1: the NameServer learns brokerIP1:listenPort,
// as from a rendered broker whose brokerIP1 is its pod DNS name, while the
// emulator keeps listening on its loopback address.
func TestRegistersUnderBrokerIP1(t *testing.T) {
	ns, err := NewNameServer("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ns.Close() }()
	const name = "demo-broker-0-0.demo-broker-0.mq.svc"
	b, err := NewBroker(BrokerOptions{
		Addr: "127.0.0.1:0", ClusterName: "demo", BrokerName: "demo-broker-0",
		Config: map[string]string{"namesrvAddr": ns.Addr(), "brokerIP1": name},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = b.Close() }()
	_, port, _ := net.SplitHostPort(b.Addr())
	want := name + ":" + port
	if got := b.RegisteredAddr(); got != want {
		t.Fatalf("RegisteredAddr = %q, want %q", got, want)
	}
	cl := admin.New(admin.Options{})
	defer func() { _ = cl.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ci, err := cl.ClusterInfo(ctx, ns.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if got := ci.BrokerAddrTable["demo-broker-0"].MasterAddr(); got != want {
		t.Fatalf("master address = %q, want %q", got, want)
	}
}
