// Command status-controller reports RocketMQCluster health in status, keeps
// running brokers' NameServer list current, copies metadata onto broker
// groups added by a scale-out, runs TopicTransfers and reconciles the
// declared RocketMQTopics and RocketMQConsumerGroups onto the brokers. It
// writes only status, Events, finalizers, its own ConfigMaps and its
// leader-election Lease; Git owns everything else.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2/textlogger"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/controller/cluster"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/controller/metadata"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/controller/transfer"
	"github.com/rocketmq-gitops/rocketmq-gitops/internal/version"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// LeaderElectionID names the Lease the replicas compete for.
const LeaderElectionID = "rocketmq-gitops-status-controller"

// Default client rate limits. client-go's 20/s would take over eight
// minutes to write the status of 10 000 declared topics; the API server's
// priority and fairness still protects it from a burst.
const (
	DefaultKubeQPS   = 500
	DefaultKubeBurst = 1000
)

func main() {
	ctx := ctrl.SetupSignalHandler()
	err := run(ctx, os.Args[1:], nil)
	if errors.Is(err, flag.ErrHelp) {
		return // --help: the usage is printed, and asking for it is no error
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "status-controller: %v\n", err)
		os.Exit(1)
	}
}

// config is the parsed command line.
type config struct {
	metricsAddr, probeAddr string
	leaderElect            bool
	leaderElectionNS       string
	namespaces             []string
	concurrency            int
	adminTimeout, resync   time.Duration
	masterLostGrace        time.Duration
	retireSettle           time.Duration
	transferStepTimeout    time.Duration
	metadataResync         time.Duration
	metadataDeleteSettle   time.Duration
	metadataStatusWorkers  int
	kubeQPS                float64
	kubeBurst              int
	version                bool
	log                    *textlogger.Config
}

func parseFlags(args []string) (*config, error) { return parseFlagsTo(args, os.Stderr) }

// parseFlagsTo parses args with a FlagSet of its own (not flag.CommandLine,
// where linked-in packages register flags of their own), printing the usage
// to usage on --help or an error.
func parseFlagsTo(args []string, usage io.Writer) (*config, error) {
	var c config
	var namespaces string
	fs := flag.NewFlagSet("status-controller", flag.ContinueOnError)
	fs.SetOutput(usage)
	fs.StringVar(&c.metricsAddr, "metrics-bind-address", ":8080", "address of the Prometheus metrics endpoint; \"0\" turns it off")
	fs.StringVar(&c.probeAddr, "health-probe-bind-address", ":8081", "address of the /healthz and /readyz probes")
	fs.BoolVar(&c.leaderElect, "leader-elect", false, "elect a leader so that only one replica acts (on in the install manifests)")
	fs.StringVar(&c.leaderElectionNS, "leader-election-namespace", "", "namespace of the leader-election Lease (default: the pod's namespace)")
	fs.StringVar(&namespaces, "namespaces", "", "comma-separated namespaces to watch; empty watches all")
	fs.IntVar(&c.concurrency, "max-concurrent-reconciles", 4, "RocketMQClusters reconciled at once")
	fs.DurationVar(&c.adminTimeout, "admin-timeout", cluster.DefaultAdminTimeout, "bound on each RocketMQ admin call of the RocketMQCluster controller")
	fs.DurationVar(&c.masterLostGrace, "master-lost-grace", cluster.DefaultMasterLostGrace,
		"how long a broker group may lack a ready master outside a rollout before the cluster is Degraded")
	fs.DurationVar(&c.retireSettle, "retire-settle", cluster.DefaultRetireSettle,
		"how long a broker group removed by a scale-in must have had no write permission before it can be Drained (outlast the producers' route refresh)")
	fs.DurationVar(&c.transferStepTimeout, "transfer-step-timeout", 30*time.Second, "bound on the admin calls of one TopicTransfer step")
	fs.DurationVar(&c.resync, "resync-period", 10*time.Minute, "re-check every cluster this often without events (0: never)")
	fs.DurationVar(&c.metadataResync, "metadata-resync-period", metadata.DefaultResync,
		"re-read every cluster's topics and groups on the brokers this often, putting back what was changed by hand")
	fs.DurationVar(&c.metadataDeleteSettle, "metadata-delete-settle", metadata.DefaultDeleteSettle,
		"how long a topic being deleted stays read-only before its deletion looks for unconsumed messages (outlast the producers' route refresh)")
	fs.IntVar(&c.metadataStatusWorkers, "metadata-status-workers", metadata.DefaultStatusWorkers,
		"RocketMQTopic and RocketMQConsumerGroup status writes in flight at once")
	fs.Float64Var(&c.kubeQPS, "kube-api-qps", DefaultKubeQPS, "requests per second to the Kubernetes API server (status writes of many topics)")
	fs.IntVar(&c.kubeBurst, "kube-api-burst", DefaultKubeBurst, "burst of requests to the Kubernetes API server")
	fs.BoolVar(&c.version, "version", false, "print the version and commit and exit")
	c.log = textlogger.NewConfig()
	// Not c.log.AddFlags: its help text speaks of "the testing logger".
	fs.Var(c.log.Verbosity(), "v", "log verbosity: higher numbers log more detail")
	fs.Var(c.log.VModule(), "vmodule", "comma-separated pattern=N settings: log verbosity N for the Go files matching pattern")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, fmt.Errorf("parsing flags: %w", err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.adminTimeout <= 0 || c.masterLostGrace <= 0 || c.transferStepTimeout <= 0 || c.retireSettle <= 0 {
		return nil, errors.New("--admin-timeout, --master-lost-grace, --retire-settle and --transfer-step-timeout must be positive")
	}
	if c.concurrency < 1 {
		return nil, errors.New("--max-concurrent-reconciles must be at least 1")
	}
	if c.metadataResync <= 0 || c.metadataDeleteSettle <= 0 || c.metadataStatusWorkers < 1 || c.kubeQPS <= 0 || c.kubeBurst < 1 {
		return nil, errors.New("--metadata-resync-period, --metadata-delete-settle, --metadata-status-workers, --kube-api-qps and --kube-api-burst must be positive")
	}
	for _, ns := range strings.Split(namespaces, ",") {
		if ns = strings.TrimSpace(ns); ns != "" {
			c.namespaces = append(c.namespaces, ns)
		}
	}
	return &c, nil
}

// stdout receives --version; a variable for tests.
var stdout io.Writer = os.Stdout

// run starts the manager and blocks until ctx ends. restConfig nil means
// the usual kubeconfig / in-cluster lookup; adjust changes the manager's
// options (tests run the manager more than once per process, which the
// process-wide controller name check would refuse).
func run(ctx context.Context, args []string, restConfig *rest.Config, adjust ...func(*ctrl.Options)) error {
	c, err := parseFlags(args)
	if err != nil {
		return err
	}
	if c.version {
		_, err := fmt.Fprintln(stdout, version.Get().String("status-controller"))
		return err
	}
	ctrl.SetLogger(textlogger.NewLogger(c.log))
	v := version.Get()
	ctrl.Log.WithName("setup").Info("status-controller", "version", v.Version, "commit", v.Commit, "go", v.Go)
	if restConfig == nil {
		if restConfig, err = ctrl.GetConfig(); err != nil {
			return fmt.Errorf("loading the kubeconfig: %w", err)
		}
	}
	mgr, err := newManager(restConfig, c, adjust...)
	if err != nil {
		return err
	}
	if err := setupControllers(ctx, mgr, c); err != nil {
		return err
	}
	ctrl.Log.WithName("setup").Info("starting", "namespaces", c.namespaces, "leaderElection", c.leaderElect)
	if err := mgr.Start(ctx); err != nil {
		return fmt.Errorf("running the manager: %w", err)
	}
	return nil
}

func newScheme() (*runtime.Scheme, error) {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		return nil, fmt.Errorf("registering client-go types: %w", err)
	}
	if err := v1alpha1.AddToScheme(s); err != nil {
		return nil, fmt.Errorf("registering %s: %w", v1alpha1.GroupVersion, err)
	}
	return s, nil
}

