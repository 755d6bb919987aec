package fn

import (
	"fmt"
	"strconv"
	"testing"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// BenchmarkRender runs 1 and 500 clusters through the whole processor
// (find, decode, default, validate, render, convert, assemble). Goal: 500
// clusters under one second.
func BenchmarkRender(b *testing.B) {
	for _, n := range []int{1, 500} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			items := benchClusters(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				out, results := Run(items, nil)
				if results.ExitCode() != 0 || len(out) <= n {
					b.Fatalf("render failed: %d objects, results:\n%s", len(out), formatResults(results))
				}
			}
		})
	}
}

// benchClusters is n copies of the example cluster, spread over
// ten namespaces.
func benchClusters(b *testing.B, n int) []*yaml.RNode {
	b.Helper()
	items := make([]*yaml.RNode, 0, n)
	for i := range n {
		node, err := yaml.Parse(fmt.Sprintf(benchCluster, i, i%10))
		if err != nil {
			b.Fatal(err)
		}
		items = append(items, node)
	}
	return items
}

const benchCluster = `apiVersion: rocketmq.gitops.dev/v1alpha1
kind: RocketMQCluster
metadata: {name: orders-%d, namespace: mq-%d}
spec:
  nameServer: {replicas: 3}
  controller: {replicas: 3}
  broker:
    mode: Controller
    groups: 2
    replicasPerGroup: 2
    storage: {size: 50Gi, storageClassName: fast}
    config: {flushDiskType: SYNC_FLUSH}
  proxy: {enabled: true, replicas: 2}
  dashboard: {enabled: true}
  acl: {enabled: true, adminSecretRef: {name: rocketmq-admin}}
  metrics: {enabled: true}
`

// BenchmarkValidateTopics runs one cluster and 10 000 topics and 2 000
// consumer groups (a large team repository rendered with its cluster)
// through the processor: each object is decoded strictly, validated, and
// checked for duplicates, broker groups and the namespace selector. The
// strict decoding (serialise, YAML to JSON, strict unmarshal) dominates.
func BenchmarkValidateTopics(b *testing.B) {
	items := benchClusters(b, 1)
	for i := range 10000 {
		items = append(items, mustParseBench(b, fmt.Sprintf(
			"apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: RocketMQTopic\nmetadata: {name: topic-%d, namespace: mq-0}\n"+
				"spec: {clusterRef: {name: orders-0}, queues: 16, messageType: FIFO}\n", i)))
	}
	for i := range 2000 {
		items = append(items, mustParseBench(b, fmt.Sprintf(
			"apiVersion: rocketmq.gitops.dev/v1alpha1\nkind: RocketMQConsumerGroup\nmetadata: {name: group-%d, namespace: mq-0}\n"+
				"spec: {clusterRef: {name: orders-0}, consumeOrderly: true, retryMaxTimes: 5}\n", i)))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		out, results := Run(items, nil)
		if results.ExitCode() != 0 || len(out) < len(items) {
			b.Fatalf("validation failed: %d objects, results:\n%s", len(out), formatResults(results))
		}
	}
}

func mustParseBench(b *testing.B, s string) *yaml.RNode {
	b.Helper()
	n, err := yaml.Parse(s)
	if err != nil {
		b.Fatal(err)
	}
	return n
}
