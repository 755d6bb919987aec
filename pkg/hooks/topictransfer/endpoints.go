package topictransfer

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

// Endpoint is one side of a transfer, resolved: the NameServers to ask,
// the brokerClusterName whose brokers hold the topic, and the admin client
// to reach them with (each side may need its own ACL credentials).
type Endpoint struct {
	ClusterName string
	NameServers []string
	Admin       Admin
	// BrokerAddr maps a broker address the NameServers hand out (a
	// rendered broker registers under its pod DNS name) to the address
	// to dial. The controller sets it for a RocketMQCluster it can see,
	// mapping names to pod IPs, so that no cluster DNS is needed. nil
	// dials the address as given, which works wherever the name
	// resolves: inside the cluster, or for an unmanaged cluster whose
	// brokers register under reachable addresses.
	BrokerAddr func(addr string) string
}

// dialAddr is where to reach a broker the NameServers call addr.
func (e Endpoint) dialAddr(addr string) string {
	if e.BrokerAddr == nil {
		return addr
	}
	return e.BrokerAddr(addr)
}

func (e Endpoint) String() string {
	return fmt.Sprintf("cluster %q at %v", e.ClusterName, e.NameServers)
}

// errNoNameServers is returned for an endpoint without any NameServer.
var errNoNameServers = errors.New("no NameServer address")

// askNameServers returns the first answer of the NameServers in order; one
// NameServer down must not stop a transfer while another answers.
func askNameServers[T any](ctx context.Context, ep Endpoint, call func(ns string) (T, error)) (T, error) {
	var zero T
	if len(ep.NameServers) == 0 {
		return zero, fmt.Errorf("%v: %w", ep, errNoNameServers)
	}
	var errs []error
	for _, ns := range ep.NameServers {
		v, err := call(ns)
		if err == nil {
			return v, nil
		}
		if errors.Is(err, admin.ErrTopicNotExist) || ctx.Err() != nil {
			return zero, err
		}
		errs = append(errs, err)
	}
	return zero, errors.Join(errs...)
}

// masters returns brokerName → master address of every broker group of the
// endpoint's cluster. A group without a master is an error: what it holds
// can be neither read nor changed.
func masters(ctx context.Context, ep Endpoint) (map[string]string, error) {
	ci, err := askNameServers(ctx, ep, func(ns string) (*admin.ClusterInfo, error) { return ep.Admin.ClusterInfo(ctx, ns) })
	if err != nil {
		return nil, fmt.Errorf("reading brokers of %v: %w", ep, err)
	}
	names := ci.ClusterAddrTable[ep.ClusterName]
	if len(names) == 0 {
		return nil, fmt.Errorf("%v: no broker of this cluster is registered", ep)
	}
	out := make(map[string]string, len(names))
	for _, bn := range names {
		addr := ci.BrokerAddrTable[bn].MasterAddr()
		if addr == "" {
			return nil, fmt.Errorf("%v: broker group %q has no master", ep, bn)
		}
		out[bn] = ep.dialAddr(addr)
	}
	return out, nil
}

// topicQueues returns the queue data of topic on the endpoint's brokers,
// by brokerName. An empty map means the topic is not on this cluster (it
// may be on another cluster sharing the NameServers).
func topicQueues(ctx context.Context, ep Endpoint, brokers map[string]string, topic string) (map[string]admin.QueueData, error) {
	route, err := askNameServers(ctx, ep, func(ns string) (*admin.TopicRouteData, error) { return ep.Admin.TopicRoute(ctx, ns, topic) })
	if errors.Is(err, admin.ErrTopicNotExist) {
		return map[string]admin.QueueData{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading route of topic %q from %v: %w", topic, ep, err)
	}
	out := map[string]admin.QueueData{}
	for _, qd := range route.QueueDatas {
		if _, ours := brokers[qd.BrokerName]; ours {
			out[qd.BrokerName] = qd
		}
	}
	return out, nil
}

// sortedNames returns the keys of m in order, so every run touches brokers
// in the same order.
func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
