package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// TestScaleOut: with 1 000 topics and 200 consumer groups on the two
// groups, raising broker.groups to 3 gives the new group every one of
// them, copied by the status controller.
func TestScaleOut(t *testing.T) {
	forModes(t, func(t *testing.T, mode v1alpha1.BrokerMode) {
		e := newEnv(t, "grow", spec(mode))
		startController(t)
		e.sync()
		e.waitFor("Ready before the scale-out", 3*time.Minute, e.readyWithMasters)
		topics := e.createTopics(1000)
		groups := e.createGroups(200)
		e.spec.Broker.Groups = ptr(int32(3))
		e.sync()
		start := time.Now()
		e.waitFor("the new group Synced and the cluster Ready", 4*time.Minute, func(c *v1alpha1.RocketMQCluster) (bool, string) {
			if len(c.Status.BrokerGroups) != 3 || c.Status.BrokerGroups[2].Metadata != v1alpha1.MetadataSynced {
				return false, fmt.Sprintf("groups %+v", c.Status.BrokerGroups)
			}
			return e.readyWithMasters(c)
		})
		t.Logf("%s: scale-out 2→3 with 1000 topics and 200 groups: Synced and Ready after %s", mode, time.Since(start).Round(time.Millisecond))
		e.checkTopics(topics)
		e.checkGroups(groups)
	})
}

// readyWithMasters is Ready and every status master the registered one.
func (e *env) readyWithMasters(c *v1alpha1.RocketMQCluster) (bool, string) {
	if ok, why := ready(c); !ok {
		return false, why
	}
	return e.mastersAgree(c)
}

// createGroups creates n consumer groups on every group's master.
func (e *env) createGroups(n int) []string {
	e.t.Helper()
	var names []string
	var gs []admin.SubscriptionGroupConfig
	for i := 0; i < n; i++ {
		g := admin.NewSubscriptionGroupConfig(fmt.Sprintf("e2e-group-%03d", i))
		gs = append(gs, g)
		names = append(names, g.GroupName)
	}
	e.onMasters("creating groups", func(ctx context.Context, cl *admin.Client, addr string) error {
		return cl.CreateGroups(ctx, addr, gs)
	})
	return names
}

// checkGroups fails when a master lacks one of the consumer groups.
func (e *env) checkGroups(names []string) {
	e.t.Helper()
	e.onMasters("reading groups", func(ctx context.Context, cl *admin.Client, addr string) error {
		got, err := cl.Groups(ctx, addr)
		return expectNames(e.t, "consumer group", names, got, true, addr, err)
	})
}
