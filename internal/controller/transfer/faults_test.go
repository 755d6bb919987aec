package transfer

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// failFirst fails the next n requests with this code at the endpoint.
func failFirst(e *rmqtest.Endpoint, code, n int) { failRange(e, code, 1, n) }

// failRange fails the from-th to the to-th next requests with this code.
func failRange(e *rmqtest.Endpoint, code, from, to int) {
	for i := from; i <= to; i++ {
		e.FailNth(code, i, admin.CodeSystemError, fmt.Sprintf("injected failure of request %d with code %d", i, code))
	}
}

// fault fails requests from-th to to-th (counted from the start) with
// code at one emulator; to == always fails every one of them.
type fault struct {
	at       func(*fixture) *rmqtest.Endpoint
	code     int
	from, to int
}

const (
	always = -1
	// dropConnection in `to` closes the connection on request `from`
	// instead of answering it with an error.
	dropConnection = -2
)

func (ft fault) arm(f *fixture) {
	if ft.to == dropConnection {
		ft.at(f).DropConnectionOnNth(ft.code, ft.from)
		return
	}
	if ft.to == always {
		ft.at(f).FailAlways(ft.code, admin.CodeSystemError, "injected")
		return
	}
	failRange(ft.at(f), ft.code, ft.from, ft.to)
}

// fired checks that the emulator saw every injected failure (for "always",
// at least the controller's three attempts): a fault that never fired
// proves nothing.
func (ft fault) fired(t *testing.T, f *fixture) {
	t.Helper()
	want := ft.to
	switch ft.to {
	case always:
		want = 3
	case dropConnection:
		want = ft.from + 1 // the dropped request, then its retry
	}
	assert.GreaterOrEqual(t, ft.at(f).CallCount(ft.code), want, "requests with code %d", ft.code)
}

// faultCase injects admin failures into one step (or into the rollback)
// and says how the transfer must end. The controller runs with
// MaxAttempts 3: a fault that outlasts three attempts fails steps 1-2,
// rolls back steps 3-5, and is outlasted by step 6 and by rollbacks,
// which retry until they succeed.
type faultCase struct {
	name   string
	step   v1alpha1.TransferStep
	faults []fault
	want   v1alpha1.TransferPhase
	reason string // of the Ready condition
}

