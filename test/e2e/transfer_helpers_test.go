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
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// lagQueues is how many queues of the seeded topic get unconsumed messages
// (seedConsumedTopic writes queues 0-7).
const lagQueues = 8

// transferPair makes a one-group source cluster in broker mode mode and a
// one-group MasterSlave target in two namespaces, starts the status
// controller with args, and waits until both are Ready.
func transferPair(t *testing.T, mode v1alpha1.BrokerMode, args ...string) (src, dst *env) {
	t.Helper()
	sp := spec(mode)
	sp.Broker.Groups = ptr(int32(1))
	tp := spec(v1alpha1.BrokerModeMasterSlave)
	tp.Broker.Groups = ptr(int32(1))
	src = newEnv(t, "src", sp)
	dst = newEnv(t, "dst", tp)
	startController(t, args...)
	src.sync()
	dst.sync()
	src.waitFor("source Ready", 3*time.Minute, src.readyWithMasters)
	dst.waitFor("target Ready", 3*time.Minute, dst.readyWithMasters)
	return src, dst
}

// newTransfer creates a TopicTransfer in the source's namespace moving
// topic and groups from the source (clusterRef) to the target (its
// NameServer DNS names), as a user writes it; mutate adjusts the spec.
func newTransfer(t *testing.T, src, dst *env, name, topic string, groups []string, mutate func(*v1alpha1.TopicTransferSpec)) *v1alpha1.TopicTransfer {
	t.Helper()
	tt := &v1alpha1.TopicTransfer{
		ObjectMeta: metav1.ObjectMeta{Namespace: src.ns, Name: name},
		Spec: v1alpha1.TopicTransferSpec{
			Topic: topic, ConsumerGroups: groups,
			Source: v1alpha1.TransferEndpoint{ClusterRef: &v1alpha1.ClusterReference{Name: src.name}},
			Target: v1alpha1.TransferEndpoint{NameServers: dst.get().Status.NameServerAddresses, ClusterName: dst.name},
			// The emulated runtime has no POP consumers: no settle period.
			PopInvisibleTime: &metav1.Duration{},
		},
	}
	if mutate != nil {
		mutate(&tt.Spec)
	}
	if err := s.client.Create(context.Background(), tt); err != nil {
		t.Fatal(err)
	}
	// Runs before the controller stops (cleanups run last-in first-out),
	// so the finalizer is released and the namespace can go.
	t.Cleanup(func() { _ = s.client.Delete(context.Background(), tt) })
	return tt
}

// getTransfer reads a transfer.
func getTransfer(t *testing.T, tt *v1alpha1.TopicTransfer) *v1alpha1.TopicTransfer {
	t.Helper()
	var cur v1alpha1.TopicTransfer
	if err := s.client.Get(context.Background(), client.ObjectKeyFromObject(tt), &cur); err != nil {
		t.Fatal(err)
	}
	return &cur
}

// waitTransferFor polls the transfer every 100 ms until cond holds; the
// failure shows the last status.
func waitTransferFor(t *testing.T, tt *v1alpha1.TopicTransfer, what string, timeout time.Duration, cond func(*v1alpha1.TopicTransfer) bool) (*v1alpha1.TopicTransfer, time.Duration) {
	t.Helper()
	start := time.Now()
	var cur *v1alpha1.TopicTransfer
	for time.Since(start) < timeout {
		if cur = getTransfer(t, tt); cond(cur) {
			return cur, time.Since(start)
		}
		time.Sleep(100 * time.Millisecond)
	}
	st, _ := yaml.Marshal(cur.Status)
	t.Fatalf("waited %s for %s; last status:\n%s", timeout, what, st)
	return nil, 0
}

