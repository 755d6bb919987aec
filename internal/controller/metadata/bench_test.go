package metadata

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/fanout"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

const (
	benchTopics = 10000
	benchGroups = 2000
)

// BenchmarkTopics10000 runs the real status-controller binary against the
// API server with 10 000 RocketMQTopics and 2 000 RocketMQConsumerGroups on
// a cluster of two emulated broker groups, and reports the time until every
// object is Ready, the admin requests the brokers received, and the
// process's peak resident memory (VmHWM). One iteration is one whole run
// from an empty broker. BENCH_LOG=<file> keeps the controller's log, which
// times each reconcile's broker reads, writes and status writes;
// BENCH_FLAGS adds controller flags (e.g. --metadata-status-workers=64).
func BenchmarkTopics10000(b *testing.B) {
	f := newFixture(b, 2)
	fast := rest.CopyConfig(env.Config)
	fast.QPS, fast.Burst = 2000, 4000
	cl, err := client.New(fast, client.Options{Scheme: env.Scheme})
	require.NoError(b, err)
	createObjects(b, cl, f)
	bin := filepath.Join(b.TempDir(), "status-controller")
	build := exec.Command("go", "build", "-o", bin, "./cmd/status-controller")
	build.Dir = env.Root
	out, err := build.CombinedOutput()
	require.NoError(b, err, "building the controller: %s", out)
	var r benchRun
	for b.Loop() {
		r = runBench(b, cl, f, bin)
	}
	b.ReportMetric(r.toReady.Seconds(), "s-to-all-ready")
	b.ReportMetric(float64(r.requests), "admin-requests")
	b.ReportMetric(float64(r.peak)/(1<<20), "peak-RSS-MiB")
}

func createObjects(b *testing.B, cl client.Client, f *fixture) {
	b.Helper()
	errs := make([]error, benchTopics+benchGroups)
	ref := v1alpha1.MetadataClusterReference{Name: f.name}
	fanout.Each(len(errs), 32, func(i int) {
		var o client.Object
		if i < benchTopics {
			o = &v1alpha1.RocketMQTopic{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: fmt.Sprintf("topic-%05d", i)},
				Spec: v1alpha1.RocketMQTopicSpec{ClusterRef: ref}}
		} else {
			o = &v1alpha1.RocketMQConsumerGroup{ObjectMeta: metav1.ObjectMeta{Namespace: f.ns, Name: fmt.Sprintf("group-%05d", i)},
				Spec: v1alpha1.RocketMQConsumerGroupSpec{ClusterRef: ref}}
		}
		errs[i] = cl.Create(context.Background(), o)
	})
	for _, err := range errs {
		require.NoError(b, err)
	}
}

// metadataCodes are the requests of this controller's reconciles (the
// cluster controller in the same process sends others).
var metadataCodes = []int{
	admin.CodeGetAllTopicConfig, admin.CodeGetAllSubscriptionGroupConfig,
	admin.CodeUpdateAndCreateTopicList, admin.CodeUpdateAndCreateSubscriptionGroups,
	admin.CodeUpdateAndCreateTopic, admin.CodeUpdateAndCreateSubscriptionGroup,
}

type benchRun struct {
	toReady  time.Duration
	requests int
	peak     uint64
}

func runBench(b *testing.B, cl client.Client, f *fixture, bin string) benchRun {
	b.Helper()
	resetBench(b, cl, f)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	args := []string{"--namespaces=" + f.ns, "--metrics-bind-address=0", "--health-probe-bind-address=0", "--leader-elect=false", "-v=1"}
	args = append(args, strings.Fields(os.Getenv("BENCH_FLAGS"))...)
	cmd := exec.CommandContext(ctx, bin, args...)
	// GOMEMLIMIT as config/manager/manager.yaml sets it.
	cmd.Env = append(os.Environ(), "KUBECONFIG="+env.KubeconfigPath(), "GOMEMLIMIT=100MiB")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	require.NoError(b, cmd.Start())
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if p := os.Getenv("BENCH_LOG"); p != "" {
			_ = os.WriteFile(p, []byte(stderr.String()), 0o600)
		}
	}()
	deadline := start.Add(5 * time.Minute)
	for {
		ready := readyCount(cl, f.ns)
		if ready == benchTopics+benchGroups {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d objects Ready; controller log tail:\n%s", ready, benchTopics+benchGroups, tail(stderr.String(), 2000))
		}
		time.Sleep(5 * time.Second)
	}
	r := benchRun{toReady: time.Since(start)}
	for _, br := range f.brokers {
		for _, code := range metadataCodes {
			r.requests += br.CallCount(code)
		}
	}
	peak, err := procStatus(cmd.Process.Pid, "VmHWM:")
	require.NoError(b, err)
	r.peak = peak
	return r
}

