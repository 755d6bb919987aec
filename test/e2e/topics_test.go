package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/fanout"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

const (
	declaredTopics = 1000
	declaredGroups = 200
	declaredQueues = 4
	// allowLabel is the label the cluster's topicNamespaceSelector asks of
	// other namespaces.
	allowLabel = "rocketmq.gitops.dev/e2e-topics"
)

// TestTopics: 1 000 RocketMQTopics and 200 RocketMQConsumerGroups declared
// on a two-group MasterSlave cluster reach every master with their queues;
// a scale-out carries them to the new group; shrinking is refused by the
// API server and, for an adopted topic, by the controller; a perm and a
// queue count changed by hand are put back; Retain keeps a deleted topic,
// Delete waits for the consumers and then removes it everywhere without
// loss; a namespace the selector does not allow is refused until labelled.
func TestTopics(t *testing.T) {
	sp := spec(v1alpha1.BrokerModeMasterSlave)
	sp.TopicNamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{allowLabel: "allowed"}}
	e := newEnv(t, "topics", sp)
	startController(t, "--metadata-resync-period=2s", "--metadata-delete-settle=3s")
	e.sync()
	e.waitFor("Ready", 3*time.Minute, e.readyWithMasters)

	start := time.Now()
	topics, groups := e.declare(declaredTopics, declaredGroups)
	e.waitMetadata("every topic and group Ready on 2 broker groups", 4*time.Minute, 2)
	t.Logf("%d topics and %d groups declared and Ready after %s", declaredTopics, declaredGroups, time.Since(start).Round(time.Millisecond))
	e.checkDeclared(topics, groups)

	e.spec.Broker.Groups = ptr(int32(3))
	e.sync()
	start = time.Now()
	e.waitFor("3 broker groups Ready", 4*time.Minute, func(c *v1alpha1.RocketMQCluster) (bool, string) {
		if len(c.Status.BrokerGroups) != 3 {
			return false, fmt.Sprintf("groups %+v", c.Status.BrokerGroups)
		}
		return e.readyWithMasters(c)
	})
	e.waitMetadata("every topic and group on 3 broker groups", 4*time.Minute, 3)
	t.Logf("scale-out 2→3: every topic and group on the new group after %s", time.Since(start).Round(time.Millisecond))
	e.checkDeclared(topics, groups)

	e.shrinkRefused(topics[0])
	e.driftPutBack(topics[1], topics[2])
	e.deleteRetain(topics[3])
	e.deleteAfterConsumed()
	e.namespaceRefused()
}

// topicKey names a topic object of the scenario's namespace.
func (e *env) topicKey(name string) client.ObjectKey {
	return client.ObjectKey{Namespace: e.ns, Name: name}
}

// newTopic is a RocketMQTopic of the cluster in namespace ns.
func (e *env) newTopic(ns, name string, queues int32) *v1alpha1.RocketMQTopic {
	return &v1alpha1.RocketMQTopic{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: v1alpha1.RocketMQTopicSpec{
			ClusterRef: v1alpha1.MetadataClusterReference{Name: e.name, Namespace: e.ns},
			Queues:     ptr(queues),
		},
	}
}

func (e *env) newGroup(name string) *v1alpha1.RocketMQConsumerGroup {
	return &v1alpha1.RocketMQConsumerGroup{
		ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: name},
		Spec:       v1alpha1.RocketMQConsumerGroupSpec{ClusterRef: v1alpha1.MetadataClusterReference{Name: e.name}},
	}
}

// declare creates n topics and m groups with the client, 16 at a time, as
// a GitOps engine applying a directory would.
func (e *env) declare(n, m int) (topics, groups []string) {
	e.t.Helper()
	objs := make([]client.Object, 0, n+m)
	for i := 0; i < n; i++ {
		tp := e.newTopic(e.ns, fmt.Sprintf("t-%04d", i), declaredQueues)
		objs = append(objs, tp)
		topics = append(topics, tp.GetName())
	}
	for i := 0; i < m; i++ {
		g := e.newGroup(fmt.Sprintf("g-%03d", i))
		objs = append(objs, g)
		groups = append(groups, g.GetName())
	}
	errs := make([]error, len(objs))
	fanout.Each(len(objs), 16, func(i int) { errs[i] = s.client.Create(context.Background(), objs[i]) })
	for i, err := range errs {
		if err != nil {
			e.t.Fatalf("creating %s: %v", objs[i].GetName(), err)
		}
	}
	return topics, groups
}

