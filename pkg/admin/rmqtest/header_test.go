package rmqtest

import (
	"maps"
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// headerFixture is a NameServer and a broker "b" of cluster "c" holding
// topic "t" (registered, so it has a route) and group "g", with a
// consumer offset of g on t.
type headerFixture struct {
	ns *NameServer
	br *Broker
}

func newHeaderFixture(t *testing.T) *headerFixture {
	t.Helper()
	ns, err := NewNameServer("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ns.Close() })
	br, err := NewBroker(BrokerOptions{Addr: "127.0.0.1:0", ClusterName: "c", BrokerName: "b", NameServers: []string{ns.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = br.Close() })
	tc := admin.NewTopicConfig("t")
	tc.ReadQueueNums, tc.WriteQueueNums = 1, 1
	br.PutTopics(tc)
	br.PutGroups(admin.NewSubscriptionGroupConfig("g"))
	br.SetConsumerOffset("g", "t", 0, 3)
	return &headerFixture{ns: ns, br: br}
}

// without copies fields and drops the named keys.
func without(fields map[string]string, drop ...string) map[string]string {
	out := maps.Clone(fields)
	for _, k := range drop {
		delete(out, k)
	}
	return out
}

// with copies fields and sets key to value.
func with(fields map[string]string, key, value string) map[string]string {
	out := maps.Clone(fields)
	out[key] = value
	return out
}

var (
	createTopicFields = map[string]string{
		"topic": "n", "defaultTopic": "TBW102", "readQueueNums": "2", "writeQueueNums": "2", "perm": "6",
		"topicFilterType": "SINGLE_TAG", "topicSysFlag": "0", "order": "true", "attributes": "+queue.type=BatchCQ",
	}
	registerFields = map[string]string{
		"brokerName": "x", "brokerAddr": "127.0.0.9:10911", "clusterName": "c2", "haServerAddr": "127.0.0.9:10912", "brokerId": "0",
	}
	twoTopicBody = `{"topicConfigSerializeWrapper":{"topicConfigTable":{"u":{"topicName":"u","readQueueNums":1,"writeQueueNums":1,"perm":6},` +
		`"v":{"topicName":"v","readQueueNums":1,"writeQueueNums":1,"perm":6}},"dataVersion":{"counter":1}},"filterServerList":[]}`
)

const nullTopicRemark = "No topic route info in name server for the topic: null\nSee https://rocketmq.apache.org/docs/bestPractice/06FAQ for further details."

// TestMissingHeaderFields sends each served request code with a header
// field missing (or not a number) and expects the Java answer:
// decodeCommandCustomHeader leaves the field null (or at its primitive
// default) and the processor either copes or throws, which
// NettyRemotingAbstract answers with SYSTEM_ERROR and exceptionSimpleDesc.
func TestMissingHeaderFields(t *testing.T) {
	cases := []struct {
		name       string
		toNS       bool
		code       int
		ext        map[string]string
		body       string
		wantCode   int
		wantRemark string
		wantExt    map[string]string
		check      func(t *testing.T, f *headerFixture)
	}{
		{
			name: "17 without order", code: admin.CodeUpdateAndCreateTopic, ext: without(createTopicFields, "order"),
			check: func(t *testing.T, f *headerFixture) {
				if tc, ok := f.br.Topics()["n"]; !ok || tc.Order || tc.ReadQueueNums != 2 {
					t.Fatalf("stored %+v, %v; want order=false (the `Boolean order = false` initializer)", tc, ok)
				}
			},
		},
		{
			name: "17 without defaultTopic, topicSysFlag and attributes", code: admin.CodeUpdateAndCreateTopic,
			ext: without(createTopicFields, "defaultTopic", "topicSysFlag", "attributes"),
		},
		{
			name: "17 with topicSysFlag not a number", code: admin.CodeUpdateAndCreateTopic, ext: with(createTopicFields, "topicSysFlag", "x"),
			check: func(t *testing.T, f *headerFixture) {
				if tc := f.br.Topics()["n"]; tc.TopicSysFlag != 0 {
					t.Fatalf("topicSysFlag %d, want 0 (null becomes 0)", tc.TopicSysFlag)
				}
			},
		},
		{
			name: "17 without topic", code: admin.CodeUpdateAndCreateTopic, ext: without(createTopicFields, "topic"),
			wantCode:   admin.CodeSystemError,
			wantRemark: "java.lang.NullPointerException, org.apache.rocketmq.common.topic.TopicValidator.isSystemTopic(TopicValidator.java:174)",
		},
		{
			name: "17 without topicFilterType", code: admin.CodeUpdateAndCreateTopic, ext: without(createTopicFields, "topicFilterType"),
			wantCode: admin.CodeSystemError,
			wantRemark: "org.apache.rocketmq.remoting.exception.RemotingCommandException: topicFilterType = [null] value invalid, " +
				"org.apache.rocketmq.remoting.protocol.header.CreateTopicRequestHeader.checkFields(CreateTopicRequestHeader.java:63)",
		},
		{
			name: "17 with unknown topicFilterType", code: admin.CodeUpdateAndCreateTopic, ext: with(createTopicFields, "topicFilterType", "REGEX"),
			wantCode: admin.CodeSystemError,
			wantRemark: "org.apache.rocketmq.remoting.exception.RemotingCommandException: topicFilterType = [REGEX] value invalid, " +
				"org.apache.rocketmq.remoting.protocol.header.CreateTopicRequestHeader.checkFields(CreateTopicRequestHeader.java:63)",
		},
		{
			name: "17 without readQueueNums", code: admin.CodeUpdateAndCreateTopic, ext: without(createTopicFields, "readQueueNums"),
			wantCode: admin.CodeSystemError, wantRemark: "",
		},
		{
			name: "17 with perm not a number", code: admin.CodeUpdateAndCreateTopic, ext: with(createTopicFields, "perm", "rw"),
			wantCode: admin.CodeSystemError, wantRemark: "",
		},
		{
			name: "17 with writeQueueNums beyond int", code: admin.CodeUpdateAndCreateTopic, ext: with(createTopicFields, "writeQueueNums", "2147483648"),
			wantCode: admin.CodeSystemError, wantRemark: "",
		},
		{
			name: "17 with a bad name and no readQueueNums", code: admin.CodeUpdateAndCreateTopic,
			ext:      with(without(createTopicFields, "readQueueNums"), "topic", "a b"),
			wantCode: admin.CodeInvalidParameter, wantRemark: "The specified topic: a b" + illegalCharsRemark,
		},
		{
			// Without extFields checkFields is skipped; the null topic fails in the finally block.
			name: "17 without extFields", code: admin.CodeUpdateAndCreateTopic,
			wantCode:   admin.CodeSystemError,
			wantRemark: "java.lang.NullPointerException, org.apache.rocketmq.common.topic.TopicValidator.isSystemTopic(TopicValidator.java:174)",
		},
		{
			name: "351 without topic", code: admin.CodeGetTopicConfig, ext: map[string]string{"lo": "false"},
			wantCode:   admin.CodeSystemError,
			wantRemark: "java.lang.NullPointerException, java.util.concurrent.ConcurrentHashMap.get(ConcurrentHashMap.java:936)",
		},
		{
			name: "215 without topic", code: admin.CodeDeleteTopicInBroker,
			wantCode: admin.CodeInvalidParameter, wantRemark: "The specified topic is blank.",
		},
		{
			name: "352 without group", code: admin.CodeGetSubscriptionGroupConfig,
			wantCode:   admin.CodeSystemError,
			wantRemark: "java.lang.NullPointerException, java.util.concurrent.ConcurrentHashMap.get(ConcurrentHashMap.java:936)",
		},
		{
			name: "207 without groupName", code: admin.CodeDeleteSubscriptionGroup, ext: map[string]string{"cleanOffset": "true"},
			wantCode:   admin.CodeSystemError,
			wantRemark: "java.lang.NullPointerException, java.util.concurrent.ConcurrentHashMap.replaceNode(ConcurrentHashMap.java:1106)",
			check: func(t *testing.T, f *headerFixture) {
				if _, ok := f.br.Groups()["g"]; !ok {
					t.Fatal("group g was deleted")
				}
			},
		},
		{
			name: "207 without cleanOffset", code: admin.CodeDeleteSubscriptionGroup, ext: map[string]string{"groupName": "g"},
			check: func(t *testing.T, f *headerFixture) {
				if _, ok := f.br.Groups()["g"]; ok {
					t.Fatal("group g was not deleted")
				}
			},
		},
		{
			// The offsets are looked up under "t@null": none, so 0.
			name: "208 without consumerGroup, with topicList", code: admin.CodeGetConsumeStats, ext: map[string]string{"topic": "t", "topicList": "t"},
			check: func(t *testing.T, f *headerFixture) {
				resp, err := rawCall(t, f.br.Addr(), &remoting.Command{Code: admin.CodeGetConsumeStats, ExtFields: map[string]string{"topicList": "t"}})
				if err != nil {
					t.Fatal(err)
				}
				want := `{"consumeTps":0.0,"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:{"brokerOffset":0,"consumerOffset":0,"lastTimestamp":0,"pullOffset":0}}}`
				if string(resp.Body) != want {
					t.Fatalf("body %s\nwant %s", resp.Body, want)
				}
			},
		},
		{
			name: "208 without consumerGroup, with topic", code: admin.CodeGetConsumeStats, ext: map[string]string{"topic": "t"},
			wantCode:   admin.CodeSystemError,
			wantRemark: "java.lang.NullPointerException, java.util.concurrent.ConcurrentHashMap.get(ConcurrentHashMap.java:936)",
		},
		{
			name: "208 without consumerGroup and topic", code: admin.CodeGetConsumeStats,
			wantCode:   admin.CodeSystemError,
			wantRemark: "java.lang.NullPointerException, org.apache.rocketmq.broker.offset.ConsumerOffsetManager.whichTopicByConsumer(ConsumerOffsetManager.java:151)",
		},
		{
			name: "202 without topic", code: admin.CodeGetTopicStatsInfo,
			wantCode:   admin.CodeSystemError,
			wantRemark: "java.lang.NullPointerException, java.util.concurrent.ConcurrentHashMap.get(ConcurrentHashMap.java:936)",
		},
		{
			name: "105 without topic", toNS: true, code: admin.CodeGetRouteInfoByTopic, ext: map[string]string{"acceptStandardJsonOnly": "true"},
			wantCode: admin.CodeTopicNotExist, wantRemark: nullTopicRemark,
		},
		{
			name: "216 without topic", toNS: true, code: admin.CodeDeleteTopicInNamesrv, ext: map[string]string{"clusterName": "c"},
			check: func(t *testing.T, f *headerFixture) {
				if _, ok := f.ns.Route("t"); !ok {
					t.Fatal("route of t was deleted")
				}
			},
		},
		{
			name: "205 without brokerName", toNS: true, code: admin.CodeWipeWritePermOfBroker,
			wantExt: map[string]string{"wipeTopicCount": "0"},
		},
		{
			name: "327 without brokerName", toNS: true, code: admin.CodeAddWritePermOfBroker,
			wantExt: map[string]string{"addTopicCount": "0"},
		},
		{
			name: "103 without brokerId", toNS: true, code: admin.CodeRegisterBroker, ext: without(registerFields, "brokerId"), body: twoTopicBody,
			wantCode:   admin.CodeSystemError,
			wantRemark: "java.lang.NullPointerException, org.apache.rocketmq.namesrv.processor.DefaultRequestProcessor.registerBroker(DefaultRequestProcessor.java:253)",
		},
		{
			name: "103 with brokerId not a number", toNS: true, code: admin.CodeRegisterBroker, ext: with(registerFields, "brokerId", "zero"), body: twoTopicBody,
			wantCode:   admin.CodeSystemError,
			wantRemark: "java.lang.NullPointerException, org.apache.rocketmq.namesrv.processor.DefaultRequestProcessor.registerBroker(DefaultRequestProcessor.java:253)",
		},
		{
			name: "103 without clusterName", toNS: true, code: admin.CodeRegisterBroker, ext: without(registerFields, "clusterName"), body: twoTopicBody,
			check: func(t *testing.T, f *headerFixture) {
				if _, ok := f.ns.Route("u"); ok {
					t.Fatal("a registration with a null cluster changed the routes")
				}
				assertClusterAddrTable(t, f, `{"c":["b"]}`)
			},
		},
		{
			name: "103 without brokerName", toNS: true, code: admin.CodeRegisterBroker, ext: without(registerFields, "brokerName"), body: twoTopicBody,
			check: func(t *testing.T, f *headerFixture) {
				if _, ok := f.ns.Route("u"); ok {
					t.Fatal("a registration with a null broker name changed the routes")
				}
				assertClusterAddrTable(t, f, `{"c":["b"],"c2":[null]}`)
			},
		},
		{
			name: "103 without haServerAddr", toNS: true, code: admin.CodeRegisterBroker, ext: without(registerFields, "haServerAddr"), body: twoTopicBody,
			wantExt: map[string]string{},
			check: func(t *testing.T, f *headerFixture) {
				if _, ok := f.ns.Route("u"); !ok {
					t.Fatal("the broker was not registered")
				}
			},
		},
		{
			name: "103 without brokerAddr", toNS: true, code: admin.CodeRegisterBroker, ext: without(registerFields, "brokerAddr"), body: twoTopicBody,
			wantCode: admin.CodeSystemError, wantRemark: "rmqtest: REGISTER_BROKER without brokerAddr is not emulated",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newHeaderFixture(t)
			addr := f.br.Addr()
			if c.toNS {
				addr = f.ns.Addr()
			}
			req := &remoting.Command{Code: c.code, Version: admin.DefaultVersion, ExtFields: c.ext}
			if c.body != "" {
				req.Body = []byte(c.body)
			}
			resp, err := rawCall(t, addr, req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Code != c.wantCode || resp.Remark != c.wantRemark {
				t.Fatalf("answer %d %q\nwant   %d %q", resp.Code, resp.Remark, c.wantCode, c.wantRemark)
			}
			if c.wantExt != nil && !maps.Equal(resp.ExtFields, c.wantExt) {
				t.Fatalf("extFields %v, want %v", resp.ExtFields, c.wantExt)
			}
			if c.check != nil {
				c.check(t, f)
			}
		})
	}
}

// assertClusterAddrTable compares the clusterAddrTable of GET_BROKER_CLUSTER_INFO.
func assertClusterAddrTable(t *testing.T, f *headerFixture, want string) {
	t.Helper()
	resp, err := rawCall(t, f.ns.Addr(), &remoting.Command{Code: admin.CodeGetBrokerClusterInfo})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		ClusterAddrTable rawJSON `json:"clusterAddrTable"`
	}
	if err := remoting.Unmarshal(resp.Body, &got); err != nil {
		t.Fatal(err)
	}
	if string(got.ClusterAddrTable) != want {
		t.Fatalf("clusterAddrTable %s, want %s", got.ClusterAddrTable, want)
	}
}

// TestNoHeaderWithoutExtFields checks the codes that take no header, or
// only optional paging fields (not emulated), answer without extFields.
func TestNoHeaderWithoutExtFields(t *testing.T) {
	f := newHeaderFixture(t)
	for _, c := range []struct {
		addr string
		code int
	}{
		{f.br.Addr(), admin.CodeGetAllTopicConfig}, {f.br.Addr(), admin.CodeGetAllSubscriptionGroupConfig},
		{f.br.Addr(), admin.CodeGetBrokerConfig}, {f.br.Addr(), admin.CodeGetBrokerRuntimeInfo},
		{f.br.Addr(), admin.CodeUpdateBrokerConfig}, {f.br.Addr(), admin.CodeUpdateAndCreateSubscriptionGroup},
		{f.ns.Addr(), admin.CodeGetBrokerClusterInfo},
	} {
		resp, err := rawCall(t, c.addr, &remoting.Command{Code: c.code})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Code != admin.CodeSuccess {
			t.Errorf("code %d: answer %d %q", c.code, resp.Code, resp.Remark)
		}
	}
}

// Without any "topic@group" offset key whichTopicByConsumer(null) finds
// nothing to compare, and the NPE comes from findSubscriptionDataCount.
func TestConsumeStatsOfNullGroupWithoutOffsets(t *testing.T) {
	br, err := NewBroker(BrokerOptions{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = br.Close() }()
	resp, err := rawCall(t, br.Addr(), &remoting.Command{Code: admin.CodeGetConsumeStats, ExtFields: map[string]string{"topic": " "}})
	if err != nil {
		t.Fatal(err)
	}
	want := "java.lang.NullPointerException, java.util.concurrent.ConcurrentHashMap.get(ConcurrentHashMap.java:936)"
	if resp.Code != admin.CodeSystemError || resp.Remark != want {
		t.Fatalf("answer %d %q, want SYSTEM_ERROR %q", resp.Code, resp.Remark, want)
	}
}
