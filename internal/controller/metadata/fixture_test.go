package metadata

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/controller/cluster"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/testenv"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/nsaddr"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.RunMain(m, &env)) }

// subnet hands each fixture its own 127.93.<n>.0/24.
var subnet atomic.Int32

const waitFor = 30 * time.Second

// fixture is one RocketMQCluster whose status the test writes (no cluster
// controller runs): broker groups with emulated masters behind ready pods,
// and one emulated NameServer.
type fixture struct {
	t      testing.TB
	ns     string
	name   string
	prefix string
	auth   *rmqtest.Auth
	admin  *admin.Client
	nsAddr string
	nsDNS  string // the NameServer pod's DNS name and port, as status reports it

	mu      sync.Mutex
	nextIP  int
	brokers []*rmqtest.Broker
	names   *rmqtest.NameServer
}

type fixtureSettings struct {
	auth     *rmqtest.Auth
	selector *metav1.LabelSelector
}

type fixtureOption func(*fixtureSettings)

func withAuth(a *rmqtest.Auth) fixtureOption { return func(s *fixtureSettings) { s.auth = a } }

func withSelector(sel *metav1.LabelSelector) fixtureOption {
	return func(s *fixtureSettings) { s.selector = sel }
}

func newFixture(t testing.TB, groups int, opts ...fixtureOption) *fixture {
	t.Helper()
	var set fixtureSettings
	for _, o := range opts {
		o(&set)
	}
	f := &fixture{
		t: t, ns: env.NewNamespace(t, testenv.PodSecurityRestricted), name: "demo",
		prefix: fmt.Sprintf("127.93.%d.", (subnet.Add(1)-1)%250+1), auth: set.auth,
	}
	var creds *admin.Credentials
	if set.auth != nil {
		creds = &admin.Credentials{AccessKey: set.auth.AccessKey, SecretKey: set.auth.SecretKey}
	}
	f.admin = admin.New(admin.Options{Credentials: creds})
	t.Cleanup(func() { _ = f.admin.Close() })
	spec := v1alpha1.RocketMQClusterSpec{
		NameServer:             v1alpha1.NameServerSpec{Replicas: ptr.To[int32](1), HostNetwork: true},
		Broker:                 v1alpha1.BrokerSpec{Groups: ptr.To(int32(groups)), ReplicasPerGroup: ptr.To[int32](1)},
		TopicNamespaceSelector: set.selector,
	}
	if set.auth != nil {
		spec.ACL = v1alpha1.ACLSpec{Enabled: true, AdminSecretRef: &v1alpha1.SecretCredentialsRef{Name: "mq-admin"}}
		require.NoError(t, env.Client.Create(context.Background(), &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: "mq-admin"},
			StringData: map[string]string{"username": set.auth.AccessKey, "password": set.auth.SecretKey},
		}))
	}
	c := &v1alpha1.RocketMQCluster{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: f.name}, Spec: spec}
	require.NoError(t, env.Client.Create(context.Background(), c))
	f.nsAddr = f.ip() + ":9876"
	names, err := rmqtest.NewNameServer(f.nsAddr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = names.Close() })
	f.names = names
	f.addNameServerPod(c)
	for range groups {
		f.addGroup()
	}
	return f
}

// addNameServerPod is the NameServer's ready pod on the host network, at
// the emulator's address, so that a cluster controller running beside (the
// process benchmark) reports the same NameServer and broker groups.
func (f *fixture) addNameServerPod(c *v1alpha1.RocketMQCluster) {
	f.t.Helper()
	ctx := context.Background()
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: c.NameServerName(), Labels: c.Labels(v1alpha1.ComponentNameServer, -1)},
		Spec: corev1.ServiceSpec{ClusterIP: corev1.ClusterIPNone, Selector: c.SelectorLabels(v1alpha1.ComponentNameServer, -1),
			Ports: []corev1.ServicePort{{Name: "remoting", Port: v1alpha1.PortNameServer}}},
	}
	require.NoError(f.t, env.Client.Create(ctx, svc))
	p := testenv.NewPod(f.ns, c.NameServerName()+"-0", c.Labels(v1alpha1.ComponentNameServer, -1))
	p.Spec.Subdomain = svc.Name // as its StatefulSet sets it
	require.NoError(f.t, env.Client.Create(ctx, p))
	// The cluster controller reports the pods' DNS names, as rendered.
	f.nsDNS = fmt.Sprintf("%s.%s.%s.svc:%d", p.Name, svc.Name, f.ns, v1alpha1.PortNameServer)
	ip, _, _ := strings.Cut(f.nsAddr, ":")
	require.NoError(f.t, env.SetPodReady(ctx, p, ip, true))
	p.Status.HostIP, p.Status.HostIPs = ip, []corev1.HostIP{{IP: ip}}
	require.NoError(f.t, env.Client.Status().Update(ctx, p))
}

func (f *fixture) ip() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextIP++
	return fmt.Sprintf("%s%d", f.prefix, f.nextIP)
}

func (f *fixture) cluster() *v1alpha1.RocketMQCluster {
	f.t.Helper()
	c := &v1alpha1.RocketMQCluster{}
	require.NoError(f.t, env.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: f.name}, c))
	return c
}