// metadataReady says whether a topic's or group's status is Ready for its
// generation on want broker groups.
func metadataReady(gen int64, st *v1alpha1.MetadataObjectStatus, want int) bool {
	c := meta.FindStatusCondition(st.Conditions, v1alpha1.ConditionReady)
	return c != nil && c.Status == metav1.ConditionTrue && c.ObservedGeneration == gen && len(st.BrokerGroups) == want
}

// waitMetadata waits until every topic and group of the namespace is Ready
// and present on brokerGroups broker groups.
func (e *env) waitMetadata(what string, timeout time.Duration, brokerGroups int) {
	e.t.Helper()
	e.waitFor(what, timeout, func(*v1alpha1.RocketMQCluster) (bool, string) {
		var tl v1alpha1.RocketMQTopicList
		var gl v1alpha1.RocketMQConsumerGroupList
		if err := s.client.List(context.Background(), &tl, client.InNamespace(e.ns)); err != nil {
			return false, err.Error()
		}
		if err := s.client.List(context.Background(), &gl, client.InNamespace(e.ns)); err != nil {
			return false, err.Error()
		}
		pending, example := 0, ""
		for i := range tl.Items {
			if tp := &tl.Items[i]; !metadataReady(tp.Generation, &tp.Status.MetadataObjectStatus, brokerGroups) {
				pending, example = pending+1, tp.GetName()+" "+statusLine(&tp.Status.MetadataObjectStatus)
			}
		}
		for i := range gl.Items {
			if g := &gl.Items[i]; !metadataReady(g.Generation, &g.Status.MetadataObjectStatus, brokerGroups) {
				pending, example = pending+1, g.GetName()+" "+statusLine(&g.Status.MetadataObjectStatus)
			}
		}
		return pending == 0, fmt.Sprintf("%d of %d objects not Ready, e.g. %s", pending, len(tl.Items)+len(gl.Items), example)
	})
}

func statusLine(st *v1alpha1.MetadataObjectStatus) string {
	b, _ := yaml.Marshal(st)
	return strings.ReplaceAll(string(b), "\n", " ")
}

// checkDeclared reads every master's tables over the wire: each declared
// topic with its queues, each declared group.
func (e *env) checkDeclared(topics, groups []string) {
	e.t.Helper()
	e.onMasters("reading topics and groups", func(ctx context.Context, cl *admin.Client, addr string) error {
		have, err := cl.Topics(ctx, addr)
		if err != nil {
			return err
		}
		for _, n := range topics {
			tc, ok := have[n]
			if !ok || tc.ReadQueueNums != declaredQueues || tc.WriteQueueNums != declaredQueues {
				e.t.Errorf("topic %s on the master at %s: present=%v queues %d/%d, want %d", n, addr, ok, tc.ReadQueueNums, tc.WriteQueueNums, declaredQueues)
			}
		}
		gs, err := cl.Groups(ctx, addr)
		return expectNames(e.t, "consumer group", groups, gs, true, addr, err)
	})
	if e.t.Failed() {
		e.t.FailNow()
	}
}

// shrinkRefused: the API server refuses fewer queues; a topic found on the
// brokers with more queues than declared is adopted as Stalled.
func (e *env) shrinkRefused(name string) {
	e.t.Helper()
	var tp v1alpha1.RocketMQTopic
	if err := s.client.Get(context.Background(), e.topicKey(name), &tp); err != nil {
		e.t.Fatal(err)
	}
	tp.Spec.Queues = ptr(int32(declaredQueues - 2))
	err := s.client.Update(context.Background(), &tp)
	if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "queues may grow, never shrink") {
		e.t.Fatalf("lowering spec.queues of %s: got %v, want the API server's refusal", name, err)
	}

	wide := admin.NewTopicConfig("made-by-hand")
	e.onMasters("creating made-by-hand", func(ctx context.Context, cl *admin.Client, addr string) error {
		return cl.CreateTopic(ctx, addr, wide)
	})
	adopted := e.newTopic(e.ns, "made-by-hand", 8)
	if err := s.client.Create(context.Background(), adopted); err != nil {
		e.t.Fatal(err)
	}
	e.waitTopic("made-by-hand", "Stalled QueuesCannotShrink", time.Minute, func(tp *v1alpha1.RocketMQTopic) bool {
		return reasonTrue(tp, v1alpha1.ConditionStalled, v1alpha1.ReasonQueuesShrink)
	})
	for addr, q := range e.topicQueues("made-by-hand") {
		if q != 16 {
			e.t.Errorf("made-by-hand on %s has %d queues, want the 16 made by hand left alone", addr, q)
		}
	}
}

