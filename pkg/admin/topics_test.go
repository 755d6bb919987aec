package admin_test

import (
	"errors"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
)

func TestCreateTopicSendsTheJavaHeaderFields(t *testing.T) {
	e := newEnv(t)
	tc := admin.NewTopicConfig("orders")
	tc.ReadQueueNums, tc.WriteQueueNums = 8, 4
	tc.Attributes = map[string]string{"message.type": "FIFO", "queue.type": "SimpleCQ"}
	if err := e.client.CreateTopic(ctxT(t), e.a.Addr(), tc); err != nil {
		t.Fatal(err)
	}
	reqs := e.a.Requests()
	got := reqs[len(reqs)-1]
	// The fields CreateTopicRequestHeader.makeCustomHeaderToNet sends for
	// mqadmin updateTopic: every non-null field, force defaulting to false.
	want := map[string]string{
		"topic": "orders", "defaultTopic": "TBW102", "readQueueNums": "8", "writeQueueNums": "4",
		"perm": "6", "topicFilterType": "SINGLE_TAG", "topicSysFlag": "0", "order": "false",
		"force": "false", "attributes": "+message.type=FIFO,+queue.type=SimpleCQ",
	}
	if got.Code != admin.CodeUpdateAndCreateTopic || !maps.Equal(got.ExtFields, want) {
		t.Fatalf("request %d %v\nwant %v", got.Code, got.ExtFields, want)
	}
	stored := e.a.Topics()["orders"]
	if !stored.Equal(tc) {
		t.Fatalf("stored %+v, want %+v", stored, tc)
	}
}

