package topictransfer

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

func (r *rig) dataLoss() []rmqtest.DataLossRecord {
	ds := []rmqtest.DataLosser{r.srcNS, r.tgtNS}
	for _, b := range append(append([]*rmqtest.Broker(nil), r.src...), r.tgt...) {
		ds = append(ds, b)
	}
	return rmqtest.CollectDataLoss(ds...)
}

// A rollback from step 4 on keeps what it created on the target, which
// producers (and consumers) have used since: no data-loss record. A
// rollback from step 3 deletes it.
func TestRollbackKeepsTheTargetOnlyOnceProducersMoved(t *testing.T) {
	for _, c := range []struct {
		name     string
		abortAt  int32
		wantKept bool
	}{
		{"abort in CreateOnTarget", v1alpha1.StepNumberCreateOnTarget, false},
		{"abort in SourceReadOnly", v1alpha1.StepNumberSourceReadOnly, true},
		{"abort in Drain", v1alpha1.StepNumberDrain, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			r.src[0].SetConsumerOffset("g", "t", 0, 5) // the drain waits
			m := machine()
			in := r.input(r.admin)
			st := &v1alpha1.TopicTransferStatus{}
			for st.Step < c.abortAt || (c.abortAt == v1alpha1.StepNumberCreateOnTarget && len(st.Target) < 3) {
				m.Advance(context.Background(), in, st)
			}
			// Producers wrote to the target; the group read part of it.
			for _, b := range r.tgt {
				b.SetQueueOffsets("t", 0, 8)
				b.SetConsumerOffset("g", "t", 0, 3)
				b.SetQueueOffsets("%RETRY%g", 0, 2)
				b.SetConsumerOffset("g", "%RETRY%g", 0, 1)
			}
			in.Spec.Abort = true
			drive(t, m, in, st)
			require.Equal(t, v1alpha1.TransferRolledBack, st.Phase, st.Message)
			for _, tr := range st.Target {
				want := v1alpha1.TargetDeleted
				if c.wantKept {
					want = v1alpha1.TargetRetained
				}
				assert.Equal(t, want, tr.State, "%s %s", tr.Kind, tr.Name)
			}
			for _, b := range r.tgt {
				_, ok := b.Topics()["t"]
				assert.Equal(t, c.wantKept, ok, "target topic on %s", b.Addr())
			}
			if c.wantKept {
				assert.Empty(t, r.dataLoss(), "a rollback after step 4 loses nothing")
				assert.NotNil(t, findCondition(st, v1alpha1.ConditionTargetRetained))
				assert.Contains(t, st.Message, "kept on the target")
			} else {
				assert.NotEmpty(t, r.dataLoss(), "the audit sees the deleted target data (written behind the test's back)")
				assert.Nil(t, findCondition(st, v1alpha1.ConditionTargetRetained))
			}
		})
	}
}
