package cluster

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/testenv"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/nsaddr"
)

const benchClusters = 200

// fleet is benchClusters one-NameServer, one-broker clusters in one
// namespace, each with its own emulated NameServer and broker, plus as many
// unrelated pods that the label-scoped cache must not hold.
type fleet struct {
	ns      string
	names   []string
	brokers []*rmqtest.Broker
}

func newFleet(b *testing.B) *fleet {
	b.Helper()
	ctx := context.Background()
	fl := &fleet{ns: env.NewNamespace(b, testenv.PodSecurityRestricted)}
	for i := range benchClusters {
		ip := func(host int) string { return fmt.Sprintf("127.93.%d.%d", i/100, (i%100)*2+host) }
		name := fmt.Sprintf("c%03d", i)
		c := &v1alpha1.RocketMQCluster{ObjectMeta: metav1.ObjectMeta{Namespace: fl.ns, Name: name}, Spec: v1alpha1.RocketMQClusterSpec{
			NameServer: v1alpha1.NameServerSpec{Replicas: ptr.To[int32](1), HostNetwork: true},
			Broker:     v1alpha1.BrokerSpec{Groups: ptr.To[int32](1), ReplicasPerGroup: ptr.To[int32](1)},
		}}
		require.NoError(b, env.Client.Create(ctx, c))
		nsrv, err := rmqtest.NewNameServer(ip(1) + ":9876")
		require.NoError(b, err)
		b.Cleanup(func() { _ = nsrv.Close() })
		br, err := rmqtest.NewBroker(rmqtest.BrokerOptions{Addr: ip(2) + ":10911", ClusterName: name, BrokerName: c.BrokerGroupName(0),
			Config: map[string]string{nsaddr.ConfigKey: ip(1) + ":9876"}})
		require.NoError(b, err)
		b.Cleanup(func() { _ = br.Close() })
		benchPod(b, c, v1alpha1.ComponentNameServer, -1, c.NameServerName()+"-0", ip(1))
		benchPod(b, c, v1alpha1.ComponentBroker, 0, c.BrokerGroupName(0)+"-0", ip(2))
		unrelated := testenv.NewPod(fl.ns, "other-"+name, map[string]string{"app": "other"})
		require.NoError(b, env.Client.Create(ctx, unrelated))
		fl.names = append(fl.names, name)
		fl.brokers = append(fl.brokers, br)
	}
	return fl
}

func benchPod(b *testing.B, c *v1alpha1.RocketMQCluster, component string, group int32, name, ip string) {
	p := testenv.NewPod(c.Namespace, name, c.Labels(component, group))
	require.NoError(b, env.Client.Create(context.Background(), p))
	require.NoError(b, env.SetPodReady(context.Background(), p, ip, true))
	if component == v1alpha1.ComponentNameServer {
		p.Status.HostIP, p.Status.HostIPs = ip, []corev1.HostIP{{IP: ip}}
		require.NoError(b, env.Client.Status().Update(context.Background(), p))
	}
}

func (fl *fleet) waitAllReady(b *testing.B) {
	b.Helper()
	require.Eventually(b, func() bool { return fleetReady(fl) == benchClusters }, 5*time.Minute, 200*time.Millisecond)
}

// BenchmarkReconcile200Clusters measures one reconcile (cache reads, a
// GET_BROKER_CONFIG over loopback, status compare) with 200 clusters in
// the cache, and reports the controller's heap and the process RSS.
func BenchmarkReconcile200Clusters(b *testing.B) {
	fl := newFleet(b)
	heapBefore := heapInUse()
	start := time.Now()
	mgr, _ := startManagerWith(b, env.Config, []string{fl.ns}, Options{MaxConcurrentReconciles: 4, AdminTimeout: 10 * time.Second})
	fl.waitAllReady(b)
	toReady := time.Since(start)
	heap := heapInUse() - heapBefore
	rss, rssErr := rssBytes()

	r := NewReconciler(mgr, Options{AdminTimeout: 10 * time.Second})
	ctx := ctrl.LoggerInto(context.Background(), ctrl.Log)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		req := ctrl.Request{NamespacedName: types.NamespacedName{Namespace: fl.ns, Name: fl.names[i%benchClusters]}}
		if _, err := r.Reconcile(ctx, req); err != nil {
			b.Fatalf("reconcile %s: %v", req.Name, err)
		}
	}
	b.StopTimer()
	// Reported after the loop: ResetTimer drops metrics reported before it.
	b.ReportMetric(toReady.Seconds(), "s-to-all-ready")
	b.ReportMetric(float64(heap)/(1<<20), "ctrl-heap-MiB")
	if rssErr == nil {
		b.ReportMetric(float64(rss)/(1<<20), "process-RSS-MiB")
	}
	for _, br := range fl.brokers {
		if n := br.CallCount(admin.CodeUpdateBrokerConfig); n != 0 {
			b.Fatalf("a converged broker got %d updates", n)
		}
	}
}