// resetBench empties the brokers and the objects' status so that a run
// starts cold.
func resetBench(b *testing.B, cl client.Client, f *fixture) {
	b.Helper()
	ctx := context.Background()
	for _, br := range f.brokers {
		for name := range br.Topics() {
			if strings.HasPrefix(name, "topic-") {
				require.NoError(b, f.admin.DeleteTopicInBroker(ctx, br.Addr(), name))
			}
		}
		gs := br.Groups()
		var names []string
		for name := range gs {
			if strings.HasPrefix(name, "group-") {
				names = append(names, name)
			}
		}
		for _, name := range names {
			require.NoError(b, f.admin.DeleteGroup(ctx, br.Addr(), name, true))
		}
		br.ResetCounts()
	}
	var topics v1alpha1.RocketMQTopicList
	require.NoError(b, cl.List(ctx, &topics, client.InNamespace(f.ns)))
	var groups v1alpha1.RocketMQConsumerGroupList
	require.NoError(b, cl.List(ctx, &groups, client.InNamespace(f.ns)))
	objs := make([]client.Object, 0, len(topics.Items)+len(groups.Items))
	for i := range topics.Items {
		if topics.Items[i].Status.Conditions != nil {
			topics.Items[i].Status = v1alpha1.RocketMQTopicStatus{}
			objs = append(objs, &topics.Items[i])
		}
	}
	for i := range groups.Items {
		if groups.Items[i].Status.Conditions != nil {
			groups.Items[i].Status = v1alpha1.RocketMQConsumerGroupStatus{}
			objs = append(objs, &groups.Items[i])
		}
	}
	errs := make([]error, len(objs))
	fanout.Each(len(objs), 32, func(i int) { errs[i] = cl.Status().Update(ctx, objs[i]) })
	for _, err := range errs {
		require.NoError(b, err)
	}
}

func readyCount(cl client.Client, ns string) int {
	ctx := context.Background()
	var topics v1alpha1.RocketMQTopicList
	var groups v1alpha1.RocketMQConsumerGroupList
	if cl.List(ctx, &topics, client.InNamespace(ns)) != nil || cl.List(ctx, &groups, client.InNamespace(ns)) != nil {
		return 0
	}
	n := 0
	for i := range topics.Items {
		if topicReady(&topics.Items[i]) {
			n++
		}
	}
	for i := range groups.Items {
		if groupReady(&groups.Items[i]) {
			n++
		}
	}
	return n
}

// procStatus reads a kB field (VmHWM:, VmRSS:) of /proc/<pid>/status.
func procStatus(pid int, field string) (uint64, error) {
	path := fmt.Sprintf("/proc/%d/status", pid)
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("reading %s: %w", path, err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parsing %s %q: %w", field, rest, err)
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("no %s in %s", field, path)
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// BenchmarkStatusWriteFloor measures what BenchmarkTopics10000's time is
// made of: the same API server taking status merge patches of
// RocketMQTopics from 32 writers side by side, with no controller and no
// broker. Its writes-per-second bound the controller's time to all Ready,
// which needs one status write per object.
func BenchmarkStatusWriteFloor(b *testing.B) {
	const n = 2000
	ns := env.NewNamespace(b, "")
	fast := rest.CopyConfig(env.Config)
	fast.QPS, fast.Burst = 2000, 4000
	cl, err := client.New(fast, client.Options{Scheme: env.Scheme})
	require.NoError(b, err)
	ctx := context.Background()
	topics := make([]*v1alpha1.RocketMQTopic, n)
	errs := make([]error, n)
	fanout.Each(n, 32, func(i int) {
		topics[i] = &v1alpha1.RocketMQTopic{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: fmt.Sprintf("floor-%05d", i)},
			Spec: v1alpha1.RocketMQTopicSpec{ClusterRef: v1alpha1.MetadataClusterReference{Name: "demo"}}}
		errs[i] = cl.Create(ctx, topics[i])
	})
	for _, err := range errs {
		require.NoError(b, err)
	}
	var elapsed time.Duration
	round := 0
	for b.Loop() {
		round++
		start := time.Now()
		fanout.Each(n, 32, func(i int) {
			before := topics[i].DeepCopy()
			t := topics[i]
			t.Status.ObservedGeneration = t.Generation
			t.Status.TopicName = t.RocketMQName()
			t.Status.Cluster = ns + "/demo"
			t.Status.Conditions = []metav1.Condition{{Type: v1alpha1.ConditionReady, Status: metav1.ConditionTrue,
				Reason: v1alpha1.ReasonApplied, Message: fmt.Sprintf("round %d", round), ObservedGeneration: t.Generation,
				LastTransitionTime: metav1.Now()}}
			errs[i] = cl.Status().Patch(ctx, t, client.MergeFrom(before))
		})
		elapsed += time.Since(start)
		for _, err := range errs {
			require.NoError(b, err)
		}
	}
	perSecond := float64(n*b.N) / elapsed.Seconds()
	b.ReportMetric(perSecond, "status-writes/s")
	b.ReportMetric(float64(benchTopics+benchGroups)/perSecond, "s-for-12000-writes")
}