// draining is the condition "in step 5 with at least one poll that found
// group still pending".
func draining(group string) func(*v1alpha1.TopicTransfer) bool {
	return func(tt *v1alpha1.TopicTransfer) bool {
		st := tt.Status
		return st.Phase == v1alpha1.TransferRunning && st.Step == v1alpha1.StepNumberDrain && st.Drain != nil &&
			st.Drain.Polls >= 1 && contains(st.Drain.Pending, group)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// updateTransfer changes a transfer's spec, retrying on conflicts with the
// controller's status writes.
func updateTransfer(t *testing.T, tt *v1alpha1.TopicTransfer, mutate func(*v1alpha1.TopicTransferSpec)) {
	t.Helper()
	var err error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		cur := getTransfer(t, tt)
		mutate(&cur.Spec)
		if err = s.client.Update(context.Background(), cur); !apierrors.IsConflict(err) {
			break
		}
	}
	if err != nil {
		t.Fatalf("updating TopicTransfer %s: %v", tt.Name, err)
	}
}

// transferLog records every version of one TopicTransfer from a watch,
// the last one (its deletion) included.
type transferLog struct {
	mu     sync.Mutex
	seen   []v1alpha1.TopicTransferStatus
	at     []time.Time
	del    bool
	cancel context.CancelFunc
	done   chan struct{}
}

func watchTransfer(t *testing.T, tt *v1alpha1.TopicTransfer) *transferLog {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w, err := s.client.Watch(ctx, &v1alpha1.TopicTransferList{}, client.InNamespace(tt.Namespace))
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	l := &transferLog{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(l.done)
		defer w.Stop()
		for ev := range w.ResultChan() {
			if o, ok := ev.Object.(*v1alpha1.TopicTransfer); ok && o.Name == tt.Name {
				l.mu.Lock()
				l.seen = append(l.seen, *o.Status.DeepCopy())
				l.at = append(l.at, time.Now())
				l.del = l.del || ev.Type == watch.Deleted
				l.mu.Unlock()
			}
		}
	}()
	t.Cleanup(l.stop)
	return l
}

func (l *transferLog) stop() {
	l.cancel()
	<-l.done
}

// phases lists the distinct phases seen, in order.
func (l *transferLog) phases() []v1alpha1.TransferPhase {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []v1alpha1.TransferPhase
	for _, st := range l.seen {
		if len(out) == 0 || out[len(out)-1] != st.Phase {
			out = append(out, st.Phase)
		}
	}
	return out
}

// phasesSince lists the distinct phases seen, each with when it was first
// seen relative to start (negative: before it).
func (l *transferLog) phasesSince(start time.Time) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	var prev v1alpha1.TransferPhase = "-"
	for i, st := range l.seen {
		if st.Phase != prev {
			out = append(out, fmt.Sprintf("%s@%s", orNone(st.Phase), l.at[i].Sub(start).Round(10*time.Millisecond)))
			prev = st.Phase
		}
	}
	return out
}

func orNone(p v1alpha1.TransferPhase) v1alpha1.TransferPhase {
	if p == "" {
		return "(none)"
	}
	return p
}

// last is the last status seen, and whether the object was deleted.
func (l *transferLog) last() (v1alpha1.TopicTransferStatus, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.seen) == 0 {
		return v1alpha1.TopicTransferStatus{}, l.del
	}
	return l.seen[len(l.seen)-1], l.del
}

// maxRetryAttempts is the most consecutive failed attempts any version
// showed.
func (l *transferLog) maxRetryAttempts() int32 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var m int32
	for _, st := range l.seen {
		m = max(m, st.Attempts)
	}
	return m
}

// masterBrokers returns each registered master's pod name with its emulated
// broker, read at one NameServer.
func (e *env) masterBrokers() map[string]string {
	e.t.Helper()
	reg, err := e.registeredMasters(e.nameServerAddrs()[0])
	if err != nil {
		e.t.Fatal(err)
	}
	return reg
}

// produce sets queues 0-7 of topic to max offset n on every master, as
// producers writing there would; a slave copies it through HA.
func (e *env) produce(topic string, n int64) {
	e.t.Helper()
	for _, pod := range e.masterBrokers() {
		b := s.runtime.Broker(e.ns, pod)
		if b == nil {
			e.t.Fatalf("%s runs no broker", pod)
		}
		for q := 0; q < lagQueues; q++ {
			b.SetQueueOffsets(topic, q, n)
		}
	}
}

// consume commits group's offset n on queues 0-7 of topic on every master.
func (e *env) consume(group, topic string, n int64) {
	e.t.Helper()
	for _, pod := range e.masterBrokers() {
		b := s.runtime.Broker(e.ns, pod)
		if b == nil {
			e.t.Fatalf("%s runs no broker", pod)
		}
		for q := 0; q < lagQueues; q++ {
			b.SetConsumerOffset(group, topic, q, n)
		}
	}
}

// offsets reads, over the wire on every master, the max offset and the
// group's consumer offset of each queue of topic, as "broker/q" →
// [max, consumed].
func (e *env) offsets(group, topic string) map[string][2]int64 {
	e.t.Helper()
	out := map[string][2]int64{}
	var mu sync.Mutex
	e.onMasters("reading consume stats of "+group+" on "+topic, func(ctx context.Context, cl *admin.Client, addr string) error {
		cs, err := cl.ConsumeStats(ctx, addr, group, topic)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for mq, o := range cs.OffsetTable {
			if mq.Topic == topic {
				out[fmt.Sprintf("%s/%d", mq.BrokerName, mq.QueueID)] = [2]int64{o.BrokerOffset, o.ConsumerOffset}
			}
		}
		return nil
	})
	return out
}

