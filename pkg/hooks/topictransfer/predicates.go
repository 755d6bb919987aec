package topictransfer

import (
	"fmt"
	"slices"
	"time"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/admin"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
)

// The safety decisions of a transfer, as pure functions.

// abortRequested reports whether spec.abort must start a rollback now: the
// transfer is under way and has not reached the point of no return.
func abortRequested(spec *v1alpha1.TopicTransferSpec, st *v1alpha1.TopicTransferStatus) bool {
	return spec.Abort && canRollBack(st)
}

// canRollBack reports whether the transfer may still be undone: it runs
// and has not begun deleting from the source.
func canRollBack(st *v1alpha1.TopicTransferStatus) bool {
	running := st.Phase == v1alpha1.TransferPending || st.Phase == v1alpha1.TransferRunning
	return running && st.Step < v1alpha1.StepNumberDeleteFromSource
}

// drainTimedOut reports whether the drain step ran out of time.
func drainTimedOut(spec *v1alpha1.TopicTransferSpec, st *v1alpha1.TopicTransferStatus, now time.Time) bool {
	if st.Step != v1alpha1.StepNumberDrain || st.Drain == nil {
		return false
	}
	return now.Sub(st.Drain.StartedAt.Time) > spec.DrainTimeoutOrDefault()
}

// canDeleteFromSource reports whether step 6 may delete: every group was
// seen drained, and no source broker held delayed, timer or half messages,
// by step 5, nothing is rolling back, and the topic is to be
// deleted at all.
func canDeleteFromSource(spec *v1alpha1.TopicTransferSpec, st *v1alpha1.TopicTransferStatus) bool {
	return spec.DeleteSourceTopicOrDefault() &&
		st.Phase == v1alpha1.TransferRunning &&
		st.Step == v1alpha1.StepNumberDeleteFromSource &&
		st.Rollback == nil && st.Snapshot != nil &&
		st.Drain != nil && len(st.Drain.Pending) == 0 && len(st.Drain.Brokers) == 0 && st.Drain.Polls > 0
}

// queuesDrained reports whether one broker's consume stats show that the
// group consumed every message of topic on queues 0..queues-1. A queue
// missing from the stats counts as not drained: the broker reports every
// read queue (ConsumerManageProcessor/AdminBrokerProcessor.getConsumeStats
// loops over readQueueNums), so a missing one means the answer is not the
// whole truth. The second result says what is left, for the status.
func queuesDrained(stats *admin.ConsumeStats, topic, brokerName string, queues int) (bool, string) {
	seen := make(map[int]bool, queues)
	var lag int64
	for mq, o := range stats.OffsetTable {
		if mq.Topic != topic || mq.BrokerName != brokerName {
			continue
		}
		seen[mq.QueueID] = true
		if d := o.BrokerOffset - o.ConsumerOffset; d > 0 {
			lag += d
		}
	}
	for q := range queues {
		if !seen[q] {
			return false, fmt.Sprintf("no consume stats for queue %d on %s", q, brokerName)
		}
	}
	if lag > 0 {
		return false, fmt.Sprintf("%d messages left on %s", lag, brokerName)
	}
	return true, ""
}

// readOnlyPerm is perm without the write bit and with the read bit: what
// mqadmin updateTopicPerm -p 4 does to a plain RW topic, keeping the
// priority and inherit bits.
func readOnlyPerm(perm int) int {
	return perm&^admin.PermWrite | admin.PermRead
}

// targetPlan is the order in which step 3 creates things on the target:
// each group, then its retry topic, and the topic last, so that by the
// time producers can see the topic every group is ready to consume it.
func targetPlan(topic string, groups []string) []v1alpha1.TargetResource {
	plan := make([]v1alpha1.TargetResource, 0, 2*len(groups)+1)
	for _, g := range groups {
		plan = append(plan,
			v1alpha1.TargetResource{Kind: v1alpha1.TargetGroup, Name: g},
			v1alpha1.TargetResource{Kind: v1alpha1.TargetRetryTopic, Name: retryTopic(g)})
	}
	return append(plan, v1alpha1.TargetResource{Kind: v1alpha1.TargetTopic, Name: topic})
}

func retryTopic(group string) string { return "%RETRY%" + group }

