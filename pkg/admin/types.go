package admin

import "maps"

// TopicConfig mirrors org.apache.rocketmq.common.TopicConfig as fastjson
// writes it. Attributes hold plain keys ("message.type"), as the broker
// stores them; the client adds the "+" prefix the broker expects on create.
type TopicConfig struct {
	TopicName       string            `json:"topicName"`
	ReadQueueNums   int               `json:"readQueueNums"`
	WriteQueueNums  int               `json:"writeQueueNums"`
	Perm            int               `json:"perm"`
	TopicFilterType string            `json:"topicFilterType"`
	TopicSysFlag    int               `json:"topicSysFlag"`
	Order           bool              `json:"order"`
	Attributes      map[string]string `json:"attributes,omitempty"`
}

// Topic filter types (org.apache.rocketmq.common.TopicFilterType).
const (
	FilterSingleTag = "SINGLE_TAG"
	FilterMultiTag  = "MULTI_TAG"
)

// NewTopicConfig returns a TopicConfig with the Java defaults of
// `new TopicConfig(name)`: 16 read and write queues, perm RW, SINGLE_TAG.
func NewTopicConfig(name string) TopicConfig {
	return TopicConfig{
		TopicName: name, ReadQueueNums: 16, WriteQueueNums: 16,
		Perm: PermRead | PermWrite, TopicFilterType: FilterSingleTag,
	}
}

// Equal compares like TopicConfig.equals: every field, attributes included
// (a nil and an empty attribute map are equal).
func (t TopicConfig) Equal(o TopicConfig) bool {
	return t.TopicName == o.TopicName && t.ReadQueueNums == o.ReadQueueNums &&
		t.WriteQueueNums == o.WriteQueueNums && t.Perm == o.Perm &&
		filterOrDefault(t.TopicFilterType) == filterOrDefault(o.TopicFilterType) &&
		t.TopicSysFlag == o.TopicSysFlag && t.Order == o.Order &&
		maps.Equal(t.Attributes, o.Attributes)
}

func filterOrDefault(f string) string {
	if f == "" {
		return FilterSingleTag
	}
	return f
}

// SubscriptionGroupConfig mirrors
// org.apache.rocketmq.remoting.protocol.subscription.SubscriptionGroupConfig.
type SubscriptionGroupConfig struct {
	GroupName                      string                   `json:"groupName"`
	ConsumeEnable                  bool                     `json:"consumeEnable"`
	ConsumeFromMinEnable           bool                     `json:"consumeFromMinEnable"`
	ConsumeBroadcastEnable         bool                     `json:"consumeBroadcastEnable"`
	ConsumeMessageOrderly          bool                     `json:"consumeMessageOrderly"`
	RetryQueueNums                 int                      `json:"retryQueueNums"`
	RetryMaxTimes                  int                      `json:"retryMaxTimes"`
	GroupRetryPolicy               *GroupRetryPolicy        `json:"groupRetryPolicy,omitempty"`
	BrokerID                       int64                    `json:"brokerId"`
	WhichBrokerWhenConsumeSlowly   int64                    `json:"whichBrokerWhenConsumeSlowly"`
	NotifyConsumerIdsChangedEnable bool                     `json:"notifyConsumerIdsChangedEnable"`
	GroupSysFlag                   int                      `json:"groupSysFlag"`
	ConsumeTimeoutMinute           int                      `json:"consumeTimeoutMinute"`
	SubscriptionDataSet            []SimpleSubscriptionData `json:"subscriptionDataSet,omitempty"`
	Attributes                     map[string]string        `json:"attributes,omitempty"`
}

// GroupRetryPolicy mirrors subscription.GroupRetryPolicy.
type GroupRetryPolicy struct {
	Type                   string                  `json:"type"`
	ExponentialRetryPolicy *ExponentialRetryPolicy `json:"exponentialRetryPolicy,omitempty"`
	CustomizedRetryPolicy  *CustomizedRetryPolicy  `json:"customizedRetryPolicy,omitempty"`
}

// ExponentialRetryPolicy mirrors subscription.ExponentialRetryPolicy.
type ExponentialRetryPolicy struct {
	Initial    int64 `json:"initial"`
	Max        int64 `json:"max"`
	Multiplier int64 `json:"multiplier"`
}

// CustomizedRetryPolicy mirrors subscription.CustomizedRetryPolicy.
type CustomizedRetryPolicy struct {
	Next []int64 `json:"next"`
}

