package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/nsaddr"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/render"
)

// gitOpsManager is the field manager Argo CD applies with.
const gitOpsManager = "argocd-controller"

// env is one scenario's namespace and cluster.
type env struct {
	t    *testing.T
	ns   string
	name string
	spec v1alpha1.RocketMQClusterSpec
}

// newEnv makes a namespace for one scenario; it is deleted afterwards.
func newEnv(t *testing.T, name string, spec v1alpha1.RocketMQClusterSpec) *env {
	t.Helper()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "e2e-"}}
	if err := s.client.Create(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			dumpState(t, ns.Name)
		}
		_ = s.client.Delete(context.Background(), ns)
	})
	return &env{t: t, ns: ns.Name, name: name, spec: spec}
}

// objects is what Git holds: the RocketMQCluster and its render.
func (e *env) objects() []*unstructured.Unstructured {
	e.t.Helper()
	c := &v1alpha1.RocketMQCluster{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: v1alpha1.KindRocketMQCluster},
		ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: e.name},
		Spec:       *e.spec.DeepCopy(),
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(c)
	if err != nil {
		e.t.Fatal(err)
	}
	delete(m, "status")
	unstructured.RemoveNestedField(m, "metadata", "creationTimestamp")
	defaulted := c.DeepCopy()
	defaulted.Default()
	rendered, err := render.Render(defaulted)
	if err != nil {
		e.t.Fatal(err)
	}
	return append([]*unstructured.Unstructured{{Object: m}}, rendered...)
}

// sync applies Git as the GitOps engine: server-side apply, not forced.
func (e *env) sync() {
	e.t.Helper()
	for _, o := range e.objects() {
		ac := client.ApplyConfigurationFromUnstructured(o.DeepCopy())
		if err := s.client.Apply(context.Background(), ac, client.FieldOwner(gitOpsManager)); err != nil {
			e.t.Fatalf("applying %s %s: %v", o.GetKind(), o.GetName(), err)
		}
	}
}

// get reads the RocketMQCluster.
func (e *env) get() *v1alpha1.RocketMQCluster {
	var c v1alpha1.RocketMQCluster
	if err := s.client.Get(context.Background(), client.ObjectKey{Namespace: e.ns, Name: e.name}, &c); err != nil {
		e.t.Fatal(err)
	}
	return &c
}

// waitFor polls cond every 100 ms until it holds or the timeout passes;
// the failure says what it waited for and shows the last status.
func (e *env) waitFor(what string, timeout time.Duration, cond func(c *v1alpha1.RocketMQCluster) (bool, string)) time.Duration {
	e.t.Helper()
	start := time.Now()
	last := ""
	var lastStatus v1alpha1.RocketMQClusterStatus
	for time.Since(start) < timeout {
		c := e.get()
		ok, seen := cond(c)
		if ok {
			return time.Since(start)
		}
		last, lastStatus = seen, c.Status
		time.Sleep(100 * time.Millisecond)
	}
	st, _ := yaml.Marshal(lastStatus)
	e.t.Fatalf("waited %s for %s; last seen: %s\nlast status:\n%s", timeout, what, last, st)
	return 0
}

// ready is the condition "Ready=True for the current generation".
func ready(c *v1alpha1.RocketMQCluster) (bool, string) {
	cond := findCondition(c, v1alpha1.ConditionReady)
	if cond == nil {
		return false, "no Ready condition"
	}
	return cond.Status == metav1.ConditionTrue && cond.ObservedGeneration == c.Generation,
		fmt.Sprintf("Ready=%s %s: %s (gen %d/%d)", cond.Status, cond.Reason, cond.Message, cond.ObservedGeneration, c.Generation)
}

func findCondition(c *v1alpha1.RocketMQCluster, typ string) *metav1.Condition {
	for i := range c.Status.Conditions {
		if c.Status.Conditions[i].Type == typ {
			return &c.Status.Conditions[i]
		}
	}
	return nil
}

// pods lists the cluster's pods of one component, by name.
func (e *env) pods(component string) []corev1.Pod {
	var list corev1.PodList
	err := s.client.List(context.Background(), &list, client.InNamespace(e.ns),
		client.MatchingLabels{v1alpha1.LabelCluster: e.name, v1alpha1.LabelComponent: component})
	if err != nil {
		e.t.Fatal(err)
	}
	sort.Slice(list.Items, func(i, j int) bool { return list.Items[i].Name < list.Items[j].Name })
	return list.Items
}

// nameServerAddrs are the running NameServers' addresses.
func (e *env) nameServerAddrs() []string {
	var out []string
	for _, p := range e.pods(v1alpha1.ComponentNameServer) {
		if p.Status.PodIP != "" && p.DeletionTimestamp == nil {
			out = append(out, p.Status.PodIP+":9876")
		}
	}
	return out
}

