package rmqtest

import (
	"encoding/json"
	"sort"
	"strconv"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// The functions here write bodies the way fastjson's default
// JSON.toJSONString does for the Java classes: object fields in
// alphabetical order and, for maps with non-String keys, the key written
// as-is (bare integers, whole objects).

// mustJSON marshals values built by the emulator from strings, numbers and
// plain structs, for which encoding/json cannot fail.
func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// brokerDataJSON writes route.BrokerData; brokerAddrs is HashMap<Long,String>.
func brokerDataJSON(out []byte, bd admin.BrokerData, standard bool) []byte {
	ids := make([]int64, 0, len(bd.BrokerAddrs))
	for id := range bd.BrokerAddrs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	entries := make([]remoting.RawKeyEntry, len(ids))
	for i, id := range ids {
		key := []byte(strconv.FormatInt(id, 10))
		if standard {
			key = mustJSON(strconv.FormatInt(id, 10))
		}
		entries[i] = remoting.RawKeyEntry{Key: key, Value: mustJSON(bd.BrokerAddrs[id])}
	}
	out = append(out, `{"brokerAddrs":`...)
	out = remoting.AppendRawKeyObject(out, entries)
	out = append(out, `,"brokerName":`...)
	out = append(out, mustJSON(bd.BrokerName)...)
	out = append(out, `,"cluster":`...)
	out = append(out, mustJSON(bd.Cluster)...)
	out = append(out, `,"enableActingMaster":`...)
	out = strconv.AppendBool(out, bd.EnableActingMaster)
	if bd.ZoneName != "" {
		out = append(out, `,"zoneName":`...)
		out = append(out, mustJSON(bd.ZoneName)...)
	}
	return append(out, '}')
}

// messageQueueKey writes a MessageQueue the way fastjson writes it as a map
// key: {"brokerName":..,"queueId":..,"topic":..}.
func messageQueueKey(mq admin.MessageQueue) []byte {
	return mustJSON(struct {
		BrokerName string `json:"brokerName"`
		QueueID    int    `json:"queueId"`
		Topic      string `json:"topic"`
	}{mq.BrokerName, mq.QueueID, mq.Topic})
}

// queueKeyedJSON writes Map<MessageQueue, V> with object keys, sorted by
// queue id so output is reproducible (Java iterates a ConcurrentHashMap).
func queueKeyedJSON[V any](table map[admin.MessageQueue]V) []byte {
	mqs := make([]admin.MessageQueue, 0, len(table))
	for mq := range table {
		mqs = append(mqs, mq)
	}
	sort.Slice(mqs, func(i, j int) bool {
		if mqs[i].Topic != mqs[j].Topic {
			return mqs[i].Topic < mqs[j].Topic
		}
		return mqs[i].QueueID < mqs[j].QueueID
	})
	entries := make([]remoting.RawKeyEntry, len(mqs))
	for i, mq := range mqs {
		entries[i] = remoting.RawKeyEntry{Key: messageQueueKey(mq), Value: mustJSON(table[mq])}
	}
	return remoting.AppendRawKeyObject(nil, entries)
}