// BenchmarkNameServerChangeToBrokerUpdate measures the time from a new
// NameServer pod turning ready (completing the list after Git scaled the
// NameServers from 2 to 3) to every broker having the new list: the watch
// event, the reconcile and UPDATE_BROKER_CONFIG to each broker.
func BenchmarkNameServerChangeToBrokerUpdate(b *testing.B) {
	f := newFixture(b, twoGroups())
	f.addNameServer(0)
	f.addNameServer(1)
	two := f.nameServerList()
	f.addBroker(0, 0, two)
	f.addBroker(1, 0, two)
	ns2 := f.addNameServer(2)
	three := f.nameServerList()
	startManager(b, env.Config, []string{f.ns}, testOptions())
	f.waitReady()
	brokers := []string{"demo-broker-0-0", "demo-broker-1-0"}
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		f.setHostNetworkReady(ns2, three[2][:strings.LastIndexByte(three[2], ':')], false)
		f.updateSpec(func(s *v1alpha1.RocketMQClusterSpec) { s.NameServer.Replicas = ptr.To[int32](2) })
		f.waitBrokers(brokers, two)
		f.updateSpec(func(s *v1alpha1.RocketMQClusterSpec) { s.NameServer.Replicas = ptr.To[int32](3) })
		b.StartTimer()
		f.setHostNetworkReady(ns2, three[2][:strings.LastIndexByte(three[2], ':')], true)
		f.waitBrokers(brokers, three)
	}
}

// waitBrokers polls the brokers until each reports want.
func (f *fixture) waitBrokers(brokers, want []string) {
	f.t.Helper()
	deadline := time.Now().Add(waitFor)
	for _, name := range brokers {
		for {
			got, err := f.brokerNameServers(name)
			if err == nil && nsaddr.Equal(got, want) {
				break
			}
			if time.Now().After(deadline) {
				f.t.Fatalf("broker %s has %v, want %v (err %v)", name, got, want, err)
			}
			time.Sleep(time.Millisecond)
		}
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// rssBytes reads VmRSS of this process (Linux).
func rssBytes() (uint64, error) { return vmRSS("/proc/self/status") }

// vmRSS reads VmRSS from a /proc/<pid>/status file.
func vmRSS(path string) (uint64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("reading %s: %w", path, err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parsing VmRSS %q: %w", rest, err)
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS in %s", path)
}

// BenchmarkControllerProcessRSS200Clusters runs the real status-controller
// binary against the API server with 200 clusters (and 200 unrelated pods)
// and reports its resident memory: the peak while it brings every cluster
// to Ready, and after it settled. One iteration is one whole run.
func BenchmarkControllerProcessRSS200Clusters(b *testing.B) {
	fl := newFleet(b)
	bin := filepath.Join(b.TempDir(), "status-controller")
	build := exec.Command("go", "build", "-o", bin, "./cmd/status-controller")
	build.Dir = env.Root
	out, err := build.CombinedOutput()
	require.NoError(b, err, "building the controller: %s", out)
	var peak, settled uint64
	var toReady time.Duration
	for b.Loop() {
		peak, settled, toReady = runControllerProcess(b, fl, bin)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
	b.ReportMetric(float64(settled)/(1<<20), "settled-RSS-MiB")
	b.ReportMetric(toReady.Seconds(), "s-to-all-ready")
}

func runControllerProcess(b *testing.B, fl *fleet, bin string) (peak, settled uint64, toReady time.Duration) {
	b.Helper()
	resetFleetStatus(b, fl)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--namespaces="+fl.ns, "--metrics-bind-address=0",
		"--health-probe-bind-address=0", "--leader-elect=false", "-v=0")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+env.KubeconfigPath())
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	require.NoError(b, cmd.Start())
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	sample := func() {
		if rss, err := processRSS(cmd.Process.Pid); err == nil && rss > peak {
			peak = rss
		}
	}
	deadline := time.Now().Add(5 * time.Minute)
	for fleetReady(fl) < benchClusters {
		sample()
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d clusters Ready; controller log tail:\n%s", fleetReady(fl), benchClusters, tail(stderr.String(), 2000))
		}
		time.Sleep(100 * time.Millisecond)
	}
	toReady = time.Since(start)
	for range 20 {
		sample()
		time.Sleep(100 * time.Millisecond)
	}
	settled, err := processRSS(cmd.Process.Pid)
	require.NoError(b, err)
	return peak, settled, toReady
}

// resetFleetStatus clears every cluster's status so a run starts cold.
func resetFleetStatus(b *testing.B, fl *fleet) {
	b.Helper()
	for _, name := range fl.names {
		c := &v1alpha1.RocketMQCluster{}
		require.NoError(b, env.Client.Get(context.Background(), client.ObjectKey{Namespace: fl.ns, Name: name}, c))
		c.Status = v1alpha1.RocketMQClusterStatus{}
		require.NoError(b, env.Client.Status().Update(context.Background(), c))
	}
}

func fleetReady(fl *fleet) int {
	var list v1alpha1.RocketMQClusterList
	if err := env.Client.List(context.Background(), &list, client.InNamespace(fl.ns)); err != nil {
		return 0
	}
	n := 0
	for i := range list.Items {
		if isTrue(&list.Items[i], v1alpha1.ConditionReady) {
			n++
		}
	}
	return n
}

func processRSS(pid int) (uint64, error) {
	return vmRSS(fmt.Sprintf("/proc/%d/status", pid))
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
