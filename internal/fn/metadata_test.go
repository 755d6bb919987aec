package fn

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/krm"
)

func TestDeclaredIn(t *testing.T) {
	for _, tc := range []struct{ annotations, want string }{
		{"{}", ""},
		{"{internal.config.kubernetes.io/path: a/b.yaml, config.kubernetes.io/path: old.yaml}", "a/b.yaml"},
		{"{config.kubernetes.io/path: old.yaml}", "old.yaml"},
		// kustomize with buildMetadata: [originAnnotations]
		{"{config.kubernetes.io/origin: \"path: topics/orders.yaml\\nrepo: x\\n\"}", "topics/orders.yaml"},
		{"{config.kubernetes.io/origin: \"repo: x\\n\"}", ""},
	} {
		n := mustParse(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, annotations: "+tc.annotations+"}\n")
		assert.Equal(t, tc.want, declaredIn(n), tc.annotations)
	}
}

const topicOrders = "apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: RocketMQTopic\nmetadata: {name: orders, namespace: mq}\nspec: {clusterRef: {name: a}}\n"

// A render of topics alone is not "a kustomization without a cluster":
// the warning is about the cluster the topics reference.
func TestTopicsWithoutClusterWarnOnce(t *testing.T) {
	out, results := Run([]*yaml.RNode{mustParse(t, topicOrders)}, nil)
	require.Len(t, results, 1)
	assert.Equal(t, krm.Warning, results[0].Severity)
	assert.Contains(t, results[0].Message, "RocketMQCluster mq/a is not in this render")
	require.Len(t, out, 1)
	assert.Equal(t, "4", out[0].GetAnnotations()["argocd.argoproj.io/sync-wave"])
}

// Another API group's RocketMQTopic is not ours: it passes untouched.
func TestForeignTopicKindPassesThrough(t *testing.T) {
	foreign := "apiVersion: example.com/v1\nkind: RocketMQTopic\nmetadata: {name: x}\nspec: {whatever: 1}\n"
	out, results := Run([]*yaml.RNode{mustParse(t, clusterA), mustParse(t, foreign)}, nil)
	require.Zero(t, results.ExitCode(), "%v", results)
	for _, n := range out {
		if n.GetApiVersion() == "example.com/v1" {
			assert.Empty(t, n.GetAnnotations())
			return
		}
	}
	t.Fatal("the foreign object is missing from the output")
}

func TestUnsupportedTopicVersion(t *testing.T) {
	_, results := Run([]*yaml.RNode{mustParse(t, clusterA), mustParse(t, "apiVersion: rocketmq.gitops.dev/v1\nkind: RocketMQTopic\nmetadata: {name: x, namespace: mq}\nspec: {}\n")}, nil)
	require.Equal(t, 1, results.ExitCode())
	assert.Equal(t, `error: RocketMQTopic mq/x: apiVersion: apiVersion "rocketmq.gitops.dev/v1" is not supported; this function validates rocketmq.gitops.dev/v1alpha1`,
		FormatResult(results[len(results)-1]))
}

func TestDisagreement(t *testing.T) {
	topic := func(read, write, mt string) metadataObject {
		return metadataObject{settings: map[string]string{"readQueues": read, "writeQueues": write, "messageType": mt}}
	}
	for _, tc := range []struct {
		a, b metadataObject
		want string
	}{
		{topic("8", "8", "NORMAL"), topic("8", "8", "NORMAL"), ""},
		{topic("8", "8", "NORMAL"), topic("16", "16", "FIFO"), ", and they disagree on messageType (NORMAL there, FIFO here) and queues (8 there, 16 here)"},
		{topic("8", "8", "NORMAL"), topic("8", "4", "NORMAL"), ", and they disagree on writeQueues (8 there, 4 here)"},
		{metadataObject{}, metadataObject{}, ""}, // consumer groups carry no settings
	} {
		assert.Equal(t, tc.want, disagreement(tc.a, tc.b))
	}
}
