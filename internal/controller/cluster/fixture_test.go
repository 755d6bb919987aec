package cluster

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
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/testenv"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/nsaddr"
)

var env *testenv.Env

func TestMain(m *testing.M) { os.Exit(testenv.RunMain(m, &env)) }

// subnet hands each fixture its own 127.91.<n>.0/24 so that emulators of
// different tests never share an address.
var subnet atomic.Int32

// nextSubnet is the third octet of the next fixture's subnet. It wraps
// within 1..250, since -count=N keeps adding fixtures to one process; a
// subnet comes back only after 249 others, long after its fixture closed.
func nextSubnet() int32 { return (subnet.Add(1)-1)%250 + 1 }

const waitFor = 30 * time.Second

// fixture is one RocketMQCluster with emulated NameServers and brokers
// behind pods whose status the test writes, since envtest runs no kubelet.
type fixture struct {
	t      testing.TB
	ns     string
	name   string
	prefix string
	nextIP int
	admin  *admin.Client
	auth   *rmqtest.Auth

	mu          sync.Mutex
	brokers     map[string]*rmqtest.Broker
	nameServers map[string]*rmqtest.NameServer
	nsIPs       map[int]string
}

// fixtureOption changes what newFixture creates.
type fixtureOption func(*fixtureSettings)

type fixtureSettings struct {
	skipObjects bool
	auth        *rmqtest.Auth
}

// skipObjects leaves the RocketMQCluster and the Service to the test.
func skipObjects() fixtureOption { return func(s *fixtureSettings) { s.skipObjects = true } }

// withAuth makes every emulated broker require ACL signatures, and the
// fixture's own admin client sign with the same credentials.
func withAuth(a *rmqtest.Auth) fixtureOption { return func(s *fixtureSettings) { s.auth = a } }

func newFixture(t testing.TB, spec v1alpha1.RocketMQClusterSpec, opts ...fixtureOption) *fixture {
	t.Helper()
	var set fixtureSettings
	for _, o := range opts {
		o(&set)
	}
	n := nextSubnet()
	f := &fixture{
		t:           t,
		ns:          env.NewNamespace(t, testenv.PodSecurityRestricted),
		name:        "demo",
		prefix:      fmt.Sprintf("127.91.%d.", n),
		auth:        set.auth,
		brokers:     map[string]*rmqtest.Broker{},
		nameServers: map[string]*rmqtest.NameServer{},
		nsIPs:       map[int]string{},
	}
	var creds *admin.Credentials
	if set.auth != nil {
		creds = &admin.Credentials{AccessKey: set.auth.AccessKey, SecretKey: set.auth.SecretKey}
	}
	f.admin = admin.New(admin.Options{Credentials: creds})
	t.Cleanup(func() { _ = f.admin.Close() })
	if set.skipObjects {
		return f
	}
	c := &v1alpha1.RocketMQCluster{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: f.name}, Spec: spec}
	require.NoError(t, env.Client.Create(context.Background(), c))
	f.createHeadlessService()
	return f
}

func (f *fixture) cluster() *v1alpha1.RocketMQCluster {
	f.t.Helper()
	c := &v1alpha1.RocketMQCluster{}
	require.NoError(f.t, env.Client.Get(context.Background(), client.ObjectKey{Namespace: f.ns, Name: f.name}, c))
	return c
}

func (f *fixture) createHeadlessService() {
	c := f.cluster()
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: c.NameServerName(), Labels: c.Labels(v1alpha1.ComponentNameServer, -1)},
		Spec: corev1.ServiceSpec{
			ClusterIP: corev1.ClusterIPNone,
			Selector:  c.SelectorLabels(v1alpha1.ComponentNameServer, -1),
			Ports:     []corev1.ServicePort{{Name: "remoting", Port: v1alpha1.PortNameServer}},
		},
	}
	require.NoError(f.t, env.Client.Create(context.Background(), svc))
}

func (f *fixture) ip() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextIP++
	return fmt.Sprintf("%s%d", f.prefix, f.nextIP)
}

// nameServerList is the list the controller should compute from the
// NameServers added so far: with hostNetwork, node IPs in ordinal order.
// The tests run NameServers on the host network because the emulated
// broker dials every namesrvAddr entry to register, and DNS names of pods
// must not be resolved here: every address stays a loopback one.
func (f *fixture) nameServerList() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.nsIPs))
	for i := range len(f.nsIPs) {
		out = append(out, f.nsIPs[i]+":9876")
	}
	return out
}

