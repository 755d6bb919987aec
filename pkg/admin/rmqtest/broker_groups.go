package rmqtest

import (
	"maps"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// decodeGroup reads a SubscriptionGroupConfig body the way fastjson fills
// `new SubscriptionGroupConfig()`: absent fields keep the Java defaults.
func decodeGroup(raw []byte) (admin.SubscriptionGroupConfig, error) {
	g := admin.NewSubscriptionGroupConfig("")
	err := remoting.Unmarshal(raw, &g)
	return g, err
}

// createGroup follows AdminBrokerProcessor.updateAndCreateSubscriptionGroup:
// no body is a silent SUCCESS; a bad name is INVALID_PARAMETER; every
// accepted request replaces the group and bumps the data version.
func (b *Broker) createGroup(req *remoting.Command) *remoting.Command {
	if len(req.Body) == 0 {
		return successResponse()
	}
	g, err := decodeGroup(req.Body)
	if err != nil {
		return errorResponse(admin.CodeSystemError, "decoding SubscriptionGroupConfig: "+err.Error())
	}
	if remark := validateGroup(g.GroupName); remark != "" {
		return errorResponse(admin.CodeInvalidParameter, remark)
	}
	if err := b.applyGroups([]admin.SubscriptionGroupConfig{g}); err != nil {
		return errorResponse(admin.CodeSystemError, err.Error())
	}
	return successResponse()
}

// applyGroups is SubscriptionGroupManager.updateSubscriptionGroupConfigList.
// SubscriptionGroupAttributes.ALL is empty, so any attribute is refused.
func (b *Broker) applyGroups(gs []admin.SubscriptionGroupConfig) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, g := range gs {
		cur, exists := b.groups[g.GroupName]
		final, err := alterAttributes(!exists, groupAttributes, cur.Attributes, g.Attributes)
		if err != nil {
			return err
		}
		if len(final) == 0 {
			final = nil
		}
		g.Attributes = final
		b.groups[g.GroupName] = g
		nextVersion(&b.groupVersion)
	}
	return nil
}

// createGroupList follows updateAndCreateSubscriptionGroupList: every name
// is validated first, then all groups are applied.
func (b *Broker) createGroupList(req *remoting.Command) *remoting.Command {
	var body struct {
		GroupConfigList []rawJSON `json:"groupConfigList"`
	}
	if err := remoting.Unmarshal(req.Body, &body); err != nil {
		return errorResponse(admin.CodeSystemError, "decoding SubscriptionGroupList: "+err.Error())
	}
	gs := make([]admin.SubscriptionGroupConfig, 0, len(body.GroupConfigList))
	for _, raw := range body.GroupConfigList {
		g, err := decodeGroup(raw)
		if err != nil {
			return errorResponse(admin.CodeSystemError, "decoding SubscriptionGroupConfig: "+err.Error())
		}
		if remark := validateGroup(g.GroupName); remark != "" {
			return errorResponse(admin.CodeInvalidParameter, remark)
		}
		gs = append(gs, g)
	}
	if err := b.applyGroups(gs); err != nil {
		return errorResponse(admin.CodeSystemError, err.Error())
	}
	return successResponse()
}

// groupJSON is SubscriptionGroupConfig with fastjson's alphabetical order.
type groupJSON struct {
	Attributes                     map[string]string              `json:"attributes"`
	BrokerID                       int64                          `json:"brokerId"`
	ConsumeBroadcastEnable         bool                           `json:"consumeBroadcastEnable"`
	ConsumeEnable                  bool                           `json:"consumeEnable"`
	ConsumeFromMinEnable           bool                           `json:"consumeFromMinEnable"`
	ConsumeMessageOrderly          bool                           `json:"consumeMessageOrderly"`
	ConsumeTimeoutMinute           int                            `json:"consumeTimeoutMinute"`
	GroupName                      string                         `json:"groupName"`
	GroupRetryPolicy               *admin.GroupRetryPolicy        `json:"groupRetryPolicy,omitempty"`
	GroupSysFlag                   int                            `json:"groupSysFlag"`
	NotifyConsumerIdsChangedEnable bool                           `json:"notifyConsumerIdsChangedEnable"`
	RetryMaxTimes                  int                            `json:"retryMaxTimes"`
	RetryQueueNums                 int                            `json:"retryQueueNums"`
	SubscriptionDataSet            []admin.SimpleSubscriptionData `json:"subscriptionDataSet,omitempty"`
	WhichBrokerWhenConsumeSlowly   int64                          `json:"whichBrokerWhenConsumeSlowly"`
}

