package admin_test

import (
	"reflect"
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

func TestCopyMetadata(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	src := []admin.TopicConfig{
		admin.NewTopicConfig("a-new"),
		withAttrs(admin.NewTopicConfig("b-changed"), "message.type", "FIFO"),
		admin.NewTopicConfig("c-same"),
		admin.NewTopicConfig("%RETRY%g1"),
	}
	e.a.PutTopics(src...)
	e.b.PutTopics(admin.NewTopicConfig("b-changed"), admin.NewTopicConfig("c-same"), admin.NewTopicConfig("only-on-target"))
	g1, g2 := admin.NewSubscriptionGroupConfig("g1"), admin.NewSubscriptionGroupConfig("g2")
	g2.RetryMaxTimes = 3
	e.a.PutGroups(g1, g2)
	e.b.PutGroups(admin.NewSubscriptionGroupConfig("g2"))

	res, err := e.client.CopyMetadata(ctx, e.a.Addr(), e.b.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.TopicsCreated, []string{"%RETRY%g1", "a-new"}) || !reflect.DeepEqual(res.TopicsUpdated, []string{"b-changed"}) ||
		res.TopicsUnchanged != 1 || !reflect.DeepEqual(res.GroupsCreated, []string{"g1"}) || !reflect.DeepEqual(res.GroupsUpdated, []string{"g2"}) {
		t.Fatalf("result = %+v", res)
	}
	wantSkipped := []string{"BenchmarkTest", "OFFSET_MOVED_EVENT", "RMQ_SYS_TRANS_HALF_TOPIC", "RMQ_SYS_TRANS_OP_HALF_TOPIC",
		"SCHEDULE_TOPIC_XXXX", "SELF_TEST_TOPIC", "TBW102", "broker-a", "c1", "c1_REPLY_TOPIC",
		"rmq_sys_REVIVE_LOG_c1", "rmq_sys_SYNC_BROKER_MEMBER_broker-a"}
	if !reflect.DeepEqual(res.TopicsSkipped, wantSkipped) {
		t.Fatalf("skipped topics = %v\nwant %v", res.TopicsSkipped, wantSkipped)
	}
	if len(res.GroupsSkipped) != 8 {
		t.Fatalf("skipped groups = %v, want the 8 of SubscriptionGroupManager.init", res.GroupsSkipped)
	}
	dst := e.b.Topics()
	for _, tc := range src {
		if !dst[tc.TopicName].Equal(tc) {
			t.Fatalf("target %s = %+v, want %+v", tc.TopicName, dst[tc.TopicName], tc)
		}
	}
	if _, ok := dst["only-on-target"]; !ok {
		t.Fatal("CopyMetadata must not delete the target's own topics")
	}
	if dst["broker-b"].TopicName != "broker-b" || dst["broker-a"].TopicName != "" {
		t.Fatal("broker-name system topics must not be copied")
	}
	if got := e.b.Groups()["g2"]; !got.Equal(g2) {
		t.Fatalf("group g2 = %+v", got)
	}
	if _, err := e.client.TopicRoute(ctx, e.ns.Addr(), "a-new"); err != nil {
		t.Fatalf("copied topic not routed: %v", err)
	}
}

func TestCopyMetadataIsIdempotent(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	e.a.PutTopics(topicNames(50, "t")...)
	e.a.PutGroups(admin.NewSubscriptionGroupConfig("g"))
	if _, err := e.client.CopyMetadata(ctx, e.a.Addr(), e.b.Addr()); err != nil {
		t.Fatal(err)
	}
	e.b.ResetCounts()
	v := e.b.TopicDataVersion()
	res, err := e.client.CopyMetadata(ctx, e.a.Addr(), e.b.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.TopicsCreated)+len(res.TopicsUpdated)+len(res.GroupsCreated)+len(res.GroupsUpdated) != 0 ||
		res.TopicsUnchanged != 50 || res.GroupsUnchanged != 1 {
		t.Fatalf("second run = %+v", res)
	}
	for _, code := range []int{admin.CodeUpdateAndCreateTopicList, admin.CodeUpdateAndCreateTopic,
		admin.CodeUpdateAndCreateSubscriptionGroups, admin.CodeUpdateAndCreateSubscriptionGroup} {
		if n := e.b.CallCount(code); n != 0 {
			t.Fatalf("second run sent %d requests with code %d", n, code)
		}
	}
	if e.b.TopicDataVersion() != v {
		t.Fatal("second run changed the target's data version")
	}
}

// Against a 5.3 broker with the batch early return, copying onto a target
// that already has some topics still creates all missing ones, because
// unchanged topics are never sent.
func TestCopyMetadataAvoidsBatchEarlyReturn(t *testing.T) {
	e := newEnv(t)
	all := topicNames(20, "t")
	e.a.PutTopics(all...)
	e.b.PutTopics(all[0], all[10])
	if _, err := e.client.CopyMetadata(ctxT(t), e.a.Addr(), e.b.Addr()); err != nil {
		t.Fatal(err)
	}
	dst := e.b.Topics()
	for _, tc := range all {
		if !dst[tc.TopicName].Equal(tc) {
			t.Fatalf("topic %s missing on the target", tc.TopicName)
		}
	}
}

// A topic whose unchangeable attribute already matches on the target is
// updated without re-sending it, which the broker would refuse.
func TestCopyMetadataUnchangeableAttribute(t *testing.T) {
	e := newEnv(t)
	src := withAttrs(admin.NewTopicConfig("q"), "queue.type", "SimpleCQ")
	src.WriteQueueNums = 3
	e.a.PutTopics(src)
	e.b.PutTopics(withAttrs(admin.NewTopicConfig("q"), "queue.type", "SimpleCQ"))
	if _, err := e.client.CopyMetadata(ctxT(t), e.a.Addr(), e.b.Addr()); err != nil {
		t.Fatal(err)
	}
	if got := e.b.Topics()["q"]; !got.Equal(src) {
		t.Fatalf("target = %+v, want %+v", got, src)
	}
}

// Groups are copied before topics, and ordered and FIFO topics are not
// spread onto the new broker unless asked: the result lists them.
func TestCopyMetadataGroupsFirstOrderedTopicsKept(t *testing.T) {
	for _, spread := range []bool{false, true} {
		e := newEnv(t)
		ordered := admin.NewTopicConfig("ordered")
		ordered.Order = true
		e.a.PutTopics(admin.NewTopicConfig("plain"), ordered, withAttrs(admin.NewTopicConfig("fifo"), "message.type", "FIFO"))
		e.a.PutGroups(admin.NewSubscriptionGroupConfig("g1"))
		e.b.ResetCounts()

		res, err := e.client.CopyMetadataWith(ctxT(t), e.a.Addr(), e.b.Addr(), admin.CopyOptions{SpreadOrderedTopics: spread})
		if err != nil {
			t.Fatal(err)
		}
		var codes []int
		for _, r := range e.b.Requests() {
			if r.Code == admin.CodeUpdateAndCreateTopicList || r.Code == admin.CodeUpdateAndCreateSubscriptionGroups {
				codes = append(codes, r.Code)
			}
		}
		if want := []int{admin.CodeUpdateAndCreateSubscriptionGroups, admin.CodeUpdateAndCreateTopicList}; !reflect.DeepEqual(codes, want) {
			t.Fatalf("spread=%v: batches sent in order %v, want groups then topics %v", spread, codes, want)
		}
		dst := e.b.Topics()
		_, hasOrdered := dst["ordered"]
		_, hasFIFO := dst["fifo"]
		if hasOrdered != spread || hasFIFO != spread {
			t.Fatalf("spread=%v: ordered on target %v, fifo on target %v", spread, hasOrdered, hasFIFO)
		}
		wantSkipped := []string{"fifo", "ordered"}
		if spread {
			wantSkipped = nil
		}
		if !reflect.DeepEqual(res.TopicsOrderedSkipped, wantSkipped) {
			t.Fatalf("spread=%v: ordered skipped = %v, want %v", spread, res.TopicsOrderedSkipped, wantSkipped)
		}
		if _, ok := dst["plain"]; !ok {
			t.Fatalf("spread=%v: plain topic not copied", spread)
		}
	}
}

// Held topics are neither created nor updated on the target, and the
// result names them; everything else is copied as usual.
func TestCopyMetadataHoldsTopics(t *testing.T) {
	e := newEnv(t)
	e.a.PutTopics(admin.NewTopicConfig("moving"), admin.NewTopicConfig("plain"), admin.NewTopicConfig("moving-too"))
	stale := admin.NewTopicConfig("moving-too")
	stale.ReadQueueNums, stale.WriteQueueNums = 2, 2
	e.b.PutTopics(stale)

	res, err := e.client.CopyMetadataWith(ctxT(t), e.a.Addr(), e.b.Addr(),
		admin.CopyOptions{HoldTopics: map[string]bool{"moving": true, "moving-too": true}})
	if err != nil {
		t.Fatal(err)
	}
	dst := e.b.Topics()
	if _, ok := dst["moving"]; ok {
		t.Fatal("a held topic was created on the target")
	}
	if got := dst["moving-too"]; !got.Equal(stale) {
		t.Fatalf("a held topic was updated on the target: %+v", got)
	}
	if _, ok := dst["plain"]; !ok {
		t.Fatal("plain topic not copied")
	}
	if want := []string{"moving", "moving-too"}; !reflect.DeepEqual(res.TopicsHeld, want) {
		t.Fatalf("TopicsHeld = %v, want %v", res.TopicsHeld, want)
	}
}
