package main

import (
	"bytes"
	"context"
	"flag"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/testenv"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

func TestParseFlags(t *testing.T) {
	c, err := parseFlags(nil)
	require.NoError(t, err)
	assert.Equal(t, ":8080", c.metricsAddr)
	assert.Equal(t, ":8081", c.probeAddr)
	assert.False(t, c.leaderElect)
	assert.Empty(t, c.namespaces, "all namespaces by default")
	assert.Equal(t, 4, c.concurrency)
	assert.Equal(t, 10*time.Second, c.adminTimeout, "per call")
	assert.Equal(t, 2*time.Minute, c.masterLostGrace)
	assert.Equal(t, 30*time.Second, c.transferStepTimeout)
	assert.Equal(t, time.Minute, c.metadataResync)
	assert.Equal(t, 32, c.metadataStatusWorkers)
	assert.Equal(t, 45*time.Second, c.metadataDeleteSettle)
	assert.Equal(t, float64(DefaultKubeQPS), c.kubeQPS)
	assert.Equal(t, DefaultKubeBurst, c.kubeBurst)

	c, err = parseFlags([]string{"--metadata-resync-period=10s", "--metadata-delete-settle=1m", "--metadata-status-workers=4", "--kube-api-qps=50", "--kube-api-burst=60"})
	require.NoError(t, err)
	assert.Equal(t, 10*time.Second, c.metadataResync)
	assert.Equal(t, time.Minute, c.metadataDeleteSettle)
	assert.Equal(t, 4, c.metadataStatusWorkers)
	assert.Equal(t, 50.0, c.kubeQPS)
	assert.Equal(t, 60, c.kubeBurst)

	c, err = parseFlags([]string{"--namespaces= mq-a,,mq-b ", "--leader-elect", "--max-concurrent-reconciles=8", "--admin-timeout=5s", "--resync-period=0",
		"--master-lost-grace=5m", "--transfer-step-timeout=1m"})
	require.NoError(t, err)
	assert.Equal(t, []string{"mq-a", "mq-b"}, c.namespaces)
	assert.True(t, c.leaderElect)
	assert.Equal(t, 8, c.concurrency)
	assert.Equal(t, 5*time.Second, c.adminTimeout)
	assert.Equal(t, 5*time.Minute, c.masterLostGrace)
	assert.Equal(t, time.Minute, c.transferStepTimeout)
	assert.Zero(t, c.resync)

	for _, bad := range [][]string{{"--max-concurrent-reconciles=0"}, {"--no-such-flag"}, {"extra"}, {"--admin-timeout=soon"},
		{"--admin-timeout=0"}, {"--master-lost-grace=-1s"}, {"--metadata-resync-period=0"}, {"--metadata-delete-settle=0"}, {"--metadata-status-workers=0"},
		{"--kube-api-qps=0"}, {"--kube-api-burst=0"}} {
		_, err := parseFlags(bad)
		assert.Error(t, err, "%v", bad)
	}
}

// TestRunReconciles starts the binary's manager as main does and checks
// that it writes status for a cluster in a watched namespace only.
func TestRunReconciles(t *testing.T) {
	env := testenv.Start(t)
	watched := env.NewNamespace(t, testenv.PodSecurityRestricted)
	other := env.NewNamespace(t, testenv.PodSecurityRestricted)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	// -count=2 runs this test twice in one process: controller names are
	// checked process-wide.
	skipNameCheck := func(o *ctrl.Options) { o.Controller.SkipNameValidation = ptr.To(true) }
	go func() {
		done <- run(ctx, []string{"--namespaces=" + watched, "--metrics-bind-address=0", "--health-probe-bind-address=0"}, env.Config, skipNameCheck)
	}()
	stopped := false
	t.Cleanup(func() {
		cancel()
		if !stopped {
			assert.NoError(t, <-done)
		}
	})

	mk := func(ns string) *v1alpha1.RocketMQCluster {
		c := &v1alpha1.RocketMQCluster{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "demo"},
			Spec: v1alpha1.RocketMQClusterSpec{NameServer: v1alpha1.NameServerSpec{Replicas: ptr.To[int32](1)}}}
		require.NoError(t, env.Client.Create(context.Background(), c))
		return c
	}
	in, out := mk(watched), mk(other)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		select {
		case err := <-done:
			stopped = true
			require.NoError(t, err, "the manager stopped early")
			require.FailNow(t, "the manager stopped early")
		default:
		}
		c := &v1alpha1.RocketMQCluster{}
		if env.Client.Get(context.Background(), client.ObjectKeyFromObject(in), c) == nil &&
			c.Status.ObservedGeneration == c.Generation && len(c.Status.Conditions) == 6 { // five kstatus conditions and RenderStale
			break
		}
		require.True(t, time.Now().Before(deadline), "no status written; last: %+v", c.Status)
	}
	c := &v1alpha1.RocketMQCluster{}
	require.NoError(t, env.Client.Get(context.Background(), client.ObjectKeyFromObject(out), c))
	assert.Empty(t, c.Status.Conditions, "a namespace that is not watched is left alone")
}

// TestHelp builds the binary: --help exits 0 and lists only this
// command's flags, in its own words (no test.* flags from a linked-in
// testing package, no "testing logger" from klog's textlogger).
func TestHelp(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "status-controller")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	cmd := exec.Command(bin, "--help")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "--help exits 0; stderr: %s", stderr.String())
	usage := stderr.String()
	assert.Contains(t, usage, "Usage of status-controller:")
	assert.Contains(t, usage, "-leader-elect")
	assert.Contains(t, usage, "-v value")
	assert.NotContains(t, usage, "testing")
	assert.NotContains(t, usage, "-test.")
	assert.NotContains(t, usage, "-zap-")
	assert.NotContains(t, usage, "help requested")

	var b strings.Builder
	_, err = parseFlagsTo([]string{"-h"}, &b)
	assert.ErrorIs(t, err, flag.ErrHelp)
	assert.Contains(t, b.String(), "-retire-settle")
}

func TestVersionFlag(t *testing.T) {
	var out strings.Builder
	old := stdout
	stdout = &out
	t.Cleanup(func() { stdout = old })
	// --version returns before any kubeconfig lookup: no cluster needed.
	require.NoError(t, run(context.Background(), []string{"--version"}, nil))
	assert.Regexp(t, `^status-controller \S+ \(commit \S+, go\S+\)\n$`, out.String())
}
