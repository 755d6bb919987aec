package e2e

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/podruntime"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/nsaddr"
)

// TestNameServerRollKeepsRoutes: three NameServers rolled (a heap change)
// with the status controller stopped. Throughout, every NameServer that
// the clients' Service (<cluster>-nameserver) resolves to lists every
// broker and the route of a topic on both groups: brokers find a starting
// NameServer through <cluster>-nameserver-all and register before its
// readiness delay ends, and the StatefulSet takes the next NameServer down
// only once the replaced one is ready. For each new NameServer it logs the
// time from its port opening to every broker registered there, and from
// that to it turning visible to clients.
func TestNameServerRollKeepsRoutes(t *testing.T) {
	sp := spec(v1alpha1.BrokerModeMasterSlave)
	sp.NameServer.Replicas = ptr(int32(3))
	e := newEnv(t, "nsroll", sp)
	sc := startController(t)
	e.sync()
	e.waitFor("Ready before the roll", 3*time.Minute, e.readyWithMasters)
	topic := e.createTopics(1)[0]
	brokers := e.brokerPods()
	e.waitRegisteredEverywhere(3, time.Minute)
	sc.kill()
	w := newRouteWatch(e, brokers, topic)
	e.waitFor("every NameServer holding the topic's route", time.Minute, func(*v1alpha1.RocketMQCluster) (bool, string) {
		for _, addr := range e.nameServerAddrs() {
			if ok, why, _ := w.holdsRoutes(addr); !ok {
				return false, addr + ": " + why
			}
		}
		return true, ""
	})

	go w.run()
	w.waitFirstPoll()
	heap := resourceQuantity(t, "256Mi")
	e.spec.NameServer.JVM.Heap = &heap
	start := time.Now()
	e.sync()
	e.waitFor("the roll to finish with every broker on every NameServer", 4*time.Minute,
		func(*v1alpha1.RocketMQCluster) (bool, string) {
			if bad := w.violations(); len(bad) > 0 {
				return true, "" // reported below
			}
			return e.nameServersRolled(3)
		})
	took := time.Since(start)
	w.stop()
	if bad := w.violations(); len(bad) > 0 {
		t.Fatalf("a NameServer visible to clients lacked routes:\n%s", strings.Join(bad, "\n"))
	}
	t.Logf("roll of 3 NameServers took %s; %d polls of the client Service, none saw a NameServer without routes", took.Round(time.Millisecond), w.polls())
	lives := w.newLives()
	if len(lives) != 3 {
		t.Fatalf("%d new NameServer pods seen, want 3", len(lives))
	}
	for _, l := range lives {
		if l.registered.IsZero() || l.visible.IsZero() || l.visible.Before(l.registered) {
			t.Fatalf("NameServer %s: port open %s, registered %s, visible %s", l.name, l.open, l.registered, l.visible)
		}
		t.Logf("NameServer %s: every broker registered %s after its port opened (Java periods ×%.1f), visible to clients %s later",
			l.name, l.registered.Sub(l.open).Round(time.Millisecond), timeScale, l.visible.Sub(l.registered).Round(time.Millisecond))
	}
}

// brokerPods names the cluster's broker pods, sorted.
func (e *env) brokerPods() []string {
	var out []string
	for _, p := range e.pods(v1alpha1.ComponentBroker) {
		out = append(out, p.Name)
	}
	sort.Strings(out)
	return out
}

// nsLife is what a routeWatch saw of one NameServer pod.
type nsLife struct {
	name       string
	isNew      bool      // first seen after the first poll (created during the roll)
	open       time.Time // first answer on its port
	registered time.Time // first answer listing every broker and the topic's route
	visible    time.Time // first resolved through the clients' Service
}

// routeWatch polls the NameServer pods: each one's own view over the wire,
// and which of them the clients' Service resolves to. A NameServer the
// Service resolves to that answers without a broker or the topic's route
// is a violation.
type routeWatch struct {
	e       *env
	brokers []string
	topic   string
	dns     *podruntime.Resolver
	done    chan struct{}
	exited  chan struct{}

	mu    sync.Mutex
	lives map[types.UID]*nsLife
	bad   []string
	n     int
}

func newRouteWatch(e *env, brokers []string, topic string) *routeWatch {
	return &routeWatch{e: e, brokers: brokers, topic: topic, dns: &podruntime.Resolver{Client: s.client},
		done: make(chan struct{}), exited: make(chan struct{}), lives: map[types.UID]*nsLife{}}
}

func (w *routeWatch) run() {
	defer close(w.exited)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		w.poll()
		select {
		case <-w.done:
			return
		case <-tick.C:
		}
	}
}

func (w *routeWatch) stop() { close(w.done); <-w.exited }

