package topictransfer

import (
	"context"
	"fmt"
	"testing"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// BenchmarkTransfer runs a whole transfer of one topic with 20 groups
// between two emulated two-broker clusters on loopback, status kept in
// memory: the cost of the admin calls and the machine, not of persisting.
func BenchmarkTransfer(b *testing.B) {
	r := newRig(b)
	groups := make([]string, 20)
	for i := range groups {
		groups[i] = fmt.Sprintf("g%02d", i)
	}
	ctx := context.Background()
	m := machine()
	var transitions int
	for b.Loop() {
		b.StopTimer()
		for _, br := range r.src {
			br.PutTopics(r.origTopics[0])
			for _, g := range groups {
				br.PutGroups(admin.NewSubscriptionGroupConfig(g))
				for q := range 2 {
					br.SetConsumerOffset(g, "t", q, 10)
				}
			}
			for q := range 2 {
				br.SetQueueOffsets("t", q, 10)
			}
		}
		in := r.input(r.admin)
		in.Spec.ConsumerGroups = groups
		st := &v1alpha1.TopicTransferStatus{}
		b.StartTimer()
		for n := 0; !st.Phase.Final() && n < 1000; n++ {
			m.Advance(ctx, in, st)
			transitions++
		}
		if st.Phase != v1alpha1.TransferSucceeded {
			b.Fatalf("transfer ended %s: %s", st.Phase, st.Message)
		}
		b.StopTimer()
		for _, br := range r.tgt {
			for _, g := range groups {
				_ = r.admin.DeleteGroup(ctx, br.Addr(), g, true)
				_ = r.admin.DeleteTopicInBroker(ctx, br.Addr(), retryTopic(g))
			}
			_ = r.admin.DeleteTopicInBroker(ctx, br.Addr(), "t")
		}
		_ = r.admin.DeleteTopicInNameServer(ctx, r.tgtNS.Addr(), "t", "tgt")
		b.StartTimer()
	}
	b.ReportMetric(float64(transitions)/float64(b.N), "transitions/op")
}
