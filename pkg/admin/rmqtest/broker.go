package rmqtest

import (
	"maps"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// BrokerOptions configure an emulated broker.
type BrokerOptions struct {
	// Addr to listen on, e.g. "127.0.0.2:10911" or "127.0.0.1:0".
	Addr        string
	ClusterName string // default "DefaultCluster"
	BrokerName  string // default "broker-a"
	BrokerID    int64  // 0 is the master
	// NameServers the broker registers with (namesrvAddr).
	NameServers []string
	// Config overrides or adds broker config keys (as in broker.conf).
	Config map[string]string
	// Auth, when set, requires ACL-signed requests.
	Auth *Auth
	// WithoutBatchCodes makes the broker answer 18 and 225 with
	// REQUEST_CODE_NOT_SUPPORTED, as brokers before 5.3.0 do.
	WithoutBatchCodes bool
	// FixedBatchCreate turns off the 5.3.x early return of code 18 (the
	// batch then applies every topic, as the PR review asked).
	FixedBatchCreate bool
	// BinaryResponses answers with ROCKETMQ binary headers.
	BinaryResponses bool
}

// Broker emulates a Java broker's admin side: TopicConfigManager,
// SubscriptionGroupManager, ConsumerOffsetManager, Configuration and the
// message store's queue offsets, served like AdminBrokerProcessor.
type Broker struct {
	*Endpoint
	opts BrokerOptions
	reg  *registrar

	mu              sync.Mutex
	topics          map[string]admin.TopicConfig
	topicVersion    admin.DataVersion
	groups          map[string]admin.SubscriptionGroupConfig
	groupVersion    admin.DataVersion
	config          map[string]string
	configVersion   admin.DataVersion
	maxOffsets      map[queueKey]int64
	consumerOffsets map[groupQueueKey]int64
	audit           audit
}

type queueKey struct {
	topic   string
	queueID int
}

type groupQueueKey struct {
	group string
	queueKey
}

// NewBroker starts a broker, loads the system topics and groups Java
// creates at start, and registers with its NameServers.
func NewBroker(opts BrokerOptions) (*Broker, error) {
	if opts.ClusterName == "" {
		opts.ClusterName = "DefaultCluster"
	}
	if opts.BrokerName == "" {
		opts.BrokerName = "broker-a"
	}
	ep, err := listen(opts.Addr)
	if err != nil {
		return nil, err
	}
	b := &Broker{
		Endpoint: ep, opts: opts, reg: newRegistrar(),
		topics: make(map[string]admin.TopicConfig), groups: make(map[string]admin.SubscriptionGroupConfig),
		maxOffsets: make(map[queueKey]int64), consumerOffsets: make(map[groupQueueKey]int64),
	}
	b.config = defaultBrokerConfig(opts, ep.Addr())
	maps.Copy(b.config, opts.Config)
	b.initSystemTopics()
	b.initSystemGroups()
	ep.SetAuth(opts.Auth)
	ep.SetResponseSerializeType(opts.BinaryResponses)
	ep.start(b.handle)
	b.registerAll()
	trackBroker(b)
	return b, nil
}

// Close stops the broker and its connections to the NameServers.
func (b *Broker) Close() error {
	untrackBroker(b)
	err := b.Endpoint.Close()
	b.reg.close()
	return err
}

func (b *Broker) handle(req *remoting.Command) *remoting.Command {
	switch req.Code {
	case admin.CodeUpdateAndCreateTopic:
		return b.createTopic(req)
	case admin.CodeUpdateAndCreateTopicList:
		if b.opts.WithoutBatchCodes {
			return unsupported(req)
		}
		return b.createTopicList(req)
	case admin.CodeGetAllTopicConfig:
		return b.allTopics()
	case admin.CodeGetTopicConfig:
		return b.topicConfig(req)
	case admin.CodeDeleteTopicInBroker:
		return b.deleteTopic(req)
	case admin.CodeUpdateAndCreateSubscriptionGroup:
		return b.createGroup(req)
	case admin.CodeUpdateAndCreateSubscriptionGroups:
		if b.opts.WithoutBatchCodes {
			return unsupported(req)
		}
		return b.createGroupList(req)
	case admin.CodeGetAllSubscriptionGroupConfig:
		return b.allGroups()
	case admin.CodeGetSubscriptionGroupConfig:
		return b.groupConfig(req)
	case admin.CodeDeleteSubscriptionGroup:
		return b.deleteGroup(req)
	}
	return b.handleOther(req)
}

func (b *Broker) handleOther(req *remoting.Command) *remoting.Command {
	switch req.Code {
	case admin.CodeUpdateBrokerConfig:
		return b.updateConfig(req)
	case admin.CodeGetBrokerConfig:
		return b.getConfig()
	case admin.CodeGetBrokerRuntimeInfo:
		return b.runtimeInfo()
	case admin.CodeGetConsumeStats:
		return b.consumeStats(req)
	case admin.CodeGetTopicStatsInfo:
		return b.topicStats(req)
	case admin.CodeQueryTopicsByConsumer:
		return b.topicsByConsumer(req)
	}
	return unsupported(req)
}

// nextVersion is DataVersion.nextVersion: a new timestamp and counter+1.
func nextVersion(v *admin.DataVersion) {
	v.Timestamp = time.Now().UnixMilli()
	v.Counter++
}

// defaultBrokerConfig is a subset of BrokerConfig, NettyServerConfig and
// MessageStoreConfig with the Java defaults; UPDATE_BROKER_CONFIG only
// changes keys present here (Configuration.mergeIfExist).
func defaultBrokerConfig(o BrokerOptions, addr string) map[string]string {
	host, port := addr, "10911"
	if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		host, port = addr[:i], addr[i+1:]
	}
	return map[string]string{
		"brokerClusterName":                  o.ClusterName,
		"brokerName":                         o.BrokerName,
		"brokerId":                           strconv.FormatInt(o.BrokerID, 10),
		"brokerIP1":                          host,
		"listenPort":                         port,
		"namesrvAddr":                        strings.Join(o.NameServers, ";"),
		"brokerPermission":                   "6",
		"autoCreateTopicEnable":              "true",
		"autoCreateSubscriptionGroup":        "true",
		"clusterTopicEnable":                 "true",
		"brokerTopicEnable":                  "true",
		"traceTopicEnable":                   "false",
		"msgTraceTopicName":                  "RMQ_SYS_TRACE_TOPIC",
		"defaultTopicQueueNums":              "8",
		"validateSystemTopicWhenUpdateTopic": "true",
		"enableMixedMessageType":             "false",
		"fetchNameSrvAddrByDnsLookup":        "false",
		"updateNameServerAddrPeriod":         "120000",
		"configBlackList":                    "configBlackList;brokerConfigPath",
		"brokerConfigPath":                   "",
		"reviveQueueNum":                     "8",
		"brokerRole":                         "ASYNC_MASTER",
		"flushDiskType":                      "ASYNC_FLUSH",
		"storePathRootDir":                   "/home/rocketmq/store",
		"deleteWhen":                         "04",
		"fileReservedTime":                   "72",
	}
}

