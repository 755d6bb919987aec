package v1alpha1

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const topicHeader = "apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: RocketMQTopic\nmetadata: {name: orders, namespace: team-orders}\n"
const groupHeader = "apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: RocketMQConsumerGroup\nmetadata: {name: billing, namespace: team-orders}\n"

func TestDecodeTopic(t *testing.T) {
	topic, err := DecodeTopic([]byte(topicHeader + "spec:\n  clusterRef: {name: orders, namespace: mq}\n  queues: 16\n  messageType: FIFO\n"))
	require.NoError(t, err)
	assert.Equal(t, "orders", topic.RocketMQName())
	assert.Equal(t, "mq/orders", topic.Spec.ClusterRef.ClusterKey(topic.Namespace))
	read, write := topic.Spec.QueueCounts()
	assert.Equal(t, [2]int32{16, 16}, [2]int32{read, write})
	assert.Equal(t, MessageTypeFIFO, topic.Spec.MessageType)
}

func TestDecodeConsumerGroup(t *testing.T) {
	g, err := DecodeConsumerGroup([]byte(groupHeader + "spec:\n  clusterRef: {name: orders}\n  groupName: GID_billing\n" +
		"  retryPolicy: {type: Customized, next: [1s, 30s]}\n"))
	require.NoError(t, err)
	assert.Equal(t, "GID_billing", g.RocketMQName())
	assert.Equal(t, "30s", g.Spec.RetryPolicy.Next[1].Duration.String())
}

func TestDecodeMetadataErrors(t *testing.T) {
	tests := []struct {
		name   string
		decode func([]byte) error
		in     string
		want   []wantErr
	}{
		{"topic: typo with suggestion", decodeTopicErr, topicHeader + "spec:\n  clusterRef: {name: orders}\n  queue: 16\n",
			[]wantErr{{"spec.queue", `unknown field "queue": did you mean "queues"? (valid fields: attributes, brokerGroups, clusterRef, deletionPolicy, messageType, perm, queues, readQueues, topicName, writeQueues)`}}},
		{"topic: nested typo", decodeTopicErr, topicHeader + "spec:\n  clusterRef: {nme: orders}\n",
			[]wantErr{{"spec.clusterRef.nme", `did you mean "name"?`}}},
		{"topic: wrong type, and the rest is validated", decodeTopicErr, topicHeader + "spec:\n  clusterRef: {name: orders}\n  queues: many\n  readQueues: 2000\n",
			[]wantErr{{"spec.queues", "must be a whole number, not a string"}, {"spec.readQueues", "must be 1 to 1024"}}},
		{"topic: wrong kind", decodeTopicErr, "apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata: {name: x}\nspec: {clusterRef: {name: orders}}\n",
			[]wantErr{{"kind", "must be RocketMQTopic"}}},
		{"group: typo", decodeGroupErr, groupHeader + "spec:\n  clusterRef: {name: orders}\n  consumeOrderely: true\n",
			[]wantErr{{"spec.consumeOrderely", `did you mean "consumeOrderly"?`}}},
		{"group: bad duration", decodeGroupErr, groupHeader + "spec:\n  clusterRef: {name: orders}\n  retryPolicy: {type: Customized, next: [soon]}\n",
			[]wantErr{{"spec.retryPolicy.next[0]", "Invalid value"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.decode([]byte(tc.in))
			var de *DecodeError
			require.True(t, errors.As(err, &de), "want a *DecodeError, got %v", err)
			assertErrors(t, de.FieldErrors(), tc.want...)
		})
	}
}

func TestDecodeMetadataErrorNamesTheKind(t *testing.T) {
	_, err := DecodeConsumerGroup([]byte(groupHeader + "spec: {clusterRef: {name: orders}, x: 1}\n"))
	assert.ErrorContains(t, err, "decoding RocketMQConsumerGroup: spec.x: Forbidden: unknown field")
	_, err = DecodeTopic([]byte("- a list\n"))
	assert.ErrorContains(t, err, "reading RocketMQTopic YAML: want a mapping")
}

func decodeTopicErr(b []byte) error {
	_, err := DecodeTopic(b)
	return err
}

func decodeGroupErr(b []byte) error {
	_, err := DecodeConsumerGroup(b)
	return err
}
