package topictransfer

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin/rmqtest"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// scaleOutSource adds a third broker group to the rig's source cluster
// holding the topic with perm, and the group, as a scale-out's metadata
// copy would leave it, with 5 messages per queue nobody consumed yet.
func (r *rig) scaleOutSource(t *testing.T, perm int) *rmqtest.Broker {
	t.Helper()
	host, _, err := net.SplitHostPort(r.srcNS.Addr())
	require.NoError(t, err)
	b, err := rmqtest.NewBroker(rmqtest.BrokerOptions{
		Addr: host[:strings.LastIndex(host, ".")+1] + "4:10911", ClusterName: "src",
		BrokerName: "src-2", NameServers: []string{r.srcNS.Addr()},
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = b.Close() })
	tc := r.origTopics[0]
	tc.Perm = perm
	b.PutTopics(tc)
	b.PutGroups(admin.NewSubscriptionGroupConfig("g"))
	for q := range 2 {
		b.SetQueueOffsets("t", q, 5)
	}
	r.src = append(r.src, b)
	return b
}

func consumeAll(b *rmqtest.Broker) {
	for q := range 2 {
		b.SetConsumerOffset("g", "t", q, 5)
	}
}

// A source broker group that gains the topic while the transfer runs (a
// scale-out whose metadata copy ran before it saw the transfer) is taken
// into the transfer at whichever step it appears: made read-only, drained
// (step 6 waits for it too, since it only rolls forward) and deleted from,
// with no data-loss record and no route left behind.
func TestSourceBrokerGainingTheTopicMidTransferIsAdopted(t *testing.T) {
	for _, c := range []struct {
		name string
		at   int32
		perm int
	}{
		{"before SourceReadOnly", v1alpha1.StepNumberSourceReadOnly, admin.PermRead | admin.PermWrite},
		{"during Drain", v1alpha1.StepNumberDrain, admin.PermRead},
		{"before DeleteFromSource", v1alpha1.StepNumberDeleteFromSource, admin.PermRead | admin.PermWrite},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t)
			m := machine()
			in := r.input(r.admin)
			st := &v1alpha1.TopicTransferStatus{}
			for st.Step < c.at {
				m.Advance(context.Background(), in, st)
			}
			nb := r.scaleOutSource(t, c.perm)
			for range 20 {
				m.Advance(context.Background(), in, st)
			}
			require.False(t, st.Phase.Final(), "the transfer must wait for the new broker's messages: %s", st.Message)
			assert.Equal(t, []string{"g"}, st.Drain.Pending)
			assert.Equal(t, admin.PermRead, nb.Topics()["t"].Perm&(admin.PermRead|admin.PermWrite), "fenced: read-only")
			assert.True(t, r.inSnapshotOf(st, "src-2"))
			consumeAll(nb)
			drivePolling(t, m, in, st)
			require.Equal(t, v1alpha1.TransferSucceeded, st.Phase, st.Message)
			r.assertTransferred(t)
			assert.Empty(t, r.dataLoss())
		})
	}
}

// A rollback gives an adopted broker the perm the topic had before the
// transfer, not the read-only one it was fenced with (or copied with).
func TestRollbackRestoresAdoptedSourceBroker(t *testing.T) {
	r := newRig(t)
	m := machine()
	in := r.input(r.admin)
	st := &v1alpha1.TopicTransferStatus{}
	for st.Step < v1alpha1.StepNumberDrain {
		m.Advance(context.Background(), in, st)
	}
	nb := r.scaleOutSource(t, admin.PermRead)
	for range 5 {
		m.Advance(context.Background(), in, st)
	}
	require.True(t, r.inSnapshotOf(st, "src-2"))
	in.Spec.Abort = true
	drivePolling(t, m, in, st)
	require.Equal(t, v1alpha1.TransferRolledBack, st.Phase, st.Message)
	for _, b := range r.src {
		assert.Equal(t, r.origTopics[0].Perm, b.Topics()["t"].Perm, "perm on %s", b.Addr())
	}
	assert.Contains(t, nb.Topics(), "t", "the new broker keeps its topic and messages")
	assert.Empty(t, r.dataLoss())
}

func (r *rig) inSnapshotOf(st *v1alpha1.TopicTransferStatus, broker string) bool {
	for _, b := range st.Snapshot.Topic {
		if b.BrokerName == broker {
			return true
		}
	}
	return false
}

// drivePolling is drive for a machine that must poll again: it sleeps the
// wait each Advance asks for (a millisecond with machine()), as the
// controller would, so polls are really made.
func drivePolling(t *testing.T, m *Machine, in Input, st *v1alpha1.TopicTransferStatus) {
	t.Helper()
	for range 500 {
		out := m.Advance(context.Background(), in, st)
		if st.Phase.Final() {
			return
		}
		time.Sleep(out.Wait)
	}
	t.Fatalf("no final phase after 500 transitions: %s", st.Message)
}