// addGroup starts the master of the next broker group, its ready pod, and
// reports the group in the cluster's status, as the cluster controller
// does after a scale-out.
func (f *fixture) addGroup() *rmqtest.Broker {
	f.t.Helper()
	c := f.cluster()
	g := int32(len(f.brokers))
	ip := f.ip()
	b, err := rmqtest.NewBroker(rmqtest.BrokerOptions{
		Addr: ip + ":10911", ClusterName: c.Name, BrokerName: c.BrokerGroupName(g), Auth: f.auth,
		Config: map[string]string{nsaddr.ConfigKey: f.nsAddr},
	})
	require.NoError(f.t, err)
	f.t.Cleanup(func() { _ = b.Close() })
	f.brokers = append(f.brokers, b)
	name := c.BrokerGroupName(g) + "-0"
	p := testenv.NewPod(f.ns, name, c.Labels(v1alpha1.ComponentBroker, g))
	ctx := context.Background()
	require.NoError(f.t, env.Client.Create(ctx, p))
	require.NoError(f.t, env.SetPodReady(ctx, p, ip, true))
	require.Eventually(f.t, func() bool {
		c := f.cluster()
		c.Status.NameServerAddresses = []string{f.nsDNS}
		c.Status.BrokerGroups = append(c.Status.BrokerGroups, v1alpha1.BrokerGroupStatus{Group: g, Name: c.BrokerGroupName(g), Master: name})
		return env.Client.Status().Update(ctx, c) == nil
	}, waitFor, 50*time.Millisecond)
	return b
}

func testOptions() Options {
	return Options{Resync: time.Second, DeleteRecheck: 200 * time.Millisecond, DeleteSettle: 500 * time.Millisecond, AdminTimeout: 10 * time.Second}
}

// startManager runs the metadata controller alone over every namespace.
func startManager(t testing.TB, opts Options) {
	t.Helper()
	cacheOpts := cluster.CacheOptions(nil)
	AddCacheOptions(&cacheOpts)
	mgr, err := ctrl.NewManager(env.Config, ctrl.Options{
		Scheme: env.Scheme, Cache: cacheOpts,
		Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
		Controller: config.Controller{SkipNameValidation: ptr.To(true)},
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, SetupWithManager(ctx, mgr, opts))
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("manager: %v", err)
			}
		case <-time.After(waitFor):
			t.Errorf("manager did not stop")
		}
	})
}

func (f *fixture) topic(name string, mutate ...func(*v1alpha1.RocketMQTopic)) *v1alpha1.RocketMQTopic {
	return f.topicIn(f.ns, name, mutate...)
}

func (f *fixture) topicIn(ns, name string, mutate ...func(*v1alpha1.RocketMQTopic)) *v1alpha1.RocketMQTopic {
	f.t.Helper()
	t := &v1alpha1.RocketMQTopic{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.RocketMQTopicSpec{ClusterRef: v1alpha1.MetadataClusterReference{Name: f.name, Namespace: f.ns}}}
	for _, m := range mutate {
		m(t)
	}
	require.NoError(f.t, env.Client.Create(context.Background(), t))
	return t
}

func (f *fixture) group(name string, mutate ...func(*v1alpha1.RocketMQConsumerGroup)) *v1alpha1.RocketMQConsumerGroup {
	f.t.Helper()
	g := &v1alpha1.RocketMQConsumerGroup{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: name},
		Spec: v1alpha1.RocketMQConsumerGroupSpec{ClusterRef: v1alpha1.MetadataClusterReference{Name: f.name}}}
	for _, m := range mutate {
		m(g)
	}
	require.NoError(f.t, env.Client.Create(context.Background(), g))
	return g
}

// waitObject polls obj until ok holds, failing with its last status.
func waitObject[T client.Object](t testing.TB, obj T, what string, ok func(T) bool) T {
	t.Helper()
	key := client.ObjectKeyFromObject(obj)
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		if err := env.Client.Get(context.Background(), key, obj); err == nil && ok(obj) {
			return obj
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s of %s; last: %+v", what, key, obj)
	return obj
}

func topicReady(t *v1alpha1.RocketMQTopic) bool {
	return reasonIs(&t.Status.MetadataObjectStatus, t.Generation, v1alpha1.ConditionReady, v1alpha1.ReasonApplied)
}

func groupReady(g *v1alpha1.RocketMQConsumerGroup) bool {
	return reasonIs(&g.Status.MetadataObjectStatus, g.Generation, v1alpha1.ConditionReady, v1alpha1.ReasonApplied)
}

// eventually polls cond (bounded).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

// hasEvent reports an Event with reason on obj whose note contains text.
func hasEvent(t testing.TB, obj client.Object, reason, text string) bool {
	t.Helper()
	var list corev1.EventList
	if err := env.Client.List(context.Background(), &list, client.InNamespace(obj.GetNamespace())); err != nil {
		return false
	}
	for _, e := range list.Items {
		if e.InvolvedObject.Name == obj.GetName() && e.Reason == reason && strings.Contains(e.Message, text) {
			return true
		}
	}
	return false
}
