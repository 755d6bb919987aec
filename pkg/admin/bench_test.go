package admin_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
)

// BenchmarkCopyMetadata copies 10 000 topics and 2 000 groups onto an empty
// broker (one op = one full copy; goal: under 1 s on loopback).
func BenchmarkCopyMetadata(b *testing.B) {
	ns, err := rmqtest.NewNameServer("127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = ns.Close() }()
	src := benchBroker(b, ns, "src")
	defer func() { _ = src.Close() }()
	src.PutTopics(topicNames(10000, "topic-")...)
	groups := make([]admin.SubscriptionGroupConfig, 2000)
	for i := range groups {
		groups[i] = admin.NewSubscriptionGroupConfig(fmt.Sprintf("group-%04d", i))
	}
	src.PutGroups(groups...)
	c := admin.New(admin.Options{})
	defer func() { _ = c.Close() }()
	ctx := context.Background()
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dst := benchBroker(b, ns, fmt.Sprintf("dst-%d", i))
		b.StartTimer()
		cpu0 := processCPU()
		res, err := c.CopyMetadata(ctx, src.Addr(), dst.Addr())
		cpu += processCPU() - cpu0
		b.StopTimer()
		if err != nil || len(res.TopicsCreated) != 10000 || len(res.GroupsCreated) != 2000 {
			b.Fatalf("copy: %d topics, %d groups, %v", len(res.TopicsCreated), len(res.GroupsCreated), err)
		}
		_ = dst.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
}

// processCPU is the user+system CPU time of the whole test process (client
// and emulator), a figure that, unlike ns/op, does not depend on how busy
// the machine is.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchBroker(b *testing.B, ns *rmqtest.NameServer, name string) *rmqtest.Broker {
	br, err := rmqtest.NewBroker(rmqtest.BrokerOptions{Addr: "127.0.0.1:0", ClusterName: "bench", BrokerName: name, NameServers: []string{ns.Addr()}})
	if err != nil {
		b.Fatal(err)
	}
	return br
}

// BenchmarkInFlight64 measures requests per second on one connection with
// 64 requests in flight (GET_TOPIC_CONFIG round trips).
func BenchmarkInFlight64(b *testing.B) {
	br, err := rmqtest.NewBroker(rmqtest.BrokerOptions{Addr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = br.Close() }()
	br.PutTopics(admin.NewTopicConfig("bench"))
	c := admin.New(admin.Options{})
	defer func() { _ = c.Close() }()
	ctx := context.Background()
	if _, err := c.Topic(ctx, br.Addr(), "bench"); err != nil { // dial outside the timing
		b.Fatal(err)
	}
	var next atomic.Int64
	var failed atomic.Value
	b.ResetTimer()
	start, cpu0 := time.Now(), processCPU()
	var wg sync.WaitGroup
	for w := 0; w < 64; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(b.N) {
				if _, err := c.Topic(ctx, br.Addr(), "bench"); err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
	b.ReportMetric(float64(b.N)/(processCPU()-cpu0).Seconds(), "req/cpu-s")
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
}
