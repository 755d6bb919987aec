package renderdiff

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const topicHead = "apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: RocketMQTopic\nmetadata: {name: orders, namespace: team-orders}\n"
const groupHead = "apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: RocketMQConsumerGroup\nmetadata: {name: billing, namespace: team-orders}\n"

func topicDoc(spec string) string {
	return topicHead + "spec: {clusterRef: {name: orders, namespace: mq}" + spec + "}"
}

func groupDoc(spec string) string {
	return groupHead + "spec: {clusterRef: {name: orders, namespace: mq}" + spec + "}"
}

func TestMetadataSummary(t *testing.T) {
	tests := []struct {
		name        string
		old, new    []string
		wantSummary []string
		wantRefused []string
	}{
		{"queues grow", []string{topicDoc(", queues: 8")}, []string{topicDoc(", queues: 16")},
			[]string{"topic orders: queues 8 → 16"}, nil},
		{"a default spelt out is no change", []string{topicDoc("")}, []string{topicDoc(", queues: 8, messageType: NORMAL, perm: 6")},
			nil, nil},
		{"queues shrink", []string{topicDoc(", queues: 16")}, []string{topicDoc("")},
			[]string{"topic orders: queues 16 → 8 (refused: queues may grow, never shrink: messages in dropped queues would no longer be read)"},
			[]string{"topic orders: queues 16 → 8: queues may grow, never shrink: messages in dropped queues would no longer be read"}},
		{"read and write apart", []string{topicDoc("")}, []string{topicDoc(", readQueues: 16, writeQueues: 4")},
			[]string{"topic orders: readQueues 8 → 16",
				"topic orders: writeQueues 8 → 4 (refused: writeQueues may grow, never shrink: messages in dropped queues would no longer be read)"},
			[]string{"topic orders: writeQueues 8 → 4: writeQueues may grow, never shrink: messages in dropped queues would no longer be read"}},
		{"message type", []string{topicDoc("")}, []string{topicDoc(", messageType: FIFO")},
			[]string{"topic orders: messageType NORMAL → FIFO (refused: messageType is immutable; create a new topic for another message type)"},
			[]string{"topic orders: messageType NORMAL → FIFO: messageType is immutable; create a new topic for another message type"}},
		{"perm, attributes, groups, policy", []string{topicDoc(", attributes: {queue.type: SimpleCQ, a: b}")},
			[]string{topicDoc(", perm: 4, attributes: {queue.type: BatchCQ}, brokerGroups: [mq-broker-1, mq-broker-0], deletionPolicy: Delete")},
			[]string{"topic orders: perm 6 (read and write) → 4 (read only)",
				"topic orders: attribute a=b removed",
				"WARNING: topic orders: attribute queue.type SimpleCQ → BatchCQ: the brokers cannot change it once set, the topic will be Stalled",
				"topic orders: brokerGroups (all) → [mq-broker-0, mq-broker-1]",
				"topic orders: deletionPolicy Retain → Delete"}, nil},
		{"cluster moved", []string{topicDoc("")}, []string{strings.Replace(topicDoc(""), "namespace: mq}", "namespace: mq2}", 1)},
			[]string{"topic orders: clusterRef mq/orders → mq2/orders (refused: clusterRef is immutable; move topics and groups between clusters with a TopicTransfer)"},
			[]string{"topic orders: clusterRef mq/orders → mq2/orders: clusterRef is immutable; move topics and groups between clusters with a TopicTransfer"}},
		{"added", nil, []string{topicDoc(", queues: 16, messageType: FIFO"), strings.Replace(topicDoc(", topicName: Legacy_Orders, readQueues: 8, writeQueues: 4, brokerGroups: [b, a]"), "name: orders,", "name: legacy-orders,", 1)},
			[]string{"topic Legacy_Orders added: 8 read and 4 write queues, NORMAL, perm 6 (read and write), on [a, b]"}, nil},
		{"removed, retained", []string{topicDoc("")}, nil,
			[]string{"topic orders removed from Git: stops being managed, the topic stays (deletionPolicy Retain: its messages stay on the brokers)"}, nil},
		{"removed, deleted", []string{topicDoc(", deletionPolicy: Delete")}, nil,
			[]string{"topic orders removed from Git: deleted once consumed (deletionPolicy Delete: the status controller deletes it from the brokers once no consumer group has unconsumed messages on it)"}, nil},
		{"unmanaged", []string{topicDoc("")}, []string{strings.Replace(topicDoc(""), "namespace: team-orders}", "namespace: team-orders, annotations: {rocketmq.gitops.dev/managed: \"false\"}}", 1)},
			[]string{`topic orders: rocketmq.gitops.dev/managed: "false": stops being managed, left on the brokers as it is`}, nil},
		{"group settings", []string{groupDoc("")},
			[]string{groupDoc(", consumeOrderly: true, consumeEnable: false, retryMaxTimes: 5, retryPolicy: {type: Customized, next: [1s, 5s]}")},
			[]string{"group billing: consumeOrderly false → true",
				"group billing: consumeEnable true → false: its consumers stop pulling messages",
				"group billing: retryMaxTimes 16 → 5",
				`group billing: retryPolicy (the broker's delay levels) → {"next":["1s","5s"],"type":"Customized"}`}, nil},
		{"group renamed", []string{groupDoc("")}, []string{groupDoc(", groupName: GID_billing")},
			[]string{"group GID_billing: groupName billing → GID_billing (refused: groupName is immutable; declare a new object for another name)"},
			[]string{"group GID_billing: groupName billing → GID_billing: groupName is immutable; declare a new object for another name"}},
		{"group added and removed", []string{groupDoc(", deletionPolicy: Delete")}, []string{strings.Replace(groupDoc(", consumeOrderly: true"), "name: billing", "name: shipping", 1)},
			[]string{"group billing removed from Git: deleted once it has consumed everything on its topics (deletionPolicy Delete), its offsets with it",
				"group shipping added: orderly, retryMaxTimes 16, on every broker group"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Diff(objs(t, tc.old...), objs(t, tc.new...))
			require.NoError(t, err)
			if tc.name == "added" {
				// Two topics added; only the second is checked here, the
				// first shows FIFO words below.
				require.Len(t, r.Summary, 2)
				assert.Equal(t, "topic orders added: 16 queues, FIFO, perm 6 (read and write), on every broker group", r.Summary[1])
				r.Summary = r.Summary[:1]
			}
			assert.Equal(t, tc.wantSummary, r.Summary)
			assert.Equal(t, tc.wantRefused, r.Refused)
		})
	}
}

func TestWriteMarkdownLeadsWithRefusals(t *testing.T) {
	r, err := Diff(objs(t, topicDoc(", queues: 16")), objs(t, topicDoc(", queues: 4")))
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, r.WriteMarkdown(&b, "team-orders"))
	assert.True(t, strings.HasPrefix(b.String(), "### team-orders\n\n0 added, 0 removed, 1 changed, 0 unchanged.\n\n"+
		"**Refused by the API server**: applying this would fail; undo these changes:\n\n"+
		"- topic orders: queues 16 → 4: queues may grow, never shrink: messages in dropped queues would no longer be read\n\n"+
		"- topic orders: queues 16 → 4 (refused: "), b.String())
}
