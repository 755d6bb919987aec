package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// TestControllerKilledMidCopy: the status controller is killed (SIGKILL)
// while it copies 1 000 topics onto a new broker group, with a topic batch
// held on the new master; a new controller process resumes the copy from
// status. Every topic and group arrives, and no topic is written more than
// twice: only the batch in flight at the kill is sent again, and the
// broker takes an equal config as a no-op.
func TestControllerKilledMidCopy(t *testing.T) {
	e := newEnv(t, "resume", spec(v1alpha1.BrokerModeMasterSlave))
	sc := startController(t)
	e.sync()
	e.waitFor("Ready before the scale-out", 3*time.Minute, e.readyWithMasters)
	topics := e.createTopics(1000)
	groups := e.createGroups(200)
	e.spec.Broker.Groups = ptr(int32(3))
	e.sync()
	newMaster := e.name + "-broker-2-0"
	var b *rmqtest.Broker
	e.waitFor("the new group's master process", 2*time.Minute, func(*v1alpha1.RocketMQCluster) (bool, string) {
		b = s.runtime.Broker(e.ns, newMaster)
		return b != nil, newMaster + " not running"
	})
	b.DelayNth(admin.CodeUpdateAndCreateTopicList, 1, 20*time.Second)
	e.waitFor("the copy onto group 2 in progress", 2*time.Minute, func(c *v1alpha1.RocketMQCluster) (bool, string) {
		ok := len(c.Status.BrokerGroups) == 3 && c.Status.BrokerGroups[2].Metadata == v1alpha1.MetadataCopying &&
			b.CallCount(admin.CodeUpdateAndCreateTopicList) > 0
		return ok, fmt.Sprintf("groups %+v, topic batches %d", c.Status.BrokerGroups, b.CallCount(admin.CodeUpdateAndCreateTopicList))
	})
	sc.kill()
	startController(t)
	start := time.Now()
	e.waitFor("group 2 Synced after the restart", 3*time.Minute, func(c *v1alpha1.RocketMQCluster) (bool, string) {
		if c.Status.BrokerGroups[2].Metadata != v1alpha1.MetadataSynced {
			return false, fmt.Sprintf("group 2: %s %s", c.Status.BrokerGroups[2].Metadata, c.Status.BrokerGroups[2].MetadataMessage)
		}
		return e.readyWithMasters(c)
	})
	t.Logf("resumed and Synced %s after the restart", time.Since(start).Round(time.Millisecond))
	e.checkTopics(topics)
	e.checkGroups(groups)
	sent := topicWrites(b.Requests())
	twice := 0
	for _, n := range topics {
		switch sent[n] {
		case 1:
		case 2:
			twice++
		default:
			t.Errorf("topic %s written %d times", n, sent[n])
		}
	}
	t.Logf("topic writes on the new master: %d topics once, %d twice (the batch in flight at the kill)", len(topics)-twice, twice)
	if batch := admin.DefaultBatchSize; twice > batch {
		t.Errorf("%d topics written twice: more than the one batch (%d) in flight at the kill", twice, batch)
	}
}

// topicWrites counts, per topic, the create requests (17 and 18) that
// named it.
func topicWrites(reqs []rmqtest.Request) map[string]int {
	out := map[string]int{}
	for _, r := range reqs {
		switch r.Code {
		case admin.CodeUpdateAndCreateTopic:
			out[r.ExtFields["topic"]]++
		case admin.CodeUpdateAndCreateTopicList:
			for _, part := range strings.Split(string(r.Body), `"topicName":"`)[1:] {
				out[part[:strings.IndexByte(part, '"')]]++
			}
		}
	}
	return out
}