func TestTopicLifecycle(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	tc := admin.NewTopicConfig("orders")
	if err := e.client.CreateTopic(ctx, e.a.Addr(), tc); err != nil {
		t.Fatal(err)
	}
	got, err := e.client.Topic(ctx, e.a.Addr(), "orders")
	if err != nil || !got.Equal(tc) {
		t.Fatalf("Topic = %+v, %v; want %+v", got, err, tc)
	}
	all, err := e.client.Topics(ctx, e.a.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if !all["orders"].Equal(tc) || !all["TBW102"].Equal(e.a.Topics()["TBW102"]) {
		t.Fatalf("Topics misses entries: %v", all["orders"])
	}
	route, err := e.client.TopicRoute(ctx, e.ns.Addr(), "orders")
	if err != nil || len(route.QueueDatas) != 1 || route.QueueDatas[0].BrokerName != "broker-a" ||
		route.BrokerDatas[0].MasterAddr() != e.a.Addr() {
		t.Fatalf("route after create = %+v, %v", route, err)
	}
	if err := e.client.DeleteTopicInBroker(ctx, e.a.Addr(), "orders"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.Topic(ctx, e.a.Addr(), "orders"); !errors.Is(err, admin.ErrTopicNotExist) {
		t.Fatalf("Topic after delete: %v, want ErrTopicNotExist", err)
	}
	// The broker does not deregister a deleted topic: the route stays until
	// DELETE_TOPIC_IN_NAMESRV, which is why mqadmin deleteTopic sends both.
	if _, err := e.client.TopicRoute(ctx, e.ns.Addr(), "orders"); err != nil {
		t.Fatalf("route right after broker delete: %v", err)
	}
	if err := e.client.DeleteTopicInNameServer(ctx, e.ns.Addr(), "orders", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.TopicRoute(ctx, e.ns.Addr(), "orders"); !errors.Is(err, admin.ErrTopicNotExist) {
		t.Fatalf("route after namesrv delete: %v, want ErrTopicNotExist", err)
	}
}

func TestCreateTopicIsIdempotentAndVersioned(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	tc := admin.NewTopicConfig("orders")
	v0 := e.a.TopicDataVersion()
	if err := e.client.CreateTopic(ctx, e.a.Addr(), tc); err != nil {
		t.Fatal(err)
	}
	v1 := e.a.TopicDataVersion()
	if v1.Counter != v0.Counter+1 {
		t.Fatalf("create moved the data version %d -> %d, want +1", v0.Counter, v1.Counter)
	}
	if err := e.client.CreateTopic(ctx, e.a.Addr(), tc); err != nil {
		t.Fatal(err)
	}
	if v2 := e.a.TopicDataVersion(); v2 != v1 {
		t.Fatalf("an identical create changed the data version: %+v -> %+v", v1, v2)
	}
	tc.WriteQueueNums = 4
	if err := e.client.CreateTopic(ctx, e.a.Addr(), tc); err != nil {
		t.Fatal(err)
	}
	if v3 := e.a.TopicDataVersion(); v3.Counter != v1.Counter+1 {
		t.Fatalf("an update did not move the data version: %+v", v3)
	}
	route, err := e.client.TopicRoute(ctx, e.ns.Addr(), "orders")
	if err != nil || route.QueueDatas[0].WriteQueueNums != 4 {
		t.Fatalf("route does not reflect the update: %+v, %v", route, err)
	}
}

func TestCreateTopicValidation(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name    string
		tc      admin.TopicConfig
		want    error
		remark  string
		mutate  func(*admin.TopicConfig)
		noStore bool
	}{
		{name: "blank", tc: admin.NewTopicConfig(""), want: admin.ErrInvalidParameter, remark: "The specified topic is blank."},
		{name: "illegal characters", tc: admin.NewTopicConfig("a b"), want: admin.ErrInvalidParameter, remark: "contains illegal characters"},
		{name: "too long", tc: admin.NewTopicConfig(strings.Repeat("x", 128)), want: admin.ErrInvalidParameter, remark: "longer than topic max length: 127"},
		{name: "system topic", tc: admin.NewTopicConfig("SCHEDULE_TOPIC_XXXX"), want: admin.ErrInvalidParameter, remark: "conflict with system topic"},
		{name: "own broker name", tc: admin.NewTopicConfig("broker-a"), want: admin.ErrInvalidParameter, remark: "conflict with system topic"},
		{name: "rmq_sys_ prefix", tc: admin.NewTopicConfig("rmq_sys_x"), want: admin.ErrInvalidParameter, remark: "conflict with system topic"},
		{name: "MIXED message type", tc: withAttrs(admin.NewTopicConfig("m"), "message.type", "MIXED"), want: admin.ErrInvalidParameter, remark: "MIXED message type is not supported."},
		{name: "unknown attribute", tc: withAttrs(admin.NewTopicConfig("u"), "no.such", "x"), want: admin.ErrSystem, remark: "unsupported key: no.such"},
		{name: "bad attribute value", tc: withAttrs(admin.NewTopicConfig("v"), "queue.type", "Nope"), want: admin.ErrSystem, remark: "value is not in set"},
		{name: "bad filter type", tc: func() admin.TopicConfig { tc := admin.NewTopicConfig("f"); tc.TopicFilterType = "REGEX"; return tc }(), want: admin.ErrSystem, remark: "topicFilterType = [REGEX] value invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := e.client.CreateTopic(ctxT(t), e.a.Addr(), c.tc)
			var re *admin.ResponseError
			if !errors.Is(err, c.want) || !errors.As(err, &re) || !strings.Contains(re.Remark, c.remark) {
				t.Fatalf("got %v, want %v with remark containing %q", err, c.want, c.remark)
			}
		})
	}
}

func withAttrs(tc admin.TopicConfig, kv ...string) admin.TopicConfig {
	tc.Attributes = map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		tc.Attributes[kv[i]] = kv[i+1]
	}
	return tc
}

