package admin

import (
	"context"
	"fmt"
)

// ConsumeStats returns a group's per-queue offsets on one broker for one
// topic (GET_CONSUME_STATS, 208, GetConsumeStatsRequestHeader). topicList
// is sent too, which makes brokers since 5.3.2 skip the subscription check
// that otherwise hides topics an online group does not subscribe to.
func (c *Client) ConsumeStats(ctx context.Context, brokerAddr, group, topic string) (*ConsumeStats, error) {
	ext := map[string]string{"consumerGroup": group}
	if topic != "" {
		ext["topic"] = topic
		ext["topicList"] = topic
	}
	resp, err := c.invoke(ctx, brokerAddr, CodeGetConsumeStats, ext, nil)
	if err != nil {
		return nil, fmt.Errorf("getting consume stats of group %q topic %q from %s: %w", group, topic, brokerAddr, err)
	}
	var raw struct {
		OffsetTable map[string]OffsetWrapper `json:"offsetTable"`
		ConsumeTps  float64                  `json:"consumeTps"`
	}
	if err := decodeBody(resp.Body, &raw, "ConsumeStats"); err != nil {
		return nil, fmt.Errorf("getting consume stats of group %q from %s: %w", group, brokerAddr, err)
	}
	table, err := decodeQueueKeyed(raw.OffsetTable, "ConsumeStats.offsetTable")
	if err != nil {
		return nil, fmt.Errorf("getting consume stats of group %q from %s: %w", group, brokerAddr, err)
	}
	return &ConsumeStats{OffsetTable: table, ConsumeTps: raw.ConsumeTps}, nil
}

// TopicStats returns a topic's per-queue min and max offsets on one broker
// (GET_TOPIC_STATS_INFO, 202, GetTopicStatsInfoRequestHeader).
func (c *Client) TopicStats(ctx context.Context, brokerAddr, topic string) (*TopicStats, error) {
	resp, err := c.invoke(ctx, brokerAddr, CodeGetTopicStatsInfo, map[string]string{"topic": topic}, nil)
	if err != nil {
		return nil, fmt.Errorf("getting stats of topic %q from %s: %w", topic, brokerAddr, err)
	}
	var raw struct {
		OffsetTable map[string]TopicOffset `json:"offsetTable"`
		TopicPutTps float64                `json:"topicPutTps"`
	}
	if err := decodeBody(resp.Body, &raw, "TopicStatsTable"); err != nil {
		return nil, fmt.Errorf("getting stats of topic %q from %s: %w", topic, brokerAddr, err)
	}
	table, err := decodeQueueKeyed(raw.OffsetTable, "TopicStatsTable.offsetTable")
	if err != nil {
		return nil, fmt.Errorf("getting stats of topic %q from %s: %w", topic, brokerAddr, err)
	}
	return &TopicStats{OffsetTable: table, TopicPutTps: raw.TopicPutTps}, nil
}

// GroupDrained reports whether group has consumed everything of topic:
// brokerOffset - consumerOffset == 0 on every queue of every master broker
// the NameServer routes the topic to (mqadmin consumerProgress "Diff").
// A broker in the route without a master is an error: its queues cannot be
// checked.
func (c *Client) GroupDrained(ctx context.Context, nameSrvAddr, group, topic string) (bool, error) {
	route, err := c.TopicRoute(ctx, nameSrvAddr, topic)
	if err != nil {
		return false, fmt.Errorf("checking whether group %q drained topic %q: %w", group, topic, err)
	}
	masters := make(map[string]string, len(route.BrokerDatas))
	for _, bd := range route.BrokerDatas {
		masters[bd.BrokerName] = bd.MasterAddr()
	}
	for _, qd := range route.QueueDatas {
		addr := masters[qd.BrokerName]
		if addr == "" {
			return false, fmt.Errorf("checking whether group %q drained topic %q: broker %q has no master in the route", group, topic, qd.BrokerName)
		}
		stats, err := c.ConsumeStats(ctx, addr, group, topic)
		if err != nil {
			return false, fmt.Errorf("checking whether group %q drained topic %q: %w", group, topic, err)
		}
		for mq, o := range stats.OffsetTable {
			if mq.Topic == topic && o.BrokerOffset-o.ConsumerOffset != 0 {
				return false, nil
			}
		}
	}
	return true, nil
}
