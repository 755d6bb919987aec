package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/migrate"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// operatorCluster emulates a cluster the Apache RocketMQ Operator runs:
// NameServers and brokers at their pod IPs (loopback addresses outside
// the simulated cluster's pod CIDR), brokers named <cr>-<group> in
// cluster <cr>, each told the NameServers as "ip:9876;ip:9876", with
// brokerIP1 the pod IP (brokerGenConfig.sh).
type operatorCluster struct {
	cr          string
	nameServers []*rmqtest.NameServer
	masters     []*rmqtest.Broker
}

// operatorPodIPs are the emulated pod IPs: NameServers, then masters.
var operatorPodIPs = struct{ nameServers, masters []string }{
	nameServers: []string{"127.77.0.1", "127.77.0.2"},
	masters:     []string{"127.77.1.1", "127.77.1.2"},
}

func startOperatorCluster(t *testing.T, cr string) *operatorCluster {
	t.Helper()
	oc := &operatorCluster{cr: cr}
	t.Cleanup(oc.close)
	var list []string
	for _, ip := range operatorPodIPs.nameServers {
		ns, err := rmqtest.NewNameServer(ip + ":9876")
		if err != nil {
			t.Fatalf("starting the operator's NameServer at %s: %v", ip, err)
		}
		oc.nameServers = append(oc.nameServers, ns)
		list = append(list, ns.Addr())
	}
	for g, ip := range operatorPodIPs.masters {
		b, err := rmqtest.NewBroker(rmqtest.BrokerOptions{
			Addr: ip + ":10911", ClusterName: cr, BrokerName: fmt.Sprintf("%s-%d", cr, g), NameServers: list,
			Config: map[string]string{"namesrvAddr": strings.Join(list, ";"), "brokerIP1": ip, "listenPort": "10911"},
			Timers: &rmqtest.Timers{Scale: timeScale},
		})
		if err != nil {
			t.Fatalf("starting the operator's broker %s-%d at %s: %v", cr, g, ip, err)
		}
		oc.masters = append(oc.masters, b)
	}
	return oc
}

func (oc *operatorCluster) close() {
	for _, b := range oc.masters {
		_ = b.Close()
	}
	for _, ns := range oc.nameServers {
		_ = ns.Close()
	}
}

func (oc *operatorCluster) nameServerList() string {
	addrs := make([]string, len(oc.nameServers))
	for i, ns := range oc.nameServers {
		addrs[i] = ns.Addr()
	}
	return strings.Join(addrs, ";")
}

