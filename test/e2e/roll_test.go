package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// TestBrokerConfigRoll: a broker.conf change in Git rolls every broker
// StatefulSet through the real StatefulSet controller. The cluster reports
// Progressing during the roll, never Degraded, records no Warning Event,
// and is Ready afterwards with its topics intact.
func TestBrokerConfigRoll(t *testing.T) {
	forModes(t, func(t *testing.T, mode v1alpha1.BrokerMode) {
		e := newEnv(t, "roll", spec(mode))
		startController(t)
		e.sync()
		e.waitFor("Ready before the change", 3*time.Minute, func(c *v1alpha1.RocketMQCluster) (bool, string) {
			if ok, why := ready(c); !ok {
				return false, why
			}
			return e.mastersAgree(c)
		})
		topics := e.createTopics(20)
		e.waitReplicated(topics)
		h := e.record()
		e.spec.Broker.Config = map[string]v1alpha1.ConfigValue{"maxMessageSize": "8388608"}
		e.sync()
		start := time.Now()
		e.waitFor("every broker StatefulSet rolled and Ready again", 4*time.Minute, func(c *v1alpha1.RocketMQCluster) (bool, string) {
			if ok, why := e.rolled(); !ok {
				return false, why
			}
			if ok, why := ready(c); !ok {
				return false, why
			}
			return e.mastersAgree(c)
		})
		t.Logf("%s: roll done and Ready after %s", mode, time.Since(start).Round(time.Millisecond))
		if seen := h.conditionSeen(v1alpha1.ConditionDegraded); len(seen) > 0 {
			t.Errorf("Degraded during a rolling update: %v", seen)
		}
		if seen := h.conditionSeen(v1alpha1.ConditionProgressing); len(seen) == 0 {
			t.Errorf("Progressing was never True during the roll")
		}
		if w := e.warnings(); len(w) > 0 {
			t.Errorf("Warning Events during a rolling update: %v", w)
		}
		e.checkTopics(topics)
	})
}

// rolled says whether every broker StatefulSet runs its update revision
// on every replica.
func (e *env) rolled() (bool, string) {
	var list appsv1.StatefulSetList
	err := s.client.List(context.Background(), &list, client.InNamespace(e.ns),
		client.MatchingLabels{v1alpha1.LabelCluster: e.name, v1alpha1.LabelComponent: v1alpha1.ComponentBroker})
	if err != nil {
		return false, err.Error()
	}
	for _, sts := range list.Items {
		st := sts.Status
		if st.ObservedGeneration < sts.Generation || st.UpdateRevision != st.CurrentRevision ||
			st.UpdatedReplicas != *sts.Spec.Replicas || st.ReadyReplicas != *sts.Spec.Replicas {
			return false, fmt.Sprintf("%s: gen %d/%d, revision %s→%s, updated %d, ready %d", sts.Name,
				st.ObservedGeneration, sts.Generation, st.CurrentRevision, st.UpdateRevision, st.UpdatedReplicas, st.ReadyReplicas)
		}
	}
	return len(list.Items) > 0, "no broker StatefulSet"
}

// masterAddrs reads each group's master from a NameServer and returns the
// pod IP address to reach it.
func (e *env) masterAddrs() map[string]string {
	e.t.Helper()
	reg, err := e.registeredMasters(e.nameServerAddrs()[0])
	if err != nil {
		e.t.Fatal(err)
	}
	ips := map[string]string{}
	for _, p := range e.pods(v1alpha1.ComponentBroker) {
		ips[p.Name] = p.Status.PodIP
	}
	out := map[string]string{}
	for group, pod := range reg {
		out[group] = ips[pod] + ":10911"
	}
	return out
}

// onMasters calls f for each group's master with an admin client, and
// fails the test on the first error.
func (e *env) onMasters(what string, f func(ctx context.Context, cl *admin.Client, addr string) error) {
	e.t.Helper()
	cl := admin.New(admin.Options{})
	defer func() { _ = cl.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for group, addr := range e.masterAddrs() {
		if err := f(ctx, cl, addr); err != nil {
			e.t.Fatalf("%s on %s: %v", what, group, err)
		}
	}
}

// createTopics creates n topics on every group's master, as a user's
// mqadmin updateTopic would, and returns their names.
func (e *env) createTopics(n int) []string {
	e.t.Helper()
	var names []string
	var tcs []admin.TopicConfig
	for i := 0; i < n; i++ {
		tc := admin.NewTopicConfig(fmt.Sprintf("e2e-topic-%03d", i))
		tcs = append(tcs, tc)
		names = append(names, tc.TopicName)
	}
	e.onMasters("creating topics", func(ctx context.Context, cl *admin.Client, addr string) error {
		return cl.CreateTopics(ctx, addr, tcs)
	})
	return names
}

// checkTopics fails when a master lacks one of the topics.
func (e *env) checkTopics(names []string) { e.expectTopics(names, true) }

// expectTopics checks whether every master has each topic (want) or none.
func (e *env) expectTopics(names []string, want bool) {
	e.t.Helper()
	e.onMasters("reading topics", func(ctx context.Context, cl *admin.Client, addr string) error {
		got, err := cl.Topics(ctx, addr)
		return expectNames(e.t, "topic", names, got, want, addr, err)
	})
}

// expectNames compares a master's names with the expected ones.
func expectNames[V any](t *testing.T, kind string, names []string, got map[string]V, want bool, addr string, err error) error {
	t.Helper()
	if err != nil {
		return err
	}
	for _, n := range names {
		if _, ok := got[n]; ok != want {
			t.Errorf("%s %s on the master at %s: present=%v, want %v", kind, n, addr, ok, want)
		}
	}
	return nil
}

// waitReplicated waits until every broker pod, slaves included, holds the
// topics: a slave copies its master's topic config every 10 s × timeScale
// (SlaveSynchronize). A topic created less than that before its master
// goes away is missing on the new master, on a real cluster too.
func (e *env) waitReplicated(topics []string) {
	e.t.Helper()
	e.waitFor("every replica to hold the topics", 30*time.Second, func(*v1alpha1.RocketMQCluster) (bool, string) {
		for _, p := range e.pods(v1alpha1.ComponentBroker) {
			b := s.runtime.Broker(e.ns, p.Name)
			if b == nil {
				return false, p.Name + " runs no broker"
			}
			have := b.Topics()
			for _, n := range topics {
				if _, ok := have[n]; !ok {
					return false, fmt.Sprintf("%s lacks %s", p.Name, n)
				}
			}
		}
		return true, ""
	})
}