// reasonTrue says whether the topic has condition typ True with reason,
// for its generation.
func reasonTrue(tp *v1alpha1.RocketMQTopic, typ, reason string) bool {
	c := meta.FindStatusCondition(tp.Status.Conditions, typ)
	return c != nil && c.Status == metav1.ConditionTrue && c.Reason == reason && c.ObservedGeneration == tp.Generation
}

// waitTopic polls a topic of namespace e.ns until cond holds.
func (e *env) waitTopic(name, what string, timeout time.Duration, cond func(*v1alpha1.RocketMQTopic) bool) {
	e.t.Helper()
	e.waitTopicIn(e.ns, name, what, timeout, cond)
}

func (e *env) waitTopicIn(ns, name, what string, timeout time.Duration, cond func(*v1alpha1.RocketMQTopic) bool) {
	e.t.Helper()
	var tp v1alpha1.RocketMQTopic
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if err := s.client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &tp); err != nil {
			e.t.Fatal(err)
		}
		if cond(&tp) {
			return
		}
	}
	e.t.Fatalf("waited %s for topic %s/%s: %s; last status: %s", timeout, ns, name, what, statusLine(&tp.Status.MetadataObjectStatus))
}

// topicQueues reads topic's write queue count on every master.
func (e *env) topicQueues(topic string) map[string]int {
	e.t.Helper()
	out := map[string]int{}
	e.onMasters("reading "+topic, func(ctx context.Context, cl *admin.Client, addr string) error {
		tc, err := cl.Topic(ctx, addr, topic)
		if err != nil {
			return err
		}
		out[addr] = tc.WriteQueueNums
		return nil
	})
	return out
}

