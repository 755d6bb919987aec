package admin

import (
	"context"
	"fmt"
)

// ClusterInfo returns the NameServer's broker and cluster tables
// (GET_BROKER_CLUSTER_INFO, 106; body ClusterInfo with bare integer keys).
func (c *Client) ClusterInfo(ctx context.Context, nameSrvAddr string) (*ClusterInfo, error) {
	resp, err := c.invoke(ctx, nameSrvAddr, CodeGetBrokerClusterInfo, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("getting cluster info from %s: %w", nameSrvAddr, err)
	}
	var ci ClusterInfo
	if err := decodeBody(resp.Body, &ci, "ClusterInfo"); err != nil {
		return nil, fmt.Errorf("getting cluster info from %s: %w", nameSrvAddr, err)
	}
	return &ci, nil
}

// TopicRoute returns a topic's route (GET_ROUTEINFO_BY_TOPIC, 105,
// GetRouteInfoRequestHeader). An unknown topic gives ErrTopicNotExist.
func (c *Client) TopicRoute(ctx context.Context, nameSrvAddr, topic string) (*TopicRouteData, error) {
	resp, err := c.invoke(ctx, nameSrvAddr, CodeGetRouteInfoByTopic, map[string]string{"topic": topic}, nil)
	if err != nil {
		return nil, fmt.Errorf("getting route of topic %q from %s: %w", topic, nameSrvAddr, err)
	}
	var rd TopicRouteData
	if err := decodeBody(resp.Body, &rd, "TopicRouteData"); err != nil {
		return nil, fmt.Errorf("getting route of topic %q from %s: %w", topic, nameSrvAddr, err)
	}
	return &rd, nil
}

// DeleteTopicInNameServer removes a topic's route (DELETE_TOPIC_IN_NAMESRV,
// 216, DeleteTopicFromNamesrvRequestHeader). With clusterName set only the
// queue data of that cluster's brokers is removed.
func (c *Client) DeleteTopicInNameServer(ctx context.Context, nameSrvAddr, topic, clusterName string) error {
	ext := map[string]string{"topic": topic}
	if clusterName != "" {
		ext["clusterName"] = clusterName
	}
	if _, err := c.invoke(ctx, nameSrvAddr, CodeDeleteTopicInNamesrv, ext, nil); err != nil {
		return fmt.Errorf("deleting topic %q (cluster %q) in NameServer %s: %w", topic, clusterName, nameSrvAddr, err)
	}
	return nil
}

// WipeWritePerm removes the write permission of every topic of a broker in
// the NameServer's route table (WIPE_WRITE_PERM_OF_BROKER, 205) and returns
// the number of topics changed (response header wipeTopicCount).
func (c *Client) WipeWritePerm(ctx context.Context, nameSrvAddr, brokerName string) (int, error) {
	return c.writePerm(ctx, nameSrvAddr, brokerName, CodeWipeWritePermOfBroker, "wipeTopicCount")
}

// AddWritePerm restores read and write permission of every topic of a
// broker in the NameServer's route table (ADD_WRITE_PERM_OF_BROKER, 327)
// and returns the number of topics changed (response header addTopicCount).
func (c *Client) AddWritePerm(ctx context.Context, nameSrvAddr, brokerName string) (int, error) {
	return c.writePerm(ctx, nameSrvAddr, brokerName, CodeAddWritePermOfBroker, "addTopicCount")
}

func (c *Client) writePerm(ctx context.Context, nameSrvAddr, brokerName string, code int, countField string) (int, error) {
	resp, err := c.invoke(ctx, nameSrvAddr, code, map[string]string{"brokerName": brokerName}, nil)
	if err != nil {
		return 0, fmt.Errorf("changing write permission of broker %q in %s: %w", brokerName, nameSrvAddr, err)
	}
	n, err := intHeader(resp.ExtFields, countField)
	if err != nil {
		return 0, fmt.Errorf("changing write permission of broker %q in %s: %w", brokerName, nameSrvAddr, err)
	}
	return n, nil
}
