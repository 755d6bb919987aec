package cluster

import (
	"fmt"
	"sort"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/api/v1alpha1"
	"github.com/rocketmq-gitops/rocketmq-gitops/pkg/hooks/metadatacopy"
)

// DefaultMasterLostGrace is how long a broker group may lack a ready master
// outside a rollout before the cluster is Degraded: long enough for a
// broker pod that was killed or evicted to be recreated and to load its
// store, short enough that a real outage is reported while it matters.
const DefaultMasterLostGrace = 2 * time.Minute

// rollout says what of the cluster is being replaced right now, "" when
// nothing is: a StatefulSet rolling out a new revision (a broker.conf
// change restarts every pod, ordinal 0, the master, last), or a pod on its
// way out. Pods missing while that happens are the rollout, not damage.
// StatefulSets are checked in name order so the message is stable.
func rollout(o *observed, now time.Time, grace time.Duration) string {
	names := make([]string, 0, len(o.sets))
	for name := range o.sets {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if msg := setRolling(o.sets[name]); msg != "" {
			return msg
		}
	}
	return podLeaving(o, now, grace)
}

// setRolling describes a StatefulSet whose pods do not all run its
// current spec yet.
func setRolling(s *appsv1.StatefulSet) string {
	st := s.Status
	if st.ObservedGeneration == 0 {
		// Not yet seen by the StatefulSet controller: its status means
		// nothing, and the pods it has yet to create already say the
		// cluster is progressing.
		return ""
	}
	want := ptrValue(s.Spec.Replicas, 1)
	switch {
	case st.ObservedGeneration < s.Generation:
		return fmt.Sprintf("StatefulSet %s: generation %d is not yet rolled out", s.Name, s.Generation)
	case st.CurrentRevision != st.UpdateRevision:
		return fmt.Sprintf("StatefulSet %s is rolling out revision %s (%d/%d pods updated)", s.Name, st.UpdateRevision, st.UpdatedReplicas, want)
	case st.UpdatedReplicas < want:
		return fmt.Sprintf("StatefulSet %s is rolling out (%d/%d pods updated)", s.Name, st.UpdatedReplicas, want)
	}
	return ""
}

// podLeaving names the first pod (by component and name) that is being
// deleted: its StatefulSet replaces it. A pod still there a grace period
// after its deletionTimestamp (which already includes its termination
// grace period) is stuck, typically on a node that is gone: that is not a
// rollout, and must not hide a lost master for ever.
func podLeaving(o *observed, now time.Time, grace time.Duration) string {
	comps := make([]string, 0, len(o.pods))
	for comp := range o.pods {
		comps = append(comps, comp)
	}
	sort.Strings(comps)
	for _, comp := range comps {
		var leaving []string
		for i := range o.pods[comp] {
			if dt := o.pods[comp][i].DeletionTimestamp; dt != nil && now.Before(dt.Add(grace)) {
				leaving = append(leaving, o.pods[comp][i].Name)
			}
		}
		if len(leaving) > 0 {
			sort.Strings(leaving)
			return fmt.Sprintf("pod %s is being replaced", leaving[0])
		}
	}
	return ""
}

// trackMasterLoss records since when each group that has been running
// (the cluster was ready once and the group's metadata is settled) has
// lacked a ready master, and forgets it when a master is back.
//
// The time is kept per group in status rather than read from a
// condition's lastTransitionTime: Progressing and Degraded change for many
// reasons and for any group, so their transition times do not say when
// this group lost its master; and status survives a controller restart,
// so the grace period neither restarts nor is lost with the process.
func trackMasterLoss(groups []v1alpha1.BrokerGroupStatus, now time.Time) {
	baselined := metadatacopy.Baselined(groups)
	for i := range groups {
		g := &groups[i]
		switch {
		case g.Master != "" || !baselined || !metadatacopy.Settled(g.Metadata):
			g.MasterLostSince = nil
		case g.MasterLostSince == nil:
			g.MasterLostSince = &metav1.Time{Time: now}
		}
	}
}
