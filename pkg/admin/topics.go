package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// defaultTopic is CreateTopicRequestHeader.defaultTopic as mqadmin sends it
// (TopicValidator.AUTO_CREATE_TOPIC_KEY_TOPIC).
const defaultTopic = "TBW102"

// Topics returns every topic config of a broker, system topics included
// (GET_ALL_TOPIC_CONFIG, 21, no header so that brokers with
// enableSplitMetadata return the whole table).
func (c *Client) Topics(ctx context.Context, brokerAddr string) (map[string]TopicConfig, error) {
	resp, err := c.invoke(ctx, brokerAddr, CodeGetAllTopicConfig, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("listing topics of %s: %w", brokerAddr, err)
	}
	var w struct {
		TopicConfigTable map[string]TopicConfig `json:"topicConfigTable"`
	}
	if err := decodeBody(resp.Body, &w, "TopicConfigAndMappingSerializeWrapper"); err != nil {
		return nil, fmt.Errorf("listing topics of %s: %w", brokerAddr, err)
	}
	if w.TopicConfigTable == nil {
		w.TopicConfigTable = map[string]TopicConfig{}
	}
	return w.TopicConfigTable, nil
}

// Topic returns one topic config (GET_TOPIC_CONFIG, 351,
// GetTopicConfigRequestHeader); ErrTopicNotExist when absent.
func (c *Client) Topic(ctx context.Context, brokerAddr, topic string) (*TopicConfig, error) {
	resp, err := c.invoke(ctx, brokerAddr, CodeGetTopicConfig, map[string]string{"topic": topic}, nil)
	if err != nil {
		return nil, fmt.Errorf("getting topic %q from %s: %w", topic, brokerAddr, err)
	}
	// The body is TopicConfigAndQueueMapping: TopicConfig plus mappingDetail.
	var tc TopicConfig
	if err := decodeBody(resp.Body, &tc, "TopicConfigAndQueueMapping"); err != nil {
		return nil, fmt.Errorf("getting topic %q from %s: %w", topic, brokerAddr, err)
	}
	return &tc, nil
}

// CreateTopic creates or updates a topic (UPDATE_AND_CREATE_TOPIC, 17,
// CreateTopicRequestHeader). Attributes are sent as "+key=value"; keys the
// broker already has and tc lacks are kept by the broker.
func (c *Client) CreateTopic(ctx context.Context, brokerAddr string, tc TopicConfig) error {
	if _, err := c.invoke(ctx, brokerAddr, CodeUpdateAndCreateTopic, createTopicHeader(tc), nil); err != nil {
		return fmt.Errorf("creating topic %q on %s: %w", tc.TopicName, brokerAddr, err)
	}
	return nil
}

func createTopicHeader(tc TopicConfig) map[string]string {
	ext := map[string]string{
		"topic":           tc.TopicName,
		"defaultTopic":    defaultTopic,
		"readQueueNums":   strconv.Itoa(tc.ReadQueueNums),
		"writeQueueNums":  strconv.Itoa(tc.WriteQueueNums),
		"perm":            strconv.Itoa(tc.Perm),
		"topicFilterType": filterOrDefault(tc.TopicFilterType),
		"topicSysFlag":    strconv.Itoa(tc.TopicSysFlag),
		"order":           strconv.FormatBool(tc.Order),
		"force":           "false",
	}
	if len(tc.Attributes) > 0 {
		ext["attributes"] = attributeString(tc.Attributes)
	}
	return ext
}

// attributeString formats attributes as AttributeParser.parseToString
// expects them on create: "+k1=v1,+k2=v2", keys sorted.
func attributeString(attrs map[string]string) string {
	keys := sortedKeys(attrs)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = "+" + k + "=" + attrs[k]
	}
	return strings.Join(parts, ",")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// CreateTopics creates or updates many topics with
// UPDATE_AND_CREATE_TOPIC_LIST (18, body CreateTopicListRequestBody) in
// batches of Options.BatchSize. Since 5.3.0 the broker stops at the first
// topic equal to its current config and reports SUCCESS without applying
// the rest, so callers must pass only topics that differ (CopyMetadata
// does). A broker that does not know code 18 gets one code 17 per topic.
func (c *Client) CreateTopics(ctx context.Context, brokerAddr string, tcs []TopicConfig) error {
	for start := 0; start < len(tcs); start += c.opts.BatchSize {
		batch := tcs[start:min(start+c.opts.BatchSize, len(tcs))]
		err := c.createTopicBatch(ctx, brokerAddr, batch)
		if errors.Is(err, ErrRequestCodeNotSupported) {
			return c.createTopicsOneByOne(ctx, brokerAddr, tcs[start:])
		}
		if err != nil {
			return fmt.Errorf("creating %d topics on %s: %w", len(batch), brokerAddr, err)
		}
	}
	return nil
}

func (c *Client) createTopicBatch(ctx context.Context, brokerAddr string, batch []TopicConfig) error {
	wire := make([]TopicConfig, len(batch))
	for i, tc := range batch {
		wire[i] = tc
		wire[i].TopicFilterType = filterOrDefault(tc.TopicFilterType)
		if len(tc.Attributes) > 0 {
			// updateSingleTopicConfigWithoutPersist reads the body's attribute
			// keys with their +/- operation prefix.
			wire[i].Attributes = make(map[string]string, len(tc.Attributes))
			for k, v := range tc.Attributes {
				wire[i].Attributes["+"+k] = v
			}
		}
	}
	body, err := json.Marshal(struct {
		TopicConfigList []TopicConfig `json:"topicConfigList"`
	}{wire})
	if err != nil {
		return fmt.Errorf("encoding topic list: %w", err)
	}
	_, err = c.invoke(ctx, brokerAddr, CodeUpdateAndCreateTopicList, nil, body)
	return err
}

func (c *Client) createTopicsOneByOne(ctx context.Context, brokerAddr string, tcs []TopicConfig) error {
	for _, tc := range tcs {
		if err := c.CreateTopic(ctx, brokerAddr, tc); err != nil {
			return err
		}
	}
	return nil
}

// DeleteTopicInBroker deletes a topic, its offsets and its store files from
// a broker (DELETE_TOPIC_IN_BROKER, 215, DeleteTopicRequestHeader). The
// NameServer keeps the route until DeleteTopicInNameServer.
func (c *Client) DeleteTopicInBroker(ctx context.Context, brokerAddr, topic string) error {
	if _, err := c.invoke(ctx, brokerAddr, CodeDeleteTopicInBroker, map[string]string{"topic": topic}, nil); err != nil {
		return fmt.Errorf("deleting topic %q on %s: %w", topic, brokerAddr, err)
	}
	return nil
}

// SetTopicPerm changes a topic's permission the way mqadmin updateTopicPerm
// does: read the config and send UPDATE_AND_CREATE_TOPIC with everything
// the same but perm. Attributes are not re-sent: the broker keeps its
// current ones, and re-sending an unchangeable one (queue.type,
// cleanup.policy) would be refused.
func (c *Client) SetTopicPerm(ctx context.Context, brokerAddr, topic string, perm int) error {
	tc, err := c.Topic(ctx, brokerAddr, topic)
	if err != nil {
		return fmt.Errorf("setting perm of topic %q: %w", topic, err)
	}
	if tc.Perm == perm {
		return nil
	}
	tc.Perm = perm
	tc.Attributes = nil
	if err := c.CreateTopic(ctx, brokerAddr, *tc); err != nil {
		return fmt.Errorf("setting perm of topic %q to %d: %w", topic, perm, err)
	}
	return nil
}
