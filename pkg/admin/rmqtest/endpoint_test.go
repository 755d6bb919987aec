package rmqtest

import (
	"bufio"
	"net"
	"testing"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// rawCall sends one request on its own connection and returns the answer.
func rawCall(t *testing.T, addr string, cmd *remoting.Command) (*remoting.Command, error) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = nc.Close() }()
	frame, err := remoting.Encode(cmd)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nc.Write(frame); err != nil {
		t.Fatal(err)
	}
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	return remoting.ReadCommand(bufio.NewReader(nc), remoting.MaxFrameLength)
}

func TestFaultsCountFromArming(t *testing.T) {
	ns, err := NewNameServer("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ns.Close() }()
	call := func() int {
		resp, err := rawCall(t, ns.Addr(), &remoting.Command{Code: admin.CodeGetBrokerClusterInfo})
		if err != nil {
			t.Fatal(err)
		}
		return resp.Code
	}
	call()
	ns.FailNth(admin.CodeGetBrokerClusterInfo, 2, admin.CodeSystemBusy, "busy")
	if got := []int{call(), call(), call()}; got[0] != 0 || got[1] != admin.CodeSystemBusy || got[2] != 0 {
		t.Fatalf("codes = %v, want the 2nd call after arming to fail once", got)
	}
	ns.FailAlways(admin.CodeGetBrokerClusterInfo, admin.CodeSystemError, "down")
	if first, second := call(), call(); first != admin.CodeSystemError || second != admin.CodeSystemError {
		t.Fatal("FailAlways did not fail every call")
	}
	ns.ClearFaults()
	if call() != 0 {
		t.Fatal("ClearFaults left a fault armed")
	}
	if n := ns.CallCount(admin.CodeGetBrokerClusterInfo); n != 7 {
		t.Fatalf("CallCount = %d, want 7 (faulted calls included)", n)
	}
	ns.ResetCounts()
	if ns.CallCount(admin.CodeGetBrokerClusterInfo) != 0 || len(ns.Requests()) != 0 {
		t.Fatal("ResetCounts left counts or log")
	}
}

func TestDropConnectionDoesNotHandle(t *testing.T) {
	br, err := NewBroker(BrokerOptions{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = br.Close() }()
	br.DropConnectionOnNth(admin.CodeUpdateAndCreateTopic, 1)
	req := &remoting.Command{Code: admin.CodeUpdateAndCreateTopic, ExtFields: map[string]string{
		"topic": "t", "defaultTopic": "TBW102", "readQueueNums": "1", "writeQueueNums": "1", "perm": "6",
		"topicFilterType": "SINGLE_TAG", "order": "false",
	}}
	if _, err := rawCall(t, br.Addr(), req); err == nil {
		t.Fatal("want the connection closed without an answer")
	}
	if _, ok := br.Topics()["t"]; ok {
		t.Fatal("a dropped request was applied")
	}
	resp, err := rawCall(t, br.Addr(), req)
	if err != nil || resp.Code != 0 {
		t.Fatalf("next call: %+v, %v", resp, err)
	}
}

func TestOversizedRequestClosesConnection(t *testing.T) {
	br, err := NewBroker(BrokerOptions{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = br.Close() }()
	nc, err := net.Dial("tcp", br.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = nc.Close() }()
	if _, err := nc.Write([]byte{0x01, 0x00, 0x00, 0x01}); err != nil { // 16 MiB + 1
		t.Fatal(err)
	}
	_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := nc.Read(make([]byte, 1)); err == nil {
		t.Fatal("want the connection closed")
	}
}

func TestRegisterRejectsSingleTopicOfUnknownBroker(t *testing.T) {
	ns, err := NewNameServer("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ns.Close() }()
	body := `{"topicConfigSerializeWrapper":{"topicConfigTable":{"t":{"topicName":"t","readQueueNums":1,"writeQueueNums":1,"perm":6}},"dataVersion":{"counter":1}},"filterServerList":[]}`
	req := &remoting.Command{Code: admin.CodeRegisterBroker, Body: []byte(body), ExtFields: map[string]string{
		"brokerName": "b", "brokerAddr": "127.0.0.9:1", "clusterName": "c", "haServerAddr": "x", "brokerId": "0",
	}}
	resp, err := rawCall(t, ns.Addr(), req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Code != admin.CodeSystemError || resp.Remark != "register broker failed" {
		t.Fatalf("answer %d %q, want SYSTEM_ERROR \"register broker failed\" (DefaultRequestProcessor)", resp.Code, resp.Remark)
	}
	if _, ok := ns.Route("t"); ok {
		t.Fatal("a one-topic registration of an unregistered broker must be ignored (RouteInfoManager)")
	}
}
