package admin

import (
	"reflect"
	"testing"
)

// Bodies as a Java broker writes them (fastjson), decoded by the client.
func TestDecodeJavaBodies(t *testing.T) {
	var ci ClusterInfo
	body := `{"brokerAddrTable":{"broker-a":{"brokerAddrs":{0:"10.0.0.1:10911",1:"10.0.0.2:10911"},"brokerName":"broker-a","cluster":"c1","enableActingMaster":false,"zoneName":"z1"}},"clusterAddrTable":{"c1":["broker-a"]}}`
	if err := decodeBody([]byte(body), &ci, "ClusterInfo"); err != nil {
		t.Fatal(err)
	}
	want := ClusterInfo{
		BrokerAddrTable: map[string]BrokerData{"broker-a": {
			Cluster: "c1", BrokerName: "broker-a", ZoneName: "z1",
			BrokerAddrs: map[int64]string{0: "10.0.0.1:10911", 1: "10.0.0.2:10911"},
		}},
		ClusterAddrTable: map[string][]string{"c1": {"broker-a"}},
	}
	if !reflect.DeepEqual(ci, want) {
		t.Fatalf("ClusterInfo = %+v\nwant %+v", ci, want)
	}

	var raw struct {
		OffsetTable map[string]OffsetWrapper `json:"offsetTable"`
		ConsumeTps  float64                  `json:"consumeTps"`
	}
	body = `{"consumeTps":1.5,"offsetTable":{{"brokerName":"broker-a","queueId":1,"topic":"t"}:{"brokerOffset":9,"consumerOffset":7,"lastTimestamp":1700000000000,"pullOffset":8}}}`
	if err := decodeBody([]byte(body), &raw, "ConsumeStats"); err != nil {
		t.Fatal(err)
	}
	table, err := decodeQueueKeyed(raw.OffsetTable, "offsetTable")
	if err != nil {
		t.Fatal(err)
	}
	mq := MessageQueue{Topic: "t", BrokerName: "broker-a", QueueID: 1}
	if got := table[mq]; raw.ConsumeTps != 1.5 || got != (OffsetWrapper{9, 7, 8, 1700000000000}) {
		t.Fatalf("ConsumeStats = %v %+v", raw.ConsumeTps, table)
	}
}

func TestDecodeBadBodies(t *testing.T) {
	var ci ClusterInfo
	for _, body := range []string{"", "{", `{"brokerAddrTable":{"b":{"brokerAddrs":{x:"a"}}}}`} {
		if err := decodeBody([]byte(body), &ci, "ClusterInfo"); err == nil {
			t.Errorf("decodeBody(%q) accepted", body)
		}
	}
	if _, err := decodeQueueKeyed(map[string]OffsetWrapper{"not json": {}}, "t"); err == nil {
		t.Error("a non-MessageQueue key was accepted")
	}
}
