package remoting

import (
	"encoding/json"
	"testing"
)

func TestNormalize(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"standard JSON unchanged", `{"a":[1,2.5e3,true,null,"x\"y"]}`, `{"a":[1,2.5e3,true,null,"x\"y"]}`},
		// ClusterInfo / TopicRouteData brokerAddrs: HashMap<Long,String>.
		{"bare integer keys", `{"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"}}`,
			`{"brokerAddrs":{"0":"10.0.0.1:10911","1":"10.0.0.2:10911"}}`},
		{"negative integer key", `{-1:"x"}`, `{"-1":"x"}`},
		// ConsumeStats / TopicStatsTable: Map<MessageQueue, V>.
		{"object keys", `{"offsetTable":{{"brokerName":"b","queueId":0,"topic":"t"}:{"brokerOffset":5}}}`,
			`{"offsetTable":{"{\"brokerName\":\"b\",\"queueId\":0,\"topic\":\"t\"}":{"brokerOffset":5}}}`},
		{"object key with bare key inside", `{{0:"a"}:1}`, `{"{\"0\":\"a\"}":1}`},
		{"whitespace", " {\n\t0 : \"a\" ,\r\n 1:[ ] } ", `{"0":"a","1":[]}`},
		{"empty containers", `{"a":{},"b":[]}`, `{"a":{},"b":[]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Normalize([]byte(c.in))
			if err != nil {
				t.Fatalf("Normalize: %v", err)
			}
			if string(got) != c.want {
				t.Fatalf("got  %s\nwant %s", got, c.want)
			}
			if !json.Valid(got) {
				t.Fatalf("output is not valid JSON: %s", got)
			}
		})
	}
}

func TestNormalizeRejects(t *testing.T) {
	for _, in := range []string{``, `{`, `{"a"}`, `{"a":}`, `[1,]`, `{"a":1,}`, `"abc`, `{:1}`, `[1 2]`, `{} {}`, `@`} {
		if out, err := Normalize([]byte(in)); err == nil {
			t.Errorf("Normalize(%q) = %s, want an error", in, out)
		}
	}
}

func TestNormalizeDepthLimit(t *testing.T) {
	deep := make([]byte, 0, 2*maxDepth+10)
	for i := 0; i < maxDepth+5; i++ {
		deep = append(deep, '[')
	}
	for i := 0; i < maxDepth+5; i++ {
		deep = append(deep, ']')
	}
	if _, err := Normalize(deep); err == nil {
		t.Fatal("want an error for nesting beyond the limit")
	}
}

func TestUnmarshalIntegerKeyedMap(t *testing.T) {
	var v struct {
		BrokerAddrs map[int64]string `json:"brokerAddrs"`
	}
	if err := Unmarshal([]byte(`{"brokerAddrs":{0:"a:1",2:"b:2"}}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.BrokerAddrs[0] != "a:1" || v.BrokerAddrs[2] != "b:2" || len(v.BrokerAddrs) != 2 {
		t.Fatalf("got %v", v.BrokerAddrs)
	}
}