// driftPutBack changes one topic's perm and another's queues on one
// master, as mqadmin updateTopic would, and waits for the resync to put
// both back with a DriftCorrected Event each.
func (e *env) driftPutBack(permTopic, queueTopic string) {
	e.t.Helper()
	addr := e.masterAddrs()[e.name+"-broker-1"]
	cl := admin.New(admin.Options{})
	defer func() { _ = cl.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, change := range []struct {
		topic string
		edit  func(*admin.TopicConfig)
	}{
		{permTopic, func(tc *admin.TopicConfig) { tc.Perm = admin.PermRead }},
		{queueTopic, func(tc *admin.TopicConfig) { tc.ReadQueueNums, tc.WriteQueueNums = 2, 2 }},
	} {
		tc, err := cl.Topic(ctx, addr, change.topic)
		if err != nil {
			e.t.Fatal(err)
		}
		change.edit(tc)
		if err := cl.CreateTopic(ctx, addr, *tc); err != nil {
			e.t.Fatalf("changing %s by hand: %v", change.topic, err)
		}
	}
	e.waitFor("the hand changes put back", time.Minute, func(*v1alpha1.RocketMQCluster) (bool, string) {
		p, err := cl.Topic(ctx, addr, permTopic)
		if err != nil {
			return false, err.Error()
		}
		q, err := cl.Topic(ctx, addr, queueTopic)
		if err != nil {
			return false, err.Error()
		}
		return p.Perm == admin.PermRead|admin.PermWrite && q.WriteQueueNums == declaredQueues && q.ReadQueueNums == declaredQueues,
			fmt.Sprintf("%s perm %d, %s queues %d/%d", permTopic, p.Perm, queueTopic, q.ReadQueueNums, q.WriteQueueNums)
	})
	for _, topic := range []string{permTopic, queueTopic} {
		if ev, ok := e.waitObjectEvent(v1alpha1.KindRocketMQTopic, topic, "DriftCorrected"); !ok {
			e.t.Errorf("no DriftCorrected Event for %s; its Events: %v", topic, ev)
		}
	}
}

// waitObjectEvent waits up to 10 s for an Event of an object whose reason
// is reason (the recorder sends Events asynchronously); it returns the
// object's Events as "type reason: message".
func (e *env) waitObjectEvent(kind, name, reason string) ([]string, bool) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var list corev1.EventList
		if err := s.client.List(context.Background(), &list, client.InNamespace(e.ns)); err != nil {
			e.t.Fatal(err)
		}
		var out []string
		found := false
		for _, ev := range list.Items {
			if ev.InvolvedObject.Kind == kind && ev.InvolvedObject.Name == name {
				out = append(out, ev.Type+" "+ev.Reason+": "+ev.Message)
				found = found || ev.Reason == reason
			}
		}
		if found || time.Now().After(deadline) {
			return out, found
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// deleteRetain: deleting a Retain topic leaves it on every master.
func (e *env) deleteRetain(name string) {
	e.t.Helper()
	e.deleteAndWaitGone(&v1alpha1.RocketMQTopic{ObjectMeta: metav1.ObjectMeta{Namespace: e.ns, Name: name}}, time.Minute)
	e.expectTopics([]string{name}, true)
}

// deleteAndWaitGone deletes an object and waits until the API server no
// longer has it.
func (e *env) deleteAndWaitGone(obj client.Object, timeout time.Duration) {
	e.t.Helper()
	if err := s.client.Delete(context.Background(), obj); err != nil {
		e.t.Fatal(err)
	}
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		err := s.client.Get(context.Background(), client.ObjectKeyFromObject(obj), obj)
		if apierrors.IsNotFound(err) {
			return
		}
		if err != nil {
			e.t.Fatal(err)
		}
	}
	last, _ := yaml.Marshal(obj)
	e.t.Fatalf("waited %s for %s to be deleted; last seen:\n%s", timeout, obj.GetName(), last)
}

// deleteAfterConsumed: a Delete topic whose group is behind waits with
// UnconsumedMessages; once consumed it is deleted from every master and
// every NameServer, and the emulators recorded no data loss.
func (e *env) deleteAfterConsumed() {
	e.t.Helper()
	orders := e.newTopic(e.ns, "orders", lagQueues)
	orders.Spec.DeletionPolicy = v1alpha1.DeletionDelete
	for _, o := range []client.Object{orders, e.newGroup("billing")} {
		if err := s.client.Create(context.Background(), o); err != nil {
			e.t.Fatal(err)
		}
	}
	e.waitTopic("orders", "Ready with its finalizer", time.Minute, func(tp *v1alpha1.RocketMQTopic) bool {
		return metadataReady(tp.Generation, &tp.Status.MetadataObjectStatus, 3) && len(tp.Finalizers) == 1
	})
	e.produce("orders", 100)
	e.consume("billing", "orders", 40)
	if err := s.client.Delete(context.Background(), orders); err != nil {
		e.t.Fatal(err)
	}
	e.waitTopic("orders", "waiting with UnconsumedMessages", time.Minute, func(tp *v1alpha1.RocketMQTopic) bool {
		return reasonTrue(tp, v1alpha1.ConditionReconciling, v1alpha1.ReasonDeleteBlocked) &&
			!meta.IsStatusConditionTrue(tp.Status.Conditions, v1alpha1.ConditionReady)
	})
	e.expectTopics([]string{"orders"}, true)
	e.consume("billing", "orders", 100)
	e.deleteAndWaitGone(orders, time.Minute)
	e.expectTopics([]string{"orders"}, false)
	for _, p := range e.pods(v1alpha1.ComponentNameServer) {
		if ns := s.runtime.NameServer(e.ns, p.Name); ns == nil {
			e.t.Errorf("%s runs no NameServer", p.Name)
		} else if _, ok := ns.Route("orders"); ok {
			e.t.Errorf("NameServer %s still routes orders", p.Name)
		}
	}
	noDataLoss(e.t)
}

// namespaceRefused: a topic from a namespace the selector does not match
// is refused and never reaches the brokers; labelling the namespace lets
// it through.
func (e *env) namespaceRefused() {
	e.t.Helper()
	team := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "e2e-team-"}}
	if err := s.client.Create(context.Background(), team); err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = s.client.Delete(context.Background(), team) })
	if err := s.client.Create(context.Background(), e.newTopic(team.Name, "team-orders", declaredQueues)); err != nil {
		e.t.Fatal(err)
	}
	e.waitTopicIn(team.Name, "team-orders", "refused with NamespaceNotAllowed", time.Minute, func(tp *v1alpha1.RocketMQTopic) bool {
		c := meta.FindStatusCondition(tp.Status.Conditions, v1alpha1.ConditionReady)
		return c != nil && c.Status == metav1.ConditionFalse && c.Reason == v1alpha1.ReasonNamespaceNotAllowed
	})
	e.expectTopics([]string{"team-orders"}, false)

	team.Labels = map[string]string{allowLabel: "allowed"}
	if err := s.client.Update(context.Background(), team); err != nil {
		e.t.Fatal(err)
	}
	e.waitTopicIn(team.Name, "team-orders", "Ready once the namespace is labelled", time.Minute, func(tp *v1alpha1.RocketMQTopic) bool {
		return metadataReady(tp.Generation, &tp.Status.MetadataObjectStatus, 3)
	})
	e.expectTopics([]string{"team-orders"}, true)
}
