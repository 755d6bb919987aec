package transfer

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/testenv"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/topictransfer"
)

var env *testenv.Env

func TestMain(m *testing.M) {
	// The managers log through controller-runtime's logger; without one set
	// it prints a warning with a stack trace. Test failures print statuses.
	ctrl.SetLogger(logr.Discard())
	os.Exit(testenv.RunMain(m, &env))
}

// subnet gives each fixture its own 127.66.<n>.0/24, so emulators of
// different tests never share an address.
var subnet atomic.Int32

// subnetBase starts each test process at its own place in the range, so
// that two processes running these tests at once rarely pick the same
// subnet.
var subnetBase = int32(os.Getpid() % 250)

// nextSubnet is the third octet of the next fixture's subnet. It wraps
// within 1..250, since -count=N keeps adding fixtures to one process; a
// subnet comes back only after 249 others, long after its fixture closed.
func nextSubnet() int32 { return (subnet.Add(1)-1+subnetBase)%250 + 1 }

const (
	waitFor     = 30 * time.Second
	topicName   = "orders"
	queuesPer   = 4
	msgsInQueue = 100
)

var groupNames = []string{"billing", "shipping"}

// emuCluster is one emulated RocketMQ cluster: one NameServer and a master
// broker per group, all on loopback addresses.
type emuCluster struct {
	name    string
	ns      *rmqtest.NameServer
	brokers []*rmqtest.Broker
}

func startCluster(t *testing.T, name, prefix string, first, groups int) *emuCluster {
	t.Helper()
	return startClusterWith(t, name, prefix, first, groups, nil)
}

// startClusterWith starts a cluster whose brokers require requests signed
// with auth, when it is set.
func startClusterWith(t *testing.T, name, prefix string, first, groups int, auth *rmqtest.Auth) *emuCluster {
	t.Helper()
	ns, err := rmqtest.NewNameServer(fmt.Sprintf("%s%d:9876", prefix, first))
	require.NoError(t, err)
	t.Cleanup(func() { _ = ns.Close() })
	c := &emuCluster{name: name, ns: ns}
	for g := range groups {
		b, err := rmqtest.NewBroker(rmqtest.BrokerOptions{
			Addr:        fmt.Sprintf("%s%d:10911", prefix, first+1+g),
			ClusterName: name,
			BrokerName:  fmt.Sprintf("%s-broker-%d", name, g),
			NameServers: []string{ns.Addr()},
			Auth:        auth,
		})
		require.NoError(t, err)
		t.Cleanup(func() { _ = b.Close() })
		c.brokers = append(c.brokers, b)
	}
	return c
}

func (c *emuCluster) resetCounts() {
	c.ns.ResetCounts()
	for _, b := range c.brokers {
		b.ResetCounts()
	}
}

// fixture is a namespace with a source cluster managed as a
// RocketMQCluster (NameServer pod ready at the emulator's address) holding
// the topic and two groups, and an unmanaged, empty target cluster.
type fixture struct {
	t          *testing.T
	ns         string
	prefix     string
	src, tgt   *emuCluster
	admin      *admin.Client
	origTopic  []admin.TopicConfig
	origGroups []map[string]admin.SubscriptionGroupConfig
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	prefix := fmt.Sprintf("127.66.%d.", nextSubnet())
	f := &fixture{
		t:      t,
		prefix: prefix,
		ns:     env.NewNamespace(t, testenv.PodSecurityRestricted),
		src:    startCluster(t, "src", prefix, 1, 2),
		tgt:    startCluster(t, "tgt", prefix, 10, 2),
		admin:  admin.New(admin.Options{}),
	}
	t.Cleanup(func() { _ = f.admin.Close() })
	f.createCluster("src", f.src.ns.Addr())
	f.seedSource()
	return f
}

// createCluster makes a RocketMQCluster and its NameServer pod, ready at
// the emulated NameServer's IP: the controller finds the NameServer from
// the pod (port 9876, which the emulators listen on).
func (f *fixture) createCluster(name, nameServer string, mutate ...func(*v1alpha1.RocketMQCluster)) {
	ip, _, err := net.SplitHostPort(nameServer)
	require.NoError(f.t, err)
	ctx := context.Background()
	// Without a controller-manager nobody creates the namespace's default
	// ServiceAccount, and pod admission waits for it before giving up.
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "default"}}
	require.NoError(f.t, client.IgnoreAlreadyExists(env.Client.Create(ctx, sa)))
	c := &v1alpha1.RocketMQCluster{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name}}
	for _, m := range mutate {
		m(c)
	}
	require.NoError(f.t, env.Client.Create(ctx, c))
	p := testenv.NewPod(f.ns, c.NameServerName()+"-0", c.Labels(v1alpha1.ComponentNameServer, -1))
	require.NoError(f.t, env.Client.Create(ctx, p))
	require.NoError(f.t, env.SetPodReady(ctx, p, ip, true))
}

