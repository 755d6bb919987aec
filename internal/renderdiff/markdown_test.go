package renderdiff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteMarkdown(t *testing.T) {
	r, err := Diff(objs(t, proxyDeploy, brokerConf),
		objs(t, strings.Replace(proxyDeploy, "replicas: 2", "replicas: 3", 1),
			strings.Replace(brokerConf, "ASYNC_FLUSH", "SYNC_FLUSH", 1), broker("2")))
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, r.WriteMarkdown(&b, "examples/kustomize"))
	want := "### examples/kustomize\n\n" +
		"1 added, 0 removed, 2 changed, 0 unchanged.\n\n" +
		"- orders-broker-0 broker.conf: flushDiskType ASYNC_FLUSH → SYNC_FLUSH\n" +
		"- orders-proxy replicas 2 → 3\n" +
		"- broker group orders-broker-2 added\n\n" +
		"Added:\n\n- + StatefulSet/mq/orders-broker-2\n\n" +
		"#### ~ ConfigMap/mq/orders-broker-0\n\n" +
		"- `data[\"broker.conf\"]`:\n\n  ```diff\n  -flushDiskType=ASYNC_FLUSH\n  +flushDiskType=SYNC_FLUSH\n  ```\n\n" +
		"#### ~ Deployment/mq/orders-proxy\n\n" +
		"- `spec.replicas`: `2` → `3`\n\n"
	assert.Equal(t, want, b.String())
}

func TestWriteMarkdownNoChange(t *testing.T) {
	r, err := Diff(objs(t, proxyDeploy), objs(t, proxyDeploy))
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, r.WriteMarkdown(&b, "x"))
	assert.Equal(t, "### x\n\nNo change (1 objects).\n\n", b.String())
}

func TestWriteMarkdownListsRemovedObjects(t *testing.T) {
	r, err := Diff(objs(t, proxyDeploy, broker("1")), objs(t, proxyDeploy))
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, r.WriteMarkdown(&b, "x"))
	assert.Equal(t, "### x\n\n0 added, 1 removed, 0 changed, 1 unchanged.\n\n"+
		"- broker group orders-broker-1 left running to drain: Argo CD and Flux do not prune it; the status controller wipes its "+
		"write permission and reports it Retiring, then Drained with the command that deletes it (its PersistentVolumeClaims are kept)\n\n"+
		"Removed:\n\n- - StatefulSet/mq/orders-broker-1 (not pruned: stays in the cluster)\n\n", b.String())
}

func TestSummaryLeadsWithTheClusterSpec(t *testing.T) {
	cluster := "apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: RocketMQCluster\nmetadata: {name: orders, namespace: mq}\nspec: {proxy: {replicas: %d}}"
	r, err := Diff(objs(t, proxyDeploy, fmt.Sprintf(cluster, 2)),
		objs(t, strings.Replace(proxyDeploy, "replicas: 2", "replicas: 3", 1), fmt.Sprintf(cluster, 3)))
	require.NoError(t, err)
	assert.Equal(t, []string{"cluster orders spec.proxy.replicas 2 → 3", "orders-proxy replicas 2 → 3"}, r.Summary)
}
