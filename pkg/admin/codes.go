package admin

// Request codes, from org.apache.rocketmq.remoting.protocol.RequestCode.
const (
	CodeQueryConsumerOffset               = 14
	CodeUpdateConsumerOffset              = 15
	CodeUpdateAndCreateTopic              = 17
	CodeUpdateAndCreateTopicList          = 18
	CodeGetAllTopicConfig                 = 21
	CodeUpdateBrokerConfig                = 25
	CodeGetBrokerConfig                   = 26
	CodeGetBrokerRuntimeInfo              = 28
	CodeGetMinOffset                      = 31
	CodeRegisterBroker                    = 103
	CodeUnregisterBroker                  = 104
	CodeGetRouteInfoByTopic               = 105
	CodeGetBrokerClusterInfo              = 106
	CodeUpdateAndCreateSubscriptionGroup  = 200
	CodeGetAllSubscriptionGroupConfig     = 201
	CodeGetTopicStatsInfo                 = 202
	CodeWipeWritePermOfBroker             = 205
	CodeDeleteSubscriptionGroup           = 207
	CodeGetConsumeStats                   = 208
	CodeDeleteTopicInBroker               = 215
	CodeDeleteTopicInNamesrv              = 216
	CodeUpdateAndCreateSubscriptionGroups = 225
	CodeQueryTopicConsumeByWho            = 300
	CodeAddWritePermOfBroker              = 327
	CodeQueryTopicsByConsumer             = 343
	CodeGetTopicConfig                    = 351
	CodeGetSubscriptionGroupConfig        = 352
)

// Response codes, from ResponseCode and RemotingSysResponseCode.
const (
	CodeSuccess                   = 0
	CodeSystemError               = 1
	CodeSystemBusy                = 2
	CodeRequestCodeNotSupported   = 3
	CodeNoPermission              = 16
	CodeTopicNotExist             = 17
	CodeQueryNotFound             = 22
	CodeSubscriptionGroupNotExist = 26
	CodeInvalidParameter          = 29
)

// Permission bits of a topic or a broker (org.apache.rocketmq.common.constant.PermName).
const (
	PermPriority = 8
	PermRead     = 4
	PermWrite    = 2
	PermInherit  = 1
)

// DefaultVersion is the `version` header the client sends: the ordinal of
// MQVersion.Version.V5_3_3. A value >= 401 (V4_9_4) makes the NameServer
// answer GET_ROUTEINFO_BY_TOPIC in standard JSON.
const DefaultVersion = 479
