package migrate

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

// masterID is MixAll.MASTER_ID: the master's key in brokerAddrs.
const masterID = 0

// Admin is the part of the admin client that reading the old cluster
// needs; tests can fail any call.
type Admin interface {
	ClusterInfo(ctx context.Context, nameSrvAddr string) (*admin.ClusterInfo, error)
	Topics(ctx context.Context, brokerAddr string) (map[string]admin.TopicConfig, error)
	Groups(ctx context.Context, brokerAddr string) (map[string]admin.SubscriptionGroupConfig, error)
	TopicsByConsumer(ctx context.Context, brokerAddr, group string) ([]string, error)
}

// ReadTopics lists the old cluster's topics and the consumer groups of
// each from its master brokers: the topics from their topic configs (the
// NameServer's topic list would also hold other clusters' topics), the
// groups from their subscription groups, linked to topics by the group's
// committed offsets (QUERY_TOPICS_BY_CONSUMER) and static subscriptions.
// System topics and groups are skipped and reported.
func ReadTopics(ctx context.Context, api Admin, src SourceCluster, report *Report) ([]TopicGroups, error) {
	masters, brokerNames, err := clusterMasters(ctx, api, src)
	if err != nil {
		return nil, err
	}
	groupsOf := map[string]map[string]bool{}
	// Topics first, from every master: a group on one broker may read a
	// topic that only another broker holds.
	for _, addr := range masters {
		if err := readTopics(ctx, api, addr, groupsOf); err != nil {
			return nil, err
		}
	}
	for _, addr := range masters {
		if err := readGroups(ctx, api, addr, groupsOf); err != nil {
			return nil, err
		}
	}
	var out []TopicGroups
	for _, topic := range sortedKeys(groupsOf) {
		if isSystemTopic(topic, src.ClusterName, brokerNames) {
			report.dropped(resourceRef{Kind: "topic", Name: topic}, "", "a system, retry or dead-letter topic: each cluster keeps its own; not transferred")
			continue
		}
		tg := TopicGroups{Topic: topic}
		if len(groupsOf[topic]) > 0 {
			tg.Groups = sortedKeys(groupsOf[topic])
		}
		out = append(out, tg)
	}
	return out, nil
}

// clusterMasters asks the NameServers, in turn, for the master address of
// every broker group of the old cluster.
func clusterMasters(ctx context.Context, api Admin, src SourceCluster) (masters, brokerNames []string, err error) {
	var info *admin.ClusterInfo
	var errs []error
	for _, ns := range src.NameServers {
		if info, err = api.ClusterInfo(ctx, ns); err == nil {
			break
		}
		errs = append(errs, err)
	}
	if info == nil {
		return nil, nil, fmt.Errorf("reading the old cluster from its NameServers: %w", errors.Join(errs...))
	}
	brokerNames = append(brokerNames, info.ClusterAddrTable[src.ClusterName]...)
	if len(brokerNames) == 0 {
		return nil, nil, fmt.Errorf("cluster %s is not registered on NameServers %s (clusters there: %s): check the Broker's name or --source-nameservers",
			src.ClusterName, strings.Join(src.NameServers, ";"), strings.Join(sortedKeys(info.ClusterAddrTable), ", "))
	}
	sort.Strings(brokerNames)
	for _, name := range brokerNames {
		addr, ok := info.BrokerAddrTable[name].BrokerAddrs[masterID]
		if !ok {
			return nil, nil, fmt.Errorf("broker group %s of cluster %s has no master registered: wait until it has one, then run again",
				name, src.ClusterName)
		}
		masters = append(masters, addr)
	}
	return masters, brokerNames, nil
}

// readTopics adds one master's topics to groupsOf.
func readTopics(ctx context.Context, api Admin, addr string, groupsOf map[string]map[string]bool) error {
	topics, err := api.Topics(ctx, addr)
	if err != nil {
		return fmt.Errorf("listing the topics of the old cluster: %w", err)
	}
	for t := range topics {
		if groupsOf[t] == nil {
			groupsOf[t] = map[string]bool{}
		}
	}
	return nil
}

// readGroups links one master's consumer groups to the topics they read.
func readGroups(ctx context.Context, api Admin, addr string, groupsOf map[string]map[string]bool) error {
	groups, err := api.Groups(ctx, addr)
	if err != nil {
		return fmt.Errorf("listing the consumer groups of the old cluster: %w", err)
	}
	for _, g := range sortedKeys(groups) {
		if admin.IsSystemGroup(g) {
			continue
		}
		consumed, err := api.TopicsByConsumer(ctx, addr, g)
		if err != nil {
			return fmt.Errorf("finding the topics of consumer group %s: %w", g, err)
		}
		for _, s := range groups[g].SubscriptionDataSet {
			consumed = append(consumed, s.Topic)
		}
		for _, t := range consumed {
			// Only topics of this cluster move; a retry topic is the group's own.
			if set, ok := groupsOf[t]; ok {
				set[g] = true
			}
		}
	}
	return nil
}
