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

// faultCase injects admin failures into one step (or into the rollback)
// and says how the transfer must end. The controller runs with
// MaxAttempts 3: a fault that outlasts three attempts fails steps 1-2,
// rolls back steps 3-5, and is outlasted by step 6 and by rollbacks,
// which retry until they succeed.
type faultCase struct {
	name   string
	step   v1alpha1.TransferStep
	arm    func(f *fixture)
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
	return []faultCase{
		{"source cluster info always fails", v1alpha1.StepCheck, func(f *fixture) {
			srcNS(f).FailAlways(admin.CodeGetBrokerClusterInfo, admin.CodeSystemError, "injected")
		}, failed, v1alpha1.ReasonClusterUnavailable},
		{"target cluster info fails once", v1alpha1.StepCheck, func(f *fixture) {
			failFirst(tgtNS(f), admin.CodeGetBrokerClusterInfo, 1)
		}, succeeded, v1alpha1.ReasonSucceeded},
		{"source route lookup fails once", v1alpha1.StepCheck, func(f *fixture) {
			failFirst(srcNS(f), admin.CodeGetRouteInfoByTopic, 1)
		}, succeeded, v1alpha1.ReasonSucceeded},
		{"source group lookup always fails", v1alpha1.StepCheck, func(f *fixture) {
			src0(f).FailAlways(admin.CodeGetSubscriptionGroupConfig, admin.CodeSystemBusy, "injected")
		}, failed, v1alpha1.ReasonClusterUnavailable},
		{"snapshot read always fails", v1alpha1.StepSnapshot, func(f *fixture) {
			src1(f).FailAlways(admin.CodeGetTopicConfig, admin.CodeSystemError, "injected")
		}, failed, v1alpha1.ReasonClusterUnavailable},
		{"snapshot read fails twice", v1alpha1.StepSnapshot, func(f *fixture) {
			failFirst(src0(f), admin.CodeGetTopicConfig, 2)
		}, succeeded, v1alpha1.ReasonSucceeded},
		{"group create on second target broker always fails", v1alpha1.StepCreateOnTarget, func(f *fixture) {
			tgt1(f).FailAlways(admin.CodeUpdateAndCreateSubscriptionGroup, admin.CodeSystemError, "injected")
		}, rolledBack, string(v1alpha1.RollbackStepFailed)},
		{"topic create on target always fails", v1alpha1.StepCreateOnTarget, func(f *fixture) {
			tgt1(f).FailAlways(admin.CodeUpdateAndCreateTopic, admin.CodeInvalidParameter, "injected")
		}, rolledBack, string(v1alpha1.RollbackStepFailed)},
		{"group create fails once", v1alpha1.StepCreateOnTarget, func(f *fixture) {
			failFirst(tgt0(f), admin.CodeUpdateAndCreateSubscriptionGroup, 1)
		}, succeeded, v1alpha1.ReasonSucceeded},
		{"target connection dropped on topic create", v1alpha1.StepCreateOnTarget, func(f *fixture) {
			tgt0(f).DropConnectionOnNth(admin.CodeUpdateAndCreateTopic, 1)
		}, succeeded, v1alpha1.ReasonSucceeded},
		{"read-only on second source broker fails 3 times", v1alpha1.StepSourceReadOnly, func(f *fixture) {
			failFirst(src1(f), admin.CodeUpdateAndCreateTopic, 3)
		}, rolledBack, string(v1alpha1.RollbackStepFailed)},
		{"read-only fails once", v1alpha1.StepSourceReadOnly, func(f *fixture) {
			failFirst(src0(f), admin.CodeUpdateAndCreateTopic, 1)
		}, succeeded, v1alpha1.ReasonSucceeded},
		{"consume stats fail 3 times", v1alpha1.StepDrain, func(f *fixture) {
			failFirst(src0(f), admin.CodeGetConsumeStats, 3)
		}, rolledBack, string(v1alpha1.RollbackStepFailed)},
		{"consume stats fail once", v1alpha1.StepDrain, func(f *fixture) {
			failFirst(src1(f), admin.CodeGetConsumeStats, 1)
		}, succeeded, v1alpha1.ReasonSucceeded},
		{"broker delete fails 5 times", v1alpha1.StepDeleteFromSource, func(f *fixture) {
			failFirst(src0(f), admin.CodeDeleteTopicInBroker, 5)
		}, succeeded, v1alpha1.ReasonSucceeded},
		{"NameServer delete fails 4 times", v1alpha1.StepDeleteFromSource, func(f *fixture) {
			failFirst(srcNS(f), admin.CodeDeleteTopicInNamesrv, 4)
		}, succeeded, v1alpha1.ReasonSucceeded},
		{"group delete fails 4 times", v1alpha1.StepDeleteFromSource, func(f *fixture) {
			failFirst(src1(f), admin.CodeDeleteSubscriptionGroup, 4)
		}, succeeded, v1alpha1.ReasonSucceeded},
		{"rollback: target delete fails 4 times", "Rollback", func(f *fixture) {
			tgt1(f).FailAlways(admin.CodeUpdateAndCreateTopic, admin.CodeSystemError, "injected")
			failFirst(tgt0(f), admin.CodeDeleteSubscriptionGroup, 4)
			failFirst(tgt0(f), admin.CodeDeleteTopicInBroker, 4)
		}, rolledBack, string(v1alpha1.RollbackStepFailed)},
		{"rollback: source restore read fails 4 times", "Rollback", func(f *fixture) {
			failFirst(src0(f), admin.CodeGetConsumeStats, 3)
			failRange(src1(f), admin.CodeGetTopicConfig, 2, 5) // the snapshot read passes
		}, rolledBack, string(v1alpha1.RollbackStepFailed)},
		{"rollback: target route delete fails 4 times", "Rollback", func(f *fixture) {
			failFirst(src0(f), admin.CodeGetConsumeStats, 3)
			failFirst(tgtNS(f), admin.CodeDeleteTopicInNamesrv, 4)
		}, rolledBack, string(v1alpha1.RollbackStepFailed)},
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
			tc.arm(f)
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
				f.assertRolledBack(t)
				stalled, _, _ := conditionOf(tt, v1alpha1.ConditionStalled)
				assert.Equal(t, "True", stalled)
			case v1alpha1.TransferFailed:
				f.assertRolledBack(t)
				assert.Empty(t, tt.Status.Target, "a failed transfer created nothing")
			}
			t.Logf("fault %q in %s: %s after %d attempts of the last step; message %q", tc.name, tc.step, tt.Status.Phase, tt.Status.Attempts, tt.Status.Message)
		})
	}
}
