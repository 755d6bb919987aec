package admin_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
)

// env is one NameServer and two brokers of one cluster on loopback.
type env struct {
	ns     *rmqtest.NameServer
	a, b   *rmqtest.Broker
	client *admin.Client
}

func newEnv(t testing.TB, opts ...func(*rmqtest.BrokerOptions)) *env {
	t.Helper()
	before := runtime.NumGoroutine()
	ns, err := rmqtest.NewNameServer("127.0.0.1:0")
	if err != nil {
		t.Fatalf("starting NameServer: %v", err)
	}
	e := &env{ns: ns}
	mk := func(name string) *rmqtest.Broker {
		o := rmqtest.BrokerOptions{Addr: "127.0.0.1:0", ClusterName: "c1", BrokerName: name, NameServers: []string{ns.Addr()}}
		for _, f := range opts {
			f(&o)
		}
		br, err := rmqtest.NewBroker(o)
		if err != nil {
			t.Fatalf("starting broker %s: %v", name, err)
		}
		return br
	}
	e.a, e.b = mk("broker-a"), mk("broker-b")
	e.client = admin.New(admin.Options{RequestTimeout: 5 * time.Second})
	t.Cleanup(func() {
		_ = e.client.Close()
		_ = e.a.Close()
		_ = e.b.Close()
		_ = e.ns.Close()
		waitGoroutines(t, before)
	})
	return e
}

// waitGoroutines fails the test when goroutines started by it are still
// running after everything was closed (a leak check without goleak).
func waitGoroutines(t testing.TB, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= before {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			buf = buf[:runtime.Stack(buf, true)]
			t.Errorf("goroutine leak: %d running, %d before\n%s", n, before, buf)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func topicNames(n int, prefix string) []admin.TopicConfig {
	out := make([]admin.TopicConfig, n)
	for i := range out {
		out[i] = admin.NewTopicConfig(fmt.Sprintf("%s%05d", prefix, i))
	}
	return out
}

type brokerOpts = rmqtest.BrokerOptions

// newBrokerLike starts a broker of cluster c1 registered with e.ns; the
// caller closes it (newEnv's cleanup closes e.a and e.b when replaced there).
func newBrokerLike(e *env, name string, mutate func(*brokerOpts)) (*rmqtest.Broker, error) {
	o := rmqtest.BrokerOptions{Addr: "127.0.0.1:0", ClusterName: "c1", BrokerName: name, NameServers: []string{e.ns.Addr()}}
	mutate(&o)
	return rmqtest.NewBroker(o)
}

func newNameServer(t testing.TB) *rmqtest.NameServer {
	t.Helper()
	ns, err := rmqtest.NewNameServer("127.0.0.1:0")
	if err != nil {
		t.Fatalf("starting NameServer: %v", err)
	}
	t.Cleanup(func() { _ = ns.Close() })
	return ns
}
