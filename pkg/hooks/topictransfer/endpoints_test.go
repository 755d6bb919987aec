package topictransfer

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
)

// TestMastersDialMappedAddresses: brokers register under pod DNS names;
// with BrokerAddr the endpoint dials the mapped (loopback) addresses and
// never the names, and without it the names are returned as given.
func TestMastersDialMappedAddresses(t *testing.T) {
	prefix := fmt.Sprintf("127.67.%d.", nextSubnet())
	ns, err := rmqtest.NewNameServer(prefix + "1:9876")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ns.Close() })
	byName := map[string]string{}
	for g := range 2 {
		name := fmt.Sprintf("src-%d-0.src-%d.mq.svc.cluster.local", g, g)
		b, err := rmqtest.NewBroker(rmqtest.BrokerOptions{
			Addr: fmt.Sprintf("%s%d:10911", prefix, 2+g), ClusterName: "src", BrokerName: fmt.Sprintf("src-%d", g),
			Config: map[string]string{"namesrvAddr": ns.Addr(), "brokerIP1": name},
		})
		require.NoError(t, err)
		t.Cleanup(func() { _ = b.Close() })
		byName[net.JoinHostPort(name, "10911")] = b.Addr()
	}
	cl := admin.New(admin.Options{})
	t.Cleanup(func() { _ = cl.Close() })
	ep := Endpoint{ClusterName: "src", NameServers: []string{ns.Addr()}, Admin: cl}

	asGiven, err := masters(context.Background(), ep)
	require.NoError(t, err)
	for bn, addr := range asGiven {
		assert.True(t, strings.HasSuffix(addr, ".svc.cluster.local:10911"), "%s: %s", bn, addr)
	}

	ep.BrokerAddr = func(addr string) string { return byName[addr] }
	mapped, err := masters(context.Background(), ep)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"src-0": prefix + "2:10911", "src-1": prefix + "3:10911"}, mapped)
	for bn, addr := range mapped {
		_, err := cl.Topics(context.Background(), addr)
		assert.NoError(t, err, "%s reachable at its mapped address", bn)
	}
}
