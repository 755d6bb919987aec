package admin_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/internal/remoting"
)

// Many calls share one connection; a slow response does not hold back the
// ones behind it, and each caller gets its own answer (opaque matching).
func TestInFlightOutOfOrder(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	tcs := topicNames(64, "fast")
	e.a.PutTopics(append(tcs, admin.NewTopicConfig("slow"))...)
	e.a.DelayNth(admin.CodeGetTopicConfig, 1, time.Second)
	slowDone := make(chan time.Time, 1)
	go func() {
		tc, err := e.client.Topic(ctx, e.a.Addr(), "slow")
		if err != nil || tc.TopicName != "slow" {
			t.Errorf("slow call = %+v, %v", tc, err)
		}
		slowDone <- time.Now()
	}()
	waitFor(t, func() bool { return e.a.CallCount(admin.CodeGetTopicConfig) == 1 })
	var wg sync.WaitGroup
	errs := make(chan error, len(tcs))
	for _, want := range tcs {
		wg.Add(1)
		go func(name string) {
			defer wg.Done()
			tc, err := e.client.Topic(ctx, e.a.Addr(), name)
			if err == nil && tc.TopicName != name {
				err = fmt.Errorf("asked for %s, got %s", name, tc.TopicName)
			}
			if err != nil {
				errs <- err
			}
		}(want.TopicName)
	}
	wg.Wait()
	fastDone := time.Now()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if slow := <-slowDone; slow.Before(fastDone) {
		t.Fatal("the delayed response arrived before the later ones: responses were not out of order")
	}
}

func TestOversizedResponseIsRefused(t *testing.T) {
	e := newEnv(t)
	small := admin.New(admin.Options{MaxFrameLength: 1024})
	defer func() { _ = small.Close() }()
	_, err := small.Topics(ctxT(t), e.a.Addr()) // the system topic table alone is > 1 KiB
	if !errors.Is(err, admin.ErrConnectionLost) || !errors.Is(err, admin.ErrFrameTooLarge) {
		t.Fatalf("got %v, want ErrConnectionLost wrapping ErrFrameTooLarge", err)
	}
	if _, err := small.BrokerRuntimeInfo(ctxT(t), e.a.Addr()); err != nil {
		t.Fatalf("a small response after redial: %v", err)
	}
}

func TestCloseFailsCallsInFlightAndAfter(t *testing.T) {
	e := newEnv(t)
	c := admin.New(admin.Options{})
	e.a.DelayNth(admin.CodeGetBrokerConfig, 1, time.Minute)
	done := make(chan error, 1)
	go func() {
		_, err := c.BrokerConfig(context.Background(), e.a.Addr())
		done <- err
	}()
	waitFor(t, func() bool { return e.a.CallCount(admin.CodeGetBrokerConfig) == 1 })
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, admin.ErrConnectionLost) || !errors.Is(err, admin.ErrClosed) {
			t.Fatalf("in-flight call: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end the call in flight")
	}
	if _, err := c.BrokerConfig(ctxT(t), e.a.Addr()); !errors.Is(err, admin.ErrClosed) {
		t.Fatalf("call after Close: %v", err)
	}
}

func TestRedialAfterServerDropsConnections(t *testing.T) {
	e := newEnv(t)
	ctx := ctxT(t)
	if _, err := e.client.BrokerConfig(ctx, e.a.Addr()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		e.a.CloseConnections()
		if _, err := e.client.BrokerConfig(ctx, e.a.Addr()); err != nil {
			t.Fatalf("call %d after the server closed the connection: %v", i, err)
		}
	}
}

func TestBinaryResponses(t *testing.T) {
	e := newEnv(t, func(o *brokerOpts) { o.BinaryResponses = true })
	ctx := ctxT(t)
	if err := e.client.CreateTopic(ctx, e.a.Addr(), admin.NewTopicConfig("bin")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.Topic(ctx, e.a.Addr(), "nope"); !errors.Is(err, admin.ErrTopicNotExist) {
		t.Fatalf("binary error response: %v", err)
	}
	cfg, err := e.client.BrokerConfig(ctx, e.a.Addr())
	if err != nil || cfg["brokerName"] != "broker-a" {
		t.Fatalf("binary response: %v, %v", cfg["brokerName"], err)
	}
}

func TestDialFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now
	c := admin.New(admin.Options{DialTimeout: time.Second})
	defer func() { _ = c.Close() }()
	if _, err := c.ClusterInfo(ctxT(t), addr); err == nil {
		t.Fatal("want a dial error")
	}
}

// The emulator answers codes it does not know like NettyRemotingAbstract.
func TestUnknownRequestCode(t *testing.T) {
	e := newEnv(t)
	for _, addr := range []string{e.a.Addr(), e.ns.Addr()} {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		frame, _ := remoting.Encode(&remoting.Command{Code: 9999, Language: "GO", Opaque: 42})
		if _, err := nc.Write(frame); err != nil {
			t.Fatal(err)
		}
		_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := remoting.ReadCommand(bufio.NewReader(nc), remoting.MaxFrameLength)
		_ = nc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.Code != admin.CodeRequestCodeNotSupported || resp.Opaque != 42 || !resp.IsResponse() ||
			resp.Remark != " request type 9999 not supported" {
			t.Fatalf("response = %+v", resp)
		}
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Java servers close connections idle for 120 s; the next call redials.
func TestServerIdleClose(t *testing.T) {
	e := newEnv(t)
	e.a.SetIdleTimeout(50 * time.Millisecond)
	ctx := ctxT(t)
	before := e.a.AcceptedConnections()
	for i := 0; i < 3; i++ {
		if _, err := e.client.BrokerRuntimeInfo(ctx, e.a.Addr()); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		time.Sleep(150 * time.Millisecond)
	}
	if n := e.a.AcceptedConnections() - before; n != 3 {
		t.Fatalf("%d new connections, want one per call after each idle close", n)
	}
	// Usually 3; a resend happens if a call raced the close.
	if n := e.a.CallCount(admin.CodeGetBrokerRuntimeInfo); n < 3 {
		t.Fatalf("%d requests reached the broker, want at least 3", n)
	}
}
