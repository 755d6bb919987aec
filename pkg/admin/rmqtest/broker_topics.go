package rmqtest

import (
	"maps"
	"strconv"
	"strings"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

const (
	topicMaxLength      = 127
	retryDLQMaxLength   = 255
	groupMaxLength      = 120
	illegalCharsRemark  = ", contains illegal characters, allowing only ^[%|a-zA-Z0-9_-]+$"
	systemTopicConflict = "] is conflict with system topic."
)

// validName is TopicValidator.isTopicOrGroupIllegal inverted.
func validName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '%' || c == '-' || c == '_' || c == '|'
		if !ok {
			return false
		}
	}
	return true
}

// validateTopic is TopicValidator.validateTopic; "" means valid.
func validateTopic(topic string) string {
	switch {
	case strings.TrimSpace(topic) == "":
		return "The specified topic is blank."
	case !validName(topic):
		return "The specified topic: " + topic + illegalCharsRemark
	case strings.HasPrefix(topic, "%RETRY%") || strings.HasPrefix(topic, "%DLQ%"):
		if len(topic) > retryDLQMaxLength {
			return "The specified topic is DLQ or Retry topic: " + topic + ", and it's longer than topic max length: " + strconv.Itoa(retryDLQMaxLength)
		}
	case len(topic) > topicMaxLength:
		return "The specified topic: " + topic + ", is longer than topic max length: " + strconv.Itoa(topicMaxLength)
	}
	return ""
}

// validateGroup is TopicValidator.validateGroup; "" means valid.
func validateGroup(group string) string {
	switch {
	case strings.TrimSpace(group) == "":
		return "The specified group is blank."
	case !validName(group):
		return "The specified group: " + group + illegalCharsRemark
	case len(group) > groupMaxLength:
		return "The specified group: " + group + ", is longer than group max length: " + strconv.Itoa(groupMaxLength)
	}
	return ""
}

// isSystemTopic is TopicValidator.isSystemTopic including the names this
// broker added at start (cluster, broker name, reply and trace topics).
func (b *Broker) isSystemTopic(topic string) bool {
	if admin.IsSystemTopic(topic) {
		return true
	}
	switch topic {
	case b.opts.ClusterName, b.opts.BrokerName, b.opts.ClusterName + "_REPLY_TOPIC", "SELF_TEST_TOPIC":
		return true
	}
	return false
}

// checkTopicName runs the name checks shared by codes 17 and 18 and
// returns the INVALID_PARAMETER response, or nil.
func (b *Broker) checkTopicName(topic string) *remoting.Command {
	if remark := validateTopic(topic); remark != "" {
		return errorResponse(admin.CodeInvalidParameter, remark)
	}
	b.mu.Lock()
	validateSystem := b.config["validateSystemTopicWhenUpdateTopic"] == "true"
	b.mu.Unlock()
	if validateSystem && b.isSystemTopic(topic) {
		return errorResponse(admin.CodeInvalidParameter, "The topic["+topic+systemTopicConflict)
	}
	return nil
}

// checkMixed refuses message.type=MIXED unless enableMixedMessageType; the
// request's attribute keys still carry their "+" prefix.
func (b *Broker) checkMixed(tc admin.TopicConfig) *remoting.Command {
	b.mu.Lock()
	mixed := b.config["enableMixedMessageType"] == "true"
	b.mu.Unlock()
	if !mixed && tc.Attributes["+message.type"] == "MIXED" {
		return errorResponse(admin.CodeInvalidParameter, "MIXED message type is not supported.")
	}
	return nil
}

// createTopic follows AdminBrokerProcessor.updateAndCreateTopic.
func (b *Broker) createTopic(req *remoting.Command) *remoting.Command {
	h := headerOf(req)
	if r := checkTopicFilterType(h); r != nil {
		return r
	}
	topic, hasTopic := h.str("topic")
	if !hasTopic {
		// validateTopic(null) answers "blank", but the metrics in the
		// finally block then call TopicValidator.isSystemTopic(null).
		return npe(frameIsSystemTopic)
	}
	if r := b.checkTopicName(topic); r != nil {
		return r
	}
	tc, ok := topicConfigOf(h, topic)
	if !ok {
		// Unboxing a null Integer inside the try; the catch answers
		// SYSTEM_ERROR with e.getMessage(), null for a JDK 8 NPE.
		return errorResponse(admin.CodeSystemError, "")
	}
	parsed, err := parseAttributes(tc.attrs)
	if err != nil {
		return errorResponse(admin.CodeSystemError, err.Error())
	}
	tc.Attributes = parsed
	if r := b.checkMixed(tc.TopicConfig); r != nil {
		return r
	}
	if b.topicUnchanged(tc.TopicConfig) {
		return successResponse()
	}
	if err := b.applyTopics([]admin.TopicConfig{tc.TopicConfig}); err != nil {
		return errorResponse(admin.CodeSystemError, err.Error())
	}
	return successResponse()
}