// seedSource puts the topic (4 queues, an attribute) and two groups with
// non-default settings on every source broker, all messages consumed.
func (f *fixture) seedSource() {
	for i, b := range f.src.brokers {
		tc := admin.NewTopicConfig(topicName)
		tc.ReadQueueNums, tc.WriteQueueNums = queuesPer, queuesPer
		tc.Attributes = map[string]string{"message.type": "NORMAL"}
		b.PutTopics(tc)
		for _, g := range groupNames {
			gc := admin.NewSubscriptionGroupConfig(g)
			gc.RetryMaxTimes, gc.RetryQueueNums, gc.ConsumeBroadcastEnable = 5, 2, false
			b.PutGroups(gc)
		}
		for q := range queuesPer {
			b.SetQueueOffsets(topicName, q, msgsInQueue)
			for _, g := range groupNames {
				b.SetConsumerOffset(g, topicName, q, msgsInQueue)
			}
		}
		f.origTopic = append(f.origTopic, b.Topics()[topicName])
		f.origGroups = append(f.origGroups, b.Groups())
		require.Equal(f.t, queuesPer, f.origTopic[i].ReadQueueNums)
	}
}

// lag leaves n messages unconsumed by group on queue 0 of source broker 0.
func (f *fixture) lag(group string, n int64) {
	f.src.brokers[0].SetConsumerOffset(group, topicName, 0, msgsInQueue-n)
}

// spec is the transfer of the fixture's topic and groups from the managed
// source to the unmanaged target.
func (f *fixture) spec() v1alpha1.TopicTransferSpec {
	return v1alpha1.TopicTransferSpec{
		Topic:          topicName,
		ConsumerGroups: append([]string(nil), groupNames...),
		Source:         v1alpha1.TransferEndpoint{ClusterRef: &v1alpha1.ClusterReference{Name: "src"}},
		Target:         v1alpha1.TransferEndpoint{NameServers: []string{f.tgt.ns.Addr()}, ClusterName: "tgt"},
		DrainTimeout:   &metav1.Duration{Duration: waitFor},
		// No POP consumers: no settle period after the drain.
		PopInvisibleTime: &metav1.Duration{},
	}
}

func (f *fixture) create(name string, spec v1alpha1.TopicTransferSpec) *v1alpha1.TopicTransfer {
	f.t.Helper()
	tt := &v1alpha1.TopicTransfer{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name}, Spec: spec}
	require.NoError(f.t, env.Client.Create(context.Background(), tt))
	return tt
}

func (f *fixture) get(name string) *v1alpha1.TopicTransfer {
	f.t.Helper()
	tt := &v1alpha1.TopicTransfer{}
	require.NoError(f.t, env.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: name}, tt))
	return tt
}

// update changes a transfer's spec, retrying on conflicts with the
// controller's status writes. A draining transfer writes status every
// poll, so on a busy machine many tries in a row can lose; the retries are
// bounded by time, not by count.
func (f *fixture) update(name string, mutate func(*v1alpha1.TopicTransferSpec)) error {
	var err error
	for deadline := time.Now().Add(waitFor); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		tt := f.get(name)
		mutate(&tt.Spec)
		if err = env.Client.Update(context.Background(), tt); !apierrors.IsConflict(err) {
			return err
		}
	}
	return err
}

// wait polls until ok holds, failing with the last status seen.
func (f *fixture) wait(name, what string, ok func(*v1alpha1.TopicTransfer) bool) *v1alpha1.TopicTransfer {
	f.t.Helper()
	var last *v1alpha1.TopicTransfer
	for deadline := time.Now().Add(waitFor); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if last = f.get(name); ok(last) {
			return last
		}
	}
	f.t.Fatalf("timed out waiting for %s of %s; last status: %s", what, name, statusString(last))
	return nil
}

func (f *fixture) waitFinal(name string) *v1alpha1.TopicTransfer {
	f.t.Helper()
	return f.wait(name, "a final phase", func(tt *v1alpha1.TopicTransfer) bool { return tt.Status.Phase.Final() })
}

func statusString(tt *v1alpha1.TopicTransfer) string {
	if tt == nil {
		return "<none>"
	}
	st := tt.Status
	var b strings.Builder
	fmt.Fprintf(&b, "phase=%s step=%d/%s attempts=%d lastError=%q message=%q", st.Phase, st.Step, st.StepName, st.Attempts, st.LastError, st.Message)
	for _, c := range st.Conditions {
		fmt.Fprintf(&b, " %s=%s(%s)", c.Type, c.Status, c.Reason)
	}
	for _, r := range st.Target {
		fmt.Fprintf(&b, " [%s %s %s]", r.Kind, r.Name, r.State)
	}
	return b.String()
}

// testOptions keep every wait in milliseconds.
func (f *fixture) testOptions(a topictransfer.Admin) Options {
	if a == nil {
		a = f.admin
	}
	return Options{
		Admin: a, PollInterval: 20 * time.Millisecond, RetryInterval: 5 * time.Millisecond,
		MaxAttempts: 3, AdminTimeout: 5 * time.Second,
	}
}

// startManager runs a manager with only the TopicTransfer controller,
// watching only the fixture's namespace; the returned func stops it and
// waits until it has.
func (f *fixture) startManager(opts Options) func() {
	f.t.Helper()
	// Every transition writes status and records Events: lift the client's
	// default rate limit so that the tests measure the controller, not it.
	cfg := rest.CopyConfig(env.Config)
	cfg.QPS, cfg.Burst = 500, 1000
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 env.Scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Cache:                  cache.Options{DefaultNamespaces: map[string]cache.Config{f.ns: {}}},
		Controller:             config.Controller{SkipNameValidation: ptr.To(true)},
	})
	require.NoError(f.t, err)
	require.NoError(f.t, SetupWithManager(mgr, opts))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				f.t.Errorf("manager: %v", err)
			}
		})
	}
	f.t.Cleanup(stop)
	return stop
}
