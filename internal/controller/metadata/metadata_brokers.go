package metadata

import (
	"context"
	"fmt"
	"net"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/brokeraddr"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/fanout"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// Admin is every RocketMQ admin call the controller makes; *admin.Client
// implements it, tests can fail any call.
type Admin interface {
	Topics(ctx context.Context, brokerAddr string) (map[string]admin.TopicConfig, error)
	Groups(ctx context.Context, brokerAddr string) (map[string]admin.SubscriptionGroupConfig, error)
	CreateTopics(ctx context.Context, brokerAddr string, tcs []admin.TopicConfig) error
	CreateGroups(ctx context.Context, brokerAddr string, gs []admin.SubscriptionGroupConfig) error
	SetTopicPerm(ctx context.Context, brokerAddr, topic string, perm int) error
	DeleteTopicInBroker(ctx context.Context, brokerAddr, topic string) error
	DeleteTopicInNameServer(ctx context.Context, nameSrvAddr, topic, clusterName string) error
	DeleteGroup(ctx context.Context, brokerAddr, group string, cleanOffset bool) error
	TopicConsumers(ctx context.Context, brokerAddr, topic string) ([]string, error)
	TopicsByConsumer(ctx context.Context, brokerAddr, group string) ([]string, error)
	ConsumeStats(ctx context.Context, brokerAddr, group, topic string) (*admin.ConsumeStats, error)
	TopicStats(ctx context.Context, brokerAddr, topic string) (*admin.TopicStats, error)
}

// brokerGroup is one broker group of the cluster and, when its master is
// known and answered, the master's topic and group tables, read once per
// reconcile.
type brokerGroup struct {
	name   string
	addr   string // "" when the group has no master with a pod IP
	err    error  // reading the tables failed
	topics map[string]admin.TopicConfig
	groups map[string]admin.SubscriptionGroupConfig
}

func (b *brokerGroup) usable() bool { return b.addr != "" && b.err == nil }

// brokerGroups lists the cluster's broker groups from its status, in
// status order, with each master's address: the master pod named in
// status.brokerGroups[].master, dialled at its pod IP.
func (r *Reconciler) brokerGroups(ctx context.Context, c *v1alpha1.RocketMQCluster) []*brokerGroup {
	out := make([]*brokerGroup, 0, len(c.Status.BrokerGroups))
	for _, g := range c.Status.BrokerGroups {
		b := &brokerGroup{name: g.Name}
		if g.Master != "" {
			var p corev1.Pod
			if err := r.client.Get(ctx, client.ObjectKey{Namespace: c.Namespace, Name: g.Master}, &p); err == nil {
				b.addr = brokeraddr.Remoting(&p)
			}
		}
		out = append(out, b)
	}
	return out
}

// readTables reads every master's topic and group tables, side by side.
func readTables(ctx context.Context, cl Admin, groups []*brokerGroup) {
	fanout.Each(len(groups), 0, func(i int) {
		b := groups[i]
		if b.addr == "" {
			return
		}
		topics, err := cl.Topics(ctx, b.addr)
		if err != nil {
			b.err = fmt.Errorf("broker group %s: %w", b.name, err)
			return
		}
		groupTable, err := cl.Groups(ctx, b.addr)
		if err != nil {
			b.err = fmt.Errorf("broker group %s: %w", b.name, err)
			return
		}
		b.topics, b.groups = topics, groupTable
	})
}

func byName(groups []*brokerGroup) map[string]*brokerGroup {
	out := make(map[string]*brokerGroup, len(groups))
	for _, b := range groups {
		out[b.name] = b
	}
	return out
}

// nameServers are a cluster's NameServers as the controller dials them.
type nameServers struct {
	cluster string   // the brokerClusterName
	addrs   []string // host:port
}

// nameServers maps the cluster's status.nameServerAddresses (the
// NameServer pods' DNS names, as rendered) to the pods' IPs read from the
// API server, as the masters are reached: the controller needs no cluster
// DNS. An address that names no known pod is dialled as given.
func (r *Reconciler) nameServers(ctx context.Context, c *v1alpha1.RocketMQCluster) nameServers {
	out := nameServers{cluster: c.Name, addrs: make([]string, len(c.Status.NameServerAddresses))}
	for i, addr := range c.Status.NameServerAddresses {
		out.addrs[i] = addr
		ns, name, ok := brokeraddr.PodKey(addr)
		if !ok {
			continue
		}
		var p corev1.Pod
		if err := r.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &p); err != nil {
			continue
		}
		_, port, err := net.SplitHostPort(addr)
		if err == nil && p.Status.PodIP != "" && brokeraddr.Pod(addr, []corev1.Pod{p}, nil) != nil {
			out.addrs[i] = net.JoinHostPort(p.Status.PodIP, port)
		}
	}
	return out
}
