package fanout

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestEachRunsEveryIndexWithinTheLimit(t *testing.T) {
	var running, peak atomic.Int32
	out := make([]int, 20)
	Each(len(out), 3, func(i int) {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		out[i] = i * i
		running.Add(-1)
	})
	for i, v := range out {
		if v != i*i {
			t.Fatalf("index %d: got %d", i, v)
		}
	}
	if p := peak.Load(); p > 3 || p < 2 {
		t.Fatalf("peak concurrency %d, want 2..3", p)
	}
}

func TestEachSlowCallDoesNotHoldOthers(t *testing.T) {
	release := make(chan struct{})
	done := make(chan struct{})
	var fast atomic.Int32
	go func() {
		Each(5, 0, func(i int) {
			if i == 0 {
				<-release
				return
			}
			fast.Add(1)
		})
		close(done)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for fast.Load() < 4 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if fast.Load() != 4 {
		t.Fatalf("fast calls done: %d, want 4 while one call hangs", fast.Load())
	}
	close(release)
	<-done
}

func TestEachZero(t *testing.T) {
	Each(0, 2, func(int) { t.Fatal("called") })
}
