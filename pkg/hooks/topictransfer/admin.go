package topictransfer

import (
	"context"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

// Admin is the part of the RocketMQ admin client a transfer needs;
// *admin.Client implements it. Tests wrap it to fail or count any call.
type Admin interface {
	ClusterInfo(ctx context.Context, nameSrvAddr string) (*admin.ClusterInfo, error)
	TopicRoute(ctx context.Context, nameSrvAddr, topic string) (*admin.TopicRouteData, error)
	Topic(ctx context.Context, brokerAddr, topic string) (*admin.TopicConfig, error)
	CreateTopic(ctx context.Context, brokerAddr string, tc admin.TopicConfig) error
	DeleteTopicInBroker(ctx context.Context, brokerAddr, topic string) error
	DeleteTopicInNameServer(ctx context.Context, nameSrvAddr, topic, clusterName string) error
	Group(ctx context.Context, brokerAddr, group string) (*admin.SubscriptionGroupConfig, error)
	CreateGroup(ctx context.Context, brokerAddr string, g admin.SubscriptionGroupConfig) error
	DeleteGroup(ctx context.Context, brokerAddr, group string, cleanOffset bool) error
	TopicsByConsumer(ctx context.Context, brokerAddr, group string) ([]string, error)
	ConsumeStats(ctx context.Context, brokerAddr, group, topic string) (*admin.ConsumeStats, error)
	BrokerBacklog(ctx context.Context, brokerAddr string) (admin.Backlog, error)
	QueryConsumerOffset(ctx context.Context, brokerAddr, group, topic string, queueID int) (int64, error)
	UpdateConsumerOffset(ctx context.Context, brokerAddr, group, topic string, queueID int, offset int64) error
	MinOffset(ctx context.Context, brokerAddr, topic string, queueID int) (int64, error)
}

var _ Admin = (*admin.Client)(nil)
