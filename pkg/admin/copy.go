package admin

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"sort"
)

// CopyResult says what CopyMetadata did. Names are sorted.
type CopyResult struct {
	TopicsCreated   []string // missing on the target, created
	TopicsUpdated   []string // present on the target with another config
	TopicsUnchanged int      // already equal on the target, not sent
	TopicsSkipped   []string // system topics of either broker
	// TopicsOrderedSkipped are ordered and FIFO topics left out because
	// CopyOptions.SpreadOrderedTopics is off.
	TopicsOrderedSkipped []string
	// TopicsHeld are topics left out because CopyOptions.HoldTopics
	// names them.
	TopicsHeld      []string
	GroupsCreated   []string
	GroupsUpdated   []string
	GroupsUnchanged int
	GroupsSkipped   []string
}

// replyTopicSuffix builds the per-cluster reply topic
// (clusterName + "_" + MixAll.REPLY_TOPIC_POSTFIX), a system topic.
const replyTopicSuffix = "_REPLY_TOPIC"

// CopyOptions tune CopyMetadataWith.
type CopyOptions struct {
	// SpreadOrderedTopics also copies ordered topics (TopicConfig.order)
	// and FIFO topics (attribute message.type=FIFO). Off, they stay on the
	// brokers that have them: queues on a new broker change which queue a
	// sharding key hashes to, which breaks the order of that key.
	SpreadOrderedTopics bool
	// HoldTopics are topics neither created nor updated on the target:
	// topics a TopicTransfer is moving off this cluster, which must not
	// gain queues on a new broker group while their source is drained.
	HoldTopics map[string]bool
}

// CopyMetadata is CopyMetadataWith the default options: ordered and FIFO
// topics are not spread.
func (c *Client) CopyMetadata(ctx context.Context, from, to string) (CopyResult, error) {
	return c.CopyMetadataWith(ctx, from, to, CopyOptions{})
}

// CopyMetadataWith copies subscription groups, then topics, from one
// broker to another, as scale-out needs before a new broker group takes
// traffic. Groups go first: once a topic is on the new broker its route
// sends consumers there, and a broker with autoCreateSubscriptionGroup off
// refuses pulls of a group it does not know.
//
// System topics and groups are skipped: TopicValidator's set and prefix,
// plus the names each broker adds for itself at start (its cluster name,
// broker name and reply topic, the trace topic), and MixAll's predefined
// and CID_RMQ_SYS_ groups. Only what differs from the target is sent,
// through the batch codes 18 and 225 (falling back to 17 and 200 on
// brokers before 5.3), so a second run sends nothing. Sending only
// differing topics also avoids the 5.3 batch early return.
//
// On error the result holds what was planned so far, not what was applied;
// running CopyMetadata again finishes the job.
func (c *Client) CopyMetadataWith(ctx context.Context, from, to string, opts CopyOptions) (CopyResult, error) {
	var res CopyResult
	skip, err := c.brokerSystemTopics(ctx, from, to)
	if err != nil {
		return res, fmt.Errorf("copying metadata from %s to %s: %w", from, to, err)
	}
	if err := c.copyGroups(ctx, from, to, &res); err != nil {
		return res, fmt.Errorf("copying metadata from %s to %s: %w", from, to, err)
	}
	if err := c.copyTopics(ctx, from, to, skip, opts, &res); err != nil {
		return res, fmt.Errorf("copying metadata from %s to %s: %w", from, to, err)
	}
	return res, nil
}

// IsOrdered reports whether a topic keeps per-key order: the order flag
// (TopicConfig.order) or message.type=FIFO (TopicMessageType.FIFO).
func (tc TopicConfig) IsOrdered() bool {
	return tc.Order || tc.Attributes["message.type"] == "FIFO"
}

// brokerSystemTopics returns the topics that TopicConfigManager.init adds
// to the system set on each of the brokers.
func (c *Client) brokerSystemTopics(ctx context.Context, addrs ...string) (map[string]bool, error) {
	skip := make(map[string]bool)
	for _, addr := range addrs {
		cfg, err := c.BrokerConfig(ctx, addr)
		if err != nil {
			return nil, err
		}
		for _, name := range []string{cfg["brokerName"], cfg["brokerClusterName"]} {
			if name != "" {
				skip[name] = true
			}
		}
		if cluster := cfg["brokerClusterName"]; cluster != "" {
			skip[cluster+replyTopicSuffix] = true
		}
		if cfg["traceTopicEnable"] == "true" && cfg["msgTraceTopicName"] != "" {
			skip[cfg["msgTraceTopicName"]] = true
		}
	}
	return skip, nil
}