// SimpleSubscriptionData mirrors subscription.SimpleSubscriptionData.
type SimpleSubscriptionData struct {
	Topic          string `json:"topic"`
	ExpressionType string `json:"expressionType"`
	Expression     string `json:"expression"`
	Version        int64  `json:"version"`
}

// NewSubscriptionGroupConfig returns a group with the Java field defaults.
func NewSubscriptionGroupConfig(name string) SubscriptionGroupConfig {
	return SubscriptionGroupConfig{
		GroupName: name, ConsumeEnable: true, ConsumeFromMinEnable: true,
		ConsumeBroadcastEnable: true, RetryQueueNums: 1, RetryMaxTimes: 16,
		GroupRetryPolicy:             &GroupRetryPolicy{Type: "CUSTOMIZED"},
		WhichBrokerWhenConsumeSlowly: 1, NotifyConsumerIdsChangedEnable: true,
		ConsumeTimeoutMinute: 15,
	}
}

// DataVersion mirrors org.apache.rocketmq.remoting.protocol.DataVersion.
type DataVersion struct {
	StateVersion int64 `json:"stateVersion"`
	Timestamp    int64 `json:"timestamp"`
	Counter      int64 `json:"counter"`
}

// BrokerData mirrors route.BrokerData. BrokerAddrs is keyed by broker id
// (0 is the master); fastjson writes those keys as bare integers.
type BrokerData struct {
	Cluster            string           `json:"cluster"`
	BrokerName         string           `json:"brokerName"`
	BrokerAddrs        map[int64]string `json:"brokerAddrs"`
	ZoneName           string           `json:"zoneName,omitempty"`
	EnableActingMaster bool             `json:"enableActingMaster"`
}

// MasterAddr returns the address of broker id 0, or "" when none.
func (b BrokerData) MasterAddr() string { return b.BrokerAddrs[0] }

// ClusterInfo mirrors body.ClusterInfo (GET_BROKER_CLUSTER_INFO).
type ClusterInfo struct {
	BrokerAddrTable  map[string]BrokerData `json:"brokerAddrTable"`
	ClusterAddrTable map[string][]string   `json:"clusterAddrTable"`
}

// QueueData mirrors route.QueueData.
type QueueData struct {
	BrokerName     string `json:"brokerName"`
	ReadQueueNums  int    `json:"readQueueNums"`
	WriteQueueNums int    `json:"writeQueueNums"`
	Perm           int    `json:"perm"`
	TopicSysFlag   int    `json:"topicSysFlag"`
}

// TopicRouteData mirrors route.TopicRouteData.
type TopicRouteData struct {
	OrderTopicConf    string              `json:"orderTopicConf,omitempty"`
	QueueDatas        []QueueData         `json:"queueDatas"`
	BrokerDatas       []BrokerData        `json:"brokerDatas"`
	FilterServerTable map[string][]string `json:"filterServerTable,omitempty"`
}

// MessageQueue mirrors org.apache.rocketmq.common.message.MessageQueue; it
// is the key of the offset tables below.
type MessageQueue struct {
	Topic      string `json:"topic"`
	BrokerName string `json:"brokerName"`
	QueueID    int    `json:"queueId"`
}

// OffsetWrapper mirrors admin.OffsetWrapper.
type OffsetWrapper struct {
	BrokerOffset   int64 `json:"brokerOffset"`
	ConsumerOffset int64 `json:"consumerOffset"`
	PullOffset     int64 `json:"pullOffset"`
	LastTimestamp  int64 `json:"lastTimestamp"`
}

// ConsumeStats mirrors admin.ConsumeStats (GET_CONSUME_STATS).
type ConsumeStats struct {
	OffsetTable map[MessageQueue]OffsetWrapper
	ConsumeTps  float64
}

// Diff is the sum over all queues of brokerOffset - consumerOffset, what
// mqadmin consumerProgress prints as "Diff Total".
func (s *ConsumeStats) Diff() int64 {
	var d int64
	for _, o := range s.OffsetTable {
		d += o.BrokerOffset - o.ConsumerOffset
	}
	return d
}

// TopicOffset mirrors admin.TopicOffset.
type TopicOffset struct {
	MinOffset           int64 `json:"minOffset"`
	MaxOffset           int64 `json:"maxOffset"`
	LastUpdateTimestamp int64 `json:"lastUpdateTimestamp"`
}

// TopicStats mirrors admin.TopicStatsTable (GET_TOPIC_STATS_INFO).
type TopicStats struct {
	OffsetTable map[MessageQueue]TopicOffset
	TopicPutTps float64
}