func faultMatrix() []faultCase {
	src0 := func(f *fixture) *rmqtest.Endpoint { return f.src.brokers[0].Endpoint }
	src1 := func(f *fixture) *rmqtest.Endpoint { return f.src.brokers[1].Endpoint }
	tgt0 := func(f *fixture) *rmqtest.Endpoint { return f.tgt.brokers[0].Endpoint }
	tgt1 := func(f *fixture) *rmqtest.Endpoint { return f.tgt.brokers[1].Endpoint }
	srcNS := func(f *fixture) *rmqtest.Endpoint { return f.src.ns.Endpoint }
	tgtNS := func(f *fixture) *rmqtest.Endpoint { return f.tgt.ns.Endpoint }
	failed, rolledBack, succeeded := v1alpha1.TransferFailed, v1alpha1.TransferRolledBack, v1alpha1.TransferSucceeded
	stepFailed := string(v1alpha1.RollbackStepFailed)
	drainFails := fault{src0, admin.CodeGetConsumeStats, 1, 3}
	targetTopicFails := fault{tgt1, admin.CodeUpdateAndCreateTopic, 1, always}
	return []faultCase{
		{"source cluster info always fails", v1alpha1.StepCheck,
			[]fault{{srcNS, admin.CodeGetBrokerClusterInfo, 1, always}}, failed, v1alpha1.ReasonClusterUnavailable},
		{"target cluster info fails once", v1alpha1.StepCheck,
			[]fault{{tgtNS, admin.CodeGetBrokerClusterInfo, 1, 1}}, succeeded, v1alpha1.ReasonSucceeded},
		{"source route lookup fails once", v1alpha1.StepCheck,
			[]fault{{srcNS, admin.CodeGetRouteInfoByTopic, 1, 1}}, succeeded, v1alpha1.ReasonSucceeded},
		{"source group lookup always fails", v1alpha1.StepCheck,
			[]fault{{src0, admin.CodeGetSubscriptionGroupConfig, 1, always}}, failed, v1alpha1.ReasonClusterUnavailable},
		{"snapshot read always fails", v1alpha1.StepSnapshot,
			[]fault{{src1, admin.CodeGetTopicConfig, 1, always}}, failed, v1alpha1.ReasonClusterUnavailable},
		{"snapshot read fails twice", v1alpha1.StepSnapshot,
			[]fault{{src0, admin.CodeGetTopicConfig, 1, 2}}, succeeded, v1alpha1.ReasonSucceeded},
		{"group create on second target broker always fails", v1alpha1.StepCreateOnTarget,
			[]fault{{tgt1, admin.CodeUpdateAndCreateSubscriptionGroup, 1, always}}, rolledBack, stepFailed},
		{"topic create on target always fails", v1alpha1.StepCreateOnTarget,
			[]fault{targetTopicFails}, rolledBack, stepFailed},
		{"target connection dropped on topic create", v1alpha1.StepCreateOnTarget,
			[]fault{{tgt0, admin.CodeUpdateAndCreateTopic, 1, dropConnection}}, succeeded, v1alpha1.ReasonSucceeded},
		{"group create fails once", v1alpha1.StepCreateOnTarget,
			[]fault{{tgt0, admin.CodeUpdateAndCreateSubscriptionGroup, 1, 1}}, succeeded, v1alpha1.ReasonSucceeded},
		{"read-only on second source broker fails 3 times", v1alpha1.StepSourceReadOnly,
			[]fault{{src1, admin.CodeUpdateAndCreateTopic, 1, 3}}, rolledBack, stepFailed},
		{"read-only fails once", v1alpha1.StepSourceReadOnly,
			[]fault{{src0, admin.CodeUpdateAndCreateTopic, 1, 1}}, succeeded, v1alpha1.ReasonSucceeded},
		{"consume stats fail 3 times", v1alpha1.StepDrain, []fault{drainFails}, rolledBack, stepFailed},
		{"consume stats fail once", v1alpha1.StepDrain,
			[]fault{{src1, admin.CodeGetConsumeStats, 1, 1}}, succeeded, v1alpha1.ReasonSucceeded},
		{"broker delete fails 5 times", v1alpha1.StepDeleteFromSource,
			[]fault{{src0, admin.CodeDeleteTopicInBroker, 1, 5}}, succeeded, v1alpha1.ReasonSucceeded},
		{"NameServer delete fails 4 times", v1alpha1.StepDeleteFromSource,
			[]fault{{srcNS, admin.CodeDeleteTopicInNamesrv, 1, 4}}, succeeded, v1alpha1.ReasonSucceeded},
		{"group delete fails 4 times", v1alpha1.StepDeleteFromSource,
			[]fault{{src1, admin.CodeDeleteSubscriptionGroup, 1, 4}}, succeeded, v1alpha1.ReasonSucceeded},
		{"rollback: target group and topic deletes fail 4 times", "Rollback",
			[]fault{targetTopicFails, {tgt0, admin.CodeDeleteSubscriptionGroup, 1, 4}, {tgt0, admin.CodeDeleteTopicInBroker, 1, 4}},
			rolledBack, stepFailed},
		{"rollback: source restore read fails 4 times", "Rollback",
			// src1's topic config is read by the snapshot (1) and by the
			// read-only check of each of the 3 failing drain polls (2-4);
			// the restore's reads are 5 on.
			[]fault{drainFails, {src1, admin.CodeGetTopicConfig, 5, 8}}, rolledBack, stepFailed},
		{"rollback: source restore write fails 4 times", "Rollback",
			[]fault{drainFails, {src0, admin.CodeUpdateAndCreateTopic, 2, 5}}, rolledBack, stepFailed},
		{"rollback: target route delete fails 4 times", "Rollback",
			[]fault{targetTopicFails, {tgtNS, admin.CodeDeleteTopicInNamesrv, 1, 4}}, rolledBack, stepFailed},
	}
}

// TestFaultMatrix injects admin failures into every step in turn. Each run
// ends fully transferred, or fully rolled back with the source as in the
// snapshot and nothing of the transfer left on the target, or failed
// before anything changed.
func TestFaultMatrix(t *testing.T) {
	for _, tc := range faultMatrix() {
		t.Run(string(tc.step)+"/"+tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			for _, ft := range tc.faults {
				ft.arm(f)
			}
			f.startManager(f.testOptions(nil))
			f.create("move", f.spec())
			tt := f.waitFinal("move")
			require.Equal(t, tc.want, tt.Status.Phase, statusString(tt))
			_, reason, _ := conditionOf(tt, v1alpha1.ConditionReady)
			assert.Equal(t, tc.reason, reason)
			switch tc.want {
			case v1alpha1.TransferSucceeded:
				f.assertTransferred(t)
			case v1alpha1.TransferRolledBack:
				f.assertRolledBack(t, tt.Status.Rollback.FromStep)
				stalled, _, _ := conditionOf(tt, v1alpha1.ConditionStalled)
				assert.Equal(t, "True", stalled)
			case v1alpha1.TransferFailed:
				f.assertRolledBack(t, 0)
				assert.Empty(t, tt.Status.Target, "a failed transfer created nothing")
			}
			for _, ft := range tc.faults {
				ft.fired(t, f)
			}
			t.Logf("fault %q in %s: %s after %d attempts of the last step; message %q", tc.name, tc.step, tt.Status.Phase, tt.Status.Attempts, tt.Status.Message)
		})
	}
}
