package podruntime

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// Runtime runs the emulated processes of every pod the project rendered
// (label app.kubernetes.io/managed-by) in the simulated cluster.
type Runtime struct {
	// Client reads pods, Services, ConfigMaps and Secrets.
	Client client.Client
	// Dir holds the pods' directories and the claims' data.
	Dir string
	// Timers scale the emulated processes' Java periods.
	Timers *rmqtest.Timers
	// SetReady marks a pod Ready or not (there is no kubelet).
	SetReady func(ctx context.Context, p *corev1.Pod, ready bool) error
	// Logf receives what a kubelet would log.
	Logf func(format string, args ...any)
	// Poll is how often pods are listed (default 100 ms).
	Poll time.Duration

	resolver    *Resolver
	controllers *rmqtest.ControllerRegistry

	mu   sync.Mutex
	pods map[types.UID]*running
	// slow holds start delays by namespace/pod name (DelayStart).
	slow map[string]time.Duration
	// lost keeps the data-loss records of processes that stopped.
	lost []rmqtest.DataLossRecord
}

// DataLoss returns every data-loss record of the emulated processes, of
// running ones and of those that have stopped (rmqtest's audit).
func (r *Runtime) DataLoss() []rmqtest.DataLossRecord {
	r.mu.Lock()
	out := append([]rmqtest.DataLossRecord(nil), r.lost...)
	var live []rmqtest.DataLosser
	for _, run := range r.pods {
		run.mu.Lock()
		if d, ok := run.proc.(rmqtest.DataLosser); ok {
			live = append(live, d)
		}
		run.mu.Unlock()
	}
	r.mu.Unlock()
	return append(out, rmqtest.CollectDataLoss(live...)...)
}

// DelayStart makes the next start of the named pod's process wait d, as a
// JVM recovering its store after an unclean stop takes a while: a broker
// back within the controller's heartbeat timeout keeps its role, one that
// is slower is replaced.
func (r *Runtime) DelayStart(namespace, pod string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.slow == nil {
		r.slow = map[string]time.Duration{}
	}
	r.slow[namespace+"/"+pod] = d
}

func (r *Runtime) takeDelay(name string) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := r.slow[name]
	delete(r.slow, name)
	return d
}

// running is one pod's container and its process.
type running struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	proc   process
	ready  bool
	name   string
	// started is when the container started (the readiness delay counts
	// from it).
	started time.Time
}