func TestSetTopicPermKeepsConfigAndAttributes(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	tc := withAttrs(admin.NewTopicConfig("orders"), "queue.type", "SimpleCQ", "message.type", "NORMAL")
	tc.ReadQueueNums, tc.WriteQueueNums, tc.Order = 3, 5, true
	if err := e.client.CreateTopic(ctx, e.a.Addr(), tc); err != nil {
		t.Fatal(err)
	}
	if err := e.client.SetTopicPerm(ctx, e.a.Addr(), "orders", admin.PermRead); err != nil {
		t.Fatal(err)
	}
	want := tc
	want.Perm = admin.PermRead
	if got := e.a.Topics()["orders"]; !got.Equal(want) {
		t.Fatalf("after SetTopicPerm %+v, want %+v", got, want)
	}
	route, err := e.client.TopicRoute(ctx, e.ns.Addr(), "orders")
	if err != nil || route.QueueDatas[0].Perm != admin.PermRead {
		t.Fatalf("route perm = %+v, %v", route, err)
	}
	e.a.ResetCounts()
	if err := e.client.SetTopicPerm(ctx, e.a.Addr(), "orders", admin.PermRead); err != nil {
		t.Fatal(err)
	}
	if n := e.a.CallCount(admin.CodeUpdateAndCreateTopic); n != 0 {
		t.Fatalf("unchanged perm still sent %d creates", n)
	}
	if err := e.client.SetTopicPerm(ctx, e.a.Addr(), "nope", 6); !errors.Is(err, admin.ErrTopicNotExist) {
		t.Fatalf("SetTopicPerm on a missing topic: %v", err)
	}
}

func TestCreateTopicsBatch(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	tcs := topicNames(1200, "t")
	tcs[7] = withAttrs(tcs[7], "message.type", "DELAY")
	if err := e.client.CreateTopics(ctx, e.a.Addr(), tcs); err != nil {
		t.Fatal(err)
	}
	if n := e.a.CallCount(admin.CodeUpdateAndCreateTopicList); n != 3 {
		t.Fatalf("sent %d batches for 1200 topics, want 3 of at most 500", n)
	}
	got := e.a.Topics()
	for _, tc := range tcs {
		if !got[tc.TopicName].Equal(tc) {
			t.Fatalf("topic %s = %+v, want %+v", tc.TopicName, got[tc.TopicName], tc)
		}
	}
	if _, err := e.client.TopicRoute(ctx, e.ns.Addr(), "t01199"); err != nil {
		t.Fatalf("batch topics not registered: %v", err)
	}
}

// The 5.3 early return: a batch whose first topic is unchanged is answered
// SUCCESS and nothing after it is created. The emulator reproduces it so
// that callers (CopyMetadata) are tested for sending only what differs.
func TestBatchEarlyReturnIsReproduced(t *testing.T) {
	for _, fixed := range []bool{false, true} {
		e := newEnv(t)
		ctx := ctxT(t)
		_ = e.a.Close()
		var err error
		e.a, err = newBrokerLike(e, "broker-a", func(o *brokerOpts) { o.FixedBatchCreate = fixed })
		if err != nil {
			t.Fatal(err)
		}
		existing := admin.NewTopicConfig("existing")
		if err := e.client.CreateTopic(ctx, e.a.Addr(), existing); err != nil {
			t.Fatal(err)
		}
		batch := append([]admin.TopicConfig{existing}, topicNames(3, "new")...)
		if err := e.client.CreateTopics(ctx, e.a.Addr(), batch); err != nil {
			t.Fatalf("batch: %v", err)
		}
		_, created := e.a.Topics()["new00002"]
		if created != fixed {
			t.Fatalf("fixed=%v: later topics created=%v", fixed, created)
		}
	}
}

func TestCreateTopicsFallsBackWithoutBatchCode(t *testing.T) {
	e := newEnv(t)
	_ = e.a.Close()
	var err error
	e.a, err = newBrokerLike(e, "broker-a", func(o *brokerOpts) { o.WithoutBatchCodes = true })
	if err != nil {
		t.Fatal(err)
	}
	tcs := topicNames(4, "old")
	if err := e.client.CreateTopics(ctxT(t), e.a.Addr(), tcs); err != nil {
		t.Fatal(err)
	}
	if n18, n17 := e.a.CallCount(admin.CodeUpdateAndCreateTopicList), e.a.CallCount(admin.CodeUpdateAndCreateTopic); n18 != 1 || n17 != 4 {
		t.Fatalf("sent %d batch and %d single creates, want 1 and 4", n18, n17)
	}
	got := e.a.Topics()
	for _, tc := range tcs {
		if !reflect.DeepEqual(got[tc.TopicName].TopicName, tc.TopicName) {
			t.Fatalf("topic %s missing after fallback", tc.TopicName)
		}
	}
}