// nextToUndo returns the index in target of the last resource this transfer
// created (or was about to create) and has not deleted yet, or -1. Undoing
// in reverse creation order removes the topic before the groups.
func nextToUndo(target []v1alpha1.TargetResource) int {
	for i := len(target) - 1; i >= 0; i-- {
		s := target[i].State
		if s == v1alpha1.TargetCreating || s == v1alpha1.TargetCreated {
			return i
		}
	}
	return -1
}

// targetMayHoldData reports whether a rollback must keep what the transfer
// created on the target: from step 4 (the source read-only, producers sent
// to the target) on, the target topic and retry topics may hold messages
// that exist nowhere else.
func targetMayHoldData(rb *v1alpha1.RollbackStatus) bool {
	return rb != nil && rb.FromStep >= v1alpha1.StepNumberSourceReadOnly
}

// rollbackNeedsClusters reports whether a rollback still has something to
// undo on a cluster: the source topic's perm, or a target resource to
// delete (a target that may hold data is kept, which needs no cluster). One
// that has not (it began before anything changed) can finish even when
// the clusters cannot be reached.
func rollbackNeedsClusters(st *v1alpha1.TopicTransferStatus) bool {
	rb := st.Rollback
	restore := !rb.SourceRestored && rb.FromStep >= v1alpha1.StepNumberSourceReadOnly && st.Snapshot != nil
	return restore || (!targetMayHoldData(rb) && nextToUndo(st.Target) >= 0)
}

// findTarget returns the index of kind/name in target, or -1.
func findTarget(target []v1alpha1.TargetResource, kind v1alpha1.TargetResourceKind, name string) int {
	return slices.IndexFunc(target, func(t v1alpha1.TargetResource) bool { return t.Kind == kind && t.Name == name })
}

// Conflicts reports whether two transfers would fight over a topic: same
// topic and a cluster in common, each cluster known by the identities of
// its spec alone (StaticIdentities).
func Conflicts(a, b *v1alpha1.TopicTransfer) bool {
	return ConflictsWith(a, b, StaticIdentities)
}

// ConflictsWith is Conflicts with the clusters' identities given by ids:
// two endpoints are one cluster when they share any identity.
func ConflictsWith(a, b *v1alpha1.TopicTransfer, ids func(*v1alpha1.TopicTransfer) []string) bool {
	if a.Spec.Topic != b.Spec.Topic {
		return false
	}
	mine := ids(a)
	return slices.ContainsFunc(ids(b), func(id string) bool { return slices.Contains(mine, id) })
}

// StaticIdentities names both clusters of a transfer from its spec: a
// managed cluster by namespace and name, an unmanaged one by its
// brokerClusterName at each of its NameServer addresses.
func StaticIdentities(tt *v1alpha1.TopicTransfer) []string {
	var out []string
	for _, e := range []*v1alpha1.TransferEndpoint{&tt.Spec.Source, &tt.Spec.Target} {
		if e.ClusterRef != nil {
			out = append(out, "ref:"+tt.Namespace+"/"+e.ClusterRef.Name)
			continue
		}
		out = append(out, ClusterIdentities(e.EndpointClusterName(), e.NameServers)...)
	}
	return out
}

// ClusterIdentities names a cluster by its brokerClusterName at each of
// its NameServer addresses: a cluster named once by clusterRef (whose
// NameServers the controller knows) and once by nameServers shares at
// least one when the addresses are written the same way (callers map pod
// DNS names and pod IPs to one form first).
func ClusterIdentities(clusterName string, nameServers []string) []string {
	out := make([]string, 0, len(nameServers))
	for _, ns := range nameServers {
		out = append(out, fmt.Sprintf("cluster:%s@%s", clusterName, ns))
	}
	return out
}

// TakesPrecedence reports whether a transfer started or was created before
// another, so that of two conflicting transfers exactly one goes ahead: the
// one already past step 1, else the older, else the one whose name sorts
// first.
func TakesPrecedence(a, b *v1alpha1.TopicTransfer) bool {
	aStarted, bStarted := a.Status.Step > v1alpha1.StepNumberCheck, b.Status.Step > v1alpha1.StepNumberCheck
	if aStarted != bStarted {
		return aStarted
	}
	if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
		return a.CreationTimestamp.Before(&b.CreationTimestamp)
	}
	return a.Namespace+"/"+a.Name < b.Namespace+"/"+b.Name
}
