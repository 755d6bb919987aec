package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
)

// migrateCase is the operator example golden case of internal/migrate.
const migrateCase = "../../internal/migrate/testdata/golden/operator-example/"

func TestMigrateWritesTheClusterAndTheReport(t *testing.T) {
	input, err := os.ReadFile(migrateCase + "input.yaml")
	require.NoError(t, err)
	code, stdout, stderr := runCLI(t, string(input), "migrate", "-")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, readString(t, migrateCase+"expected.yaml"), stdout)
	require.Equal(t, readString(t, migrateCase+"report.txt"), stderr)

	// The output renders: render takes it as it is.
	dir := t.TempDir()
	out := filepath.Join(dir, "cluster.yaml")
	require.NoError(t, os.WriteFile(out, []byte(stdout), 0o644))
	code, rendered, stderr := runCLI(t, "", "render", out)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, rendered, "name: broker-broker-0")
}

func TestMigrateWritesToFiles(t *testing.T) {
	dir := t.TempDir()
	out, report := filepath.Join(dir, "cluster.yaml"), filepath.Join(dir, "report.txt")
	code, stdout, stderr := runCLI(t, "", "migrate", "-o", out, "--report", report, "--name", "mq", migrateCase+"input.yaml")
	require.Equal(t, 0, code, stderr)
	require.Empty(t, stdout)
	require.Empty(t, stderr)
	require.Contains(t, readString(t, out), "  name: mq\n")
	require.Contains(t, readString(t, report), "dropped: Broker default/broker: spec.allowRestart: ")
}

func TestMigrateTransfersFromATopicList(t *testing.T) {
	dir := t.TempDir()
	topics := filepath.Join(dir, "topics.txt")
	require.NoError(t, os.WriteFile(topics, []byte("orders billing,ledger\nTBW102\n"), 0o644))
	code, stdout, stderr := runCLI(t, "", "migrate", "--transfers", "--topics", topics,
		"--source-nameservers", "old-ns.default.svc:9876", "--delete-source-topic", "--pop-invisible-time", "0s", migrateCase+"input.yaml")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, `apiVersion: rocketmq.gitops.dev/v1alpha1
kind: TopicTransfer
metadata:
  annotations:
    argocd.argoproj.io/sync-wave: "1"
  labels:
    migrate.rocketmq.gitops.dev/batch: "1"
  name: broker-orders-325e96ec
  namespace: default
spec:
  consumerGroups:
  - billing
  - ledger
  deleteSourceTopic: true
  popInvisibleTime: 0s
  source:
    clusterName: broker
    nameServers:
    - old-ns.default.svc:9876
  target:
    clusterRef:
      name: broker
  topic: orders
`, stdout)
	require.Equal(t, "dropped: topic TBW102: a system, retry or dead-letter topic: each cluster keeps its own; not transferred\n", stderr)
}

func TestMigrateRefusesAmbiguousInputWithoutOutput(t *testing.T) {
	input := readString(t, "../../internal/migrate/testdata/golden/error-two-brokers/input.yaml")
	code, stdout, stderr := runCLI(t, input, "migrate", "-")
	require.Equal(t, 1, code)
	require.Empty(t, stdout)
	require.Equal(t, "error: "+readString(t, "../../internal/migrate/testdata/golden/error-two-brokers/errors.txt"), stderr)
}

func TestMigrateNamesAMissingFile(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "migrate", "no-such-file.yaml")
	require.Equal(t, 1, code)
	require.Empty(t, stdout)
	require.Contains(t, stderr, "error: reading no-such-file.yaml: ")
}

// TestMigrateTransfersReadFromTheOldCluster reads the topics of an
// emulated old cluster named like the example's Broker.
func TestMigrateTransfersReadFromTheOldCluster(t *testing.T) {
	ns, err := rmqtest.NewNameServer("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ns.Close() })
	b, err := rmqtest.NewBroker(rmqtest.BrokerOptions{Addr: "127.0.0.1:0", ClusterName: "broker", BrokerName: "broker-0", NameServers: []string{ns.Addr()}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	cl := admin.New(admin.Options{})
	t.Cleanup(func() { _ = cl.Close() })
	require.NoError(t, cl.CreateTopic(context.Background(), b.Addr(), admin.NewTopicConfig("orders")))
	require.NoError(t, cl.CreateGroup(context.Background(), b.Addr(), admin.NewSubscriptionGroupConfig("billing")))
	b.SetConsumerOffset("billing", "orders", 0, 1)

	code, stdout, stderr := runCLI(t, "", "migrate", "--transfers", "--source-nameservers", ns.Addr(), migrateCase+"input.yaml")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, stdout, "  consumerGroups:\n  - billing\n")
	require.Contains(t, stdout, "  topic: orders\n")
	require.Equal(t, 1, strings.Count(stdout, "kind: TopicTransfer"), stdout)
	require.Contains(t, stderr, "dropped: topic TBW102: ")
}

func TestMigrateTransfersNeedAReachableOldCluster(t *testing.T) {
	code, stdout, stderr := runCLI(t, "", "migrate", "--transfers", "--timeout", "2s", "--source-nameservers", "127.0.0.1:1", migrateCase+"input.yaml")
	require.Equal(t, 1, code)
	require.Empty(t, stdout)
	require.Contains(t, stderr, "error: reading the old cluster from its NameServers: ")
}