// checkTopicFilterType is CreateTopicRequestHeader.checkFields, which
// decodeCommandCustomHeader runs outside its per-field try/catch (only when
// the request has extFields): TopicFilterType.valueOf on a missing or
// unknown name throws a RemotingCommandException out of the processor.
func checkTopicFilterType(h *header) *remoting.Command {
	v, ok := h.str("topicFilterType")
	if !h.present() || ok && (v == admin.FilterSingleTag || v == admin.FilterMultiTag) {
		return nil
	}
	return thrown("org.apache.rocketmq.remoting.exception.RemotingCommandException: topicFilterType = ["+
		javaString(v, ok)+"] value invalid", frameTopicFilterType)
}

// requestedTopic is the TopicConfig updateAndCreateTopic builds from the
// header, with the attribute modification string still to parse.
type requestedTopic struct {
	admin.TopicConfig
	attrs string
}

// topicConfigOf copies the header into a TopicConfig as the processor
// does; ok is false when readQueueNums, writeQueueNums or perm is null
// (the int setters unbox them). A null topicSysFlag becomes 0 and order
// keeps its `= false` initializer.
func topicConfigOf(h *header, topic string) (requestedTopic, bool) {
	tc := requestedTopic{TopicConfig: admin.TopicConfig{TopicName: topic}}
	var okR, okW, okP bool
	tc.ReadQueueNums, okR = h.integer("readQueueNums")
	tc.WriteQueueNums, okW = h.integer("writeQueueNums")
	tc.Perm, okP = h.integer("perm")
	tc.TopicFilterType, _ = h.str("topicFilterType")
	tc.TopicSysFlag, _ = h.integer("topicSysFlag")
	tc.Order = h.boolean("order")
	tc.attrs, _ = h.str("attributes")
	return tc, okR && okW && okP
}

// topicUnchanged is `topicConfig.equals(table.get(topic))`: the request's
// attribute map still carries its +/- prefixes, so a request with
// attributes never equals the stored config.
func (b *Broker) topicUnchanged(tc admin.TopicConfig) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	cur, ok := b.topics[tc.TopicName]
	return ok && cur.Equal(tc)
}

// applyTopics is TopicConfigManager.updateTopicConfigList followed by
// registerIncrementBrokerData. Topics before a failing one stay applied.
func (b *Broker) applyTopics(tcs []admin.TopicConfig) error {
	var applied []admin.TopicConfig
	var firstErr error
	b.mu.Lock()
	for _, tc := range tcs {
		cur, exists := b.topics[tc.TopicName]
		final, err := alterAttributes(!exists, topicAttributes, cur.Attributes, tc.Attributes)
		if err != nil {
			firstErr = err
			break
		}
		if len(final) == 0 {
			final = nil
		}
		tc.Attributes = final
		tc.TopicFilterType = filterName(tc.TopicFilterType)
		b.topics[tc.TopicName] = tc
		nextVersion(&b.topicVersion)
		applied = append(applied, tc)
	}
	b.mu.Unlock()
	if len(applied) > 0 {
		b.register(applied)
	}
	return firstErr
}

func filterName(f string) string {
	if f == "" {
		return admin.FilterSingleTag
	}
	return f
}

// createTopicList follows AdminBrokerProcessor.updateAndCreateTopicList,
// including its early return: the first topic equal to the stored config
// ends validation with SUCCESS and nothing of the batch is applied.
func (b *Broker) createTopicList(req *remoting.Command) *remoting.Command {
	var body struct {
		TopicConfigList []admin.TopicConfig `json:"topicConfigList"`
	}
	if err := remoting.Unmarshal(req.Body, &body); err != nil {
		return errorResponse(admin.CodeSystemError, "decoding CreateTopicListRequestBody: "+err.Error())
	}
	for _, tc := range body.TopicConfigList {
		if r := b.checkTopicName(tc.TopicName); r != nil {
			return r
		}
		if r := b.checkMixed(tc); r != nil {
			return r
		}
		if b.topicUnchanged(tc) && !b.opts.FixedBatchCreate {
			return successResponse()
		}
	}
	if err := b.applyTopics(body.TopicConfigList); err != nil {
		return errorResponse(admin.CodeSystemError, err.Error())
	}
	return successResponse()
}