func (c *Client) copyTopics(ctx context.Context, from, to string, skip map[string]bool, opts CopyOptions, res *CopyResult) error {
	src, err := c.Topics(ctx, from)
	if err != nil {
		return err
	}
	dst, err := c.Topics(ctx, to)
	if err != nil {
		return err
	}
	var send []TopicConfig
	for _, name := range sortedKeys(src) {
		tc := src[name]
		if IsSystemTopic(name) || skip[name] {
			res.TopicsSkipped = append(res.TopicsSkipped, name)
			continue
		}
		if opts.HoldTopics[name] {
			res.TopicsHeld = append(res.TopicsHeld, name)
			continue
		}
		cur, exists := dst[name]
		switch {
		case !exists && tc.IsOrdered() && !opts.SpreadOrderedTopics:
			res.TopicsOrderedSkipped = append(res.TopicsOrderedSkipped, name)
		case !exists:
			res.TopicsCreated = append(res.TopicsCreated, name)
			send = append(send, tc)
		case cur.Equal(tc):
			res.TopicsUnchanged++
		default:
			res.TopicsUpdated = append(res.TopicsUpdated, name)
			tc.Attributes = changedAttributes(cur.Attributes, tc.Attributes)
			send = append(send, tc)
		}
	}
	if len(send) == 0 {
		return nil
	}
	return c.CreateTopics(ctx, to, send)
}

// changedAttributes returns the attributes of want that cur lacks or holds
// with another value: re-sending an unchanged unchangeable attribute
// (queue.type, cleanup.policy) makes the broker refuse the update.
// Attributes only on the target are left alone.
func changedAttributes(cur, want map[string]string) map[string]string {
	out := make(map[string]string)
	for k, v := range want {
		if cv, ok := cur[k]; !ok || cv != v {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func (c *Client) copyGroups(ctx context.Context, from, to string, res *CopyResult) error {
	src, err := c.Groups(ctx, from)
	if err != nil {
		return err
	}
	dst, err := c.Groups(ctx, to)
	if err != nil {
		return err
	}
	var send []SubscriptionGroupConfig
	for _, name := range sortedKeys(src) {
		g := src[name]
		if IsSystemGroup(name) {
			res.GroupsSkipped = append(res.GroupsSkipped, name)
			continue
		}
		cur, exists := dst[name]
		switch {
		case !exists:
			res.GroupsCreated = append(res.GroupsCreated, name)
			send = append(send, g)
		case cur.Equal(g):
			res.GroupsUnchanged++
		default:
			res.GroupsUpdated = append(res.GroupsUpdated, name)
			send = append(send, g)
		}
	}
	if len(send) == 0 {
		return nil
	}
	return c.CreateGroups(ctx, to, send)
}

// Equal compares two group configs, treating nil and empty collections as
// equal and ignoring subscription set order (a Java Set).
func (a SubscriptionGroupConfig) Equal(b SubscriptionGroupConfig) bool {
	if !maps.Equal(a.Attributes, b.Attributes) {
		return false
	}
	if !subscriptionSetsEqual(a.SubscriptionDataSet, b.SubscriptionDataSet) {
		return false
	}
	a.Attributes, b.Attributes = nil, nil
	a.SubscriptionDataSet, b.SubscriptionDataSet = nil, nil
	return reflect.DeepEqual(a, b)
}

func subscriptionSetsEqual(a, b []SimpleSubscriptionData) bool {
	if len(a) != len(b) {
		return false
	}
	sorted := func(s []SimpleSubscriptionData) []SimpleSubscriptionData {
		out := append([]SimpleSubscriptionData(nil), s...)
		sort.Slice(out, func(i, j int) bool {
			if out[i].Topic != out[j].Topic {
				return out[i].Topic < out[j].Topic
			}
			return out[i].Expression < out[j].Expression
		})
		return out
	}
	return reflect.DeepEqual(sorted(a), sorted(b))
}
