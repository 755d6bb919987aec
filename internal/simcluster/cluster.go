package simcluster

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/testenv"
)

//go:embed stages.yaml
var kwokStages []byte

// Options shape the simulated cluster; the zero value is a usable default.
type Options struct {
	// Nodes is the number of fake nodes (default 6).
	Nodes int
	// Zones spreads the nodes round-robin over zone-a, zone-b, ... in label
	// topology.kubernetes.io/zone (default 3).
	Zones int
	// PodCIDR is where kwok takes pod IPs from; it must be a loopback range
	// (default 127.1.0.0/16).
	PodCIDR string
	// NodeIP is every node's InternalIP and so every pod's hostIP; a loopback
	// address outside PodCIDR (default 127.0.0.1).
	NodeIP string
	// CPU, Memory and Pods are each node's capacity and allocatable
	// (default 32, 256Gi, 110).
	CPU, Memory string
	Pods        int
	// LogDir receives one log file per process plus the kwok stages. Empty:
	// a temporary directory that Stop removes.
	LogDir string
	// StartTimeout bounds Start on top of its context (default 2 minutes).
	StartTimeout time.Duration
	// Testenv are passed to testenv.StartMain (for example
	// testenv.WithServiceMonitorCRD()).
	Testenv []testenv.Option
}

func (o *Options) defaults() error {
	setDefault(&o.Nodes, 6)
	setDefault(&o.Zones, 3)
	setDefault(&o.PodCIDR, "127.1.0.0/16")
	setDefault(&o.NodeIP, "127.0.0.1")
	setDefault(&o.CPU, "32")
	setDefault(&o.Memory, "256Gi")
	setDefault(&o.Pods, 110)
	setDefault(&o.StartTimeout, 2*time.Minute)
	if o.Zones > 26 || o.Zones < 1 || o.Nodes < 1 {
		return fmt.Errorf("options: need at least 1 node and 1 to 26 zones, got %d nodes, %d zones", o.Nodes, o.Zones)
	}
	cidr, err := netip.ParsePrefix(o.PodCIDR)
	if err != nil || !cidr.Addr().IsLoopback() {
		return fmt.Errorf("options: pod CIDR %q is not a loopback range: tests must only ever dial loopback", o.PodCIDR)
	}
	nodeIP, err := netip.ParseAddr(o.NodeIP)
	if err != nil || !nodeIP.IsLoopback() || cidr.Contains(nodeIP) {
		return fmt.Errorf("options: node IP %q must be a loopback address outside pod CIDR %s", o.NodeIP, o.PodCIDR)
	}
	for _, q := range []string{o.CPU, o.Memory} {
		if _, err := resource.ParseQuantity(q); err != nil {
			return fmt.Errorf("options: node capacity %q: %w", q, err)
		}
	}
	return nil
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// Cluster is a running simulated cluster.
type Cluster struct {
	// Env is the underlying API server with the project's CRDs (namespaces,
	// dry runs, kubectl: see internal/testenv).
	Env *testenv.Env
	// Config authenticates as an admin (group system:masters).
	Config *rest.Config
	// Client holds the client-go types, apiextensions/v1 and the project's
	// v1alpha1 types.
	Client client.Client
	// Kubeconfig is the path of an admin kubeconfig file.
	Kubeconfig string
	// Nodes are the fake nodes' names.
	Nodes []string
	// LogDir holds the processes' logs (see LogTails).
	LogDir string
	// Options are the effective options, defaults filled in.
	Options Options

	clientset  *kubernetes.Clientset
	procs      []*process
	removeLogs bool
	cancel     context.CancelFunc // stops the background goroutines
	wg         sync.WaitGroup
	stopOnce   sync.Once
	stopErr    error
}

// Start brings up the control plane, the fake nodes and the volume
// provisioner and waits until a Pod can be scheduled and run. On failure it
// stops whatever it started and the error carries the tails of the logs.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if err := opts.defaults(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, opts.StartTimeout)
	defer cancel()
	c := &Cluster{Options: opts, LogDir: opts.LogDir}
	if err := c.start(ctx); err != nil {
		tails := c.LogTails(30)
		return nil, errors.Join(fmt.Errorf("starting the simulated cluster: %w\n%s", err, tails), c.Stop())
	}
	return c, nil
}

func (c *Cluster) start(ctx context.Context) error {
	if c.LogDir == "" {
		dir, err := os.MkdirTemp("", "simcluster-")
		if err != nil {
			return fmt.Errorf("creating the log directory: %w", err)
		}
		c.LogDir, c.removeLogs = dir, true
	} else if err := os.MkdirAll(c.LogDir, 0o755); err != nil {
		return fmt.Errorf("creating the log directory: %w", err)
	}
	env, err := testenv.StartMain(c.Options.Testenv...)
	if err != nil {
		return fmt.Errorf("starting kube-apiserver and etcd: %w", err)
	}
	c.Env, c.Config, c.Client, c.Kubeconfig = env, env.Config, env.Client, env.KubeconfigPath()
	if c.clientset, err = kubernetes.NewForConfig(c.Config); err != nil {
		return fmt.Errorf("creating a clientset: %w", err)
	}
	if err := c.startComponents(); err != nil {
		return err
	}
	bg, cancel := context.WithCancel(context.Background())
	c.cancel = cancel
	c.startVolumeProvisioner(bg)
	if err := c.createNodes(ctx); err != nil {
		return err
	}
	return c.waitUsable(ctx)
}

