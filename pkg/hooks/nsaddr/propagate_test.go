package nsaddr

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
)

// emulatedBrokers starts one emulated broker per namesrvAddr value, on
// loopback ports, and returns them with a client that talks to them.
func emulatedBrokers(t *testing.T, namesrvAddrs ...map[string]string) ([]*rmqtest.Broker, []string, *admin.Client) {
	t.Helper()
	var brokers []*rmqtest.Broker
	var addrs []string
	for i, cfg := range namesrvAddrs {
		b, err := rmqtest.NewBroker(rmqtest.BrokerOptions{Addr: "127.0.0.1:0", BrokerName: "broker-" + string(rune('a'+i)), Config: cfg})
		require.NoError(t, err)
		t.Cleanup(func() { _ = b.Close() })
		brokers = append(brokers, b)
		addrs = append(addrs, b.Addr())
	}
	cl := admin.New(admin.Options{})
	t.Cleanup(func() { _ = cl.Close() })
	return brokers, addrs, cl
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

func TestPropagateUpdatesOnlyDifferingBrokers(t *testing.T) {
	list := []string{"127.0.0.9:9876", "127.0.0.10:9876", "127.0.0.11:9876"}
	brokers, addrs, cl := emulatedBrokers(t,
		map[string]string{ConfigKey: "127.0.0.9:9876;127.0.0.10:9876"},
		map[string]string{ConfigKey: Join(list)},
		// As rendered: the headless Service name, resolved by DNS lookup.
		map[string]string{ConfigKey: "orders-nameserver.mq.svc:9876", DNSLookupKey: "true"},
		// The right list but still read as one DNS name: broken, so updated.
		map[string]string{ConfigKey: Join(list), DNSLookupKey: "true"},
	)
	res, err := Propagate(ctx(t), cl, addrs, list)
	require.NoError(t, err)
	updated := []bool{}
	for _, r := range res {
		updated = append(updated, r.Updated)
	}
	assert.Equal(t, []bool{true, false, true, true}, updated)
	assert.Equal(t, []string{"127.0.0.9:9876", "127.0.0.10:9876"}, res[0].Before)
	for i, b := range brokers {
		assert.Equal(t, Join(list), b.Config()[ConfigKey], "broker %d", i)
		assert.Equal(t, "false", b.Config()[DNSLookupKey], "broker %d must not read the list as one DNS name", i)
		b.ResetCounts()
	}

	_, err = Propagate(ctx(t), cl, addrs, list)
	require.NoError(t, err)
	for i, b := range brokers {
		assert.Zero(t, b.CallCount(admin.CodeUpdateBrokerConfig), "a converged broker %d must see no update", i)
		assert.Equal(t, 1, b.CallCount(admin.CodeGetBrokerConfig), "broker %d", i)
	}
}

func TestPropagateFailuresDoNotStopOthers(t *testing.T) {
	old := map[string]string{ConfigKey: "127.0.0.9:9876"}
	brokers, addrs, cl := emulatedBrokers(t, old, old, old)
	brokers[0].FailAlways(admin.CodeGetBrokerConfig, 1, "system error")
	brokers[1].FailAlways(admin.CodeUpdateBrokerConfig, 16, "no permission")
	res, err := Propagate(ctx(t), cl, addrs, []string{"127.0.0.10:9876"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "reading the broker config of "+addrs[0])
	assert.Contains(t, err.Error(), "setting namesrvAddr on "+addrs[1])
	assert.ErrorIs(t, res[0].Err, admin.ErrSystem)
	assert.ErrorIs(t, res[1].Err, admin.ErrNoPermission)
	assert.True(t, res[2].Updated)
	assert.Equal(t, "127.0.0.10:9876", brokers[2].Config()[ConfigKey])
	assert.Equal(t, "127.0.0.9:9876", brokers[1].Config()[ConfigKey])
}

func TestPropagateRefusesEmptyList(t *testing.T) {
	brokers, addrs, cl := emulatedBrokers(t, map[string]string{ConfigKey: "127.0.0.9:9876"})
	_, err := Propagate(ctx(t), cl, addrs, nil)
	require.Error(t, err)
	assert.Zero(t, brokers[0].CallCount(admin.CodeGetBrokerConfig)+brokers[0].CallCount(admin.CodeUpdateBrokerConfig))
}

// TestPropagateHungBrokerDelaysNoOther: a broker that never answers costs
// the others nothing; its own call ends with the caller's deadline.
func TestPropagateHungBrokerDelaysNoOther(t *testing.T) {
	old := map[string]string{ConfigKey: "127.0.0.9:9876"}
	brokers, addrs, cl := emulatedBrokers(t, old, old, old)
	brokers[1].DelayNth(admin.CodeGetBrokerConfig, 1, time.Minute)
	c, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	res, err := Propagate(c, cl, addrs, []string{"127.0.0.10:9876"})
	assert.Less(t, time.Since(start), 5*time.Second)
	require.Error(t, err)
	require.Len(t, res, 3)
	assert.ErrorIs(t, res[1].Err, context.DeadlineExceeded)
	for _, i := range []int{0, 2} {
		assert.NoError(t, res[i].Err, "broker %d", i)
		assert.True(t, res[i].Updated, "broker %d", i)
		assert.Equal(t, addrs[i], res[i].Addr, "results keep the input order")
	}
}