// clusterInfo reads the cluster view of one NameServer over the wire.
func clusterInfo(addr string) (*admin.ClusterInfo, error) {
	cl := admin.New(admin.Options{})
	defer func() { _ = cl.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return cl.ClusterInfo(ctx, addr)
}

// warnings lists the Warning Events recorded on the cluster.
func (e *env) warnings() []string {
	var list corev1.EventList
	if err := s.client.List(context.Background(), &list, client.InNamespace(e.ns)); err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, ev := range list.Items {
		if ev.Type == corev1.EventTypeWarning && ev.InvolvedObject.Kind == v1alpha1.KindRocketMQCluster {
			out = append(out, ev.Reason+": "+ev.Message)
		}
	}
	return out
}

// history records every status the cluster goes through, from a watch.
type history struct {
	mu     sync.Mutex
	seen   []v1alpha1.RocketMQClusterStatus
	cancel context.CancelFunc
	done   chan struct{}
}

func (e *env) record() *history {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w, err := s.client.Watch(ctx, &v1alpha1.RocketMQClusterList{}, client.InNamespace(e.ns))
	if err != nil {
		cancel()
		e.t.Fatal(err)
	}
	h := &history{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(h.done)
		defer w.Stop()
		for ev := range w.ResultChan() {
			if c, ok := ev.Object.(*v1alpha1.RocketMQCluster); ok && c.Name == e.name {
				h.mu.Lock()
				h.seen = append(h.seen, *c.Status.DeepCopy())
				h.mu.Unlock()
			}
		}
	}()
	e.t.Cleanup(h.stop)
	return h
}

func (h *history) stop() {
	h.cancel()
	<-h.done
}

// conditionSeen returns each recorded time condition typ was True, with
// its reason.
func (h *history) conditionSeen(typ string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, st := range h.seen {
		for _, c := range st.Conditions {
			if c.Type == typ && c.Status == metav1.ConditionTrue {
				out = append(out, c.Reason+": "+c.Message)
			}
		}
	}
	return out
}

// statusController is one run of the status-controller binary.
type statusController struct {
	cmd  *exec.Cmd
	done chan error
	log  string
	once sync.Once
	exit error
}

// startController runs the status controller as users do, with a short
// resync so scenarios need not wait ten minutes.
func startController(t *testing.T, args ...string) *statusController {
	t.Helper()
	log := filepath.Join(s.dir, "logs", fmt.Sprintf("status-controller-%s-%d.log", strings.ReplaceAll(t.Name(), "/", "_"), time.Now().UnixNano()))
	f, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	base := []string{"--metrics-bind-address=0", "--health-probe-bind-address=0", "--resync-period=2s", "--admin-timeout=5s", "-v=2"}
	cmd := exec.Command(s.controller, append(base, args...)...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+s.cluster.Kubeconfig)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := &statusController{cmd: cmd, done: make(chan error, 1), log: log}
	go func() { sc.done <- cmd.Wait(); _ = f.Close() }()
	t.Cleanup(func() {
		sc.kill()
		if t.Failed() {
			t.Logf("status controller log tail:\n%s", fileTail(log, 40))
		}
	})
	return sc
}

// kill ends the controller at once (SIGKILL), as an OOM kill or a node
// loss would: no deferred status write, no graceful shutdown.
func (sc *statusController) kill() {
	sc.once.Do(func() {
		_ = syscall.Kill(-sc.cmd.Process.Pid, syscall.SIGKILL)
		sc.exit = <-sc.done // "signal: killed" unless it had stopped already
	})
}

func fileTail(path string, lines int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	all := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return string(bytes.Join(all, []byte("\n")))
}

// dumpState prints the pods and the runtime's log when a scenario fails.
func dumpState(t *testing.T, ns string) {
	var pods corev1.PodList
	_ = s.client.List(context.Background(), &pods, client.InNamespace(ns))
	var b strings.Builder
	for _, p := range pods.Items {
		_, _ = fmt.Fprintf(&b, "  %s phase=%s ip=%s ready=%v node=%s deleting=%v\n", p.Name, p.Status.Phase, p.Status.PodIP,
			nsaddr.PodReady(&p), p.Spec.NodeName, p.DeletionTimestamp != nil)
	}
	t.Logf("pods in %s:\n%s", ns, b.String())
	t.Logf("pod runtime log tail:\n%s", fileTail(filepath.Join(s.dir, "logs", "podruntime.log"), 30))
}

func ptr[T any](v T) *T { return &v }