// topicJSON is TopicConfig with fastjson's alphabetical field order.
type topicJSON struct {
	Attributes      map[string]string `json:"attributes"`
	Order           bool              `json:"order"`
	Perm            int               `json:"perm"`
	ReadQueueNums   int               `json:"readQueueNums"`
	TopicFilterType string            `json:"topicFilterType"`
	TopicName       string            `json:"topicName"`
	TopicSysFlag    int               `json:"topicSysFlag"`
	WriteQueueNums  int               `json:"writeQueueNums"`
}

func toTopicJSON(tc admin.TopicConfig) topicJSON {
	attrs := tc.Attributes
	if attrs == nil {
		attrs = map[string]string{}
	}
	return topicJSON{attrs, tc.Order, tc.Perm, tc.ReadQueueNums, filterName(tc.TopicFilterType), tc.TopicName, tc.TopicSysFlag, tc.WriteQueueNums}
}

// allTopics answers GET_ALL_TOPIC_CONFIG with the whole table
// (TopicConfigAndMappingSerializeWrapper) and the totalTopicNum header.
func (b *Broker) allTopics() *remoting.Command {
	b.mu.Lock()
	table := make(map[string]topicJSON, len(b.topics))
	for name, tc := range b.topics {
		table[name] = toTopicJSON(tc)
	}
	version := b.topicVersion
	b.mu.Unlock()
	resp := successResponse()
	resp.ExtFields = map[string]string{"totalTopicNum": strconv.Itoa(len(table))}
	resp.Body = mustJSON(struct {
		DataVersion                admin.DataVersion    `json:"dataVersion"`
		MappingDataVersion         admin.DataVersion    `json:"mappingDataVersion"`
		TopicConfigTable           map[string]topicJSON `json:"topicConfigTable"`
		TopicQueueMappingDetailMap map[string]any       `json:"topicQueueMappingDetailMap"`
		TopicQueueMappingInfoMap   map[string]any       `json:"topicQueueMappingInfoMap"`
	}{version, admin.DataVersion{}, table, map[string]any{}, map[string]any{}})
	return resp
}

// topicConfig answers GET_TOPIC_CONFIG (TopicConfigAndQueueMapping, no
// mapping for non-static topics).
func (b *Broker) topicConfig(req *remoting.Command) *remoting.Command {
	topic, hasTopic := headerOf(req).str("topic")
	if !hasTopic {
		// TopicConfigManager.selectTopicConfig: topicConfigTable.get(null).
		return npe(frameMapGet)
	}
	b.mu.Lock()
	tc, ok := b.topics[topic]
	b.mu.Unlock()
	if !ok {
		return errorResponse(admin.CodeTopicNotExist, "No topic in this broker. topic: "+topic)
	}
	resp := successResponse()
	resp.Body = mustJSON(toTopicJSON(tc))
	return resp
}

// deleteTopic follows AdminBrokerProcessor.deleteTopic: config, queue
// offsets and consumer offsets go; the NameServer route stays. A missing
// topic is null, which UtilAll.isBlank also calls blank.
func (b *Broker) deleteTopic(req *remoting.Command) *remoting.Command {
	topic, _ := headerOf(req).str("topic")
	if strings.TrimSpace(topic) == "" {
		return errorResponse(admin.CodeInvalidParameter, "The specified topic is blank.")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.config["validateSystemTopicWhenUpdateTopic"] == "true" && b.isSystemTopic(topic) {
		return errorResponse(admin.CodeInvalidParameter, "The topic["+topic+systemTopicConflict)
	}
	if _, ok := b.topics[topic]; ok {
		delete(b.topics, topic)
		nextVersion(&b.topicVersion)
	}
	b.auditDeleteTopicLocked(req.Code, topic)
	maps.DeleteFunc(b.maxOffsets, func(k queueKey, _ int64) bool { return k.topic == topic })
	maps.DeleteFunc(b.consumerOffsets, func(k groupQueueKey, _ int64) bool { return k.topic == topic })
	return successResponse()
}
