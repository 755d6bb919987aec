package e2e

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// TestTransferSurvivesBrokerRoll: a transfer's drain is held open by 50
// unconsumed messages per queue on the source; meanwhile a broker.conf
// change in Git rolls the source's broker StatefulSet, the master's new pod
// taking 8 s to start (in MasterSlave mode the group has no master that
// long; in Controller mode the quorum elects the slave). The drain polls
// that find no master fail and are retried within spec.retryBudget; once the roll is done and the group
// consumes on the current masters, the transfer succeeds. It never rolls
// back, the target has the topic and group, the source no longer the
// topic, and the emulators recorded no data loss.
func TestTransferSurvivesBrokerRoll(t *testing.T) {
	const masterRestart = 8 * time.Second // more than the 5 s poll interval
	forModes(t, func(t *testing.T, mode v1alpha1.BrokerMode) {
		src, dst := transferPair(t, mode)
		src.seedConsumedTopic("orders", "billing")
		src.produce("orders", 150)
		tt := newTransfer(t, src, dst, "orders-roll", "orders", []string{"billing"}, func(sp *v1alpha1.TopicTransferSpec) {
			sp.RetryBudget = &metav1.Duration{Duration: 3 * time.Minute}
			sp.DrainTimeout = &metav1.Duration{Duration: 6 * time.Minute}
		})
		log := watchTransfer(t, tt)
		_, took := waitTransferFor(t, tt, "the drain held open by billing", 2*time.Minute, draining("billing"))
		t.Logf("%s: draining after %s", mode, took.Round(time.Millisecond))
		// Roll only once every replica copied the read-only topic (and with
		// it the offsets): a slave elected master before its
		// SlaveSynchronize lacks the topic, on a real cluster too, and the
		// drain then rightly never completes.
		src.waitReplicatedPerm("orders", admin.PermRead)
		mastersBefore := src.masterBrokers()
		// The master's replacement takes longer than a poll interval to
		// start (a JVM recovering its store), so polls find no master.
		for _, pod := range mastersBefore {
			s.runtime.DelayStart(src.ns, pod, masterRestart)
		}

		src.spec.Broker.Config = map[string]v1alpha1.ConfigValue{"maxMessageSize": "8388608"}
		src.sync()
		rollStart := time.Now()
		took = src.waitFor("the source brokers rolled and Ready again", 4*time.Minute, func(c *v1alpha1.RocketMQCluster) (bool, string) {
			if ok, why := src.rolled(); !ok {
				return false, why
			}
			if ok, why := ready(c); !ok {
				return false, why
			}
			return src.mastersAgree(c)
		})
		cur := getTransfer(t, tt)
		t.Logf("%s: roll done after %s; masters %v → %v; transfer %s step %s, %d polls, %d failed attempts at most",
			mode, took.Round(time.Millisecond), mastersBefore, src.masterBrokers(), cur.Status.Phase, cur.Status.StepName,
			cur.Status.Drain.Polls, log.maxRetryAttempts())
		if cur.Status.Phase != v1alpha1.TransferRunning || cur.Status.Step != v1alpha1.StepNumberDrain {
			st, _ := yaml.Marshal(cur.Status)
			t.Fatalf("after the roll the transfer is not draining any more:\n%s", st)
		}
		if mode == v1alpha1.BrokerModeMasterSlave && log.maxRetryAttempts() == 0 {
			// Without a controller quorum the group has no master while its
			// pod restarts, longer than a poll interval.
			t.Errorf("no drain poll failed while the master was away for %s", masterRestart)
		}

		src.consume("billing", "orders", 150)
		start := time.Now()
		final := waitTransfer(t, tt, 3*time.Minute)
		t.Logf("%s: transfer %s %s after the group consumed; phases (relative to the roll) %v", mode, final.Status.Phase,
			time.Since(start).Round(time.Millisecond), log.phasesSince(rollStart))
		if final.Status.Phase != v1alpha1.TransferSucceeded || final.Status.Rollback != nil {
			st, _ := yaml.Marshal(final.Status)
			t.Fatalf("transfer ended %s:\n%s", final.Status.Phase, st)
		}
		for _, p := range log.phases() {
			if p == v1alpha1.TransferRollingBack || p == v1alpha1.TransferRolledBack {
				t.Errorf("the transfer went %s during a broker roll: phases %v", p, log.phases())
			}
		}
		dst.expectTopics([]string{"orders"}, true)
		dst.checkGroups([]string{"billing"})
		src.expectTopics([]string{"orders"}, false)
		noDataLoss(t)
	})
}