func toGroupJSON(g admin.SubscriptionGroupConfig) groupJSON {
	attrs := maps.Clone(g.Attributes)
	if attrs == nil {
		attrs = map[string]string{}
	}
	return groupJSON{
		attrs, g.BrokerID, g.ConsumeBroadcastEnable, g.ConsumeEnable, g.ConsumeFromMinEnable,
		g.ConsumeMessageOrderly, g.ConsumeTimeoutMinute, g.GroupName, g.GroupRetryPolicy,
		g.GroupSysFlag, g.NotifyConsumerIdsChangedEnable, g.RetryMaxTimes, g.RetryQueueNums,
		g.SubscriptionDataSet, g.WhichBrokerWhenConsumeSlowly,
	}
}

// allGroups answers GET_ALL_SUBSCRIPTIONGROUP_CONFIG (SubscriptionGroupWrapper).
func (b *Broker) allGroups() *remoting.Command {
	b.mu.Lock()
	table := make(map[string]groupJSON, len(b.groups))
	for name, g := range b.groups {
		table[name] = toGroupJSON(g)
	}
	version := b.groupVersion
	total := len(b.groups)
	b.mu.Unlock()
	resp := successResponse()
	resp.ExtFields = map[string]string{"totalGroupNum": itoa(total)}
	resp.Body = mustJSON(struct {
		DataVersion            admin.DataVersion    `json:"dataVersion"`
		ForbiddenTable         map[string]any       `json:"forbiddenTable"`
		SubscriptionGroupTable map[string]groupJSON `json:"subscriptionGroupTable"`
	}{version, map[string]any{}, table})
	return resp
}

// groupConfig answers GET_SUBSCRIPTIONGROUP_CONFIG.
func (b *Broker) groupConfig(req *remoting.Command) *remoting.Command {
	name, ok := headerOf(req).str("group")
	if !ok {
		// SubscriptionGroupManager.getSubscriptionGroupConfig:
		// subscriptionGroupTable.get(null).
		return npe(frameMapGet)
	}
	b.mu.Lock()
	g, ok := b.groups[name]
	b.mu.Unlock()
	if !ok {
		return errorResponse(admin.CodeSubscriptionGroupNotExist, "No group in this broker")
	}
	resp := successResponse()
	resp.Body = mustJSON(toGroupJSON(g))
	return resp
}

// deleteGroup follows AdminBrokerProcessor.deleteSubscriptionGroup: always
// SUCCESS; the data version moves only when the group existed.
func (b *Broker) deleteGroup(req *remoting.Command) *remoting.Command {
	h := headerOf(req)
	name, ok := h.str("groupName")
	if !ok {
		// SubscriptionGroupManager.deleteSubscriptionGroupConfig:
		// subscriptionGroupTable.remove(null), before anything changes.
		return npe(frameMapRemove)
	}
	clean := h.boolean("cleanOffset")
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.groups[name]; ok {
		delete(b.groups, name)
		nextVersion(&b.groupVersion)
	}
	b.auditDeleteGroupInFlightLocked(req.Code, name)
	if clean {
		b.auditDeleteGroupLocked(req.Code, name)
		maps.DeleteFunc(b.consumerOffsets, func(k groupQueueKey, _ int64) bool { return k.group == name })
	}
	return successResponse()
}