// addPod creates a pod with the rendered labels and marks it ready at ip.
// mutate changes the pod before it is created.
func (f *fixture) addPod(component string, group int32, name, ip string, mutate ...func(*corev1.Pod)) *corev1.Pod {
	f.t.Helper()
	c := f.cluster()
	p := testenv.NewPod(f.ns, name, c.Labels(component, group))
	for _, m := range mutate {
		m(p)
	}
	ctx := context.Background()
	require.NoError(f.t, env.Client.Create(ctx, p))
	require.NoError(f.t, env.SetPodReady(ctx, p, ip, true))
	return p
}

// addHostNetworkPod creates a ready pod whose node IP is ip.
func (f *fixture) addHostNetworkPod(component, name, ip string) *corev1.Pod {
	f.t.Helper()
	p := testenv.NewPod(f.ns, name, f.cluster().Labels(component, -1))
	require.NoError(f.t, env.Client.Create(context.Background(), p))
	f.setHostNetworkReady(p, ip, true)
	return p
}

// setHostNetworkReady writes the status of a host-network pod at node IP
// ip in one update, so the controller never sees it ready at another
// address (SetPodReady writes 127.0.0.1 as the node IP).
func (f *fixture) setHostNetworkReady(p *corev1.Pod, ip string, ready bool) {
	f.t.Helper()
	ctx := context.Background()
	if len(p.Status.Conditions) == 0 {
		require.NoError(f.t, env.SetPodReady(ctx, p, ip, false))
	}
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	p.Status.HostIP, p.Status.HostIPs = ip, []corev1.HostIP{{IP: ip}}
	for i := range p.Status.Conditions {
		if t := p.Status.Conditions[i].Type; t == corev1.PodReady || t == corev1.ContainersReady {
			p.Status.Conditions[i].Status = st
		}
	}
	for i := range p.Status.ContainerStatuses {
		p.Status.ContainerStatuses[i].Ready = ready
	}
	require.NoError(f.t, env.Client.Status().Update(ctx, p))
}

// addNameServer starts an emulated NameServer and its ready pod, on the
// host network: its node IP is the emulator's address.
func (f *fixture) addNameServer(ordinal int) *corev1.Pod {
	f.t.Helper()
	ip := f.ip()
	ns, err := rmqtest.NewNameServer(ip + ":9876")
	require.NoError(f.t, err)
	f.t.Cleanup(func() { _ = ns.Close() })
	name := fmt.Sprintf("%s-%d", f.cluster().NameServerName(), ordinal)
	f.mu.Lock()
	f.nameServers[name] = ns
	f.nsIPs[ordinal] = ip
	f.mu.Unlock()
	return f.addHostNetworkPod(v1alpha1.ComponentNameServer, name, ip)
}

// addBroker starts an emulated broker (master of its group when ordinal
// is 0) using namesrvAddr, and its ready pod. arm runs on the emulator
// before the pod turns ready, so faults are in place before the controller
// can see the broker.
func (f *fixture) addBroker(group int32, ordinal int, namesrvAddr []string, arm ...func(*rmqtest.Broker)) *corev1.Pod {
	f.t.Helper()
	return f.addBrokerWithID(group, ordinal, int64(ordinal), namesrvAddr, arm...)
}

// addBrokerWithID is addBroker with the brokerId the broker registers
// with (0 is the master), for Controller mode where an election, not the
// ordinal, decides it.
func (f *fixture) addBrokerWithID(group int32, ordinal int, id int64, namesrvAddr []string, arm ...func(*rmqtest.Broker)) *corev1.Pod {
	f.t.Helper()
	ip := f.ip()
	c := f.cluster()
	b, err := rmqtest.NewBroker(rmqtest.BrokerOptions{
		Addr:        ip + ":10911",
		ClusterName: c.Name,
		BrokerName:  c.BrokerGroupName(group),
		BrokerID:    id,
		Auth:        f.auth,
		Config:      map[string]string{nsaddr.ConfigKey: nsaddr.Join(namesrvAddr)},
	})
	require.NoError(f.t, err)
	f.t.Cleanup(func() { _ = b.Close() })
	name := fmt.Sprintf("%s-%d", c.BrokerGroupName(group), ordinal)
	f.mu.Lock()
	f.brokers[name] = b
	f.mu.Unlock()
	for _, a := range arm {
		a(b)
	}
	return f.addPod(v1alpha1.ComponentBroker, group, name, ip)
}