// TestTransferRollbackAfterSourceReadOnly: during the drain the source
// topic is made writable by hand and the next poll makes it read-only
// again (SourceWritableAgain). Past step 4 producers write to
// the target (40 messages per queue nobody has consumed there yet), then
// the user sets spec.abort. The transfer is RolledBack with TargetRetained
// (condition and Warning Event): the target keeps the topic, the group and
// the messages; the source topic has its snapshot perm again on every
// master and is writable in every NameServer's route, with its own
// unconsumed messages untouched; no data-loss record.
func TestTransferRollbackAfterSourceReadOnly(t *testing.T) {
	src, dst := transferPair(t, v1alpha1.BrokerModeMasterSlave)
	src.seedConsumedTopic("orders", "billing")
	src.produce("orders", 150)
	tt := newTransfer(t, src, dst, "orders-abort", "orders", []string{"billing"}, nil)
	log := watchTransfer(t, tt)
	waitTransferFor(t, tt, "the drain held open by billing", 2*time.Minute, draining("billing"))
	if perms := src.topicPerms("orders"); !allPerm(perms, admin.PermRead) {
		t.Errorf("the source topic is not read-only during the drain: %v", perms)
	}
	// An operator's mqadmin updateTopic -p 6 (or a master elected before its
	// slave copied step 4's config) makes the source writable again: the
	// next poll makes it read-only again.
	src.onMasters("making orders writable by hand", func(ctx context.Context, cl *admin.Client, addr string) error {
		tc, err := cl.Topic(ctx, addr, "orders")
		if err != nil {
			return err
		}
		tc.Perm = admin.PermRead | admin.PermWrite
		return cl.CreateTopic(ctx, addr, *tc)
	})
	fenced := time.Now()
	for perms := src.topicPerms("orders"); !allPerm(perms, admin.PermRead); perms = src.topicPerms("orders") {
		if time.Since(fenced) > 20*time.Second {
			t.Fatalf("the source topic stayed writable during the drain: %v", perms)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("the source topic, made writable by hand during the drain, was read-only again %s later", time.Since(fenced).Round(time.Millisecond))
	if events, ok := waitTransferEvent(t, tt, "Warning SourceWritableAgain"); !ok {
		t.Errorf("no SourceWritableAgain Warning Event; events:\n%s", strings.Join(events, "\n"))
	}

	dst.produce("orders", 40)
	onTarget := dst.maxOffsets("orders")
	srcBefore := src.offsets("billing", "orders")
	updateTransfer(t, tt, func(sp *v1alpha1.TopicTransferSpec) { sp.Abort = true })
	start := time.Now()
	final := waitTransfer(t, tt, 2*time.Minute)
	t.Logf("transfer %s %s after the abort; phases (relative to the abort) %v", final.Status.Phase,
		time.Since(start).Round(time.Millisecond), log.phasesSince(start))
	st := final.Status
	if st.Phase != v1alpha1.TransferRolledBack || st.Rollback == nil || st.Rollback.Reason != v1alpha1.RollbackAborted ||
		st.Rollback.FromStep != v1alpha1.StepNumberDrain || !st.Rollback.SourceRestored {
		y, _ := yaml.Marshal(st)
		t.Fatalf("want RolledBack (Aborted) from the drain with the source restored:\n%s", y)
	}
	if ok, reason := conditionTrue(final, v1alpha1.ConditionTargetRetained); !ok || reason != v1alpha1.ReasonTargetRetained {
		t.Errorf("TargetRetained=%v reason %q, want True %s", ok, reason, v1alpha1.ReasonTargetRetained)
	}
	for _, r := range st.Target {
		if r.State != v1alpha1.TargetRetained && r.State != v1alpha1.TargetPreExisting {
			t.Errorf("target %s %q is %s after a rollback from the drain, want Retained", r.Kind, r.Name, r.State)
		}
	}
	if events, ok := waitTransferEvent(t, tt, "Warning "+v1alpha1.ConditionTargetRetained); !ok {
		t.Errorf("no TargetRetained Warning Event; events:\n%s", strings.Join(events, "\n"))
	}
	if !strings.Contains(st.Message, "kept on the target") {
		t.Errorf("the final message does not say what the target kept: %s", st.Message)
	}

	dst.expectTopics([]string{"orders"}, true)
	dst.checkGroups([]string{"billing"})
	if got := dst.maxOffsets("orders"); !maps.Equal(got, onTarget) {
		t.Errorf("the target's queue offsets changed: %v, before the abort %v", got, onTarget)
	}
	want := st.Snapshot.Topic[0].Perm
	if perms := src.topicPerms("orders"); !allPerm(perms, int(want)) {
		t.Errorf("source topic perm %v after the rollback, want the snapshot's %d", perms, want)
	}
	took := src.waitFor("every source NameServer routing orders writable", 30*time.Second, func(*v1alpha1.RocketMQCluster) (bool, string) {
		return src.routeWritable("orders")
	})
	t.Logf("source routes writable %s after the transfer ended", took.Round(time.Millisecond))
	if got := src.offsets("billing", "orders"); !maps.Equal(got, srcBefore) {
		t.Errorf("the source's offsets changed: %v, before %v", got, srcBefore)
	}
	noDataLoss(t)
}

// allPerm says whether every perm equals want.
func allPerm(perms map[string]int, want int) bool {
	for _, p := range perms {
		if p != want {
			return false
		}
	}
	return len(perms) > 0
}

// TestTransferGroupSharedByTwoTopics: group billing reads orders (moved)
// and invoices (stays, 30 messages per queue unconsumed) on the source.
// After the transfer succeeds, billing is still on the source with its
// offsets on invoices exactly as before, status.keptOnSource names it
// with a GroupKeptOnSource Warning Event, orders is gone from the source
// and on the target with billing; no data-loss record.
func TestTransferGroupSharedByTwoTopics(t *testing.T) {
	src, dst := transferPair(t, v1alpha1.BrokerModeMasterSlave)
	src.seedConsumedTopic("orders", "billing")
	src.seedConsumedTopic("invoices", "billing")
	src.produce("invoices", 130)
	invoices := src.offsets("billing", "invoices")
	tt := newTransfer(t, src, dst, "orders-shared", "orders", []string{"billing"}, nil)
	start := time.Now()
	final := waitTransfer(t, tt, 3*time.Minute)
	t.Logf("transfer %s after %s; keptOnSource %v", final.Status.Phase, time.Since(start).Round(time.Millisecond), final.Status.KeptOnSource)
	if final.Status.Phase != v1alpha1.TransferSucceeded {
		st, _ := yaml.Marshal(final.Status)
		t.Fatalf("transfer ended %s:\n%s", final.Status.Phase, st)
	}
	if !anyContains(final.Status.KeptOnSource, "billing") {
		t.Errorf("status.keptOnSource %v does not name billing", final.Status.KeptOnSource)
	}
	if got := src.offsets("billing", "invoices"); !maps.Equal(got, invoices) || len(got) == 0 {
		t.Errorf("billing's offsets on invoices on the source: %v, before the transfer %v", got, invoices)
	}
	src.checkGroups([]string{"billing"})
	src.expectTopics([]string{"invoices"}, true)
	src.expectTopics([]string{"orders"}, false)
	dst.expectTopics([]string{"orders"}, true)
	dst.checkGroups([]string{"billing"})
	dst.expectTopics([]string{"invoices"}, false)
	if events, ok := waitTransferEvent(t, tt, "GroupKeptOnSource"); !ok {
		t.Errorf("no GroupKeptOnSource Event; events:\n%s", strings.Join(events, "\n"))
	}
	noDataLoss(t)
}

func anyContains(list []string, s string) bool {
	for _, x := range list {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

// TestTransferClusterDeleted: a transfer in namespace A moves a topic out
// of A's cluster (clusterRef); during a drain held open by unconsumed
// messages, namespace A is deleted. The namespace deletion completes
// within a minute: the controller ends the transfer Abandoned (reason
// ClusterDeleted) once its source RocketMQCluster is being deleted, or,
// if the transfer's own deletion is seen first, rolls it back (what
// deleting an unfinished transfer does), and releases the finalizer
// either way. The target keeps what it has; no data-loss record.
func TestTransferClusterDeleted(t *testing.T) {
	src, dst := transferPair(t, v1alpha1.BrokerModeMasterSlave)
	src.seedConsumedTopic("orders", "billing")
	src.produce("orders", 150)
	tt := newTransfer(t, src, dst, "orders-gone", "orders", []string{"billing"}, nil)
	log := watchTransfer(t, tt)
	waitTransferFor(t, tt, "the drain held open by billing", 2*time.Minute, draining("billing"))

	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: src.ns}}
	if err := s.client.Delete(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var phase corev1.NamespacePhase
	for {
		err := s.client.Get(context.Background(), client.ObjectKey{Name: src.ns}, ns)
		if apierrors.IsNotFound(err) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		phase = ns.Status.Phase
		if time.Since(start) > 2*time.Minute {
			last, _ := log.last()
			y, _ := yaml.Marshal(last)
			t.Fatalf("namespace %s still there (%s) after %s; conditions %+v; the transfer's last status:\n%s",
				src.ns, phase, time.Since(start).Round(time.Second), ns.Status.Conditions, y)
		}
		time.Sleep(200 * time.Millisecond)
	}
	took := time.Since(start)
	waitDeleted := time.Now()
	for {
		if _, deleted := log.last(); deleted || time.Since(waitDeleted) > 10*time.Second {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	last, deleted := log.last()
	t.Logf("namespace gone %s after its deletion; the transfer's phases (relative to the deletion) %v, last %s: %s",
		took.Round(time.Millisecond), log.phasesSince(start), last.Phase, last.Message)
	if !deleted {
		t.Errorf("the watch never saw the transfer deleted")
	}
	switch last.Phase {
	case v1alpha1.TransferAbandoned:
		stalled := findTransferCondition(last.Conditions, v1alpha1.ConditionStalled)
		if stalled == nil || stalled.Reason != v1alpha1.ReasonClusterDeleted {
			t.Errorf("Abandoned with Stalled %+v, want reason %s", stalled, v1alpha1.ReasonClusterDeleted)
		}
	case v1alpha1.TransferRolledBack:
		if c := findTransferCondition(last.Conditions, v1alpha1.ConditionTargetRetained); c == nil || c.Status != metav1.ConditionTrue {
			t.Errorf("rolled back from the drain without TargetRetained: %+v", last.Conditions)
		}
	default:
		t.Errorf("the transfer ended %s, want Abandoned (ClusterDeleted) or RolledBack", last.Phase)
	}
	dst.expectTopics([]string{"orders"}, true)
	dst.checkGroups([]string{"billing"})
	noDataLoss(t)
}

func findTransferCondition(cs []metav1.Condition, typ string) *metav1.Condition {
	for i := range cs {
		if cs[i].Type == typ {
			return &cs[i]
		}
	}
	return nil
}
