package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// TestScaleIn: broker.groups 3→2 while the third group holds messages a
// group has not consumed. The group is Retiring (write permission wiped on
// every NameServer, the lag reported), never Degraded, its StatefulSet
// left running; once the messages are consumed it is Drained with an Event
// naming the command that deletes it, and the emulators recorded no data
// loss.
func TestScaleIn(t *testing.T) {
	sp := spec(v1alpha1.BrokerModeMasterSlave)
	sp.Broker.Groups = ptr(int32(3))
	e := newEnv(t, "shrink", sp)
	startController(t, "--retire-settle=3s")
	h := e.record()
	e.sync()
	e.waitFor("Ready with three groups", 3*time.Minute, e.readyWithMasters)
	retiring := e.name + "-broker-2"
	e.seedConsumedTopic("orders", "billing")
	master := s.runtime.Broker(e.ns, retiring+"-0")
	for q := 0; q < 4; q++ {
		master.SetQueueOffsets("orders", q, 150) // 50 more per queue than billing consumed
	}
	e.spec.Broker.Groups = ptr(int32(2))
	e.sync()
	e.waitFor("group 2 Retiring with its lag and no write permission", 2*time.Minute, func(c *v1alpha1.RocketMQCluster) (bool, string) {
		if len(c.Status.RetiringGroups) != 1 || c.Status.RetiringGroups[0].Phase != v1alpha1.RetiringPhaseRetiring ||
			c.Status.RetiringGroups[0].RemainingMessages != 200 {
			return false, fmt.Sprintf("retiring %+v", c.Status.RetiringGroups)
		}
		return e.writeWiped("orders", retiring)
	})
	master.SetConsumerOffset("billing", "orders", 0, 150)
	for q := 1; q < 4; q++ {
		master.SetConsumerOffset("billing", "orders", q, 150)
	}
	took := e.waitFor("group 2 Drained", 2*time.Minute, func(c *v1alpha1.RocketMQCluster) (bool, string) {
		ok := len(c.Status.RetiringGroups) == 1 && c.Status.RetiringGroups[0].Phase == v1alpha1.RetiringPhaseDrained
		return ok, fmt.Sprintf("retiring %+v", c.Status.RetiringGroups)
	})
	t.Logf("Drained %s after the lag was consumed (settle 3 s)", took.Round(time.Millisecond))
	if seen := h.conditionSeen(v1alpha1.ConditionDegraded); len(seen) > 0 {
		t.Errorf("Degraded during a scale-in: %v", seen)
	}
	if !e.eventWith(corev1.EventTypeNormal, "delete statefulset "+retiring) {
		t.Errorf("no Event names the command that deletes StatefulSet %s", retiring)
	}
	var sts appsv1.StatefulSet
	if err := s.client.Get(context.Background(), client.ObjectKey{Namespace: e.ns, Name: retiring}, &sts); err != nil {
		t.Errorf("the retired group's StatefulSet is gone under the Retain policy: %v", err)
	}
	if lost := s.runtime.DataLoss(); len(lost) > 0 {
		t.Errorf("data lost: %v", lost)
	}
}

// writeWiped says whether every NameServer's route of topic lacks the
// write permission on broker name bn.
func (e *env) writeWiped(topic, bn string) (bool, string) {
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
			if qd.BrokerName == bn && qd.Perm&admin.PermWrite != 0 {
				return false, fmt.Sprintf("%s: %s perm %d", p.Name, bn, qd.Perm)
			}
		}
	}
	return true, ""
}

// eventWith says whether an Event of the given type in the cluster's
// namespace contains text, waiting up to 10 s for it: Events are sent
// asynchronously by the controller's recorder.
func (e *env) eventWith(typ, text string) bool {
	deadline := time.Now().Add(10 * time.Second)
	for {
		var list corev1.EventList
		if err := s.client.List(context.Background(), &list, client.InNamespace(e.ns)); err != nil {
			e.t.Fatal(err)
		}
		for _, ev := range list.Items {
			if ev.Type == typ && strings.Contains(ev.Message, text) {
				return true
			}
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}