// initSystemTopics follows TopicConfigManager.init (timer wheel off).
func (b *Broker) initSystemTopics() {
	put := func(name string, queues, perm int) {
		tc := admin.NewTopicConfig(name)
		if queues > 0 {
			tc.ReadQueueNums, tc.WriteQueueNums = queues, queues
		}
		if perm > 0 {
			tc.Perm = perm
		}
		b.topics[name] = tc
	}
	rwi := admin.PermInherit | admin.PermRead | admin.PermWrite
	put("SELF_TEST_TOPIC", 1, 0)
	if b.config["autoCreateTopicEnable"] == "true" {
		n, _ := strconv.Atoi(b.config["defaultTopicQueueNums"])
		put("TBW102", n, rwi)
	}
	put("BenchmarkTest", 1024, 0)
	put(b.opts.ClusterName, 0, topicPerm(b.config["clusterTopicEnable"]))
	put(b.opts.BrokerName, 1, topicPerm(b.config["brokerTopicEnable"]))
	put("OFFSET_MOVED_EVENT", 1, 0)
	put("SCHEDULE_TOPIC_XXXX", 18, 0)
	if b.config["traceTopicEnable"] == "true" {
		put(b.config["msgTraceTopicName"], 1, 0)
	}
	put(b.opts.ClusterName+"_REPLY_TOPIC", 1, 0)
	revive, _ := strconv.Atoi(b.config["reviveQueueNum"])
	put("rmq_sys_REVIVE_LOG_"+b.opts.ClusterName, revive, 0)
	put("rmq_sys_SYNC_BROKER_MEMBER_"+b.opts.BrokerName, 1, admin.PermInherit)
	put("RMQ_SYS_TRANS_HALF_TOPIC", 1, 0)
	put("RMQ_SYS_TRANS_OP_HALF_TOPIC", 1, 0)
	nextVersion(&b.topicVersion)
}

// topicPerm is the perm of the cluster and broker-name topics: inherit, plus
// read and write when the matching *TopicEnable flag is on.
func topicPerm(enabled string) int {
	if enabled == "true" {
		return admin.PermInherit | admin.PermRead | admin.PermWrite
	}
	return admin.PermInherit
}

// initSystemGroups follows SubscriptionGroupManager.init.
func (b *Broker) initSystemGroups() {
	for _, name := range []string{"TOOLS_CONSUMER", "FILTERSRV_CONSUMER", "SELF_TEST_C_GROUP"} {
		b.groups[name] = admin.NewSubscriptionGroupConfig(name)
	}
	for _, name := range []string{"CID_ONS-HTTP-PROXY", "CID_ONSAPI_PULL", "CID_ONSAPI_PERMISSION", "CID_ONSAPI_OWNER", "CID_RMQ_SYS_TRANS"} {
		g := admin.NewSubscriptionGroupConfig(name)
		g.ConsumeBroadcastEnable = true
		b.groups[name] = g
	}
	nextVersion(&b.groupVersion)
}
