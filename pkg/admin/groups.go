package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
)

// Groups returns every subscription group of a broker, system groups
// included (GET_ALL_SUBSCRIPTIONGROUP_CONFIG, 201, body SubscriptionGroupWrapper).
func (c *Client) Groups(ctx context.Context, brokerAddr string) (map[string]SubscriptionGroupConfig, error) {
	resp, err := c.invoke(ctx, brokerAddr, CodeGetAllSubscriptionGroupConfig, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("listing groups of %s: %w", brokerAddr, err)
	}
	var w struct {
		SubscriptionGroupTable map[string]SubscriptionGroupConfig `json:"subscriptionGroupTable"`
	}
	if err := decodeBody(resp.Body, &w, "SubscriptionGroupWrapper"); err != nil {
		return nil, fmt.Errorf("listing groups of %s: %w", brokerAddr, err)
	}
	if w.SubscriptionGroupTable == nil {
		w.SubscriptionGroupTable = map[string]SubscriptionGroupConfig{}
	}
	return w.SubscriptionGroupTable, nil
}

// Group returns one subscription group (GET_SUBSCRIPTIONGROUP_CONFIG, 352,
// GetSubscriptionGroupConfigRequestHeader); ErrSubscriptionGroupNotExist
// when absent.
func (c *Client) Group(ctx context.Context, brokerAddr, group string) (*SubscriptionGroupConfig, error) {
	resp, err := c.invoke(ctx, brokerAddr, CodeGetSubscriptionGroupConfig, map[string]string{"group": group}, nil)
	if err != nil {
		return nil, fmt.Errorf("getting group %q from %s: %w", group, brokerAddr, err)
	}
	var g SubscriptionGroupConfig
	if err := decodeBody(resp.Body, &g, "SubscriptionGroupConfig"); err != nil {
		return nil, fmt.Errorf("getting group %q from %s: %w", group, brokerAddr, err)
	}
	return &g, nil
}

// CreateGroup creates or updates a subscription group
// (UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, 200, body SubscriptionGroupConfig).
func (c *Client) CreateGroup(ctx context.Context, brokerAddr string, g SubscriptionGroupConfig) error {
	body, err := json.Marshal(g)
	if err != nil {
		return fmt.Errorf("encoding group %q: %w", g.GroupName, err)
	}
	if _, err := c.invoke(ctx, brokerAddr, CodeUpdateAndCreateSubscriptionGroup, nil, body); err != nil {
		return fmt.Errorf("creating group %q on %s: %w", g.GroupName, brokerAddr, err)
	}
	return nil
}

// CreateGroups creates or updates many groups with
// UPDATE_AND_CREATE_SUBSCRIPTIONGROUP_LIST (225, body SubscriptionGroupList,
// since 5.3.1) in batches, falling back to one code 200 per group when the
// broker does not know 225.
func (c *Client) CreateGroups(ctx context.Context, brokerAddr string, gs []SubscriptionGroupConfig) error {
	for start := 0; start < len(gs); start += c.opts.BatchSize {
		batch := gs[start:min(start+c.opts.BatchSize, len(gs))]
		body, err := json.Marshal(struct {
			GroupConfigList []SubscriptionGroupConfig `json:"groupConfigList"`
		}{batch})
		if err != nil {
			return fmt.Errorf("encoding group list: %w", err)
		}
		_, err = c.invoke(ctx, brokerAddr, CodeUpdateAndCreateSubscriptionGroups, nil, body)
		if errors.Is(err, ErrRequestCodeNotSupported) {
			return c.createGroupsOneByOne(ctx, brokerAddr, gs[start:])
		}
		if err != nil {
			return fmt.Errorf("creating %d groups on %s: %w", len(batch), brokerAddr, err)
		}
	}
	return nil
}

func (c *Client) createGroupsOneByOne(ctx context.Context, brokerAddr string, gs []SubscriptionGroupConfig) error {
	for _, g := range gs {
		if err := c.CreateGroup(ctx, brokerAddr, g); err != nil {
			return err
		}
	}
	return nil
}

// DeleteGroup deletes a subscription group (DELETE_SUBSCRIPTIONGROUP, 207,
// DeleteSubscriptionGroupRequestHeader), and its offsets when cleanOffset.
// The broker answers SUCCESS whether or not the group existed.
func (c *Client) DeleteGroup(ctx context.Context, brokerAddr, group string, cleanOffset bool) error {
	ext := map[string]string{"groupName": group, "cleanOffset": strconv.FormatBool(cleanOffset)}
	if _, err := c.invoke(ctx, brokerAddr, CodeDeleteSubscriptionGroup, ext, nil); err != nil {
		return fmt.Errorf("deleting group %q on %s: %w", group, brokerAddr, err)
	}
	return nil
}

// TopicsByConsumer returns the topics a group has consumer offsets on in
// one broker (QUERY_TOPICS_BY_CONSUMER, 343,
// QueryTopicsByConsumerRequestHeader, body TopicList), sorted. The broker
// reads them from its offset table (ConsumerOffsetManager.whichTopicByConsumer):
// a topic the group subscribes to but never committed an offset on is not
// listed, and a deleted topic's offsets are gone with it.
func (c *Client) TopicsByConsumer(ctx context.Context, brokerAddr, group string) ([]string, error) {
	resp, err := c.invoke(ctx, brokerAddr, CodeQueryTopicsByConsumer, map[string]string{"group": group}, nil)
	if err != nil {
		return nil, fmt.Errorf("querying the topics of group %q on %s: %w", group, brokerAddr, err)
	}
	var tl struct {
		TopicList []string `json:"topicList"`
	}
	if err := decodeBody(resp.Body, &tl, "TopicList"); err != nil {
		return nil, fmt.Errorf("querying the topics of group %q on %s: %w", group, brokerAddr, err)
	}
	sort.Strings(tl.TopicList)
	return tl.TopicList, nil
}

// TopicConsumers returns the groups that consume a topic on one broker
// (QUERY_TOPIC_CONSUME_BY_WHO, 300, QueryTopicConsumeByWhoRequestHeader,
// body GroupList), sorted: groups with online subscribed consumers and
// groups with consumer offsets on the topic
// (ConsumerOffsetManager.whichGroupByTopic).
func (c *Client) TopicConsumers(ctx context.Context, brokerAddr, topic string) ([]string, error) {
	resp, err := c.invoke(ctx, brokerAddr, CodeQueryTopicConsumeByWho, map[string]string{"topic": topic}, nil)
	if err != nil {
		return nil, fmt.Errorf("querying the groups consuming topic %q on %s: %w", topic, brokerAddr, err)
	}
	var gl struct {
		GroupList []string `json:"groupList"`
	}
	if err := decodeBody(resp.Body, &gl, "GroupList"); err != nil {
		return nil, fmt.Errorf("querying the groups consuming topic %q on %s: %w", topic, brokerAddr, err)
	}
	sort.Strings(gl.GroupList)
	return gl.GroupList, nil
}
