package rmqtest

import (
	"errors"
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
	// Resolver resolves host names in namesrvAddr and controllerAddr, as
	// the JVM's InetAddress would. Nil: only loopback IP literals are used.
	Resolver Resolver
	// Timers, when set, runs the broker's scheduled tasks (registration
	// heartbeat, NameServer address refresh, controller heartbeat) at the
	// Java periods times Timers.Scale. Nil: nothing runs by itself.
	Timers *Timers
	// StoreDir, when set, is storePathRootDir on disk: the broker loads
	// its config/*.json from it at start and writes them back on Close,
	// as ConfigManager.load and persist do.
	StoreDir string
	// Controllers finds the emulated controllers of controllerAddr in
	// Controller mode (enableControllerMode=true).
	Controllers *ControllerRegistry
}

// Broker emulates a Java broker's admin side: TopicConfigManager,
// SubscriptionGroupManager, ConsumerOffsetManager, Configuration and the
// message store's queue offsets, served like AdminBrokerProcessor.
type Broker struct {
	*Endpoint
	opts BrokerOptions
	reg  *registrar
	// stop ends the scheduled tasks; tasks waits for them.
	stop      chan struct{}
	tasks     sync.WaitGroup
	closeOnce sync.Once

	mu sync.Mutex
	// brokerID is the id registered with the NameServers: fixed in
	// MasterSlave mode, 0 or the assigned id in Controller mode.
	brokerID    int64
	ctl         *replicaMember
	namesrvList []string
	// storedControllerID is the id a controller assigned before a restart.
	storedControllerID int64
	// isolated holds a Controller-mode broker back from the NameServers
	// until it has a role (BrokerController.isIsolated).
	isolated bool
	// haCaughtUp: as a slave, this process has copied its master's data
	// at least once (the HA offset reached the master's).
	haCaughtUp      bool
	topics          map[string]admin.TopicConfig
	topicVersion    admin.DataVersion
	groups          map[string]admin.SubscriptionGroupConfig
	groupVersion    admin.DataVersion
	config          map[string]string
	configVersion   admin.DataVersion
	maxOffsets      map[queueKey]int64
	consumerOffsets map[groupQueueKey]int64
	// users and acls are the ACL 2.0 metadata (broker_auth.go).
	users map[string]admin.UserInfo
	acls  map[string]admin.ACLInfo
	// lt holds what the store keeps outside ordinary queues (delayed,
	// timer, half and POP in-flight messages) and min offsets.
	lt    *laterState
	audit audit
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
		Endpoint: ep, opts: opts, reg: newRegistrar(), stop: make(chan struct{}), brokerID: opts.BrokerID,
		topics: make(map[string]admin.TopicConfig), groups: make(map[string]admin.SubscriptionGroupConfig),
		maxOffsets: make(map[queueKey]int64), consumerOffsets: make(map[groupQueueKey]int64),
	}
	b.config = defaultBrokerConfig(opts, ep.Addr())
	maps.Copy(b.config, opts.Config)
	if id, err := strconv.ParseInt(b.config["brokerId"], 10, 64); err == nil {
		b.brokerID = id
	}
	b.refreshNameServers()
	b.initSystemTopics()
	b.initSystemGroups()
	if err := b.loadStore(); err != nil {
		_ = ep.Close()
		return nil, err
	}
	b.initAuth()
	ep.users = b.user
	ep.SetAuth(opts.Auth)
	ep.SetResponseSerializeType(opts.BinaryResponses)
	ep.start(b.handle)
	if opts.Controllers != nil {
		opts.Controllers.addBroker(b)
	}
	b.joinController()
	b.registerAll()
	b.startTimers()
	trackBroker(b)
	return b, nil
}

// Close shuts the broker down as BrokerController.shutdown does: the
// scheduled tasks stop (the controller notices the missing heartbeats), the
// broker unregisters from every NameServer, and the config files are
// persisted.
// A second Close returns nil.
func (b *Broker) Close() error {
	var err error
	b.closeOnce.Do(func() { err = b.shutdown() })
	return err
}

func (b *Broker) shutdown() error {
	untrackBroker(b)
	close(b.stop)
	b.tasks.Wait()
	if b.opts.Controllers != nil {
		b.opts.Controllers.removeBroker(b)
	}
	b.unregisterAll()
	err := b.Endpoint.Close()
	b.reg.close()
	return errors.Join(err, b.persistStore())
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
	case admin.CodeQueryTopicConsumeByWho:
		return b.topicConsumeByWho(req)
	case admin.CodeQueryConsumerOffset:
		return b.queryConsumerOffset(req)
	case admin.CodeUpdateConsumerOffset:
		return b.updateConsumerOffset(req)
	case admin.CodeGetMinOffset:
		return b.minOffset(req)
	}
	if resp := b.handleAuth(req); resp != nil {
		return resp
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
		"enableRetryTopicV2":                 "false",
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
