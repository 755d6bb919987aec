package rmqtest

import (
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// Body fixtures: what fastjson's JSON.toJSONString writes for the Java
// objects (getters sorted by name, nulls left out, non-String map keys
// written as-is), compared byte for byte with the emulator's answers.
func TestBodiesMatchFastjson(t *testing.T) {
	ns, err := NewNameServer("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ns.Close() }()
	br, err := NewBroker(BrokerOptions{Addr: "127.0.0.1:0", ClusterName: "c", BrokerName: "b", NameServers: []string{ns.Addr()}})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = br.Close() }()
	tc := admin.NewTopicConfig("t")
	tc.ReadQueueNums, tc.WriteQueueNums = 1, 1
	br.PutTopics(tc)
	br.SetQueueOffsets("t", 0, 10)
	br.SetConsumerOffset("g", "t", 0, 4)

	cases := []struct {
		name string
		addr string
		req  *remoting.Command
		want string
	}{
		{
			// ConsumeStats{offsetTable: Map<MessageQueue, OffsetWrapper>, consumeTps}:
			// MessageQueue keys are whole objects.
			name: "ConsumeStats", addr: br.Addr(),
			req:  &remoting.Command{Code: admin.CodeGetConsumeStats, ExtFields: map[string]string{"consumerGroup": "g", "topic": "t"}},
			want: `{"consumeTps":0.0,"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:{"brokerOffset":10,"consumerOffset":4,"lastTimestamp":0,"pullOffset":4}}}`,
		},
		{
			name: "TopicStatsTable", addr: br.Addr(),
			req:  &remoting.Command{Code: admin.CodeGetTopicStatsInfo, ExtFields: map[string]string{"topic": "t"}},
			want: `{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:{"lastUpdateTimestamp":0,"maxOffset":10,"minOffset":0}},"topicPutTps":0.0}`,
		},
		{
			// ClusterInfo: HashMap<Long,String> brokerAddrs with bare keys.
			name: "ClusterInfo", addr: ns.Addr(),
			req: &remoting.Command{Code: admin.CodeGetBrokerClusterInfo},
			want: `{"brokerAddrTable":{"b":{"brokerAddrs":{0:"` + br.Addr() + `"},"brokerName":"b","cluster":"c","enableActingMaster":false}},` +
				`"clusterAddrTable":{"c":["b"]}}`,
		},
		{
			// TopicRouteData for a pre-4.9.4 client (version 317): fastjson default.
			name: "TopicRouteData old client", addr: ns.Addr(),
			req: &remoting.Command{Code: admin.CodeGetRouteInfoByTopic, Version: 317, ExtFields: map[string]string{"topic": "t"}},
			want: `{"brokerDatas":[{"brokerAddrs":{0:"` + br.Addr() + `"},"brokerName":"b","cluster":"c","enableActingMaster":false}],` +
				`"filterServerTable":{},"queueDatas":[{"brokerName":"b","perm":6,"readQueueNums":1,"topicSysFlag":0,"writeQueueNums":1}]}`,
		},
		{
			// The same route for version >= 401: quoted keys (standard JSON).
			name: "TopicRouteData standard", addr: ns.Addr(),
			req: &remoting.Command{Code: admin.CodeGetRouteInfoByTopic, Version: 479, ExtFields: map[string]string{"topic": "t"}},
			want: `{"brokerDatas":[{"brokerAddrs":{"0":"` + br.Addr() + `"},"brokerName":"b","cluster":"c","enableActingMaster":false}],` +
				`"filterServerTable":{},"queueDatas":[{"brokerName":"b","perm":6,"readQueueNums":1,"topicSysFlag":0,"writeQueueNums":1}]}`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, err := rawCall(t, c.addr, c.req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Code != 0 || string(resp.Body) != c.want {
				t.Fatalf("code %d body\n%s\nwant\n%s", resp.Code, resp.Body, c.want)
			}
		})
	}
}
