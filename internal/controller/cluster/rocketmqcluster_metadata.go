package cluster

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	logf "sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/rocketmq-gitops/rocketmq-gitops/internal/fanout"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/metadatacopy"
)

// copyRequeue is the wait after recording Copying; the status write itself
// also triggers the next reconcile, this is the fallback.
const copyRequeue = time.Second

// syncMetadata decides the metadata state of groups that have none and
// advances the others one step, the groups' steps side by side so that a
// hung broker holds up only its own group. It returns when to look again.
func (r *Reconciler) syncMetadata(ctx context.Context, c, want *v1alpha1.RocketMQCluster, cl AdminClient, st *v1alpha1.RocketMQClusterStatus, masters map[int32]master, adminOK bool) time.Duration {
	baselined := metadatacopy.Baselined(st.BrokerGroups)
	ready, _ := podsReady(st)
	held := r.heldTopics(ctx, c)
	var todo []int
	for i := range st.BrokerGroups {
		g := &st.BrokerGroups[i]
		if g.Metadata == "" {
			g.Metadata = metadatacopy.NewGroupState(baselined, ready)
		}
		unsettled := g.Metadata != "" && !metadatacopy.Settled(g.Metadata)
		if (unsettled || metadatacopy.Resumable(*g, held)) && adminOK {
			todo = append(todo, i)
		}
	}
	source := ptrValue(want.Spec.Broker.MetadataSourceGroup, 0)
	srcAddr := sourceAddr(st, source, masters)
	now := r.now()
	outs := make([]metadatacopy.Outcome, len(todo))
	fanout.Each(len(todo), fanout.Limit, func(k int) {
		g := st.BrokerGroups[todo[k]]
		in := metadatacopy.Input{Group: g, Target: masters[g.Group].addr, Now: now,
			SpreadOrderedTopics: want.Spec.Broker.MetadataCopy.SpreadOrderedTopicsOrDefault(), HeldTopics: held}
		if g.Group != source {
			in.Source = srcAddr
		}
		outs[k] = metadatacopy.Step(ctx, cl, in, r.opts.Backoff)
	})
	var after time.Duration
	for k, i := range todo {
		next := r.applyCopyStep(ctx, c, &st.BrokerGroups[i], masters, outs[k])
		after = sooner(after, next)
	}
	return after
}

// applyCopyStep records one group's step outcome, in group order, and
// returns when that group wants to be looked at again.
func (r *Reconciler) applyCopyStep(ctx context.Context, c *v1alpha1.RocketMQCluster, g *v1alpha1.BrokerGroupStatus, masters map[int32]master, out metadatacopy.Outcome) time.Duration {
	*g = out.Group
	if out.Event != nil {
		logf.FromContext(ctx).Info(out.Event.Message, "brokerGroup", g.Name, "metadata", g.Metadata)
		r.recordCopyEvent(c, masters[g.Group].pod, out.Event)
	}
	if out.Requeue {
		return copyRequeue
	}
	return out.RequeueAfter
}

// sooner is the earlier of two waits, zero meaning none.
func sooner(a, b time.Duration) time.Duration {
	if b > 0 && (a == 0 || b < a) {
		return b
	}
	return a
}

// sourceAddr is the source group master's address when that group is
// settled (it has the metadata to give).
func sourceAddr(st *v1alpha1.RocketMQClusterStatus, source int32, masters map[int32]master) string {
	for _, g := range st.BrokerGroups {
		if g.Group == source && metadatacopy.Settled(g.Metadata) {
			return masters[source].addr
		}
	}
	return ""
}

// recordCopyEvent records a metadata Event related to the group's master
// pod, so that Events of different groups stay apart.
func (r *Reconciler) recordCopyEvent(c *v1alpha1.RocketMQCluster, pod *corev1.Pod, e *metadatacopy.Event) {
	if pod == nil {
		r.event(c, e.Type, e.Reason, "CopyMetadata", e.Message)
		return
	}
	r.events.Eventf(c, pod, e.Type, e.Reason, "CopyMetadata", "%s", e.Message)
}