func newManager(restConfig *rest.Config, c *config, adjust ...func(*ctrl.Options)) (ctrl.Manager, error) {
	scheme, err := newScheme()
	if err != nil {
		return nil, err
	}
	restConfig = rest.CopyConfig(restConfig)
	restConfig.QPS, restConfig.Burst = float32(c.kubeQPS), c.kubeBurst
	cacheOpts := cluster.CacheOptions(c.namespaces)
	metadata.AddCacheOptions(&cacheOpts)
	opts := ctrl.Options{
		Scheme:                        scheme,
		Cache:                         cacheOpts,
		Client:                        cluster.ClientOptions(),
		Metrics:                       metricsserver.Options{BindAddress: c.metricsAddr},
		HealthProbeBindAddress:        c.probeAddr,
		LeaderElection:                c.leaderElect,
		LeaderElectionID:              LeaderElectionID,
		LeaderElectionNamespace:       c.leaderElectionNS,
		LeaderElectionReleaseOnCancel: true,
	}
	for _, a := range adjust {
		a(&opts)
	}
	mgr, err := ctrl.NewManager(restConfig, opts)
	if err != nil {
		return nil, fmt.Errorf("creating the manager: %w", err)
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return nil, fmt.Errorf("adding the health check: %w", err)
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return nil, fmt.Errorf("adding the readiness check: %w", err)
	}
	return mgr, nil
}

// setupControllers registers every controller of the binary.
func setupControllers(ctx context.Context, mgr ctrl.Manager, c *config) error {
	err := cluster.SetupWithManager(ctx, mgr, cluster.Options{
		MaxConcurrentReconciles: c.concurrency,
		AdminTimeout:            c.adminTimeout,
		MasterLostGrace:         c.masterLostGrace,
		RetireSettle:            c.retireSettle,
		Resync:                  c.resync,
	})
	if err != nil {
		return fmt.Errorf("setting up the RocketMQCluster controller: %w", err)
	}
	err = transfer.SetupWithManager(mgr, transfer.Options{
		MaxConcurrentReconciles: c.concurrency,
		AdminTimeout:            c.transferStepTimeout,
	})
	if err != nil {
		return fmt.Errorf("setting up the TopicTransfer controller: %w", err)
	}
	err = metadata.SetupWithManager(ctx, mgr, metadata.Options{
		MaxConcurrentReconciles: c.concurrency,
		Resync:                  c.metadataResync,
		DeleteSettle:            c.metadataDeleteSettle,
		StatusWorkers:           c.metadataStatusWorkers,
	})
	if err != nil {
		return fmt.Errorf("setting up the RocketMQTopic and RocketMQConsumerGroup controller: %w", err)
	}
	return nil
}