// seed creates topic on every master with 100 messages in each of its
// first queues, and groups that consumed 60 of them: 40 left per queue.
func (oc *operatorCluster) seed(t *testing.T, topic string, groups ...string) {
	t.Helper()
	cl := admin.New(admin.Options{})
	defer func() { _ = cl.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, b := range oc.masters {
		if err := cl.CreateTopic(ctx, b.Addr(), admin.NewTopicConfig(topic)); err != nil {
			t.Fatal(err)
		}
		for _, g := range groups {
			if err := cl.CreateGroup(ctx, b.Addr(), admin.NewSubscriptionGroupConfig(g)); err != nil {
				t.Fatal(err)
			}
		}
		for q := 0; q < lagQueues; q++ {
			b.SetQueueOffsets(topic, q, 100)
			for _, g := range groups {
				b.SetConsumerOffset(g, topic, q, 60)
			}
		}
	}
}

// catchUp is the old consumers reading the rest of topic.
func (oc *operatorCluster) catchUp(topic string, groups []string) {
	for _, b := range oc.masters {
		for q := 0; q < lagQueues; q++ {
			for _, g := range groups {
				b.SetConsumerOffset(g, topic, q, 100)
			}
		}
	}
}

func (oc *operatorCluster) dataLoss() []rmqtest.DataLossRecord {
	var from []rmqtest.DataLosser
	for _, b := range oc.masters {
		from = append(from, b)
	}
	for _, ns := range oc.nameServers {
		from = append(from, ns)
	}
	return rmqtest.CollectDataLoss(from...)
}

// resources are the operator's custom resources of the cluster, as
// kubectl get -o yaml shows them: the NameService's status holds the
// NameServers' pod IPs.
func (oc *operatorCluster) resources(namespace string) string {
	return fmt.Sprintf(`apiVersion: rocketmq.apache.org/v1alpha1
kind: Broker
metadata: {name: %[1]s, namespace: %[2]s}
spec:
  size: %[3]d
  nameServers: ""
  replicaPerGroup: 1
  brokerImage: apacherocketmq/rocketmq-broker:4.9.4-alpine-operator-0.4.0
  imagePullPolicy: IfNotPresent
  allowRestart: true
  resources: {}
  storageMode: StorageClass
  hostPath: /data/rocketmq/broker
  scalePodName: %[1]s-0-master-0
  volumeClaimTemplates:
  - metadata: {name: broker-storage}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 20Gi}}
---
apiVersion: rocketmq.apache.org/v1alpha1
kind: NameService
metadata: {name: name-service, namespace: %[2]s}
spec:
  size: 2
  nameServiceImage: apacherocketmq/rocketmq-nameserver:4.9.4-alpine-operator-0.4.0
  imagePullPolicy: IfNotPresent
  hostNetwork: false
  dnsPolicy: ClusterFirst
  resources: {}
  storageMode: EmptyDir
  hostPath: /data/rocketmq/nameserver
  volumeClaimTemplates:
  - metadata: {name: namesrv-storage}
    spec:
      resources: {requests: {storage: 1Gi}}
status:
  nameServers: [%[4]s]
`, oc.cr, namespace, len(oc.masters), strings.ReplaceAll(oc.nameServerList(), ";", ", "))
}

// TestMigrateFromTheOperator: a cluster of the Apache RocketMQ Operator
// (emulated at pod IPs) with four topics and three consumer groups still
// behind. krm-fn migrate's converter turns its custom resources into a
// RocketMQCluster, which is rendered and runs next to it; the topics are
// read from the old cluster and their TopicTransfers applied batch by
// batch, each batch once the previous one succeeded, while the old
// consumers catch up. Every topic and group ends on the new cluster, none
// on the old one, and no emulator recorded a data loss.
func TestMigrateFromTheOperator(t *testing.T) {
	old := startOperatorCluster(t, "broker")
	old.seed(t, "orders", "billing", "ledger")
	old.seed(t, "payments", "ledger")
	old.seed(t, "metrics", "monitor")
	old.seed(t, "audit")

	e := newEnv(t, "", v1alpha1.RocketMQClusterSpec{})
	res := convertOperatorResources(t, old.resources(e.ns))
	e.name, e.spec = res.Cluster.Name, res.Cluster.Spec
	startController(t)
	e.sync()
	e.waitFor("the new cluster Ready", 3*time.Minute, e.readyWithMasters)

	transfers := migrationTransfers(t, res, e)
	groups := map[string][]string{}
	for _, tt := range transfers {
		groups[tt.Spec.Topic] = tt.Spec.ConsumerGroups
	}
	want := map[string][]string{"audit": nil, "metrics": {"monitor"}, "orders": {"billing", "ledger"}, "payments": {"ledger"}}
	if fmt.Sprint(groups) != fmt.Sprint(want) {
		t.Fatalf("topics and groups read from the old cluster: %v, want %v", groups, want)
	}
	for batch := 1; ; batch++ {
		todo := inBatch(transfers, batch)
		if len(todo) == 0 {
			break
		}
		runBatch(t, old, batch, todo)
	}

	e.expectTopics([]string{"audit", "metrics", "orders", "payments"}, true)
	e.checkGroups([]string{"billing", "ledger", "monitor"})
	for _, b := range old.masters {
		got := b.Topics()
		for topic := range want {
			if _, ok := got[topic]; ok {
				t.Errorf("old broker %s still holds %s", b.Addr(), topic)
			}
		}
	}
	if lost := old.dataLoss(); len(lost) > 0 {
		t.Errorf("data lost on the old cluster: %v", lost)
	}
	noDataLoss(t)
}

// convertOperatorResources runs the converter as krm-fn migrate does.
func convertOperatorResources(t *testing.T, resources string) *migrate.Result {
	t.Helper()
	in := &migrate.Inputs{}
	if err := migrate.Parse([]byte(resources), in); err != nil {
		t.Fatal(err)
	}
	res, err := migrate.Convert(in, migrate.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out, _ := migrate.Encode(res.Cluster)
	t.Logf("converted:\n%s", out)
	return res
}

// migrationTransfers reads the old cluster's topics over the wire and
// writes their TopicTransfers into the new cluster's namespace, two topics
// per batch, deleting the source topics once drained.
func migrationTransfers(t *testing.T, res *migrate.Result, e *env) []v1alpha1.TopicTransfer {
	t.Helper()
	cl := admin.New(admin.Options{})
	defer func() { _ = cl.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var report migrate.Report
	topics, err := migrate.ReadTopics(ctx, cl, res.Source, &report)
	if err != nil {
		t.Fatal(err)
	}
	transfers, err := migrate.Transfers(res.Source, topics, migrate.TransferOptions{
		Target: e.name, Namespace: e.ns, BatchSize: 2, DeleteSourceTopic: true,
		// The emulated clients do not consume by POP: no settle period.
		PopInvisibleTime: &metav1.Duration{},
	})
	if err != nil {
		t.Fatal(err)
	}
	return transfers
}

func inBatch(all []v1alpha1.TopicTransfer, batch int) []v1alpha1.TopicTransfer {
	var out []v1alpha1.TopicTransfer
	for _, tt := range all {
		if tt.Labels[migrate.BatchLabel] == fmt.Sprint(batch) {
			out = append(out, tt)
		}
	}
	return out
}

// runBatch applies one batch, lets the old consumers catch up once the
// source is read-only and draining, and waits until every transfer of the
// batch has succeeded.
func runBatch(t *testing.T, old *operatorCluster, batch int, todo []v1alpha1.TopicTransfer) {
	t.Helper()
	start := time.Now()
	for i := range todo {
		tt := &todo[i]
		if err := s.client.Create(context.Background(), tt); err != nil {
			t.Fatalf("batch %d: %v", batch, err)
		}
		t.Cleanup(func() { _ = s.client.Delete(context.Background(), tt) })
	}
	for i := range todo {
		tt := &todo[i]
		if len(tt.Spec.ConsumerGroups) > 0 {
			waitTransferFor(t, tt, tt.Spec.Topic+" draining", 2*time.Minute, draining(tt.Spec.ConsumerGroups[0]))
			old.catchUp(tt.Spec.Topic, tt.Spec.ConsumerGroups)
		}
	}
	for i := range todo {
		final := waitTransfer(t, &todo[i], 3*time.Minute)
		if final.Status.Phase != v1alpha1.TransferSucceeded {
			st, _ := yaml.Marshal(final.Status)
			t.Fatalf("batch %d: transfer of %s ended %s:\n%s", batch, final.Spec.Topic, final.Status.Phase, st)
		}
	}
	t.Logf("batch %d (%d topics) succeeded after %s", batch, len(todo), time.Since(start).Round(time.Millisecond))
}