func (f *fixture) broker(name string) *rmqtest.Broker {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.brokers[name]
}

// brokerNameServers reads a broker's namesrvAddr over the protocol.
func (f *fixture) brokerNameServers(name string) ([]string, error) {
	cfg, err := f.admin.BrokerConfig(context.Background(), f.broker(name).Addr())
	if err != nil {
		return nil, err
	}
	return nsaddr.Split(cfg[nsaddr.ConfigKey]), nil
}

// updateSpec changes the cluster's spec, retrying on conflicts with the
// controller's status writes.
func (f *fixture) updateSpec(mutate func(*v1alpha1.RocketMQClusterSpec)) int64 {
	f.t.Helper()
	var gen int64
	require.Eventually(f.t, func() bool {
		c := f.cluster()
		mutate(&c.Spec)
		if err := env.Client.Update(context.Background(), c); err != nil {
			return false
		}
		gen = c.Generation
		return true
	}, waitFor, 50*time.Millisecond)
	return gen
}

// waitStatus polls until ok holds for the cluster, failing with the last
// status seen.
func (f *fixture) waitStatus(what string, ok func(*v1alpha1.RocketMQCluster) bool) *v1alpha1.RocketMQCluster {
	f.t.Helper()
	var last *v1alpha1.RocketMQCluster
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		last = f.cluster()
		if ok(last) {
			return last
		}
		time.Sleep(50 * time.Millisecond)
	}
	f.t.Fatalf("timed out waiting for %s; last status: %s", what, statusString(last))
	return nil
}

func statusString(c *v1alpha1.RocketMQCluster) string {
	if c == nil {
		return "<none>"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "gen=%d observed=%d ns=%v", c.Generation, c.Status.ObservedGeneration, c.Status.NameServerAddresses)
	for _, cd := range c.Status.Conditions {
		fmt.Fprintf(&b, " %s=%s(%s: %s)", cd.Type, cd.Status, cd.Reason, cd.Message)
	}
	for _, g := range c.Status.BrokerGroups {
		fmt.Fprintf(&b, " [%s master=%q %d/%d %s %q attempts=%d]", g.Name, g.Master, g.Ready, g.Desired, g.Metadata, g.MetadataMessage, g.MetadataAttempts)
	}
	return b.String()
}

func condition(c *v1alpha1.RocketMQCluster, typ string) *metav1.Condition {
	for i := range c.Status.Conditions {
		if c.Status.Conditions[i].Type == typ {
			return &c.Status.Conditions[i]
		}
	}
	return nil
}

func isTrue(c *v1alpha1.RocketMQCluster, typ string) bool {
	cd := condition(c, typ)
	return cd != nil && cd.Status == metav1.ConditionTrue && cd.ObservedGeneration == c.Generation
}

// readyCluster waits until Ready is True for the current generation.
func (f *fixture) waitReady() *v1alpha1.RocketMQCluster {
	f.t.Helper()
	return f.waitStatus("Ready", func(c *v1alpha1.RocketMQCluster) bool {
		return c.Status.ObservedGeneration == c.Generation && isTrue(c, v1alpha1.ConditionReady)
	})
}

// testOptions are test settings: a one-second grace before a lost master
// is Degraded, so tests of damage need not wait two minutes.
func testOptions() Options {
	return Options{MaxConcurrentReconciles: 2, AdminTimeout: 10 * time.Second, MasterLostGrace: time.Second}
}

// startManager runs the controller with cfg over namespaces until the
// returned stop function is called (or the test ends).
func startManager(t testing.TB, cfg *rest.Config, namespaces []string, opts Options, extra ...func(*ctrl.Options)) (stop func()) {
	t.Helper()
	_, stop = startManagerWith(t, cfg, namespaces, opts, extra...)
	return stop
}

// startManagerWith is startManager that also returns the manager.
func startManagerWith(t testing.TB, cfg *rest.Config, namespaces []string, opts Options, extra ...func(*ctrl.Options)) (ctrl.Manager, func()) {
	t.Helper()
	mo := ctrl.Options{
		Scheme:                 env.Scheme,
		Cache:                  CacheOptions(namespaces),
		Client:                 ClientOptions(),
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Controller:             config.Controller{SkipNameValidation: ptr.To(true)},
	}
	for _, e := range extra {
		e(&mo)
	}
	mgr, err := ctrl.NewManager(cfg, mo)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	require.NoError(t, SetupWithManager(ctx, mgr, opts))
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
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
	t.Cleanup(stop)
	return mgr, stop
}