// maxOffsets reads each queue's max offset of topic on every master.
func (e *env) maxOffsets(topic string) map[string]int64 {
	e.t.Helper()
	out := map[string]int64{}
	var mu sync.Mutex
	e.onMasters("reading topic stats of "+topic, func(ctx context.Context, cl *admin.Client, addr string) error {
		ts, err := cl.TopicStats(ctx, addr, topic)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for mq, o := range ts.OffsetTable {
			out[fmt.Sprintf("%s/%d", mq.BrokerName, mq.QueueID)] = o.MaxOffset
		}
		return nil
	})
	return out
}

// topicPerms reads topic's perm on every master, by broker address.
func (e *env) topicPerms(topic string) map[string]int {
	e.t.Helper()
	out := map[string]int{}
	var mu sync.Mutex
	e.onMasters("reading "+topic, func(ctx context.Context, cl *admin.Client, addr string) error {
		tc, err := cl.Topic(ctx, addr, topic)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		out[addr] = tc.Perm
		return nil
	})
	return out
}

// routeWritable says whether every NameServer's route of topic gives
// every queue data the write permission.
func (e *env) routeWritable(topic string) (bool, string) {
	for _, p := range e.pods(v1alpha1.ComponentNameServer) {
		ns := s.runtime.NameServer(e.ns, p.Name)
		if ns == nil {
			return false, p.Name + " runs no NameServer"
		}
		rd, ok := ns.Route(topic)
		if !ok {
			return false, p.Name + " has no route of " + topic
		}
		for _, qd := range rd.QueueDatas {
			if qd.Perm&admin.PermWrite == 0 {
				return false, fmt.Sprintf("%s: %s perm %d", p.Name, qd.BrokerName, qd.Perm)
			}
		}
	}
	return true, ""
}

// transferEvents lists the transfer's Events as "type reason: message".
func transferEvents(t *testing.T, tt *v1alpha1.TopicTransfer) []string {
	t.Helper()
	var list corev1.EventList
	if err := s.client.List(context.Background(), &list, client.InNamespace(tt.Namespace)); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range list.Items {
		if ev.InvolvedObject.Kind == v1alpha1.KindTopicTransfer && ev.InvolvedObject.Name == tt.Name {
			out = append(out, ev.Type+" "+ev.Reason+": "+ev.Message)
		}
	}
	sort.Strings(out)
	return out
}

// waitTransferEvent waits up to 10 s for an Event of the transfer that
// contains text: the controller's recorder sends Events asynchronously, so
// one can be stored after the state change it reports is visible. It
// returns the transfer's Events and whether one matched.
func waitTransferEvent(t *testing.T, tt *v1alpha1.TopicTransfer, text string) ([]string, bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		events := transferEvents(t, tt)
		if len(eventsWith(events, text)) > 0 {
			return events, true
		}
		if time.Now().After(deadline) {
			return events, false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// eventsWith lists the events containing text.
func eventsWith(events []string, text string) []string {
	var out []string
	for _, e := range events {
		if strings.Contains(e, text) {
			out = append(out, e)
		}
	}
	return out
}

// noDataLoss fails the test on any data-loss record of the emulators.
func noDataLoss(t *testing.T) {
	t.Helper()
	if lost := s.runtime.DataLoss(); len(lost) > 0 {
		t.Errorf("data lost: %v", lost)
	}
}

// conditionTrue says whether the transfer has condition typ True, and its
// reason.
func conditionTrue(tt *v1alpha1.TopicTransfer, typ string) (bool, string) {
	c := meta.FindStatusCondition(tt.Status.Conditions, typ)
	if c == nil {
		return false, ""
	}
	return c.Status == metav1.ConditionTrue, c.Reason
}

// waitReplicatedPerm waits until every broker pod, slaves included, holds
// topic with perm: a slave copies its master's topic configs, groups and
// consumer offsets together every 10 s x timeScale (SlaveSynchronize).
func (e *env) waitReplicatedPerm(topic string, perm int) {
	e.t.Helper()
	e.waitFor("every replica to hold "+topic+" with perm "+fmt.Sprint(perm), 30*time.Second, func(*v1alpha1.RocketMQCluster) (bool, string) {
		for _, p := range e.pods(v1alpha1.ComponentBroker) {
			b := s.runtime.Broker(e.ns, p.Name)
			if b == nil {
				return false, p.Name + " runs no broker"
			}
			tc, ok := b.Topics()[topic]
			if !ok || tc.Perm != perm {
				return false, fmt.Sprintf("%s: %s present=%v perm %d", p.Name, topic, ok, tc.Perm)
			}
		}
		return true, ""
	})
}
