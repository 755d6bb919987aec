package cluster

import (
	"context"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

// perCallTimeout bounds every admin call on its own: one reconcile makes
// calls to many brokers, and a budget shared by all of them would let one
// broker that accepts connections but never answers use it up, failing
// the calls to every healthy broker after it. A metadata copy is one call
// here (several requests to two brokers); a copy cut short is retried
// and sends only what the target still lacks.
type perCallTimeout struct {
	AdminClient
	d time.Duration
}

func withCallTimeout(cl AdminClient, d time.Duration) AdminClient {
	return perCallTimeout{AdminClient: cl, d: d}
}

func (p perCallTimeout) BrokerConfig(ctx context.Context, addr string) (map[string]string, error) {
	ctx, cancel := context.WithTimeout(ctx, p.d)
	defer cancel()
	return p.AdminClient.BrokerConfig(ctx, addr)
}

func (p perCallTimeout) UpdateBrokerConfig(ctx context.Context, addr string, kv map[string]string) error {
	ctx, cancel := context.WithTimeout(ctx, p.d)
	defer cancel()
	return p.AdminClient.UpdateBrokerConfig(ctx, addr, kv)
}

func (p perCallTimeout) CopyMetadataWith(ctx context.Context, from, to string, opts admin.CopyOptions) (admin.CopyResult, error) {
	ctx, cancel := context.WithTimeout(ctx, p.d)
	defer cancel()
	return p.AdminClient.CopyMetadataWith(ctx, from, to, opts)
}

func (p perCallTimeout) ClusterInfo(ctx context.Context, nameServer string) (*admin.ClusterInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, p.d)
	defer cancel()
	return p.AdminClient.ClusterInfo(ctx, nameServer)
}

func (p perCallTimeout) WipeWritePerm(ctx context.Context, nameServer, brokerName string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, p.d)
	defer cancel()
	return p.AdminClient.WipeWritePerm(ctx, nameServer, brokerName)
}

func (p perCallTimeout) AddWritePerm(ctx context.Context, nameServer, brokerName string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, p.d)
	defer cancel()
	return p.AdminClient.AddWritePerm(ctx, nameServer, brokerName)
}

func (p perCallTimeout) Groups(ctx context.Context, brokerAddr string) (map[string]admin.SubscriptionGroupConfig, error) {
	ctx, cancel := context.WithTimeout(ctx, p.d)
	defer cancel()
	return p.AdminClient.Groups(ctx, brokerAddr)
}

func (p perCallTimeout) ConsumeStats(ctx context.Context, brokerAddr, group, topic string) (*admin.ConsumeStats, error) {
	ctx, cancel := context.WithTimeout(ctx, p.d)
	defer cancel()
	return p.AdminClient.ConsumeStats(ctx, brokerAddr, group, topic)
}

func (p perCallTimeout) BrokerBacklog(ctx context.Context, brokerAddr string) (admin.Backlog, error) {
	ctx, cancel := context.WithTimeout(ctx, p.d)
	defer cancel()
	return p.AdminClient.BrokerBacklog(ctx, brokerAddr)
}

func (p perCallTimeout) GetUser(ctx context.Context, addr, username string) (*admin.UserInfo, error) {
	ctx, cancel := context.WithTimeout(ctx, p.d)
	defer cancel()
	return p.AdminClient.GetUser(ctx, addr, username)
}

func (p perCallTimeout) CreateUser(ctx context.Context, addr string, u admin.UserInfo) error {
	ctx, cancel := context.WithTimeout(ctx, p.d)
	defer cancel()
	return p.AdminClient.CreateUser(ctx, addr, u)
}

func (p perCallTimeout) UpdateUser(ctx context.Context, addr string, u admin.UserInfo) error {
	ctx, cancel := context.WithTimeout(ctx, p.d)
	defer cancel()
	return p.AdminClient.UpdateUser(ctx, addr, u)
}