// startComponents starts kube-controller-manager, kube-scheduler and kwok.
func (c *Cluster) startComponents() error {
	dir := c.Env.AssetsDir
	for _, name := range []string{"kube-controller-manager", "kube-scheduler", "kwok"} {
		if info, err := os.Stat(filepath.Join(dir, name)); err != nil || info.IsDir() {
			return fmt.Errorf("%s missing in %s: run `make kube-assets` to build it", name, dir)
		}
	}
	stages := filepath.Join(c.LogDir, "kwok-stages.yaml")
	if err := os.WriteFile(stages, kwokStages, 0o644); err != nil {
		return fmt.Errorf("writing the kwok stages: %w", err)
	}
	kwokPort, err := freePort()
	if err != nil {
		return err
	}
	kc := c.Kubeconfig
	components := []struct {
		name string
		args []string
	}{
		{"kube-controller-manager", []string{
			"--kubeconfig", kc, "--authentication-kubeconfig", kc, "--authorization-kubeconfig", kc,
			"--bind-address", "127.0.0.1", "--secure-port", "0", "--leader-elect=false",
			// All default controllers. Those that cannot work here disable
			// themselves: serviceaccount-token (no signing key: envtest keeps
			// its key private; SA admission is off anyway), csrsigning (no CA
			// files), nodeipam (no --allocate-node-cidrs: kwok assigns pod IPs
			// from its own CIDR), cloud controllers (no cloud provider).
			"--controllers", "*",
			"--use-service-account-credentials=false",
			"--kube-api-qps", "100", "--kube-api-burst", "200",
		}},
		{"kube-scheduler", []string{
			"--kubeconfig", kc, "--authentication-kubeconfig", kc, "--authorization-kubeconfig", kc,
			"--bind-address", "127.0.0.1", "--secure-port", "0", "--leader-elect=false",
			"--kube-api-qps", "100", "--kube-api-burst", "200",
		}},
		{"kwok", []string{
			"--kubeconfig", kc, "--config", stages,
			"--manage-all-nodes=false",
			"--manage-nodes-with-annotation-selector=" + nodeAnnotation + "=" + nodeAnnotationValue,
			"--manage-nodes-with-label-selector=",
			// Without leases kwok v0.8.0 lets the nodes turn NotReady after
			// about 50 s and the node lifecycle controller evicts their pods.
			"--node-lease-duration-seconds", "40",
			"--cidr", c.Options.PodCIDR, "--node-ip", c.Options.NodeIP,
			"--server-address", "127.0.0.1:" + strconv.Itoa(kwokPort),
		}},
	}
	for _, comp := range components {
		p, err := startProcess(c.LogDir, comp.name, filepath.Join(dir, comp.name), comp.args...)
		if err != nil {
			return err
		}
		c.procs = append(c.procs, p)
	}
	return nil
}

// checkProcesses fails when a component has exited: waiting longer for it
// would only end in a timeout.
func (c *Cluster) checkProcesses() error {
	for _, p := range c.procs {
		if gone, err := p.exited(); gone {
			return fmt.Errorf("%s exited (%w), see %s", p.name, err, p.logPath)
		}
	}
	return nil
}

// LogTails returns the last n lines of every process's log, for failure
// messages.
func (c *Cluster) LogTails(n int) string {
	var b strings.Builder
	for _, p := range c.procs {
		fmt.Fprintf(&b, "--- %s (%s), last %d lines:\n%s\n", p.name, p.logPath, n, p.tail(n))
	}
	if c.LogDir != "" {
		path := filepath.Join(c.LogDir, provisionerLog)
		if _, err := os.Stat(path); err == nil {
			fmt.Fprintf(&b, "--- %s, last %d lines:\n%s\n", path, n, fileTail(path, n))
		}
	}
	return b.String()
}

// Stop stops the background goroutines, every process and the API server,
// and removes the log directory when Start created it. Calling it again
// returns the first result.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		var errs []error
		if c.cancel != nil {
			c.cancel()
		}
		c.wg.Wait()
		// Reverse order: kwok and the controllers go before the API server
		// so that they do not log a storm of connection errors.
		for i := len(c.procs) - 1; i >= 0; i-- {
			if err := c.procs[i].stop(); err != nil {
				errs = append(errs, err)
			}
		}
		if c.Env != nil {
			if err := c.Env.Stop(); err != nil {
				errs = append(errs, err)
			}
		}
		if c.removeLogs {
			if err := os.RemoveAll(c.LogDir); err != nil {
				errs = append(errs, fmt.Errorf("removing %s: %w", c.LogDir, err))
			}
		}
		c.stopErr = errors.Join(errs...)
	})
	return c.stopErr
}
