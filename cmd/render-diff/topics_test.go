package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func topicItem(queues int, messageType string) string {
	return fmt.Sprintf(`
- apiVersion: rocketmq.gitops.dev/v1alpha1
  kind: RocketMQTopic
  metadata: {name: orders, namespace: team-orders}
  spec: {clusterRef: {name: orders, namespace: mq}, queues: %d, messageType: %s}`, queues, messageType)
}

// A pull request that grows a topic's queues is reported in words; one
// that shrinks them or changes the message type is reported, at the top,
// as refused, and render-diff fails after writing the report (the API
// server would refuse the sync).
func TestRenderDiffReportsTopicChanges(t *testing.T) {
	kustomize := kustomizeBinary(t)
	repo := newTestRepo(t)
	base := repo.commitRenderer("orders topic", brokerItem(0)+topicItem(8, "NORMAL"))
	grow := repo.commitRenderer("16 queues", brokerItem(0)+topicItem(16, "NORMAL"))
	shrink := repo.commitRenderer("4 queues, FIFO", brokerItem(0)+topicItem(4, "FIFO"))
	opts := options{repo: repo.dir, kustomize: kustomize, krmFn: "build", overlays: []string{"deploy/orders"}}

	var out, errOut strings.Builder
	opts.base, opts.head = base, grow
	require.NoError(t, run(context.Background(), opts, &out, &errOut), "stderr: %s", errOut.String())
	assert.Contains(t, out.String(), "1 changed, 1 unchanged.\n\n- topic orders: queues 8 → 16\n")
	assert.NotContains(t, out.String(), "Refused")

	out.Reset()
	opts.base, opts.head = grow, shrink
	err := run(context.Background(), opts, &out, &errOut)
	require.ErrorIs(t, err, errRefused)
	assert.Contains(t, err.Error(), "2 change(s)")
	assert.Contains(t, out.String(), "**Refused by the API server**: applying this would fail; undo these changes:\n\n"+
		"- topic orders: queues 16 → 4: queues may grow, never shrink: messages in dropped queues would no longer be read\n"+
		"- topic orders: messageType NORMAL → FIFO: messageType is immutable; create a new topic for another message type\n")
	assert.Contains(t, out.String(), "- topic orders: messageType NORMAL → FIFO (refused: messageType is immutable; create a new topic for another message type)\n")
}

// A team's folder of topics, which runs no function, is compared too:
// discovered by its RocketMQTopic resources, and refused like the rest.
func TestRenderDiffComparesATeamsTopicFolder(t *testing.T) {
	kustomize := kustomizeBinary(t)
	repo := newTestRepo(t)
	topic := "apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: RocketMQTopic\nmetadata: {name: refunds, namespace: team}\n" +
		"spec: {clusterRef: {name: orders, namespace: mq}, queues: %d}\n"
	repo.write("team/kustomization.yaml", "resources: [topics.yaml]\n")
	repo.write("team/topics.yaml", fmt.Sprintf(topic, 16))
	base := repo.commitRenderer("team topics", brokerItem(0))
	repo.write("team/topics.yaml", fmt.Sprintf(topic, 8))
	head := repo.commitRenderer("fewer queues", brokerItem(0))

	var out, errOut strings.Builder
	err := run(context.Background(), options{repo: repo.dir, base: base, head: head, kustomize: kustomize, krmFn: "build"}, &out, &errOut)
	require.ErrorIs(t, err, errRefused, "stderr: %s", errOut.String())
	assert.Contains(t, out.String(), "### `team`\n\n0 added, 0 removed, 1 changed, 0 unchanged.\n\n**Refused by the API server**")
	assert.Contains(t, out.String(), "- topic refunds: queues 16 → 8 (refused: ")
}
