package topictransfer

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// scheduleCodes are the requests a transfer sends; faults land on them.
var scheduleCodes = []int{
	admin.CodeGetBrokerClusterInfo, admin.CodeGetRouteInfoByTopic, admin.CodeGetTopicConfig,
	admin.CodeGetSubscriptionGroupConfig, admin.CodeUpdateAndCreateTopic, admin.CodeUpdateAndCreateTopicList,
	admin.CodeUpdateAndCreateSubscriptionGroup, admin.CodeGetConsumeStats, admin.CodeDeleteTopicInBroker,
	admin.CodeDeleteTopicInNamesrv, admin.CodeDeleteSubscriptionGroup, admin.CodeQueryTopicsByConsumer,
	admin.CodeWipeWritePermOfBroker, admin.CodeAddWritePermOfBroker, admin.CodeGetAllTopicConfig,
	admin.CodeGetBrokerRuntimeInfo, admin.CodeGetTopicStatsInfo, admin.CodeQueryConsumerOffset,
	admin.CodeUpdateConsumerOffset, admin.CodeGetMinOffset,
}

// TestRandomFaultSchedules drives a transfer through seeded random
// schedules of injected errors, timeouts, dropped connections and
// controller restarts that lose the last status write. Every run must end
// Succeeded or RolledBack (or Failed in step 1 or 2, having changed nothing),
// with zero data-loss records. FAULT_SEED=<n> replays one schedule;
// FAULT_SCHEDULES=<n> runs more (default 200, bounded to 2 minutes).
func TestRandomFaultSchedules(t *testing.T) {
	seeds, budget := scheduleSeeds(t)
	deadline := time.Now().Add(budget)
	ran, outcomes := 0, map[string]int{}
	for _, seed := range seeds {
		if time.Now().After(deadline) {
			break
		}
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) { outcomes[runSchedule(t, seed)]++ })
		ran++
	}
	t.Logf("%d fault schedules run: %v", ran, outcomes)
	if len(seeds) > 1 && (outcomes[string(v1alpha1.TransferSucceeded)] == 0 || outcomes[string(v1alpha1.TransferRolledBack)] == 0) {
		t.Errorf("the schedules never reached both Succeeded and RolledBack: they test too little")
	}
}

func scheduleSeeds(t *testing.T) ([]uint64, time.Duration) {
	if v := os.Getenv("FAULT_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("FAULT_SEED=%q: %v", v, err)
		}
		return []uint64{s}, time.Hour
	}
	n := 200
	if v := os.Getenv("FAULT_SCHEDULES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			t.Fatalf("FAULT_SCHEDULES=%q: %v", v, err)
		}
	}
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	return seeds, 2 * time.Minute
}

// runSchedule is one seeded run; a failure names the seed to replay. It
// returns the final phase (with the step for Failed).
func runSchedule(t *testing.T, seed uint64) string {
	rnd := rand.New(rand.NewPCG(seed, 0x5eed))
	r := newRig(t)
	endpoints := append(append([]*rmqtest.Endpoint{r.srcNS.Endpoint, r.tgtNS.Endpoint}, r.src[0].Endpoint, r.src[1].Endpoint), r.tgt[0].Endpoint, r.tgt[1].Endpoint)
	var armed []string
	for range 1 + rnd.IntN(4) {
		ep, code, n := endpoints[rnd.IntN(len(endpoints))], scheduleCodes[rnd.IntN(len(scheduleCodes))], 1+rnd.IntN(3)
		switch rnd.IntN(3) {
		case 0:
			ep.FailNth(code, n, admin.CodeSystemError, "injected")
			armed = append(armed, fmt.Sprintf("fail %d#%d", code, n))
		case 1:
			ep.DelayNth(code, n, 200*time.Millisecond) // past the per-call timeout below
			armed = append(armed, fmt.Sprintf("timeout %d#%d", code, n))
		default:
			ep.DropConnectionOnNth(code, n)
			armed = append(armed, fmt.Sprintf("drop %d#%d", code, n))
		}
	}
	// An outage: one endpoint fails a code on every call for a window of
	// transitions, long enough to spend a step's attempts and roll back.
	outEP, outCode := endpoints[rnd.IntN(len(endpoints))], scheduleCodes[rnd.IntN(len(scheduleCodes))]
	outFrom, outLen := rnd.IntN(20), rnd.IntN(9)
	if outLen > 0 {
		armed = append(armed, fmt.Sprintf("outage %d from transition %d for %d", outCode, outFrom, outLen))
	}
	st := &v1alpha1.TopicTransferStatus{}
	in := r.input(r.admin)
	load := newScheduleLoad(rnd, r)
	if load != nil {
		armed = append(armed, load.String())
	}
	restarts := 0
	for step := 0; step < 500 && !st.Phase.Final(); step++ {
		load.tick(step)
		switch {
		case outLen > 0 && step == outFrom:
			outEP.FailAlways(outCode, admin.CodeSystemError, "outage")
		case outLen > 0 && step == outFrom+outLen:
			outEP.ClearFaults()
		}
		before := st.DeepCopy()
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		machine().Advance(ctx, in, st) // a new Machine each time: nothing survives but status
		cancel()
		if rnd.IntN(10) == 0 {
			*st = *before // restarted before the status write landed: the step runs again
			restarts++
		}
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("replay with FAULT_SEED=%d; faults %v, %d restarts; final %s step %d: %s", seed, armed, restarts, st.Phase, st.Step, st.Message)
		}
	})
	switch {
	case st.Phase == v1alpha1.TransferSucceeded:
		r.assertTransferred(t)
	case st.Phase == v1alpha1.TransferRolledBack:
	case st.Phase == v1alpha1.TransferFailed && st.Step <= v1alpha1.StepNumberSnapshot: // nothing changed yet
	default:
		t.Fatalf("ended %s in step %d: %s", st.Phase, st.Step, st.Message)
	}
	lost := rmqtest.CollectDataLoss(r.srcNS, r.tgtNS, r.src[0], r.src[1], r.tgt[0], r.tgt[1])
	if len(lost) > 0 {
		t.Fatalf("data lost: %v", lost)
	}
	return string(st.Phase)
}
