package rmqtest

import (
	"encoding/json"
	"maps"
	"strconv"
	"strings"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/javaprops"
)

// rawJSON keeps one element of a list body for a second decoding pass.
type rawJSON = json.RawMessage

func itoa(n int) string { return strconv.Itoa(n) }

// updateConfig follows AdminBrokerProcessor.updateBrokerConfig and
// Configuration.update: black-listed keys give NO_PERMISSION, unknown keys
// are ignored (mergeIfExist), the config data version always moves, and
// brokerPermission also bumps the topic data version and re-registers.
func (b *Broker) updateConfig(req *remoting.Command) *remoting.Command {
	if len(req.Body) == 0 {
		return successResponse()
	}
	props := javaprops.Decode(req.Body)
	b.mu.Lock()
	for _, k := range strings.Split(b.config["configBlackList"], ";") {
		if _, hit := props[strings.TrimSpace(k)]; hit && k != "" {
			b.mu.Unlock()
			return errorResponse(admin.CodeNoPermission, "Can not update config in black list.")
		}
	}
	for k, v := range props {
		if _, known := b.config[k]; known {
			b.config[k] = v
		}
	}
	nextVersion(&b.configVersion)
	_, permChanged := props["brokerPermission"]
	if permChanged {
		nextVersion(&b.topicVersion)
	}
	b.mu.Unlock()
	if permChanged {
		b.registerAll()
	}
	return successResponse()
}

// getConfig answers GET_BROKER_CONFIG: Properties text and the
// configuration data version in the `version` response header.
func (b *Broker) getConfig() *remoting.Command {
	b.mu.Lock()
	cfg := maps.Clone(b.config)
	version := b.configVersion
	b.mu.Unlock()
	resp := successResponse()
	resp.Body = javaprops.Encode(cfg)
	resp.ExtFields = map[string]string{"version": string(mustJSON(version))}
	return resp
}

// runtimeInfo answers GET_BROKER_RUNTIME_INFO with a KVTable holding the
// keys mqadmin brokerStatus shows most (BrokerController/AdminBrokerProcessor.prepareRuntimeInfo).
func (b *Broker) runtimeInfo() *remoting.Command {
	b.mu.Lock()
	var maxOffset int64
	for _, o := range b.maxOffsets {
		maxOffset += o
	}
	table := map[string]string{
		"brokerVersionDesc":      "V5_3_3",
		"brokerActive":           "true",
		"putTps":                 "0.0 0.0 0.0",
		"getTransferredTps":      "0.0 0.0 0.0",
		"msgPutTotalTodayNow":    strconv.FormatInt(maxOffset, 10),
		"msgGetTotalTodayNow":    "0",
		"bootTimestamp":          strconv.FormatInt(b.topicVersion.Timestamp, 10),
		"runtime":                "[ 0 days, 0 hours, 0 minutes, 0 seconds ]",
		"commitLogMaxOffset":     strconv.FormatInt(maxOffset, 10),
		"brokerPermission":       b.config["brokerPermission"],
		"dispatchBehindBytes":    "0",
		"pageCacheLockTimeMills": "0",
	}
	b.laterRuntimeInfoLocked(table)
	b.mu.Unlock()
	resp := successResponse()
	resp.Body = mustJSON(map[string]any{"table": table})
	return resp
}
