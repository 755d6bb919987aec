package admin

import "strings"

// System topic names of TopicValidator.SYSTEM_TOPIC_SET (HEAD). The broker
// also adds its cluster name and broker name at start (TopicConfigManager
// with clusterTopicEnable / brokerTopicEnable), which IsSystemTopic cannot
// know: CopyMetadata skips those by reading both brokers' config.
var systemTopics = map[string]bool{
	"TBW102":                      true, // AUTO_CREATE_TOPIC_KEY_TOPIC
	"SCHEDULE_TOPIC_XXXX":         true,
	"BenchmarkTest":               true,
	"RMQ_SYS_TRANS_HALF_TOPIC":    true,
	"RMQ_SYS_TRACE_TOPIC":         true,
	"RMQ_SYS_TRANS_OP_HALF_TOPIC": true,
	"TRANS_CHECK_MAX_TIME_TOPIC":  true,
	"SELF_TEST_TOPIC":             true,
	"OFFSET_MOVED_EVENT":          true,
	"CHECKPOINT_TOPIC":            true, // RMQ_SYS_ROCKSDB_OFFSET_TOPIC
}

// systemTopicPrefix is TopicValidator.SYSTEM_TOPIC_PREFIX.
const systemTopicPrefix = "rmq_sys_"

// IsSystemTopic reports whether TopicValidator.isSystemTopic holds for
// name: a fixed system topic name or the rmq_sys_ prefix.
func IsSystemTopic(name string) bool {
	return systemTopics[name] || strings.HasPrefix(name, systemTopicPrefix)
}

// predefinedGroups is MixAll.PREDEFINE_GROUP_SET; SubscriptionGroupManager.init
// creates several of them on every broker.
var predefinedGroups = map[string]bool{
	"DEFAULT_CONSUMER":      true,
	"DEFAULT_PRODUCER":      true,
	"TOOLS_CONSUMER":        true,
	"SCHEDULE_CONSUMER":     true,
	"FILTERSRV_CONSUMER":    true,
	"__MONITOR_CONSUMER":    true,
	"CLIENT_INNER_PRODUCER": true,
	"SELF_TEST_P_GROUP":     true,
	"SELF_TEST_C_GROUP":     true,
	"CID_ONS-HTTP-PROXY":    true,
	"CID_ONSAPI_PERMISSION": true,
	"CID_ONSAPI_OWNER":      true,
	"CID_ONSAPI_PULL":       true,
	"CID_RMQ_SYS_TRANS":     true,
}

// sysGroupPrefix is MixAll.CID_RMQ_SYS_PREFIX (MixAll.isSysConsumerGroup).
const sysGroupPrefix = "CID_RMQ_SYS_"

// IsSystemGroup reports whether MixAll.isPredefinedGroup or
// MixAll.isSysConsumerGroup holds for a consumer group name.
func IsSystemGroup(name string) bool {
	return predefinedGroups[name] || strings.HasPrefix(name, sysGroupPrefix)
}