// Run watches pods until ctx ends, then stops every process.
func (r *Runtime) Run(ctx context.Context) error {
	r.resolver = &Resolver{Client: r.Client}
	r.controllers = rmqtest.NewControllerRegistry()
	r.pods = map[types.UID]*running{}
	if r.Poll <= 0 {
		r.Poll = 100 * time.Millisecond
	}
	defer r.stopAll()
	tick := time.NewTicker(r.Poll)
	defer tick.Stop()
	for {
		if err := r.sync(ctx); err != nil && ctx.Err() == nil {
			r.logf("listing pods: %v", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

func (r *Runtime) logf(format string, args ...any) {
	if r.Logf != nil {
		r.Logf(format, args...)
	}
}

// sync starts a process for each new Running pod and stops those whose
// pod is terminating or gone.
func (r *Runtime) sync(ctx context.Context) error {
	var pods corev1.PodList
	if err := r.Client.List(ctx, &pods, client.MatchingLabels{v1alpha1.LabelManagedBy: v1alpha1.ManagedBy}); err != nil {
		return err
	}
	seen := map[types.UID]bool{}
	for i := range pods.Items {
		p := &pods.Items[i]
		if p.DeletionTimestamp != nil || p.Status.Phase != corev1.PodRunning || p.Status.PodIP == "" {
			continue
		}
		seen[p.UID] = true
		r.mu.Lock()
		_, started := r.pods[p.UID]
		if !started {
			rc, cancel := context.WithCancel(ctx)
			run := &running{cancel: cancel, done: make(chan struct{}), name: p.Namespace + "/" + p.Name, started: time.Now()}
			r.pods[p.UID] = run
			go r.runPod(rc, p.DeepCopy(), run)
		}
		r.mu.Unlock()
	}
	r.mu.Lock()
	var gone []*running
	for uid, run := range r.pods {
		if !seen[uid] {
			gone = append(gone, run)
			delete(r.pods, uid)
		}
	}
	r.mu.Unlock()
	for _, run := range gone {
		run.stop()
	}
	return nil
}

func (r *Runtime) stopAll() {
	r.mu.Lock()
	all := r.pods
	r.pods = map[types.UID]*running{}
	r.mu.Unlock()
	for _, run := range all {
		run.stop()
	}
}

// stop ends the pod's process, as SIGTERM and the JVM's shutdown hooks
// would, and waits for it.
func (run *running) stop() {
	run.cancel()
	<-run.done
}

// runPod is one pod's life: run the start script until a launcher starts
// (restarting with back-off like the kubelet), serve readiness, and stop
// the process when the pod goes.
func (r *Runtime) runPod(ctx context.Context, p *corev1.Pod, run *running) {
	defer close(run.done)
	if d := r.takeDelay(run.name); d > 0 {
		select {
		case <-ctx.Done():
			return
		case <-time.After(d):
		}
	}
	proc, err := r.startWithRetries(ctx, p)
	if err != nil {
		if ctx.Err() == nil {
			r.logf("pod %s: %v", run.name, err)
		}
		return
	}
	run.mu.Lock()
	run.proc = proc
	run.mu.Unlock()
	r.logf("pod %s: %s started on %s", run.name, proc.kind(), p.Status.PodIP)
	r.probeLoop(ctx, p, run)
	if err := proc.Close(); err != nil {
		r.logf("pod %s: stopping %s: %v", run.name, proc.kind(), err)
	}
	if d, ok := proc.(rmqtest.DataLosser); ok {
		r.mu.Lock()
		r.lost = append(r.lost, d.DataLoss()...)
		r.mu.Unlock()
	}
	r.logf("pod %s: %s stopped", run.name, proc.kind())
}

// startWithRetries runs the container until its process starts; a failed
// start is retried after a back-off of 1 s doubling to 10 s
// (CrashLoopBackOff, shortened).
func (r *Runtime) startWithRetries(ctx context.Context, p *corev1.Pod) (process, error) {
	backoff := time.Second
	for {
		proc, err := r.startOnce(ctx, p)
		if err == nil || ctx.Err() != nil || errors.Is(err, errNotEmulated) {
			return proc, err
		}
		r.logf("pod %s/%s: start failed, retrying in %s: %v", p.Namespace, p.Name, backoff, err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 10*time.Second)
	}
}

func (r *Runtime) startOnce(ctx context.Context, p *corev1.Pod) (process, error) {
	c, err := r.prepare(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("while preparing the container: %w", err)
	}
	args, err := r.runScript(ctx, c)
	if err != nil {
		return nil, err
	}
	return r.startProcess(c, args)
}

// Broker returns the emulated broker running for a pod, or nil.
func (r *Runtime) Broker(namespace, pod string) *rmqtest.Broker {
	b, _ := r.process(namespace, pod).(Broker)
	return b.Broker
}

// NameServer returns the emulated NameServer running for a pod, or nil.
func (r *Runtime) NameServer(namespace, pod string) *rmqtest.NameServer {
	ns, _ := r.process(namespace, pod).(nameServer)
	return ns.NameServer
}

// process returns the process running for a pod, or nil.
func (r *Runtime) process(namespace, pod string) process {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, run := range r.pods {
		if run.name == namespace+"/"+pod {
			run.mu.Lock()
			defer run.mu.Unlock()
			return run.proc
		}
	}
	return nil
}
