package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const topicFile = `apiVersion: rocketmq.gitops.dev/v1alpha1
kind: RocketMQTopic
metadata: {name: %s, namespace: mq}
spec: {clusterRef: {name: orders}, topicName: orders}
`

// krm-fn render names both files of a duplicate topic, and the files it
// records for that leave no trace in the output.
func TestRenderNamesTheFilesOfADuplicateTopic(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a.yaml"), filepath.Join(dir, "b.yaml"), filepath.Join(dir, "cluster.yaml")
	require.NoError(t, os.WriteFile(a, []byte(strings.Replace(topicFile, "%s", "orders", 1)), 0o600))
	require.NoError(t, os.WriteFile(b, []byte(strings.Replace(topicFile, "%s", "orders-again", 1)), 0o600))
	require.NoError(t, os.WriteFile(c, []byte(validCluster), 0o600))

	code, stdout, stderr := runCLI(t, "", "render", c, a, b)
	require.Equal(t, 1, code)
	assert.Empty(t, stdout)
	// The first in namespace/name order keeps it: "orders-again" sorts
	// before "orders/" as kinds and names are joined.
	assert.Equal(t, a+`: error: RocketMQTopic mq/orders: spec.topicName: Duplicate value: topic "orders" on cluster mq/orders is also declared by RocketMQTopic mq/orders-again (`+b+`); declare each topic once`+"\n", stderr)

	code, stdout, stderr = runCLI(t, "", "render", c, a)
	require.Equal(t, 0, code, stderr)
	assert.NotContains(t, stdout, "config.kubernetes.io/path", "the recorded file is not in the output")
	assert.True(t, strings.Contains(stdout, "kind: RocketMQTopic\nmetadata: {name: orders, namespace: mq, annotations: {argocd.argoproj.io/sync-wave: '4'}}\n"),
		"the topic passes through with its sync wave only")
}