// waitFirstPoll returns once the pods before the roll are known.
func (w *routeWatch) waitFirstPoll() {
	for w.polls() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
}

// poll resolves the clients' Service, lists the NameServer pods, asks
// each, and lists the pods again. Pod IPs are reused, so a NameServer
// counts as visible only when it was itself ready in the first list, its
// IP was in the Service's answer, and it was still there, same IP, not
// deleting, after it was asked: then the answer came from it.
func (w *routeWatch) poll() {
	visible, _ := w.dns.LookupHost(w.e.name + "-" + v1alpha1.ComponentNameServer + "." + w.e.ns + ".svc")
	isVisible := map[string]bool{}
	for _, ip := range visible {
		isVisible[ip] = true
	}
	now := time.Now()
	before, err := w.nameServerPods()
	if err != nil {
		w.fail(err.Error())
		return
	}
	type answer struct {
		ok, answered bool
		why          string
	}
	answers := make([]answer, len(before))
	for i := range before {
		if ip := before[i].Status.PodIP; ip != "" {
			a := &answers[i]
			a.ok, a.why, a.answered = w.holdsRoutes(ip + ":9876")
		}
	}
	after, err := w.nameServerPods()
	if err != nil {
		w.fail(err.Error())
		return
	}
	still := map[types.UID]string{}
	for i := range after {
		if after[i].DeletionTimestamp == nil {
			still[after[i].UID] = after[i].Status.PodIP
		}
	}
	for i := range before {
		p := &before[i]
		if p.Status.PodIP == "" {
			continue
		}
		same := still[p.UID] == p.Status.PodIP
		vis := isVisible[p.Status.PodIP] && nsaddr.PodReady(p) && p.DeletionTimestamp == nil && same
		a := answers[i]
		w.record(p, now, a.answered && same, a.ok && same, vis, a.why)
	}
	w.mu.Lock()
	w.n++
	w.mu.Unlock()
}

func (w *routeWatch) nameServerPods() ([]corev1.Pod, error) {
	var list corev1.PodList
	err := s.client.List(context.Background(), &list, client.InNamespace(w.e.ns),
		client.MatchingLabels{v1alpha1.LabelCluster: w.e.name, v1alpha1.LabelComponent: v1alpha1.ComponentNameServer})
	if err != nil {
		return nil, fmt.Errorf("listing NameServer pods: %w", err)
	}
	return list.Items, nil
}

func (w *routeWatch) record(p *corev1.Pod, now time.Time, answered, ok, visible bool, why string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	l := w.lives[p.UID]
	if l == nil {
		l = &nsLife{name: p.Name, isNew: w.n > 0}
		w.lives[p.UID] = l
	}
	if answered && l.open.IsZero() {
		l.open = now
	}
	if ok && l.registered.IsZero() {
		l.registered = now
	}
	if visible && l.visible.IsZero() {
		l.visible = now
	}
	// One that does not answer is going away (its pod was deleted after the
	// lookup): clients get a connection error and try the next NameServer.
	if visible && answered && !ok {
		w.bad = append(w.bad, fmt.Sprintf("%s %s (%s): %s", now.Format("15:04:05.000"), p.Name, p.Status.PodIP, why))
	}
}

func (w *routeWatch) fail(why string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.bad = append(w.bad, why)
}

// holdsRoutes says whether the NameServer lists every broker pod and the
// topic's route on both groups.
func (w *routeWatch) holdsRoutes(addr string) (ok bool, why string, answered bool) {
	info, err := clusterInfo(addr)
	if err != nil {
		return false, err.Error(), false
	}
	var got []string
	for _, bd := range info.BrokerAddrTable {
		for _, a := range bd.BrokerAddrs {
			got = append(got, masterPod(a))
		}
	}
	sort.Strings(got)
	if fmt.Sprint(got) != fmt.Sprint(w.brokers) {
		return false, fmt.Sprintf("lists brokers %v, want %v", got, w.brokers), true
	}
	route, err := topicRoute(addr, w.topic)
	if err != nil {
		return false, fmt.Sprintf("route of %s: %v", w.topic, err), true
	}
	if len(route.BrokerDatas) != 2 {
		return false, fmt.Sprintf("route of %s on %d groups, want 2", w.topic, len(route.BrokerDatas)), true
	}
	return true, "", true
}

func topicRoute(addr, topic string) (*admin.TopicRouteData, error) {
	cl := admin.New(admin.Options{})
	defer func() { _ = cl.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	return cl.TopicRoute(ctx, addr, topic)
}

func (w *routeWatch) violations() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.bad...)
}

func (w *routeWatch) polls() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

// newLives are the NameServer pods that were not there at the first poll,
// by name.
func (w *routeWatch) newLives() []nsLife {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []nsLife
	for _, l := range w.lives {
		if l.isNew {
			out = append(out, *l)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}
