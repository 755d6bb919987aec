package migrate

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
)

// oldCluster is an emulated operator cluster: one NameServer, the
// cluster's two broker groups, and a broker of another cluster registered
// on the same NameServer (whose topics must not be listed).
type oldCluster struct {
	ns      *rmqtest.NameServer
	brokers []*rmqtest.Broker
	client  *admin.Client
}

func newOldCluster(t *testing.T) *oldCluster {
	t.Helper()
	ns, err := rmqtest.NewNameServer("127.0.0.1:0")
	require.NoError(t, err)
	c := &oldCluster{ns: ns, client: admin.New(admin.Options{RequestTimeout: 5 * time.Second})}
	t.Cleanup(func() {
		_ = c.client.Close()
		for _, b := range c.brokers {
			_ = b.Close()
		}
		_ = ns.Close()
	})
	for _, o := range []struct{ cluster, name string }{{"broker", "broker-0"}, {"broker", "broker-1"}, {"other", "other-0"}} {
		b, err := rmqtest.NewBroker(rmqtest.BrokerOptions{Addr: "127.0.0.1:0", ClusterName: o.cluster, BrokerName: o.name, NameServers: []string{ns.Addr()}})
		require.NoError(t, err)
		c.brokers = append(c.brokers, b)
	}
	return c
}

func (c *oldCluster) topic(t *testing.T, broker int, topic string) {
	t.Helper()
	tc := admin.TopicConfig{TopicName: topic, ReadQueueNums: 2, WriteQueueNums: 2, Perm: 6, TopicFilterType: admin.FilterSingleTag}
	require.NoError(t, c.client.CreateTopic(context.Background(), c.brokers[broker].Addr(), tc))
}

func (c *oldCluster) group(t *testing.T, broker int, group string, consumed ...string) {
	t.Helper()
	g := admin.SubscriptionGroupConfig{GroupName: group, ConsumeEnable: true, RetryQueueNums: 1, RetryMaxTimes: 16}
	require.NoError(t, c.client.CreateGroup(context.Background(), c.brokers[broker].Addr(), g))
	for _, topic := range consumed {
		c.brokers[broker].SetConsumerOffset(group, topic, 0, 5)
	}
}

func TestReadTopicsFromTheOldCluster(t *testing.T) {
	c := newOldCluster(t)
	c.topic(t, 0, "orders")
	c.topic(t, 1, "orders")
	c.topic(t, 1, "payments")
	c.topic(t, 0, "idle")
	c.topic(t, 2, "elsewhere")
	// billing commits offsets on broker-1 for a topic that broker-0 also
	// holds; ledger reads two topics on broker-0 and its retry topic.
	c.group(t, 1, "billing", "orders")
	c.group(t, 0, "ledger", "orders", "%RETRY%ledger")
	c.group(t, 1, "ledger", "payments")
	c.group(t, 2, "faraway", "elsewhere")

	var report Report
	// The first address refuses connections: the next NameServer answers.
	src := SourceCluster{ClusterName: "broker", NameServers: []string{closedAddr(t), c.ns.Addr()}}
	got, err := ReadTopics(context.Background(), c.client, src, &report)
	require.NoError(t, err)
	require.Equal(t, []TopicGroups{
		{Topic: "idle"},
		{Topic: "orders", Groups: []string{"billing", "ledger"}},
		{Topic: "payments", Groups: []string{"ledger"}},
	}, got)
	// The brokers' own system topics (TBW102, SCHEDULE_TOPIC_XXXX, the
	// cluster and broker names...) are reported, never listed.
	require.NotEmpty(t, report.Entries)
	for _, e := range report.Entries {
		require.Equal(t, Dropped, e.Outcome)
		require.True(t, isSystemTopic(e.Resource[len("topic "):], "broker", []string{"broker-0", "broker-1"}), e.Resource)
	}
}

func TestReadTopicsRefusesAnUnknownCluster(t *testing.T) {
	c := newOldCluster(t)
	_, err := ReadTopics(context.Background(), c.client, SourceCluster{ClusterName: "nope", NameServers: []string{c.ns.Addr()}}, &Report{})
	require.EqualError(t, err, "cluster nope is not registered on NameServers "+c.ns.Addr()+
		" (clusters there: broker, other): check the Broker's name or --source-nameservers")
}

func TestReadTopicsFailsWhenNoNameServerAnswers(t *testing.T) {
	addr := closedAddr(t)
	_, err := ReadTopics(context.Background(), admin.New(admin.Options{}), SourceCluster{ClusterName: "broker", NameServers: []string{addr}}, &Report{})
	require.ErrorContains(t, err, "reading the old cluster from its NameServers: ")
	require.ErrorContains(t, err, addr)
}

// failingAdmin fails one call of an otherwise working client.
type failingAdmin struct {
	Admin
	fail string
}

var errInjected = errors.New("injected")

func (f failingAdmin) Topics(ctx context.Context, addr string) (map[string]admin.TopicConfig, error) {
	if f.fail == "Topics" {
		return nil, errInjected
	}
	return f.Admin.Topics(ctx, addr)
}

func (f failingAdmin) Groups(ctx context.Context, addr string) (map[string]admin.SubscriptionGroupConfig, error) {
	if f.fail == "Groups" {
		return nil, errInjected
	}
	return f.Admin.Groups(ctx, addr)
}

func (f failingAdmin) TopicsByConsumer(ctx context.Context, addr, group string) ([]string, error) {
	if f.fail == "TopicsByConsumer" {
		return nil, errInjected
	}
	return f.Admin.TopicsByConsumer(ctx, addr, group)
}

func TestReadTopicsReportsEveryFailedCall(t *testing.T) {
	c := newOldCluster(t)
	c.topic(t, 0, "orders")
	c.group(t, 0, "billing", "orders")
	src := SourceCluster{ClusterName: "broker", NameServers: []string{c.ns.Addr()}}
	for call, want := range map[string]string{
		"Topics":           "listing the topics of the old cluster: injected",
		"Groups":           "listing the consumer groups of the old cluster: injected",
		"TopicsByConsumer": "finding the topics of consumer group billing: injected",
	} {
		_, err := ReadTopics(context.Background(), failingAdmin{Admin: c.client, fail: call}, src, &Report{})
		require.EqualError(t, err, want, call)
		require.ErrorIs(t, err, errInjected)
	}
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}
